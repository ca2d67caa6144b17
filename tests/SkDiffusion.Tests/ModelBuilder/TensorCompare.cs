namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>Error measures between an actual and an expected tensor.</summary>
internal static class TensorCompare
{
    /// <summary>The largest absolute difference and the largest absolute expected value.</summary>
    public static (double MaxAbs, double MaxExpected) Measure(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length)
        {
            throw new ArgumentException($"Length {actual.Length} differs from expected {expected.Length}.");
        }

        double maxAbs = 0, maxExpected = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            maxAbs = Math.Max(maxAbs, Math.Abs((double)actual[i] - expected[i]));
            maxExpected = Math.Max(maxExpected, Math.Abs((double)expected[i]));
        }

        return (maxAbs, maxExpected);
    }

    /// <summary>Rows <paramref name="from"/>.. of the middle axis of a [B, S, X] tensor.</summary>
    public static float[] SliceMiddle(float[] data, int batch, int sequence, int inner, int from, int to)
    {
        var result = new float[batch * (to - from) * inner];
        for (int b = 0; b < batch; b++)
        {
            Array.Copy(data, ((b * sequence) + from) * inner, result, b * (to - from) * inner, (to - from) * inner);
        }

        return result;
    }

    /// <summary>Positions [0, <paramref name="keep"/>) of the third axis of a [B, H, T, D] tensor.</summary>
    public static float[] SlicePast(float[] data, int batch, int heads, int total, int dim, int keep)
    {
        var result = new float[batch * heads * keep * dim];
        for (int bh = 0; bh < batch * heads; bh++)
        {
            Array.Copy(data, bh * total * dim, result, bh * keep * dim, keep * dim);
        }

        return result;
    }
}
