using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkDiffusion.Packaging;

namespace SkDiffusion.Denoising;

/// <summary>
/// An <see cref="IDenoiser"/> over a model package's ONNX graph (the contract in <c>docs/model-package.md</c>). Safe to
/// call from several threads at once: each call has its own state; the session is shared.
/// </summary>
/// <remarks>
/// <see cref="Dispose"/> may be called at any moment, from any thread: it refuses new runs, <b>terminates</b> the runs in
/// flight (they throw <see cref="ObjectDisposedException"/>), waits until they have returned, and only then releases the
/// session. KV caches this denoiser returned keep the session and its allocator alive until they are disposed.
/// </remarks>
public sealed partial class OnnxDenoiser : ICachingDenoiser
{
    private readonly InferenceSession _session;
    private readonly SessionLifetime _lifetime;
    private readonly string _objectName;
    private readonly ModelManifest _manifest;
    private readonly string[] _inputNames;
    private readonly string[] _cacheOutputNames;
    private static readonly string[] LogitsOutput = ["logits"];

    // Where present keys and values are allocated: the CUDA device's arena for device-resident caches, else the host.
    private readonly OrtAllocator? _deviceAllocator;

    private OnnxDenoiser(InferenceSession session, ModelManifest manifest, ExecutionProvider provider, OrtAllocator? deviceAllocator)
    {
        _session = session;
        _deviceAllocator = deviceAllocator;
        _lifetime = new SessionLifetime(session, deviceAllocator);
        _manifest = manifest;
        _objectName = $"OnnxDenoiser ({manifest.Name})";
        ActiveProvider = provider;
        var names = new List<string> { "input_ids", "position_ids", "attention_mask" };
        if (manifest.HasCache)
        {
            for (int i = 0; i < manifest.NumLayers; i++)
            {
                names.Add($"past_key_values.{i}.key");
                names.Add($"past_key_values.{i}.value");
            }
        }

        if (manifest.LogitsPositions)
        {
            names.Add("logits_positions");
        }

        _inputNames = [.. names];
        var outputs = new List<string> { "logits" };
        if (manifest.HasCache)
        {
            for (int i = 0; i < manifest.NumLayers; i++)
            {
                outputs.Add($"present.{i}.key");
                outputs.Add($"present.{i}.value");
            }
        }

        _cacheOutputNames = [.. outputs];
    }

    /// <inheritdoc />
    public int VocabularySize => _manifest.VocabSize;

    /// <inheritdoc />
    public int MaxSequenceLength => _manifest.ContextLength;

    /// <summary>The provider the session actually runs on (CPU after a CUDA fallback).</summary>
    public ExecutionProvider ActiveProvider { get; }

    /// <summary>
    /// Whether cached runs keep their keys and values in device memory (CUDA with
    /// <see cref="OnnxDenoiserOptions.DeviceResidentCaches"/>); the returned <see cref="KvCache"/> then reports
    /// <see cref="KvCache.IsHostResident"/> as <see langword="false"/>.
    /// </summary>
    public bool DeviceResidentCaches => _deviceAllocator is not null;

    /// <summary>The package's manifest.</summary>
    public ModelManifest Manifest => _manifest;

    /// <summary>Opens the package's graph and checks that its inputs and outputs agree with the manifest.</summary>
    /// <param name="package">A loaded package.</param>
    /// <param name="options">Provider, CUDA and threading options.</param>
    /// <remarks>
    /// Under <see cref="ExecutionProvider.Auto"/>, CUDA that cannot load, or that fails while the session is created or
    /// probed while the package works on the CPU, leaves a CPU session and one warning (<see cref="OnnxDenoiserOptions.Warning"/>).
    /// </remarks>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    /// <exception cref="DllNotFoundException">The application references no native ONNX Runtime package (the message names the one to add).</exception>
    /// <exception cref="ModelPackageException">The graph does not load or disagrees with the manifest (on the CPU too).</exception>
    /// <exception cref="InvalidOperationException">
    /// <see cref="ExecutionProvider.Cuda"/> was asked for and CUDA cannot load, or fails with a package that works on the CPU.
    /// </exception>
    public static OnnxDenoiser Create(ModelPackage package, OnnxDenoiserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(package);
        options ??= new OnnxDenoiserOptions();
        options.Validate();
        (InferenceSession session, ExecutionProvider active) = SessionFactory.Open(package, options);
        OrtAllocator? deviceAllocator = null;
        if (active == ExecutionProvider.Cuda && options.DeviceResidentCaches && package.Manifest.HasCache)
        {
            try
            {
                using var cudaMemory = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, options.DeviceId, OrtMemType.Default);
                deviceAllocator = new OrtAllocator(session, cudaMemory);
            }
            catch (OnnxRuntimeException ex)
            {
                options.Warning?.Invoke($"The CUDA device allocator is not available ({ex.Message}); KV caches stay in host memory and are copied to the device on every cached step.");
            }
        }

        return new OnnxDenoiser(session, package.Manifest, active, deviceAllocator);
    }

    /// <inheritdoc />
    public ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        _lifetime.EnterRun(_objectName);
        try
        {
            return ValueTask.FromResult<DenoiserOutput>(Denoise(input, cancellationToken));
        }
        finally
        {
            _lifetime.ExitRun();
        }
    }

    /// <summary>Caches returned by this denoiser that are not disposed yet (each keeps the session alive).</summary>
    internal int LiveCaches => _lifetime.LiveCaches;

    /// <summary>Runs the session, terminating it on cancellation or when the denoiser is disposed meanwhile.</summary>
    private void RunSession(Action<RunOptions> run, CancellationToken cancellationToken)
    {
        using var runOptions = new RunOptions();
        using CancellationTokenRegistration registration = cancellationToken.Register(static o => ((RunOptions)o!).Terminate = true, runOptions);
        using CancellationTokenRegistration closing = _lifetime.Closing.Register(static o => ((RunOptions)o!).Terminate = true, runOptions);
        try
        {
            run(runOptions);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The denoiser run was terminated by cancellation.", cancellationToken);
        }
        catch (OnnxRuntimeException ex) when (_lifetime.IsClosed)
        {
            throw new ObjectDisposedException($"{_objectName} was disposed while this run was in flight; the run was terminated. ({ex.Message})", ex);
        }
    }

    private PooledDenoiserOutput Denoise(DenoiserInput input, CancellationToken cancellationToken)
    {
        int b = input.BatchSize, s = input.SequenceLength, v = _manifest.VocabSize;
        if (s > _manifest.ContextLength)
        {
            throw new ArgumentException($"The canvas has {s} positions but the model's context_length is {_manifest.ContextLength}; shorten the prompt or the answer.", nameof(input));
        }

        long[] ids = input.TokenIds.ToArray();
        for (int i = 0; i < ids.Length; i++)
        {
            if ((ulong)ids[i] >= (ulong)v)
            {
                throw new ArgumentOutOfRangeException(nameof(input), $"Token id {ids[i]} at row {i / s}, position {i % s} is outside the vocabulary [0, {v}).");
            }
        }

        long[] mask = input.AttentionMask.IsEmpty ? Enumerable.Repeat(1L, b * s).ToArray() : input.AttentionMask.ToArray();
        long[] positions = new long[b * s];
        for (int r = 0; r < b; r++)
        {
            // Left padding: a position counts the real tokens before it; padding positions get 0.
            long seen = 0;
            for (int p = 0; p < s; p++)
            {
                int k = (r * s) + p;
                positions[k] = mask[k] != 0 ? seen++ : 0;
            }
        }

        var inputs = new List<OrtValue>(_inputNames.Length);
        try
        {
            long[] shape = [b, s];
            inputs.Add(OrtValue.CreateTensorValueFromMemory(ids, shape));
            inputs.Add(OrtValue.CreateTensorValueFromMemory(positions, shape));
            inputs.Add(OrtValue.CreateTensorValueFromMemory(mask, shape));
            if (_manifest.HasCache)
            {
                TensorElementType kvType = _manifest.KvDType == "float16" ? TensorElementType.Float16 : TensorElementType.Float;
                long[] pastShape = [b, _manifest.NumKvHeads, 0, _manifest.HeadDim];
                for (int i = 0; i < 2 * _manifest.NumLayers; i++)
                {
                    inputs.Add(OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, kvType, pastShape));
                }
            }

            int k = input.LogitsPerRow;
            ReadOnlySpan<int> asked = input.LogitsPositions.Span;
            bool partial = !asked.IsEmpty;
            if (_manifest.LogitsPositions)
            {
                // The head runs on the gathered positions only. Dream's logits are shifted: aligned[p] = raw[p-1], except
                // at a row's first real position (after left padding), which keeps raw[p].
                long[] gather = new long[b * k];
                for (int r = 0; r < b; r++)
                {
                    int first = FirstRealPosition(mask.AsSpan(r * s, s));
                    for (int j = 0; j < k; j++)
                    {
                        int p = partial ? asked[(r * k) + j] : j;
                        gather[(r * k) + j] = _manifest.LogitsShifted && p > first ? p - 1 : p;
                    }
                }

                inputs.Add(OrtValue.CreateTensorValueFromMemory(gather, [b, k]));
            }

            IDisposableReadOnlyCollection<OrtValue> outputs = null!;
            RunSession(runOptions => outputs = _session.Run(runOptions, _inputNames, inputs, LogitsOutput), cancellationToken);

            using (outputs)
            {
                ReadOnlySpan<float> raw = outputs[0].GetTensorDataAsSpan<float>();
                if (_manifest.LogitsPositions)
                {
                    int selected = b * k * v;
                    if (raw.Length != selected)
                    {
                        throw new InvalidOperationException($"The graph returned {raw.Length} logits; expected {selected} for [{b}, {k}, {v}].");
                    }

                    float[] gathered = ArrayPool<float>.Shared.Rent(selected);
                    raw.CopyTo(gathered);
                    return partial ? new PooledDenoiserOutput(gathered, b, s, v, asked) : new PooledDenoiserOutput(gathered, b, s, v);
                }

                int count = b * s * v;
                if (raw.Length != count)
                {
                    throw new InvalidOperationException($"The graph returned {raw.Length} logits; expected {count} for [{b}, {s}, {v}].");
                }

                float[] buffer = ArrayPool<float>.Shared.Rent(count);
                if (_manifest.LogitsShifted)
                {
                    // Dream: raw[i] predicts token i+1, so aligned[i] = raw[i-1]. The first real position of a row (after any
                    // left padding) has no predecessor and keeps its own raw logits, so a padded row matches the unpadded run.
                    for (int r = 0; r < b; r++)
                    {
                        int rowStart = r * s * v;
                        int first = FirstRealPosition(mask.AsSpan(r * s, s));
                        raw.Slice(rowStart, (first + 1) * v).CopyTo(buffer.AsSpan(rowStart, (first + 1) * v));
                        int rest = s - first - 1;
                        if (rest > 0)
                        {
                            raw.Slice(rowStart + (first * v), rest * v).CopyTo(buffer.AsSpan(rowStart + ((first + 1) * v), rest * v));
                        }
                    }
                }
                else
                {
                    raw.CopyTo(buffer);
                }

                return new PooledDenoiserOutput(buffer, b, s, v);
            }
        }
        finally
        {
            foreach (OrtValue value in inputs)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>
    /// A row's first real position after left padding (the last position when the whole row is padding): with shifted
    /// logits (Dream) it has no predecessor and keeps its own raw logits.
    /// </summary>
    private static int FirstRealPosition(ReadOnlySpan<long> rowMask)
    {
        int first = rowMask.IndexOfAnyExcept(0L);
        return first < 0 ? rowMask.Length - 1 : first;
    }

    /// <summary>
    /// Stops the denoiser; safe at any moment and from any thread. New calls throw <see cref="ObjectDisposedException"/>
    /// naming the model; runs in flight are <b>terminated</b> (they throw <see cref="ObjectDisposedException"/>) and
    /// waited for; then the ONNX Runtime session and device allocator are released, or, while caches returned by
    /// <see cref="RunWithCache"/> are still alive, when the last of them is disposed. Disposing twice is safe. Do not call
    /// it from inside a run of this denoiser (it would wait for itself).
    /// </summary>
    public void Dispose() => _lifetime.Close();
}
