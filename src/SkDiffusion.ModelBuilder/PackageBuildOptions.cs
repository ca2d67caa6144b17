namespace SkDiffusion.ModelBuilder;

/// <summary>What to convert and how: the input of <see cref="PackageBuilder.BuildAsync"/>.</summary>
public sealed class PackageBuildOptions
{
    /// <summary>The Hugging Face checkpoint folder (config.json, safetensors, tokenizer files).</summary>
    public string CheckpointDirectory { get; set; } = "";

    /// <summary>The package folder to create. It must not exist or be empty unless <see cref="Overwrite"/> is set.</summary>
    public string OutputDirectory { get; set; } = "";

    /// <summary>The weight precision of the package. Defaults to <see cref="ModelPrecision.Float32"/>.</summary>
    public ModelPrecision Precision { get; set; } = ModelPrecision.Float32;

    /// <summary>Whether the graph takes past key/values and returns present key/values. Defaults to <see langword="true"/>.</summary>
    public bool IncludeCache { get; set; } = true;

    /// <summary>The model name written to the manifest; defaults to the config's <c>_name_or_path</c> or the checkpoint folder's name.</summary>
    public string? Name { get; set; }

    /// <summary>The largest past plus current length the graph accepts; defaults to the config's maximum sequence length.</summary>
    public int? ContextLength { get; set; }

    /// <summary>
    /// With <see cref="ModelPrecision.Float16"/>: compute in float16 end to end (manifest <c>kv_dtype</c> float16; logits stay
    /// float32) instead of casting weights to float32. Halves GPU memory; off by default because float16 activations can
    /// overflow in some models and ONNX Runtime's CPU provider runs float16 graphs through inserted casts.
    /// </summary>
    public bool ComputeInFloat16 { get; set; }

    /// <summary>
    /// Whether the graph takes a <c>logits_positions</c> input and computes the output head only for those positions
    /// (manifest <c>logits_positions</c>). Defaults to <see langword="true"/>: a decoding step needs the logits of the
    /// masked positions only, and for a large vocabulary the head and the logits copy dominate a step.
    /// </summary>
    public bool LogitsPositions { get; set; } = true;

    /// <summary>
    /// Whether the graph uses ONNX Runtime's fused kernels (<c>com.microsoft</c> <c>MultiHeadAttention</c>,
    /// <c>RotaryEmbedding</c>, <c>SkipSimplifiedLayerNormalization</c>). Defaults to <see langword="true"/>; with
    /// <see langword="false"/> attention is written as plain <c>MatMul</c>/<c>Softmax</c> ops, as in earlier packages.
    /// Both graphs take the same inputs and return the same outputs.
    /// </summary>
    public bool FusedGraph { get; set; } = true;

    /// <summary>Whether an existing non-empty output folder may be replaced.</summary>
    public bool Overwrite { get; set; }

    /// <summary>Float16 matrices whose float32 form exceeds this many bytes are split (tests lower it).</summary>
    internal long HalfMatrixSplitBytes { get; set; } = Graph.GraphBuildSettings.DefaultHalfMatrixSplitBytes;
}
