using System.Numerics.Tensors;
namespace SkDiffusion.Sampling.Internal;

/// <summary>Top-p then top-k filtering of one position's logits (Dream's order); buffers allocated once per evaluator.</summary>
internal sealed class TopKTopPFilter
{
    private const double TailCutoff = 40.0;

    private readonly int? _topK;
    private readonly double? _topP;
    private readonly float[] _select;
    private readonly (float Value, int Index)[] _sorted;

    public TopKTopPFilter(int vocabularySize, int? topK, double? topP)
    {
        _topK = topK;
        _topP = topP;
        _select = topK is not null ? new float[vocabularySize] : [];
        _sorted = topP is double q && q < 1 ? new (float, int)[vocabularySize] : [];
    }

    /// <summary>Dream's <c>top_p_logits</c> on tempered logits: keeps a token while the cumulative probability before it is at most p.</summary>
    public void ApplyTopP(float[] x, double scale)
    {
        if (_topP is not double p || p >= 1)
        {
            return;
        }

        float max = TensorPrimitives.Max(x);

        // Entries more than TailCutoff (in tempered units) below the maximum carry under e^-40 of the mass each:
        // they are never inside the nucleus for p < 1 - 1e-9, so only the head is sorted.
        double z = 0;
        int n = 0;
        for (int v = 0; v < x.Length; v++)
        {
            double d = (x[v] - max) * scale;
            if (float.IsNegativeInfinity(x[v]))
            {
                continue;
            }

            z += Math.Exp(d);
            if (d >= -TailCutoff)
            {
                _sorted[n++] = (x[v], v);
            }
        }

        var head = _sorted.AsSpan(0, n);
        head.Sort(static (a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : a.Index.CompareTo(b.Index));
        double cumulative = 0;
        int keep = n;
        for (int i = 0; i < n; i++)
        {
            if (i > 0 && cumulative > p)
            {
                keep = i;
                break;
            }

            cumulative += Math.Exp((head[i].Value - max) * scale) / z;
        }

        // Remove everything outside the kept head.
        float cutoffValue = head[keep - 1].Value;
        for (int v = 0; v < x.Length; v++)
        {
            if (x[v] < cutoffValue)
            {
                x[v] = float.NegativeInfinity;
            }
        }

        for (int i = keep; i < n; i++)
        {
            x[head[i].Index] = float.NegativeInfinity;
        }
    }

    /// <summary>Dream's <c>top_k_logits</c>: removes everything below the k-th largest (ties kept).</summary>
    public void ApplyTopK(float[] x)
    {
        if (_topK is not int k || k >= x.Length)
        {
            return;
        }

        x.CopyTo(_select, 0);
        float kth = KthLargest(_select, k);
        for (int v = 0; v < x.Length; v++)
        {
            if (x[v] < kth)
            {
                x[v] = float.NegativeInfinity;
            }
        }
    }

    /// <summary>The k-th largest value (1-based) by quickselect; <paramref name="a"/> is reordered.</summary>
    private static float KthLargest(float[] a, int k)
    {
        int target = k - 1;
        int lo = 0;
        int hi = a.Length - 1;
        while (lo < hi)
        {
            float pivot = a[lo + ((hi - lo) / 2)];
            int i = lo;
            int j = hi;
            while (i <= j)
            {
                while (a[i] > pivot)
                {
                    i++;
                }

                while (a[j] < pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }

            if (target <= j)
            {
                hi = j;
            }
            else if (target >= i)
            {
                lo = i;
            }
            else
            {
                return a[target];
            }
        }

        return a[target];
    }
}
