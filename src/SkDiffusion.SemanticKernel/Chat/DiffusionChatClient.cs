using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using SkDiffusion.Sampling;
using SkDiffusion.SemanticKernel.Models;
using DiffusionFinishReason = SkDiffusion.Sampling.FinishReason;

namespace SkDiffusion.SemanticKernel.Chat;

/// <summary>
/// A Microsoft.Extensions.AI <see cref="IChatClient"/> over a diffusion model. Every request renders the conversation
/// with the package's chat format and decodes a masked answer; streaming yields each semi-autoregressive block's text
/// when the block is complete. A JSON-schema <see cref="ChatOptions.ResponseFormat"/> decodes a template of the
/// schema (keys and punctuation fixed, typed values), so <c>GetResponseAsync&lt;T&gt;</c> returns valid JSON.
/// </summary>
/// <remarks>
/// Option mapping: <see cref="ChatOptions.Instructions"/> → system turn, <see cref="ChatOptions.MaxOutputTokens"/> → answer length, <see cref="ChatOptions.Temperature"/>,
/// <see cref="ChatOptions.TopP"/>, <see cref="ChatOptions.TopK"/>, <see cref="ChatOptions.Seed"/>,
/// <see cref="ChatOptions.StopSequences"/> (the answer is cut before the first), and
/// <see cref="ChatOptions.AdditionalProperties"/> with the snake_case names of
/// <see cref="Settings.DiffusionPromptExecutionSettings"/> (<c>steps</c>, <c>block_length</c>, <c>selection</c>…).
/// Tool calls: with a required <see cref="ChatOptions.ToolMode"/> the client answers with a
/// <see cref="FunctionCallContent"/> whose arguments come from a JSON-schema template of the function's parameters
/// (the function is picked with an enum template when several qualify); with <see cref="ChatToolMode.Auto"/> tools
/// are ignored (the models were not trained to decide when to call one).
/// </remarks>
public sealed class DiffusionChatClient : IChatClient
{
    /// <summary>The provider name in <see cref="ChatClientMetadata"/>.</summary>
    public const string ProviderName = "skdiffusion";

    private readonly bool _ownsModel;

    private DiffusionChatClient(DiffusionModel model, bool ownsModel)
    {
        Model = model;
        _ownsModel = ownsModel;
        Metadata = new ChatClientMetadata(ProviderName, null, model.ModelId);
    }

    /// <summary>The shared model.</summary>
    public DiffusionModel Model { get; }

    /// <summary>The client's metadata (provider <c>skdiffusion</c>, the manifest's model name).</summary>
    public ChatClientMetadata Metadata { get; }

    /// <summary>Creates a client over a shared model (not disposed by the client).</summary>
    /// <param name="model">The model.</param>
    public static DiffusionChatClient Create(DiffusionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new DiffusionChatClient(model, ownsModel: false);
    }

    /// <summary>Loads a model package and creates a client that owns it.</summary>
    /// <param name="packageDirectory">The package folder.</param>
    /// <param name="options">Load options.</param>
    public static DiffusionChatClient Load(string packageDirectory, DiffusionModelOptions? options = null) =>
        new(DiffusionModel.Load(packageDirectory, options), ownsModel: true);

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (options is { ToolMode: RequiredChatToolMode, Tools.Count: > 0 })
        {
            return await DiffusionToolCaller.CallAsync(this, [.. messages], options, cancellationToken).ConfigureAwait(false);
        }

        var request = DiffusionChatRequest.Create(Model, messages, options);
        SamplingResult result;
        int extraNfe = 0;
        using (await Model.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            if (request.FreeForm is { } free)
            {
                var attempt = await Model.Sampler.SampleAsync(free.Canvas, free.Options, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                string candidate = Model.Package.Tokenizer.Decode(attempt.AnswerTokens, skipSpecialTokens: true).Trim();
                if (request.Schema!.TryValidate(candidate, out _))
                {
                    return Response(candidate, ChatFinishReason.Stop, Usage(request.Prompt.Count, attempt.AnswerTokens.Count, attempt.Nfe));
                }

                extraNfe = attempt.Nfe;
            }

            result = await Model.Sampler.SampleAsync(request.Canvas, request.Options, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var sequence = result.Sequences[0];
        string text;
        ChatFinishReason finish;
        int outputTokens = sequence.AnswerTokens.Count;
        if (request.Compiled is { } compiled)
        {
            text = request.Schema!.ToJsonString(compiled.Read(sequence));
            finish = ChatFinishReason.Stop;
        }
        else
        {
            var (cut, stopped) = DiffusionChatRequest.ApplyStops(Model.Package.Tokenizer.Decode(sequence.AnswerTokens, skipSpecialTokens: true), request.StopSequences);
            text = cut;
            finish = stopped || result.FinishReason == DiffusionFinishReason.Eos ? ChatFinishReason.Stop : ChatFinishReason.Length;
        }

        return Response(text, finish, Usage(request.Prompt.Count, outputTokens, result.Nfe + extraNfe));
    }

    private ChatResponse Response(string text, ChatFinishReason finish, UsageDetails usage) => new(new ChatMessage(ChatRole.Assistant, text))
    {
        ModelId = Model.ModelId,
        ResponseId = Guid.NewGuid().ToString("N"),
        CreatedAt = DateTimeOffset.UtcNow,
        FinishReason = finish,
        Usage = usage,
    };

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        bool toolCall = options is { ToolMode: RequiredChatToolMode, Tools.Count: > 0 };
        var request = toolCall ? null : DiffusionChatRequest.Create(Model, messages, options);
        string responseId = Guid.NewGuid().ToString("N");
        if (request is null || request.Compiled is not null)
        {
            var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            foreach (var update in response.ToChatResponseUpdates())
            {
                yield return update;
            }

            yield break;
        }

        var streamer = new BlockStreamer(Model, request);
        using (await Model.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            await foreach (var evt in Model.Sampler.StreamAsync(request.Canvas, request.Options, cancellationToken).ConfigureAwait(false))
            {
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
        }

        cancellationToken.ThrowIfCancellationRequested();
        string rest = streamer.Finish();
        if (rest.Length > 0)
        {
            yield return Update(responseId, rest);
        }

        yield return new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ResponseId = responseId,
            ModelId = Model.ModelId,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = streamer.Stopped ? ChatFinishReason.Stop : ChatFinishReason.Length,
            Contents = [new UsageContent(Usage(request.Prompt.Count, streamer.OutputTokens, streamer.Nfe))],
        };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType == typeof(ChatClientMetadata) ? Metadata
            : serviceType == typeof(DiffusionModel) ? Model
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsModel)
        {
            Model.Dispose();
        }
    }

    private ChatResponseUpdate Update(string responseId, string text) => new(ChatRole.Assistant, text)
    {
        ResponseId = responseId,
        ModelId = Model.ModelId,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private static UsageDetails Usage(int input, int output, int nfe) => new()
    {
        InputTokenCount = input,
        OutputTokenCount = output,
        TotalTokenCount = input + output,
        AdditionalCounts = new() { ["nfe"] = nfe },
    };
}
