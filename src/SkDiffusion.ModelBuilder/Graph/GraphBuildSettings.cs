namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>How the transformer graph is built.</summary>
/// <param name="Precision">Weight storage: float32; float16 (cast to float32 in the graph); or int4 MatMulNBits for the
/// projections and head, with a float16 embedding and float32 norms and biases.</param>
/// <param name="IncludeCache">Add past/present key-value inputs and outputs.</param>
/// <param name="ContextLength">Rows of the rotary tables: the largest past plus current length.</param>
internal sealed record GraphBuildSettings(ModelPrecision Precision, bool IncludeCache, int ContextLength)
{
    /// <summary>The size ONNX Runtime's constant folding accepts for a Cast output (1 GiB).</summary>
    public const long DefaultHalfMatrixSplitBytes = 1L << 30;

    /// <summary>A float16 matrix whose float32 form exceeds this many bytes is split into parts along its output axis.</summary>
    public long HalfMatrixSplitBytes { get; init; } = DefaultHalfMatrixSplitBytes;

    /// <summary>
    /// With <see cref="ModelPrecision.Float16"/>: compute in float16 end to end (float16 past/present, logits cast to float32)
    /// instead of casting the weights to float32. Halves accelerator memory; ONNX Runtime's CPU provider inserts casts where it
    /// lacks float16 kernels.
    /// </summary>
    public bool HalfCompute { get; init; }

    /// <summary>Add the <c>logits_positions</c> input: the final norm and head run only on the gathered positions.</summary>
    public bool LogitsPositions { get; init; }

    /// <summary>
    /// Use ONNX Runtime's fused contrib kernels: <c>MultiHeadAttention</c>, <c>RotaryEmbedding</c> and
    /// <c>SkipSimplifiedLayerNormalization</c>. When off, attention, rotary and residual additions are plain ONNX ops.
    /// </summary>
    public bool Fused { get; init; } = true;

    /// <summary>Whether float16-stored weights are cast to float32 in the graph.</summary>
    public bool CastHalfWeights => !HalfCompute;

    /// <summary>Whether the embedding is stored as float16.</summary>
    public bool HalfEmbedding => Precision != ModelPrecision.Float32;

    /// <summary>Whether norm scales and biases are stored as float16.</summary>
    public bool HalfSmallWeights => Precision == ModelPrecision.Float16;

    /// <summary>Whether projection and head matrices are stored as float16.</summary>
    public bool HalfMatrices => Precision == ModelPrecision.Float16;

    /// <summary>Whether projection and head matrices are 4-bit quantized.</summary>
    public bool Int4Matrices => Precision == ModelPrecision.Int4;
}
