using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SkDiffusion.Denoising;

/// <summary>
/// Per-layer keys and values held after a run, each <c>[batch, kvHeads, length, headDim]</c>, in the manifest's
/// <c>kv_dtype</c>. Returned by <see cref="OnnxDenoiser.RunWithCache"/> and passed back as the next run's past. Owns its
/// ONNX Runtime values: dispose it when done.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly OrtValue[] _keys;
    private readonly OrtValue[] _values;
    private bool _disposed;

    internal KvCache(OrtValue[] keys, OrtValue[] values, int batchSize, int kvHeads, int length, int headDim, TensorElementType elementType)
    {
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

    /// <summary>Copies the first <paramref name="length"/> positions of every layer into a new cache.</summary>
    /// <param name="length">Positions to keep, 0 to <see cref="Length"/>.</param>
    public KvCache Slice(int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        KvCache result = Allocate(LayerCount, BatchSize, KvHeads, length, HeadDim, ElementType);
        int element = ElementType == TensorElementType.Float16 ? 2 : 4;
        int source = Length * HeadDim * element, target = length * HeadDim * element;
        for (int layer = 0; layer < LayerCount; layer++)
        {
            Copy(_keys[layer], result._keys[layer]);
            Copy(_values[layer], result._values[layer]);
        }

        return result;

        void Copy(OrtValue from, OrtValue to)
        {
            if (target == 0)
            {
                return;
            }

            ReadOnlySpan<byte> src = from.GetTensorDataAsSpan<byte>();
            Span<byte> dst = to.GetTensorMutableRawData();
            for (int head = 0; head < BatchSize * KvHeads; head++)
            {
                src.Slice(head * source, target).CopyTo(dst.Slice(head * target, target));
            }
        }
    }

    /// <summary>Releases the tensors.</summary>
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
    }

    internal static KvCache Allocate(int layers, int batchSize, int kvHeads, int length, int headDim, TensorElementType elementType)
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
        for (int i = 0; i < layers; i++)
        {
            keys[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, elementType, shape);
            values[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, elementType, shape);
        }

        return new KvCache(keys, values, batchSize, kvHeads, length, headDim, elementType);
    }
}
