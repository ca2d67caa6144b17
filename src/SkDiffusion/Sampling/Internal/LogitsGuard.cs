using System.Numerics;
using SkDiffusion.Denoising;

namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// A vectorised scan of the logits a step reads (every position that is not left padding: padded positions may
/// legitimately hold NaN from a fully masked attention row). Costs one pass over the floats, far less than the forward
/// pass that produced them.
/// </summary>
internal static class LogitsGuard
{
    /// <summary>
    /// Throws <see cref="NonFiniteLogitsException"/> at the first NaN or +infinity logit of a non-padding position, or at
    /// a position whose logits are all -infinity.
    /// </summary>
    /// <param name="output">The denoiser output.</param>
    /// <param name="kind">The run's position kinds, <c>[batch, length]</c>; 0 is padding.</param>
    /// <param name="batch">Canvas rows (output rows beyond them are the unconditional CFG copies of the same rows).</param>
    /// <param name="length">Canvas length.</param>
    /// <param name="offset">The canvas position of the output's first position (a cached window starts later).</param>
    /// <param name="denoiser">The denoiser, for the model name.</param>
    /// <param name="step">The step (1-based), for the message.</param>
    public static void ThrowIfNonFinite(DenoiserOutput output, ReadOnlySpan<byte> kind, int batch, int length, int offset, IDenoiser denoiser, int step)
    {
        for (int r = 0; r < output.BatchSize; r++)
        {
            int canvasRow = r % batch;
            for (int j = 0; j < output.SequenceLength; j++)
            {
                int p = offset + j;
                if (p >= length || kind[(canvasRow * length) + p] == 0 || !output.HasLogits(r, j))
                {
                    continue;
                }

                ReadOnlySpan<float> logits = output.GetLogits(r, j);
                if (!AllFinite(logits) && Broken(logits) is float bad)
                {
                    string model = denoiser is OnnxDenoiser onnx ? onnx.Manifest.Name : denoiser.GetType().Name;
                    throw new NonFiniteLogitsException(model, step, r, p, bad);
                }
            }
        }
    }

    /// <summary>Whether every value is finite: x - x is 0 for finite x and NaN for NaN and infinities.</summary>
    internal static bool AllFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values.Slice(i, Vector<float>.Count));
                acc += v - v;
            }

            if (!Vector.EqualsAll(acc, Vector<float>.Zero))
            {
                return false;
            }
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The slow path after the fast scan failed: NaN and +infinity are broken; -infinity is a legal zero probability
    /// unless every value of the position is -infinity (no token would be possible).
    /// </summary>
    private static float? Broken(ReadOnlySpan<float> values)
    {
        bool anyFinite = false;
        foreach (float x in values)
        {
            if (float.IsNaN(x) || float.IsPositiveInfinity(x))
            {
                return x;
            }

            anyFinite |= float.IsFinite(x);
        }

        return anyFinite ? null : float.NegativeInfinity;
    }
}
