namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>
/// Precomputed rotary tables <c>[context_length, head_dim]</c> for the rotate-half (non-interleaved) layout.
/// Values follow the float32 arithmetic of the reference implementations: inv_freq[j] = 1/theta^(2j/Dh), angle = pos * inv_freq.
/// </summary>
internal static class RotaryTables
{
    /// <summary>
    /// Fills one row of the cosine table and of the signed sine table for <paramref name="position"/>.
    /// The signed sine is <c>-sin</c> on the first half and <c>+sin</c> on the second, so that
    /// <c>rotate_half(x) * sin == concat(x2, x1) * signed_sin</c>.
    /// </summary>
    public static void FillRow(int position, int headDim, double theta, Span<float> cos, Span<float> signedSin)
    {
        int half = headDim / 2;
        for (int j = 0; j < half; j++)
        {
            float exponent = (float)(2 * j) / headDim;
            float power = (float)Math.Pow(theta, exponent);
            float inverseFrequency = 1.0f / power;
            float angle = position * inverseFrequency;
            float c = (float)Math.Cos(angle);
            float s = (float)Math.Sin(angle);
            cos[j] = c;
            cos[j + half] = c;
            signedSin[j] = -s;
            signedSin[j + half] = s;
        }
    }
}
