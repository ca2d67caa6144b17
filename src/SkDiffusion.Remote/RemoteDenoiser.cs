using Grpc.Core;
using Grpc.Net.Client;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Remote.Internal;
using SkDiffusion.Remote.Protocol;

namespace SkDiffusion.Remote;

/// <summary>
/// An <see cref="IDenoiser"/> whose forward pass runs on an Open Inference Protocol (KServe v2) server over gRPC:
/// NVIDIA Triton Inference Server, a KServe model server, or SkDiffusion.Remote.Server. The sampler (templates,
/// constraints, guidance) stays in the application; each step sends the canvas's tokens, positions and attention mask
/// as INT64 and asks through <c>logits_positions</c> only for the logits the step reads. Safe to call from several
/// threads at once.
/// </summary>
/// <remarks>
/// Cached sampler steps (<see cref="Sampling.SamplerOptions.CacheMode"/>) run as <see cref="RemoteDenoiserOptions.SequenceCache"/>
/// says: on a server that keeps keys and values under a sequence id, or statelessly (see <see cref="SequenceCacheMode"/>).
/// Tokens match a local <see cref="OnnxDenoiser"/> over the same package.
/// </remarks>
public sealed partial class RemoteDenoiser : ICachingDenoiser
{
    /// <summary>The extension a server lists in its metadata when it keeps keys and values under a sequence id.</summary>
    internal const string SequenceCacheExtension = "sequence_kv_cache";

    private readonly GrpcChannel? _channel;
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client;
    private readonly CallInvoker _invoker;
    private readonly RemoteDenoiserOptions _options;
    private readonly ModelManifest _manifest;
    private readonly ModelSignature _signature;
    private readonly CallPolicy _policy;
    private readonly string _server;
    private readonly bool _alignedServer;
    private int _disposed;

    private RemoteDenoiser(GrpcChannel? channel, CallInvoker invoker, RemoteDenoiserOptions options, ModelManifest manifest, ModelSignature signature, SequenceCacheMode mode, bool alignedServer)
    {
        _channel = channel;
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(invoker);
        _invoker = invoker;
        _options = options;
        _manifest = manifest;
        _signature = signature;
        _policy = new CallPolicy(options);
        _server = $"'{options.ModelName}' at {options.Endpoint}";
        _alignedServer = alignedServer;
        ActiveSequenceCache = mode;
    }

    /// <inheritdoc />
    public int VocabularySize => _manifest.VocabSize;

    /// <inheritdoc />
    public int MaxSequenceLength => _manifest.ContextLength;

    /// <summary>
    /// Whether the sampler's cache modes can run: always <see langword="true"/>, since cached steps fall back to
    /// stateless full-canvas steps where the server keeps no state (<see cref="ActiveSequenceCache"/>).
    /// </summary>
    public bool SupportsCache => true;

    /// <summary>How cached steps run against this server: <see cref="SequenceCacheMode.Server"/> or <see cref="SequenceCacheMode.Stateless"/>.</summary>
    public SequenceCacheMode ActiveSequenceCache { get; }

    /// <summary>
    /// Connects to a server: checks that it is ready, that it serves the model, and that the model's tensors agree with
    /// <paramref name="manifest"/> (the package the application loads for its tokenizer and sampler).
    /// </summary>
    /// <param name="manifest">The local manifest of the served package.</param>
    /// <param name="options">Endpoint, model, deadline, retries and sequence cache mode.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    /// <exception cref="RemoteServerUnavailableException">The server cannot be reached.</exception>
    /// <exception cref="RemoteModelNotFoundException">The server does not serve the model, or it is not ready.</exception>
    /// <exception cref="RemoteShapeMismatchException">The served model's tensors disagree with the manifest.</exception>
    /// <exception cref="RemoteDenoiserException"><see cref="SequenceCacheMode.Server"/> was asked of a server without it.</exception>
    public static Task<RemoteDenoiser> ConnectAsync(ModelManifest manifest, RemoteDenoiserOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var channel = GrpcChannel.ForAddress(options.Endpoint!, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = options.MaxMessageBytes,
            MaxSendMessageSize = options.MaxMessageBytes,

            // A full-canvas response is megabytes: a larger initial HTTP/2 window saves flow-control round trips, and extra
            // connections open when one connection's stream limit is reached under many concurrent steps.
            HttpHandler = new System.Net.Http.SocketsHttpHandler { EnableMultipleHttp2Connections = true, InitialHttp2StreamWindowSize = 1024 * 1024 },
            DisposeHttpClient = true,
        });
        return ConnectCoreAsync(channel, channel.CreateCallInvoker(), manifest, options, cancellationToken);
    }

    /// <summary>Connects over a given call invoker (tests intercept calls this way); disposes <paramref name="channel"/> on failure.</summary>
    internal static async Task<RemoteDenoiser> ConnectCoreAsync(GrpcChannel? channel, CallInvoker invoker, ModelManifest manifest, RemoteDenoiserOptions options, CancellationToken cancellationToken)
    {
        options.Validate();
        try
        {
            var client = new GRPCInferenceService.GRPCInferenceServiceClient(invoker);
            var policy = new CallPolicy(options);
            string server = $"'{options.ModelName}' at {options.Endpoint}";
            string version = options.ModelVersion ?? string.Empty;
            var ready = await policy.RunAsync("ModelReady call", o => client.ModelReadyAsync(new ModelReadyRequest { Name = options.ModelName, Version = version }, o), cancellationToken).ConfigureAwait(false);
            if (!ready.Ready)
            {
                throw new RemoteModelNotFoundException($"The server at {options.Endpoint} reports model '{options.ModelName}'{(version.Length == 0 ? string.Empty : $" version {version}")} as not ready. Check the name against its model repository, or wait until it has loaded.");
            }

            var metadata = await policy.RunAsync("ModelMetadata call", o => client.ModelMetadataAsync(new ModelMetadataRequest { Name = options.ModelName, Version = version }, o), cancellationToken).ConfigureAwait(false);
            ModelSignature signature = ModelSignature.Read(metadata, manifest, server);
            var serverMetadata = await policy.RunAsync("ServerMetadata call", o => client.ServerMetadataAsync(new ServerMetadataRequest(), o), cancellationToken).ConfigureAwait(false);
            bool keepsSequences = serverMetadata.Extensions.Contains(SequenceCacheExtension);
            if (options.SequenceCache == SequenceCacheMode.Server && !keepsSequences)
            {
                throw new RemoteDenoiserException($"SequenceCacheMode.Server was asked for, but the server at {options.Endpoint} ({serverMetadata.Name} {serverMetadata.Version}) does not list the '{SequenceCacheExtension}' extension. Use SequenceCacheMode.Auto or Stateless with this server (Triton's ONNX Runtime backend keeps no per-request state).");
            }

            SequenceCacheMode mode = options.SequenceCache == SequenceCacheMode.Stateless || !keepsSequences || !manifest.HasCache ? SequenceCacheMode.Stateless : SequenceCacheMode.Server;
            return new RemoteDenoiser(channel, invoker, options, manifest, signature, mode, alignedServer: keepsSequences);
        }
        catch
        {
            channel?.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    /// <exception cref="RemoteServerUnavailableException">The server is down or the step missed its deadline.</exception>
    /// <exception cref="RemoteModelNotFoundException">The server no longer serves the model.</exception>
    /// <exception cref="RemoteShapeMismatchException">The server rejected a tensor's shape.</exception>
    /// <exception cref="RemoteDenoiserException">The server failed, or answered with a malformed response.</exception>
    public async ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        int b = input.BatchSize, s = input.SequenceLength;
        CheckCanvas(input.TokenIds.Span, b, s);
        long[] mask = input.AttentionMask.IsEmpty ? Ones(b * s) : input.AttentionMask.ToArray();
        long[] positions = PositionsFromMask(mask, b, s);
        bool partial = !input.LogitsPositions.IsEmpty;
        int k = input.LogitsPerRow;
        int[] gather = partial ? input.LogitsPositions.ToArray() : new int[b * k];
        for (int i = 0; !partial && i < gather.Length; i++)
        {
            gather[i] = i % k;
        }

        var request = NewRequest();
        float[] logits = await InferAsync(request, input.TokenIds.ToArray(), positions, mask, b, s, gather, k, cancellationToken).ConfigureAwait(false);
        return TensorWire.ToOutput(logits, b, s, VocabularySize, partial ? gather : default);
    }

    /// <summary>Closes the channel; calls in flight fail, later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _channel?.Dispose();
        }
    }

    private ModelInferRequest NewRequest() => new() { ModelName = _options.ModelName, ModelVersion = _options.ModelVersion ?? string.Empty };

    /// <summary>
    /// Sends one step: tokens, positions and mask (<c>[b, maskWidth]</c>), and the positions whose logits come back
    /// (<paramref name="gather"/>, <c>[b, k]</c>, canvas positions with logits aligned so that position i predicts token i).
    /// Returns <c>[b, k, vocabulary]</c> logits in a pooled buffer.
    /// </summary>
    private async Task<float[]> InferAsync(ModelInferRequest request, long[] tokens, long[] positions, long[] mask, int b, int s, int[] gather, int k, CancellationToken cancellationToken)
    {
        int maskWidth = mask.Length / b;
        TensorWire.AddInt64(request, "input_ids", tokens, b, s);
        TensorWire.AddInt64(request, "position_ids", positions, b, s);
        TensorWire.AddInt64(request, "attention_mask", mask, b, maskWidth);
        int want = k;
        bool pick = !_signature.TakesLogitsPositions && !(k == s && IsIdentity(gather, b, k));
        if (_signature.TakesLogitsPositions)
        {
            long[] wire = new long[gather.Length];
            for (int r = 0; r < b; r++)
            {
                // A foreign server runs the raw graph: shifted (Dream) logits are gathered one position earlier, except at a
                // row's first real position (after left padding), as OnnxDenoiser does locally.
                int first = Math.Max(0, mask.AsSpan((r * maskWidth) + maskWidth - s, s).IndexOfAnyExcept(0L));
                for (int j = 0; j < k; j++)
                {
                    int p = gather[(r * k) + j];
                    wire[(r * k) + j] = !_alignedServer && _manifest.LogitsShifted && p > first ? p - 1 : p;
                }
            }

            TensorWire.AddInt64(request, "logits_positions", wire, b, k);
        }
        else
        {
            k = s; // the graph returns every position; the asked ones are picked out below
        }

        foreach (var (name, datatype) in _signature.PastInputs)
        {
            TensorWire.AddEmpty(request, name, datatype, [b, _manifest.NumKvHeads, 0, _manifest.HeadDim]);
        }

        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = TensorWire.Logits });
        var response = await _policy.RunAsync("ModelInfer call", o => _invoker.AsyncUnaryCall(InferResponseReader.ModelInfer, null, o, request), cancellationToken).ConfigureAwait(false);
        float[] logits = TensorWire.ReadLogits(response, b, k, VocabularySize, _server);
        if (!pick)
        {
            return logits;
        }

        // Every position came back (a graph without logits_positions): keep the asked ones.
        int v = VocabularySize;
        float[] picked = System.Buffers.ArrayPool<float>.Shared.Rent(gather.Length * v);
        for (int i = 0; i < gather.Length; i++)
        {
            logits.AsSpan((((i / want) * s) + gather[i]) * v, v).CopyTo(picked.AsSpan(i * v, v));
        }

        System.Buffers.ArrayPool<float>.Shared.Return(logits);
        return picked;
    }

    private void CheckCanvas(ReadOnlySpan<long> tokens, int b, int s)
    {
        if (s > MaxSequenceLength)
        {
            throw new ArgumentException($"The canvas has {s} positions but the model's context_length is {MaxSequenceLength}; shorten the prompt or the answer.", nameof(tokens));
        }

        int at = tokens.IndexOfAnyExceptInRange(0L, VocabularySize - 1L);
        if (at >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tokens), $"Token id {tokens[at]} at row {at / s}, position {at % s} is outside the vocabulary [0, {VocabularySize}).");
        }
    }

    private static bool IsIdentity(int[] gather, int b, int k)
    {
        for (int i = 0; i < b * k; i++)
        {
            if (gather[i] != i % k)
            {
                return false;
            }
        }

        return true;
    }

    private static long[] Ones(int count)
    {
        long[] ones = new long[count];
        ones.AsSpan().Fill(1L);
        return ones;
    }

    /// <summary>Left padding: a position counts the real tokens before it; padding positions get 0 (the package contract).</summary>
    private static long[] PositionsFromMask(long[] mask, int b, int s)
    {
        long[] positions = new long[b * s];
        for (int r = 0; r < b; r++)
        {
            long seen = 0;
            for (int p = 0; p < s; p++)
            {
                int i = (r * s) + p;
                positions[i] = mask[i] != 0 ? seen++ : 0;
            }
        }

        return positions;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
