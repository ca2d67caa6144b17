using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkDiffusion.Chat;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Templates;
using SkDiffusion.Templates.Json;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// One loaded diffusion model shared by every service: the package (manifest, tokenizer, chat format), the denoiser
/// and the sampler, plus the template compiler. Thread-safe; each request keeps its own state. Register it as a
/// singleton (the <c>AddDiffusion…</c> extensions do) so that the weights are loaded once.
/// </summary>
public sealed class DiffusionModel : IDisposable
{
    private readonly bool _ownsDenoiser;
    private readonly SemaphoreSlim _gate;
    private readonly CancellationTokenSource _lifetime = new(); // cancelled (never disposed: no timer) to wake the gate's waiters
    private int _disposed;
    private int _waiters;
    private readonly Lazy<TokenVocabulary> _vocabulary;
    private readonly Lazy<TemplateCompiler> _compiler;
    private readonly Lazy<TemplateCompiler> _plainCompiler;
    private readonly ConcurrentDictionary<(string Schema, int StringTokens, int ArrayItems, int IntegerDigits, int NumberLength, int MaxDepth), (JsonSchemaTemplate, CompiledTemplate)> _schemaTemplates = new();

    private DiffusionModel(ModelPackage package, IDenoiser denoiser, bool ownsDenoiser, int maxConcurrent)
    {
        Package = package;
        Denoiser = denoiser;
        _ownsDenoiser = ownsDenoiser;
        Sampler = DiffusionSampler.Create(denoiser, package.Manifest);
        _gate = new SemaphoreSlim(maxConcurrent, maxConcurrent);
        _vocabulary = new Lazy<TokenVocabulary>(() => TokenVocabulary.Create(PackageTemplateTokenizer.Create(package)));
        _compiler = new Lazy<TemplateCompiler>(() => TemplateCompiler.Create(_vocabulary.Value, Sampler.TokenIds, new TemplateCompilerOptions { TrailingTokens = [package.Manifest.TokenIds.Eot] }));
        _plainCompiler = new Lazy<TemplateCompiler>(() => TemplateCompiler.Create(_vocabulary.Value, Sampler.TokenIds));
    }

    /// <summary>The model package.</summary>
    public ModelPackage Package { get; }

    /// <summary>The denoiser.</summary>
    public IDenoiser Denoiser { get; }

    /// <summary>The sampler over <see cref="Denoiser"/>.</summary>
    public DiffusionSampler Sampler { get; }

    /// <summary>The model id (the manifest's <c>name</c>).</summary>
    public string ModelId => Package.Manifest.Name;

    /// <summary>The largest prompt plus answer length.</summary>
    public int ContextLength => Math.Min(Package.Manifest.ContextLength, Denoiser.MaxSequenceLength);

    /// <summary>
    /// The template compiler for chat answers (variable slots end with EOS, the layout is followed by the end-of-turn
    /// token). Built on first use: it decodes every vocabulary entry once.
    /// </summary>
    internal TemplateCompiler TemplateCompiler => _compiler.Value;

    /// <summary>The template compiler for plain documents (infilling): no trailing tokens.</summary>
    internal TemplateCompiler DocumentCompiler => _plainCompiler.Value;

    /// <summary>The vocabulary view shared by the template compilers.</summary>
    internal TokenVocabulary Vocabulary => _vocabulary.Value;

    /// <summary>Loads a model package and opens its ONNX graph.</summary>
    /// <param name="packageDirectory">The package folder.</param>
    /// <param name="options">Load options.</param>
    /// <param name="logger">
    /// Receives load warnings (e.g. the CUDA to CPU fallback) unless <see cref="OnnxDenoiserOptions.Warning"/> is set;
    /// the dependency-injection extensions pass the host's logger.
    /// </param>
    /// <exception cref="ModelPackageException">The package is invalid.</exception>
    public static DiffusionModel Load(string packageDirectory, DiffusionModelOptions? options = null, ILogger? logger = null)
    {
        options ??= new DiffusionModelOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentRequests, 1, nameof(options.MaxConcurrentRequests));
        var package = ModelPackage.Load(packageDirectory, options.Package);
        IDenoiser denoiser = OnnxDenoiser.Create(package, WithLogger(options.Denoiser, logger));
        if (options.BatchConcurrentRequests)
        {
            var batching = options.Batching ?? new BatchingDenoiserOptions();
            denoiser = BatchingDenoiser.Create(denoiser, new BatchingDenoiserOptions { MaxBatchRows = batching.MaxBatchRows, MaxWait = batching.MaxWait, OwnsInner = true });
        }

        return new DiffusionModel(package, denoiser, ownsDenoiser: true, options.MaxConcurrentRequests);
    }

    /// <summary>Wraps a loaded package and a denoiser (e.g. a test double).</summary>
    /// <param name="package">The package.</param>
    /// <param name="denoiser">The denoiser.</param>
    /// <param name="ownsDenoiser">Whether <see cref="Dispose"/> disposes the denoiser.</param>
    /// <param name="maxConcurrentRequests">Generations that may run at once.</param>
    public static DiffusionModel Create(ModelPackage package, IDenoiser denoiser, bool ownsDenoiser = false, int maxConcurrentRequests = 1)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentRequests, 1);
        return new DiffusionModel(package, denoiser, ownsDenoiser, maxConcurrentRequests);
    }

    /// <summary>
    /// The template of a JSON schema compiled for chat answers, cached per schema and sizes (schemas repeat across
    /// requests, e.g. <c>GetResponseAsync&lt;T&gt;</c>).
    /// </summary>
    /// <param name="schema">The JSON schema.</param>
    /// <param name="options">Template sizes.</param>
    /// <exception cref="TemplateException">The schema cannot be templated.</exception>
    internal (JsonSchemaTemplate Template, CompiledTemplate Compiled) GetSchemaTemplate(JsonElement schema, JsonSchemaTemplateOptions? options = null)
    {
        options ??= new JsonSchemaTemplateOptions();
        var key = (schema.GetRawText(), options.StringTokens, options.ArrayItems, options.IntegerDigits, options.NumberLength, options.MaxDepth);
        if (_schemaTemplates.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var template = JsonSchemaTemplate.FromSchema(schema, options);
        var entry = (template, TemplateCompiler.Compile(template.Template));
        if (_schemaTemplates.Count < 256)
        {
            _schemaTemplates.TryAdd(key, entry);
        }

        return entry;
    }

    /// <summary>Renders a conversation to prompt ids with the package's chat format.</summary>
    /// <param name="messages">The turns.</param>
    internal IReadOnlyList<int> RenderChat(IReadOnlyList<DiffusionChatMessage> messages) => Package.ChatFormat.RenderPrompt(messages);

    /// <summary>Checks that a canvas fits the context; throws naming the lengths.</summary>
    /// <param name="promptLength">Prompt tokens.</param>
    /// <param name="answerLength">Answer positions.</param>
    /// <exception cref="ArgumentException">The canvas is too long.</exception>
    internal void EnsureFits(int promptLength, int answerLength)
    {
        if (promptLength + answerLength > ContextLength)
        {
            throw new ArgumentException($"The prompt ({promptLength} tokens) plus the answer ({answerLength} positions) exceed the model's context of {ContextLength} tokens: shorten the conversation or lower answer_length / MaxOutputTokens.");
        }
    }

    /// <summary>Waits for a generation slot; dispose the result to release it.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ObjectDisposedException">The model was disposed before or during the wait.</exception>
    internal async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        // Counted before the disposal check, so that Dispose either sees this waiter or this waiter sees Dispose.
        Interlocked.Increment(ref _waiters);
        try
        {
            ThrowIfDisposed();
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
            await _gate.WaitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is ObjectDisposedException or OperationCanceledException)
        {
            // Disposal wakes the waiters (a disposed semaphore would not) and refuses them.
            throw Disposed();
        }
        finally
        {
            LeaveWait();
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            new GenerationLease(_gate).Dispose();
            throw Disposed();
        }

        return new GenerationLease(_gate);
    }

    /// <summary>One waiter left; the last one out after disposal disposes the gate (whose waiters must not be cut off).</summary>
    private void LeaveWait()
    {
        if (Interlocked.Decrement(ref _waiters) == 0 && Volatile.Read(ref _disposed) != 0)
        {
            _gate.Dispose();
        }
    }

    /// <summary>Throws when the model was disposed.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed; the message names it.</exception>
    internal void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw Disposed();
        }
    }

    private ObjectDisposedException Disposed() =>
        new(nameof(DiffusionModel), $"The DiffusionModel '{ModelId}' was disposed: load the model again (or resolve it from a live service provider) to send more requests.");

    /// <summary>
    /// Decodes <paramref name="canvas"/> off the caller's thread: waits (asynchronously) for a generation slot, then runs
    /// the CPU-bound step loop on the thread pool. Cancellation stops the run between steps.
    /// </summary>
    internal async Task<SamplingResult> SampleAsync(DiffusionCanvas canvas, SamplerOptions options, CancellationToken cancellationToken)
    {
        using (await AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            return await Task.Run(() => Sampler.SampleAsync(canvas, options, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Streams the step events of <paramref name="canvas"/> while the step loop runs on the thread pool (holding a
    /// generation slot). Leaving the enumeration early stops the run at its next step.
    /// </summary>
    internal async IAsyncEnumerable<SamplingStepEvent> StreamAsync(DiffusionCanvas canvas, SamplerOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateUnbounded<SamplingStepEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    using (await AcquireAsync(stop.Token).ConfigureAwait(false))
                    {
                        await foreach (var evt in Sampler.StreamAsync(canvas, options, stop.Token).ConfigureAwait(false))
                        {
                            channel.Writer.TryWrite(evt);
                        }
                    }

                    channel.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    channel.Writer.TryComplete(ex);
                }
            },
            CancellationToken.None);
        try
        {
            await foreach (var evt in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return evt;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }

    private static OnnxDenoiserOptions? WithLogger(OnnxDenoiserOptions? options, ILogger? logger)
    {
        if (logger is null || options?.Warning is not null)
        {
            return options;
        }

        var copy = options?.Clone() ?? new OnnxDenoiserOptions();
        copy.Warning = message => logger.LogWarning("{Warning}", message);
        return copy;
    }

    /// <summary>
    /// Releases the denoiser (when owned; it waits for or cancels the steps that run, see its documentation) and the
    /// generation gate (once no request waits for it). Requests waiting for a slot, and every later request, get an
    /// <see cref="ObjectDisposedException"/> naming the model. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _lifetime.Cancel();
        if (_ownsDenoiser)
        {
            Denoiser.Dispose();
        }

        if (Volatile.Read(ref _waiters) == 0)
        {
            _gate.Dispose();
        }
    }
}
