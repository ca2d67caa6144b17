using Microsoft.ML.OnnxRuntime.Tensors;

namespace SkDiffusion.Denoising;

/// <summary>Position-axis ranges and concatenation of <see cref="KvCache"/> (for the dual cache).</summary>
internal static class KvCacheRanges
{
    /// <summary>Copies positions <c>[start, start + length)</c> of every layer into a new cache (the caller owns it).</summary>
    /// <param name="cache">The source.</param>
    /// <param name="start">The first position.</param>
    /// <param name="length">Positions to copy.</param>
    /// <exception cref="NotSupportedException">The cache lives in device memory.</exception>
    public static KvCache SliceRange(this KvCache cache, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(cache);
        cache.ThrowIfNotHostResident();
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, cache.Length);
        KvCache result = KvCache.Allocate(cache.LayerCount, cache.BatchSize, cache.KvHeads, length, cache.HeadDim, cache.ElementType);
        Copy(cache, start, result, 0, length);
        return result;
    }

    /// <summary>
    /// Every position except <c>[start, end)</c>, in order, as a new cache (the dual cache's prefix and suffix in one
    /// copy).
    /// </summary>
    /// <param name="cache">The source.</param>
    /// <param name="start">The first position left out.</param>
    /// <param name="end">The position after the last one left out.</param>
    /// <exception cref="NotSupportedException">The cache lives in device memory.</exception>
    public static KvCache Without(this KvCache cache, int start, int end)
    {
        ArgumentNullException.ThrowIfNull(cache);
        cache.ThrowIfNotHostResident();
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, cache.Length);
        KvCache result = KvCache.Allocate(cache.LayerCount, cache.BatchSize, cache.KvHeads, cache.Length - (end - start), cache.HeadDim, cache.ElementType);
        Copy(cache, 0, result, 0, start);
        Copy(cache, end, result, start, cache.Length - end);
        return result;
    }

    /// <summary>The positions of <paramref name="first"/> followed by those of <paramref name="second"/>, as a new cache.</summary>
    /// <param name="first">Positions placed first.</param>
    /// <param name="second">Positions placed after.</param>
    /// <exception cref="NotSupportedException">Either cache lives in device memory.</exception>
    public static KvCache Concat(KvCache first, KvCache second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        first.ThrowIfNotHostResident();
        second.ThrowIfNotHostResident();
        if (first.LayerCount != second.LayerCount || first.BatchSize != second.BatchSize || first.KvHeads != second.KvHeads || first.HeadDim != second.HeadDim || first.ElementType != second.ElementType)
        {
            throw new ArgumentException("The caches differ in layers, batch, heads, head size or element type.", nameof(second));
        }

        KvCache result = KvCache.Allocate(first.LayerCount, first.BatchSize, first.KvHeads, first.Length + second.Length, first.HeadDim, first.ElementType);
        Copy(first, 0, result, 0, first.Length);
        Copy(second, 0, result, first.Length, second.Length);
        return result;
    }

    /// <summary>Copies <paramref name="count"/> positions of every layer from one host cache into another (same shape but length).</summary>
    internal static void Copy(KvCache from, int fromStart, KvCache to, int toStart, int count)
    {
        if (count == 0)
        {
            return;
        }

        int element = from.ElementType == TensorElementType.Float16 ? 2 : 4;
        int row = from.HeadDim * element;
        int planes = from.BatchSize * from.KvHeads;
        for (int layer = 0; layer < from.LayerCount; layer++)
        {
            for (int kv = 0; kv < 2; kv++)
            {
                ReadOnlySpan<byte> src = (kv == 0 ? from.GetKey(layer) : from.GetValue(layer)).GetTensorDataAsSpan<byte>();
                Span<byte> dst = (kv == 0 ? to.GetKey(layer) : to.GetValue(layer)).GetTensorMutableRawData();
                for (int plane = 0; plane < planes; plane++)
                {
                    src.Slice(((plane * from.Length) + fromStart) * row, count * row).CopyTo(dst.Slice(((plane * to.Length) + toStart) * row, count * row));
                }
            }
        }
    }
}
