using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Tokenization;
using DiffusionFinishReason = SkDiffusion.Sampling.FinishReason;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// A Microsoft.Extensions.AI <see cref="IChatClient"/> over a diffusion model. Every request renders the conversation
/// with the package's chat format and decodes a masked answer on the thread pool; streaming yields each
/// semi-autoregressive block's text when the block is complete.
/// </summary>
/// <remarks>
/// <para>Option mapping: <see cref="ChatOptions.Instructions"/> → system turn, <see cref="ChatOptions.MaxOutputTokens"/> →
/// answer length, <see cref="ChatOptions.Temperature"/>, <see cref="ChatOptions.TopP"/>, <see cref="ChatOptions.TopK"/>,
/// <see cref="ChatOptions.Seed"/> (any <see cref="long"/>; unset draws a fresh seed per request),
/// <see cref="ChatOptions.StopSequences"/> (the answer is cut before the first; usage counts the kept tokens), and
/// <see cref="ChatOptions.AdditionalProperties"/> with the snake_case diffusion settings (<c>steps</c>,
/// <c>block_length</c>, <c>selection</c>, <c>cache</c>…).</para>
/// <para>A JSON-schema <see cref="ChatOptions.ResponseFormat"/> decodes the answer on a free canvas under the schema's
/// grammar (<see cref="Grammars.TokenGrammar"/>): the model chooses each value's length and every answer is JSON of the
/// schema, so <c>GetResponseAsync&lt;T&gt;</c> always parses; schema-less <see cref="ChatResponseFormat.Json"/> decodes
/// under the grammar of any JSON object or array. <c>json_mode</c> selects <c>grammar</c> (default), <c>template</c>
/// (fixed slot positions) or <c>auto</c> (an unconstrained answer first).</para>
/// <para>Function calling: with <see cref="ChatOptions.Tools"/> the model chooses, under a constraint, between answering
/// and each function (<see cref="ChatToolMode.Auto"/>), among the functions (<see cref="ChatToolMode.RequireAny"/>), or
/// calls the named one; the arguments follow the function's parameter schema. After tool results it answers.</para>
/// <para>Text, images and audio: only text is read; other media throw <see cref="NotSupportedException"/>.</para>
/// </remarks>
public sealed class DiffusionChatClient : IChatClient
{
    /// <summary>The provider name in <see cref="ChatClientMetadata"/> and telemetry.</summary>
    public const string ProviderName = "skdiffusion";

    /// <summary>The name of the client's <see cref="ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string TelemetrySourceName = "SkDiffusion.Extensions.AI";

    private readonly bool _ownsModel;
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>Creates a client over a shared model (not disposed by the client).</summary>
    /// <param name="model">The model.</param>
    /// <param name="logger">Receives a debug line per request; null for none.</param>
    public DiffusionChatClient(DiffusionModel model, ILogger? logger = null)
        : this(model ?? throw new ArgumentNullException(nameof(model)), ownsModel: false, logger)
    {
    }

    /// <summary>Loads a model package and creates a client that owns (and disposes) it.</summary>
    /// <param name="packageDirectory">The package folder.</param>
    /// <param name="options">Load options.</param>
    /// <param name="logger">Receives load warnings (e.g. the CUDA to CPU fallback) and a debug line per request.</param>
    /// <exception cref="ModelPackageException">The package is invalid.</exception>
    public DiffusionChatClient(string packageDirectory, DiffusionModelOptions? options = null, ILogger? logger = null)
        : this(DiffusionModel.Load(packageDirectory, options, logger), ownsModel: true, logger)
    {
    }

    private DiffusionChatClient(DiffusionModel model, bool ownsModel, ILogger? logger)
    {
        Model = model;
        _ownsModel = ownsModel;
        _logger = logger ?? NullLogger.Instance;
        Metadata = new ChatClientMetadata(ProviderName, null, model.ModelId);
    }

    /// <summary>The shared model.</summary>
    public DiffusionModel Model { get; }

    /// <summary>Resolves reward names the library does not ship (set by hosts such as the Semantic Kernel registration).</summary>
    internal Func<string, Sampling.Guidance.TextReward?>? RewardResolver { get; init; }

    /// <summary>The client's metadata (provider <c>skdiffusion</c>, the manifest's model name).</summary>
    public ChatClientMetadata Metadata { get; }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = Prepare(messages);
        var request = DiffusionChatRequest.Create(Model, list, options, RewardResolver);
        using var activity = DiffusionTelemetry.Start(Model.ModelId, options, streaming: false);
        var clock = Stopwatch.StartNew();
        try
        {
            var (response, figures) = await AnswerAsync(list, request, options, cancellationToken).ConfigureAwait(false);
            Finish(activity, figures, response.ResponseId, response.FinishReason, clock.Elapsed);
            return response;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DiffusionTelemetry.Fail(activity, ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = Prepare(messages);
        var request = DiffusionChatRequest.Create(Model, list, options, RewardResolver);
        if (request.IsJson || options?.Tools is { Count: > 0 })
        {
            // JSON and tool calls are decided as a whole: one update per content.
            var response = await GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
            foreach (var update in response.ToChatResponseUpdates())
            {
                yield return update;
            }

            yield break;
        }

        using var activity = DiffusionTelemetry.Start(Model.ModelId, options, streaming: true);
        var clock = Stopwatch.StartNew();
        string responseId = NewId();
        var streamer = new BlockStreamer(Model, request);
        SamplingResult? result = null;
        int steps = 0;
        await foreach (var evt in Model.StreamAsync(request.Canvas!, request.Options!, cancellationToken).ConfigureAwait(false))
        {
            steps = evt.Step;
            result = evt.Result ?? result;
            string text = streamer.Apply(evt);
            if (text.Length > 0)
            {
                yield return Update(responseId, text);
            }

            if (streamer.Ended)
            {
                break;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        string rest = streamer.Finish();
        if (rest.Length > 0)
        {
            yield return Update(responseId, rest);
        }

        var figures = new DiffusionRunFigures(request.Prompt.Count, streamer.OutputTokens, streamer.Nfe, steps, request.AnswerLength, result?.CacheRefreshes ?? 0);
        var finish = streamer.Stopped ? ChatFinishReason.Stop : ChatFinishReason.Length;
        Finish(activity, figures, responseId, finish, clock.Elapsed);
        yield return new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = Model.ModelId,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = finish,
            RawRepresentation = result,
            Contents = [new UsageContent(Usage(figures))],
        };
    }

    /// <inheritdoc />
    /// <remarks>
    /// Serves <see cref="ChatClientMetadata"/>, <see cref="DiffusionModel"/>, <see cref="ModelPackage"/>,
    /// <see cref="DiffusionTokenizer"/> and the client itself (unkeyed only).
    /// </remarks>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType == typeof(ChatClientMetadata) ? Metadata
            : serviceType == typeof(DiffusionModel) ? Model
            : serviceType == typeof(ModelPackage) ? Model.Package
            : serviceType == typeof(DiffusionTokenizer) ? Model.Package.Tokenizer
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>
    /// Marks the client disposed (later requests get an <see cref="ObjectDisposedException"/> naming it) and, when the
    /// client loaded its model, disposes the model. A shared model passed to the constructor stays open. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsModel)
        {
            Model.Dispose();
        }
    }

    /// <summary>Checks the client and its model are alive and the message list holds no null.</summary>
    private IReadOnlyList<ChatMessage> Prepare(IEnumerable<ChatMessage> messages)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(DiffusionChatClient), $"The DiffusionChatClient of model '{Model.ModelId}' was disposed: create a new client (or resolve it from a live service provider) to send more requests.");
        }

        Model.ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        ChatTurns.EnsureNoNull(list);
        return list;
    }

    private async Task<(ChatResponse Response, DiffusionRunFigures Figures)> AnswerAsync(IReadOnlyList<ChatMessage> messages, DiffusionChatRequest request, ChatOptions? options, CancellationToken cancellationToken)
    {
        int extraNfe = 0, extraSteps = 0;
        if (options?.Tools is { Count: > 0 })
        {
            var decision = await ToolCallDecoder.DecideAsync(Model, request, messages, options, cancellationToken).ConfigureAwait(false);
            if (decision.Call is { } call)
            {
                var callFigures = new DiffusionRunFigures(request.Prompt.Count, decision.OutputTokens, decision.Nfe, decision.Steps, decision.OutputTokens, 0);
                return (Response([call], ChatFinishReason.ToolCalls, callFigures, decision.Result), callFigures);
            }

            extraNfe = decision.Nfe;
            extraSteps = decision.Steps;
        }

        if (request.IsJson)
        {
            var json = await JsonAnswerDecoder.DecodeAsync(Model, request.Prompt, request.JsonSchema, request.Settings, request.Turns, cancellationToken).ConfigureAwait(false);
            var jsonFigures = new DiffusionRunFigures(request.Prompt.Count, json.OutputTokens, json.Nfe + extraNfe, json.Result.Steps + extraSteps, json.OutputTokens, 0);
            return (Response([new TextContent(json.Json)], ChatFinishReason.Stop, jsonFigures, json.Result), jsonFigures);
        }

        Model.EnsureFits(request.Prompt.Count, request.AnswerLength);
        var result = await Model.SampleAsync(request.Canvas!, request.Options!, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var tokens = result.Sequences[0].AnswerTokens;
        var (text, stopped) = DiffusionChatRequest.ApplyStops(Model.Package.Tokenizer.Decode(tokens, skipSpecialTokens: true), request.StopSequences);
        int kept = stopped ? DiffusionChatRequest.KeptTokenCount(Model, tokens, text) : tokens.Count;
        var finish = stopped || result.FinishReason == DiffusionFinishReason.Eos ? ChatFinishReason.Stop : ChatFinishReason.Length;
        var figures = new DiffusionRunFigures(request.Prompt.Count, kept, result.Nfe + extraNfe, result.Steps + extraSteps, request.AnswerLength, result.CacheRefreshes);
        return (Response([new TextContent(text)], finish, figures, result), figures);
    }

    private ChatResponse Response(IList<AIContent> contents, ChatFinishReason finish, DiffusionRunFigures figures, SamplingResult? raw)
    {
        string id = NewId();
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { MessageId = id, RawRepresentation = raw })
        {
            ModelId = Model.ModelId,
            ResponseId = id,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = finish,
            Usage = Usage(figures),
            RawRepresentation = raw,
        };
    }

    private void Finish(Activity? activity, DiffusionRunFigures figures, string? responseId, ChatFinishReason? finish, TimeSpan elapsed)
    {
        DiffusionTelemetry.Record(activity, Model.ModelId, figures, responseId, finish, elapsed);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug(
                "Diffusion chat {ResponseId}: {InputTokens} prompt tokens, {OutputTokens} answer tokens, {Nfe} forward passes, {Steps} steps, {Finish}, {ElapsedMs} ms",
                responseId, figures.InputTokens, figures.OutputTokens, figures.Nfe, figures.Steps, finish?.Value, (long)elapsed.TotalMilliseconds);
        }
    }

    private ChatResponseUpdate Update(string responseId, string text) => new(ChatRole.Assistant, text)
    {
        ResponseId = responseId,
        MessageId = responseId,
        ModelId = Model.ModelId,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static UsageDetails Usage(DiffusionRunFigures figures) => new()
    {
        InputTokenCount = figures.InputTokens,
        OutputTokenCount = figures.OutputTokens,
        TotalTokenCount = figures.InputTokens + figures.OutputTokens,
        AdditionalCounts = new() { ["nfe"] = figures.Nfe, ["steps"] = figures.Steps },
    };
}
