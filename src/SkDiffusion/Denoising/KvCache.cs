using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SkDiffusion.Denoising;

/// <summary>
/// Per-layer keys and values held after a run, each <c>[batch, kvHeads, length, headDim]</c>, in the manifest's
/// <c>kv_dtype</c>. Returned by <see cref="OnnxDenoiser.RunWithCache"/> and passed back as the next run's past. Owns its
/// ONNX Runtime values: dispose it when done. Under CUDA the tensors live in device memory
/// (<see cref="IsHostResident"/> is <see langword="false"/>): they are passed from run to run without crossing to the
/// host, and cannot be sliced on the host.
/// </summary>
internal sealed class KvCache : IDisposable
{
    private readonly OrtValue[] _keys;
    private readonly OrtValue[] _values;
    private bool _disposed;

    // The session whose allocator made the tensors (null for host caches from the default allocator): kept alive until
    // this cache is disposed, so the tensors are never freed through a released allocator.
    private readonly SessionLifetime? _owner;

    // For a handle to keys and values held elsewhere (a server keeps them under a sequence id): run once on dispose.
    private Action? _release;

    internal KvCache(OrtValue[] keys, OrtValue[] values, int batchSize, int kvHeads, int length, int headDim, TensorElementType elementType, bool hostResident = true, SessionLifetime? owner = null)
    {
        _owner = owner;
        IsHostResident = hostResident;
        _keys = keys;
        _values = values;
        BatchSize = batchSize;
        KvHeads = kvHeads;
        Length = length;
        HeadDim = headDim;
        ElementType = elementType;
    }

    /// <summary>Rows in the batch.</summary>
    public int BatchSize { get; }

    /// <summary>Key/value heads per layer.</summary>
    public int KvHeads { get; }

    /// <summary>Positions held (the third axis, <c>P</c>).</summary>
    public int Length { get; }

    /// <summary>Per-head size.</summary>
    public int HeadDim { get; }

    /// <summary>Transformer layers.</summary>
    public int LayerCount => _keys.Length;

    /// <summary>The element type (<see cref="TensorElementType.Float"/> or <see cref="TensorElementType.Float16"/>).</summary>
    public TensorElementType ElementType { get; }

    /// <summary>
    /// Whether the tensors live in host memory. <see langword="false"/> for caches that ONNX Runtime wrote to the
    /// CUDA device (<see cref="OnnxDenoiserOptions.DeviceResidentCaches"/>): <see cref="Slice"/> and
    /// <see cref="KvCacheRanges"/> need host memory; trim a device cache by masking positions in the attention mask.
    /// </summary>
    public bool IsHostResident { get; }

    /// <summary>An empty cache (<c>P = 0</c>) for a first run.</summary>
    /// <param name="layers">Transformer layers.</param>
    /// <param name="batchSize">Rows.</param>
    /// <param name="kvHeads">Key/value heads.</param>
    /// <param name="headDim">Per-head size.</param>
    /// <param name="elementType">Float or Float16.</param>
    public static KvCache CreateEmpty(int layers, int batchSize, int kvHeads, int headDim, TensorElementType elementType) =>
        Allocate(layers, batchSize, kvHeads, 0, headDim, elementType);

    /// <summary>The key tensor of a layer.</summary>
    /// <param name="layer">The layer index.</param>
    public OrtValue GetKey(int layer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _keys[layer];
    }

    /// <summary>The value tensor of a layer.</summary>
    /// <param name="layer">The layer index.</param>
    public OrtValue GetValue(int layer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _values[layer];
    }

    /// <summary>
    /// A handle to keys and values that live elsewhere, e.g. on an inference server under a sequence id: it holds no
    /// tensors (<see cref="LayerCount"/> is 0), is not host resident (so the sampler keeps it whole and masks positions
    /// instead of slicing), and runs <paramref name="release"/> once when disposed.
    /// </summary>
    /// <param name="batchSize">Rows.</param>
    /// <param name="kvHeads">Key/value heads.</param>
    /// <param name="length">Positions held.</param>
    /// <param name="headDim">Per-head size.</param>
    /// <param name="elementType">Float or Float16.</param>
    /// <param name="release">Frees the keys and values where they live.</param>
    internal static KvCache CreateHandle(int batchSize, int kvHeads, int length, int headDim, TensorElementType elementType, Action release)
    {
        ArgumentNullException.ThrowIfNull(release);
        return new KvCache([], [], batchSize, kvHeads, length, headDim, elementType, hostResident: false) { _release = release };
    }

    /// <summary>Copies the first <paramref name="length"/> positions of every layer into a new cache.</summary>
    /// <param name="length">Positions to keep, 0 to <see cref="Length"/>.</param>
    /// <exception cref="NotSupportedException">The cache lives in device memory (<see cref="IsHostResident"/> is false).</exception>
    public KvCache Slice(int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfNotHostResident();
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        return this.SliceRange(0, length);
    }

    /// <summary>
    /// Moves the tensors into a new cache that reports <paramref name="hostResident"/>; this instance gives them up and
    /// behaves as disposed afterwards.
    /// </summary>
    internal KvCache Detach(bool hostResident)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _disposed = true;
        return new KvCache(_keys, _values, BatchSize, KvHeads, Length, HeadDim, ElementType, hostResident, _owner);
    }

    /// <summary>Throws when the tensors are not in host memory (host-side copies would read device pointers).</summary>
    internal void ThrowIfNotHostResident()
    {
        if (!IsHostResident)
        {
            throw new NotSupportedException("This KV cache lives in device (CUDA) memory and cannot be sliced or concatenated on the host; keep it whole and mask the positions to leave out in the attention mask, or create the denoiser with OnnxDenoiserOptions.DeviceResidentCaches = false.");
        }
    }

    /// <summary>
    /// Releases the tensors. A cache made by an <see cref="OnnxDenoiser"/> keeps that denoiser's session and allocator
    /// alive until it is disposed, even after the denoiser itself is disposed.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (OrtValue v in _keys)
        {
            v.Dispose();
        }

        foreach (OrtValue v in _values)
        {
            v.Dispose();
        }

        _owner?.ReleaseCache();
        Interlocked.Exchange(ref _release, null)?.Invoke();
    }

    internal static KvCache Allocate(int layers, int batchSize, int kvHeads, int length, int headDim, TensorElementType elementType) =>
        Allocate(layers, batchSize, kvHeads, length, headDim, elementType, OrtAllocator.DefaultInstance, hostResident: true);

    /// <summary>Allocates a cache from <paramref name="allocator"/> (the CUDA device's arena for device-resident caches).</summary>
    /// <remarks>
    /// What was allocated before a failing allocation (an exhausted device arena) is released before the exception
    /// propagates. With <paramref name="owner"/>, the cache keeps that session alive until it is disposed.
    /// </remarks>
    internal static KvCache Allocate(int layers, int batchSize, int kvHeads, int length, int headDim, TensorElementType elementType, OrtAllocator allocator, bool hostResident, SessionLifetime? owner = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (elementType is not (TensorElementType.Float or TensorElementType.Float16))
        {
            throw new ArgumentOutOfRangeException(nameof(elementType), elementType, "KV caches hold float32 or float16.");
        }

        long[] shape = [batchSize, kvHeads, length, headDim];
        var keys = new OrtValue[layers];
        var values = new OrtValue[layers];
        try
        {
            for (int i = 0; i < layers; i++)
            {
                keys[i] = OrtValue.CreateAllocatedTensorValue(allocator, elementType, shape);
                values[i] = OrtValue.CreateAllocatedTensorValue(allocator, elementType, shape);
            }
        }
        catch
        {
            foreach (OrtValue? made in keys.Concat(values))
            {
                made?.Dispose();
            }

            throw;
        }

        owner?.AddCache();
        return new KvCache(keys, values, batchSize, kvHeads, length, headDim, elementType, hostResident, owner);
    }
}
