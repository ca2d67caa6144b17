using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// The softmax statistics of one position's logits at a scale (1/temperature): the maximum, log Σ e, the top two
/// probabilities and Σ p log p, in double precision.
/// </summary>
internal readonly record struct LogitStats(double Max, double LogSumExp, double Top1Probability, double Top2Probability, double SumPLogP, double Scale)
{
    public static LogitStats Compute(ReadOnlySpan<float> x, double scale, bool needTop2, bool needEntropy)
    {
        float maxValue = MaxOf(x);
        if (float.IsNegativeInfinity(maxValue))
        {
            return new LogitStats(double.NegativeInfinity, double.NegativeInfinity, 0, 0, 0, scale);
        }

        double max1 = maxValue * scale;
        double max2 = double.NegativeInfinity;
        if (needTop2)
        {
            bool seenMax = false;
            for (int v = 0; v < x.Length; v++)
            {
                float l = x[v];
                if (l == maxValue && !seenMax)
                {
                    seenMax = true;
                }
                else if (l * scale > max2)
                {
                    max2 = l * scale;
                }
            }
        }

        // Σ e^d and Σ e^d·d with d = l·scale - max, in double precision. Below d = -700 a term is under 1e-304 next to
        // the maximum's 1, so it counts as 0; d is floored there because Vector256.Exp takes a slow path, about 14 times
        // slower, for arguments whose result is subnormal or zero, which is every token a constraint masked to -inf.
        var vScale = Vector256.Create(scale);
        var vMax = Vector256.Create(max1);
        var floor = Vector256.Create(-700.0);
        var vz = Vector256<double>.Zero;
        var vw = Vector256<double>.Zero;
        int i = 0;
        for (; i <= x.Length - 8; i += 8)
        {
            var (lo, hi) = Vector256.Widen(Vector256.Create(x.Slice(i, 8)));
            var r0 = (lo * vScale) - vMax;
            var r1 = (hi * vScale) - vMax;
            var d0 = Vector256.Max(r0, floor);
            var d1 = Vector256.Max(r1, floor);
            var e0 = Vector256.ConditionalSelect(Vector256.LessThan(r0, floor), Vector256<double>.Zero, Vector256.Exp(d0));
            var e1 = Vector256.ConditionalSelect(Vector256.LessThan(r1, floor), Vector256<double>.Zero, Vector256.Exp(d1));
            vz += e0 + e1;
            if (needEntropy)
            {
                vw += (e0 * d0) + (e1 * d1);
            }
        }

        double z = Vector256.Sum(vz);
        double w = Vector256.Sum(vw);
        for (; i < x.Length; i++)
        {
            if (float.IsNegativeInfinity(x[i]))
            {
                continue;
            }

            double d = (x[i] * scale) - max1;
            double e = Math.Exp(d);
            z += e;
            w += e * d;
        }

        double logZ = Math.Log(z);
        double p1 = 1.0 / z;
        double p2 = double.IsNegativeInfinity(max2) ? 0 : Math.Exp(max2 - max1) / z;

        // Σ p log p with p = e^d / z:  (Σ e^d d) / z - log z
        return new LogitStats(max1, max1 + logZ, p1, p2, (w / z) - logZ, scale);
    }

    // TensorPrimitives beats the Vector256 loop 1.8x on a 126,464-token row (Benchmarks --primitives).
    private static float MaxOf(ReadOnlySpan<float> x) => TensorPrimitives.Max(x);
}
