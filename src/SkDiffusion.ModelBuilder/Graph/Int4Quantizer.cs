namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>
/// Block-wise asymmetric 4-bit quantization in the layout of ONNX Runtime's <c>com.microsoft.MatMulNBits</c>:
/// per output row, blocks of <see cref="BlockSize"/> input elements; each block stores 16 bytes of nibbles
/// (element 2j in the low nibble of byte j, 2j+1 in the high nibble), one float scale and one 4-bit zero point.
/// Dequantized value = (q - zero_point) * scale.
/// </summary>
internal static class Int4Quantizer
{
    /// <summary>Elements per quantization block.</summary>
    public const int BlockSize = 32;

    /// <summary>Bytes of packed nibbles per block.</summary>
    public const int BlobSize = BlockSize / 2;

    /// <summary>The number of blocks a row of <paramref name="k"/> elements needs (the last may be partial, padded with zeros).</summary>
    public static int BlockCount(long k) => (int)((k + BlockSize - 1) / BlockSize);

    /// <summary>Bytes of packed zero points per row: two 4-bit values per byte.</summary>
    public static int ZeroPointBytes(long k) => (BlockCount(k) + 1) / 2;

    /// <summary>
    /// Quantizes one row. <paramref name="blobs"/> receives <c>BlockCount * BlobSize</c> bytes, <paramref name="scales"/> one
    /// float per block, <paramref name="zeroPoints"/> the row's packed zero points (<see cref="ZeroPointBytes"/> bytes).
    /// </summary>
    public static void QuantizeRow(ReadOnlySpan<float> row, Span<byte> blobs, Span<float> scales, Span<byte> zeroPoints)
    {
        int blocks = BlockCount(row.Length);
        zeroPoints[..ZeroPointBytes(row.Length)].Clear();
        blobs[..(blocks * BlobSize)].Clear();
        for (int b = 0; b < blocks; b++)
        {
            var block = row.Slice(b * BlockSize, Math.Min(BlockSize, row.Length - (b * BlockSize)));
            var (scale, zero) = BlockParameters(block);
            scales[b] = scale;
            zeroPoints[b / 2] |= (byte)((b % 2 == 0) ? zero : zero << 4);
            var blob = blobs.Slice(b * BlobSize, BlobSize);
            for (int i = 0; i < BlockSize; i++)
            {
                int q = i < block.Length ? Quantize(block[i], scale, zero) : zero;
                blob[i / 2] |= (byte)((i % 2 == 0) ? q : q << 4);
            }
        }
    }

    /// <summary>Quantizes and dequantizes <paramref name="row"/> in place: the values the int4 graph computes with.</summary>
    public static void RoundTrip(Span<float> row)
    {
        for (int start = 0; start < row.Length; start += BlockSize)
        {
            var block = row.Slice(start, Math.Min(BlockSize, row.Length - start));
            var (scale, zero) = BlockParameters(block);
            for (int i = 0; i < block.Length; i++)
            {
                block[i] = (Quantize(block[i], scale, zero) - zero) * scale;
            }
        }
    }

    private static (float Scale, int Zero) BlockParameters(ReadOnlySpan<float> block)
    {
        float min = 0f, max = 0f;
        foreach (float v in block)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        float scale = (max - min) / 15f;
        if (scale == 0f || !float.IsFinite(scale))
        {
            return (1f, 0);
        }

        int zero = Math.Clamp((int)MathF.Round(-min / scale, MidpointRounding.ToEven), 0, 15);
        return (scale, zero);
    }

    private static int Quantize(float value, float scale, int zero) =>
        Math.Clamp((int)MathF.Round(value / scale, MidpointRounding.ToEven) + zero, 0, 15);
}
