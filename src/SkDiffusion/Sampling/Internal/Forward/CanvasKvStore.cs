using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkDiffusion.Denoising;

namespace SkDiffusion.Sampling.Internal.Forward;

/// <summary>
/// Host-resident keys and values of some canvas positions, in any order (entry e holds padded position
/// <see cref="Order"/>[e]; keys carry their rotary position, so the order does not matter to attention). Partial runs
/// replace single positions (dKV-Cache, dLLM-Cache).
/// </summary>
internal sealed class CanvasKvStore : IDisposable
{
    private readonly CacheMode _mode;
    private readonly int[] _order;
    private readonly int[] _entry;

    public CanvasKvStore(CacheMode mode, int length)
    {
        _mode = mode;
        _order = new int[length];
        _entry = new int[length];
        _entry.AsSpan().Fill(-1);
    }

    /// <summary>The cache, or null before the first full pass.</summary>
    public KvCache? Cache { get; private set; }

    /// <summary>Cached positions.</summary>
    public int Count => Cache?.Length ?? 0;

    /// <summary>The padded position of each entry.</summary>
    public ReadOnlySpan<int> Order => _order.AsSpan(0, Count);

    public bool Contains(int position) => _entry[position] >= 0;

    /// <summary>
    /// Takes <paramref name="cache"/> (owned from now on), whose entries hold the positions <paramref name="order"/>;
    /// releases the previous cache.
    /// </summary>
    public void Replace(KvCache? cache, ReadOnlySpan<int> order)
    {
        if (cache is null)
        {
            throw new InvalidOperationException("The caching denoiser returned no present keys and values.");
        }

        if (!cache.IsHostResident)
        {
            cache.Dispose();
            throw new NotSupportedException($"CacheMode {_mode} replaces single positions of the key/value cache in host memory, but this denoiser keeps its caches in device memory: create it with OnnxDenoiserOptions.DeviceResidentCaches = false, or use CacheMode.Prefix or CacheMode.Dual.");
        }

        if (!ReferenceEquals(cache, Cache))
        {
            Cache?.Dispose();
        }

        Cache = cache;
        int[] copy = order.ToArray();
        _entry.AsSpan().Fill(-1);
        for (int e = 0; e < copy.Length; e++)
        {
            _order[e] = copy[e];
            _entry[copy[e]] = e;
        }
    }

    /// <summary>A new cache of the entries whose position is not in <paramref name="drop"/>; their positions in <paramref name="order"/>.</summary>
    public KvCache Gather(ReadOnlySpan<bool> drop, Span<int> order, out int count)
    {
        var cache = Cache!;
        count = 0;
        for (int e = 0; e < cache.Length; e++)
        {
            if (!drop[_order[e]])
            {
                order[count++] = _order[e];
            }
        }

        var result = KvCache.Allocate(cache.LayerCount, cache.BatchSize, cache.KvHeads, count, cache.HeadDim, cache.ElementType);
        int to = 0;
        int e0 = 0;
        while (e0 < cache.Length)
        {
            if (drop[_order[e0]])
            {
                e0++;
                continue;
            }

            int e1 = e0;
            while (e1 < cache.Length && !drop[_order[e1]])
            {
                e1++;
            }

            KvCacheRanges.Copy(cache, e0, result, to, e1 - e0);
            to += e1 - e0;
            e0 = e1;
        }

        return result;
    }

    /// <summary>
    /// Cosine similarity between the cached value vectors (all layers and heads) of position <c>run[k]</c> and those of
    /// entry <c>start + k</c> of <paramref name="present"/>, the lowest over the batch rows (1 where both are zero, -1
    /// where the position was not cached or a value is not finite).
    /// </summary>
    public void ValueSimilarity(KvCache present, int start, ReadOnlySpan<int> run, Span<double> similarity)
    {
        var cache = Cache!;
        for (int k = 0; k < run.Length; k++)
        {
            int entry = _entry[run[k]];
            double lowest = entry < 0 ? -1 : 1;
            for (int b = 0; b < cache.BatchSize && entry >= 0; b++)
            {
                double dot = 0, a2 = 0, b2 = 0;
                for (int layer = 0; layer < cache.LayerCount; layer++)
                {
                    for (int h = 0; h < cache.KvHeads; h++)
                    {
                        int plane = (b * cache.KvHeads) + h;
                        Accumulate(cache.GetValue(layer), present.GetValue(layer), cache.ElementType, ((plane * cache.Length) + entry) * cache.HeadDim, ((plane * present.Length) + start + k) * cache.HeadDim, cache.HeadDim, ref dot, ref a2, ref b2);
                    }
                }

                double s = a2 == 0 && b2 == 0 ? 1 : a2 == 0 || b2 == 0 ? 0 : dot / Math.Sqrt(a2 * b2);
                lowest = double.IsFinite(s) ? Math.Min(lowest, Math.Clamp(s, -1, 1)) : -1; // non-finite values: refresh

            }

            similarity[k] = lowest;
        }
    }

    public void Dispose()
    {
        Cache?.Dispose();
        Cache = null;
        _entry.AsSpan().Fill(-1);
    }

    private static void Accumulate(OrtValue oldValues, OrtValue newValues, TensorElementType type, int oldStart, int newStart, int count, ref double dot, ref double a2, ref double b2)
    {
        ReadOnlySpan<byte> oldBytes = oldValues.GetTensorDataAsSpan<byte>();
        ReadOnlySpan<byte> newBytes = newValues.GetTensorDataAsSpan<byte>();
        for (int d = 0; d < count; d++)
        {
            double x, y;
            if (type == TensorElementType.Float16)
            {
                x = (double)MemoryMarshal.Cast<byte, Half>(oldBytes)[oldStart + d];
                y = (double)MemoryMarshal.Cast<byte, Half>(newBytes)[newStart + d];
            }
            else
            {
                x = MemoryMarshal.Cast<byte, float>(oldBytes)[oldStart + d];
                y = MemoryMarshal.Cast<byte, float>(newBytes)[newStart + d];
            }

            dot += x * y;
            a2 += x * x;
            b2 += y * y;
        }
    }
}
