namespace SkDiffusion.ModelBuilder.Checkpoints;

/// <summary>The hyper-parameters of a checkpoint, normalized across LLaDA and Dream config.json layouts.</summary>
internal sealed class TransformerConfig
{
    /// <summary>The layout of the checkpoint.</summary>
    public ModelArchitecture Architecture { get; init; }

    /// <summary>Embedding rows and logits columns.</summary>
    public int VocabSize { get; init; }

    /// <summary>Model width.</summary>
    public int HiddenSize { get; init; }

    /// <summary>Transformer blocks.</summary>
    public int NumLayers { get; init; }

    /// <summary>Query heads.</summary>
    public int NumHeads { get; init; }

    /// <summary>Key/value heads.</summary>
    public int NumKvHeads { get; init; }

    /// <summary>Per-head width.</summary>
    public int HeadDim { get; init; }

    /// <summary>SwiGLU width.</summary>
    public int IntermediateSize { get; init; }

    /// <summary>Maximum positions from the config.</summary>
    public int MaxPositions { get; init; }

    /// <summary>Rotary base.</summary>
    public double RopeTheta { get; init; }

    /// <summary>RMSNorm epsilon.</summary>
    public double RmsNormEps { get; init; }

    /// <summary>Whether the output head reuses the embedding matrix.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Whether q/k/v projections carry biases (Dream).</summary>
    public bool QkvBias { get; init; }

    /// <summary>LLaDA <c>scale_logits</c>: logits are multiplied by 1/sqrt(d_model).</summary>
    public bool ScaleLogits { get; init; }

    /// <summary>LLaDA <c>input_emb_norm</c>: embeddings are multiplied by sqrt(d_model).</summary>
    public bool InputEmbeddingScale { get; init; }

    /// <summary>config.json <c>mask_token_id</c>, if present.</summary>
    public int? MaskTokenId { get; init; }

    /// <summary>config.json <c>bos_token_id</c>, if present.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>config.json <c>eos_token_id</c> (first one if a list), if present.</summary>
    public int? EosTokenId { get; init; }

    /// <summary>config.json <c>pad_token_id</c>, if present.</summary>
    public int? PadTokenId { get; init; }

    /// <summary>config.json <c>_name_or_path</c>, if present.</summary>
    public string? NameOrPath { get; init; }
}
