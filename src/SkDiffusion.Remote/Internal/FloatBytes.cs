using System.Buffers;
using System.Runtime.InteropServices;

// Compiled into SkDiffusion.Remote and, linked, into SkDiffusion.Remote.Server: internal to each.
namespace SkDiffusion.Remote.Internal;

/// <summary>
/// A float array seen as bytes, so that a protobuf <c>ByteString</c> can carry logits without copying them: the server
/// wraps the denoiser's output for the response, the client reads a response's raw buffer straight into a pooled array
/// that becomes the step's output. Disposing it returns a pooled array that was not handed over.
/// </summary>
internal sealed class FloatBytes : MemoryManager<byte>
{
    private readonly int _offset;
    private readonly int _byteLength;
    private float[]? _array;
    private int _pooled;

    /// <summary>Views <paramref name="byteLength"/> bytes of <paramref name="array"/> from float <paramref name="offset"/>.</summary>
    /// <param name="array">The floats.</param>
    /// <param name="offset">The first float.</param>
    /// <param name="byteLength">Bytes viewed; at most the floats from <paramref name="offset"/> to the end.</param>
    /// <param name="pooled">Whether the array was rented from <see cref="ArrayPool{T}.Shared"/> and may be taken by <see cref="TakePooled"/>.</param>
    public FloatBytes(float[] array, int offset, int byteLength, bool pooled)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(byteLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)byteLength, ((long)array.Length - offset) * sizeof(float), nameof(byteLength));
        _array = array;
        _offset = offset;
        _byteLength = byteLength;
        _pooled = pooled ? 1 : 0;
    }

    /// <summary>Rents a pooled array for <paramref name="byteLength"/> bytes.</summary>
    public static FloatBytes Rent(int byteLength) =>
        new(ArrayPool<float>.Shared.Rent((byteLength + sizeof(float) - 1) / sizeof(float)), 0, byteLength, pooled: true);

    /// <summary>The bytes viewed.</summary>
    public int ByteLength => _byteLength;

    /// <summary>
    /// Hands over the pooled array (the caller returns it to <see cref="ArrayPool{T}.Shared"/>); null when the array is
    /// not pooled or was taken already. The bytes must not be read through this view afterwards.
    /// </summary>
    public float[]? TakePooled() => Interlocked.Exchange(ref _pooled, 0) == 1 ? Interlocked.Exchange(ref _array, null) : null;

    /// <inheritdoc />
    public override Span<byte> GetSpan()
    {
        float[] array = _array ?? throw new ObjectDisposedException(nameof(FloatBytes), "The floats behind these bytes were handed over.");
        return MemoryMarshal.AsBytes(array.AsSpan(_offset))[.._byteLength];
    }

    /// <inheritdoc />
    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _byteLength);
        float[] array = _array ?? throw new ObjectDisposedException(nameof(FloatBytes), "The floats behind these bytes were handed over.");
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        byte* start = (byte*)handle.AddrOfPinnedObject() + ((long)_offset * sizeof(float)) + elementIndex;
        return new MemoryHandle(start, handle);
    }

    /// <inheritdoc />
    public override void Unpin()
    {
        // Pin's handle frees itself when the MemoryHandle is disposed.
    }

    /// <summary>Returns a pooled array that was not handed over to <see cref="ArrayPool{T}.Shared"/>; the bytes must not be read afterwards.</summary>
    protected override void Dispose(bool disposing)
    {
        if (TakePooled() is float[] array)
        {
            ArrayPool<float>.Shared.Return(array);
        }
    }
}
