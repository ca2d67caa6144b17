namespace SkDiffusion.ModelBuilder.Checkpoints;

/// <summary>The role of one checkpoint tensor in the transformer.</summary>
internal enum WeightKind
{
    /// <summary>Token embedding <c>[V, D]</c>.</summary>
    Embedding,

    /// <summary>Attention RMSNorm scale.</summary>
    AttentionNorm,

    /// <summary>Query projection <c>[H*Dh, D]</c>.</summary>
    QueryWeight,

    /// <summary>Key projection <c>[Hkv*Dh, D]</c>.</summary>
    KeyWeight,

    /// <summary>Value projection <c>[Hkv*Dh, D]</c>.</summary>
    ValueWeight,

    /// <summary>Query bias (Dream).</summary>
    QueryBias,

    /// <summary>Key bias (Dream).</summary>
    KeyBias,

    /// <summary>Value bias (Dream).</summary>
    ValueBias,

    /// <summary>Attention output projection <c>[D, H*Dh]</c>.</summary>
    OutputWeight,

    /// <summary>Feed-forward RMSNorm scale.</summary>
    FeedForwardNorm,

    /// <summary>SwiGLU gate projection (SiLU applied) <c>[I, D]</c>.</summary>
    GateWeight,

    /// <summary>SwiGLU up projection <c>[I, D]</c>.</summary>
    UpWeight,

    /// <summary>SwiGLU down projection <c>[D, I]</c>.</summary>
    DownWeight,

    /// <summary>Final RMSNorm scale.</summary>
    FinalNorm,

    /// <summary>Output head <c>[V, D]</c>.</summary>
    Head,
}
