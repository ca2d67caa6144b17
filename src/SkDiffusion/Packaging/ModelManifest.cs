using System.Text.Json.Serialization;

namespace SkDiffusion.Packaging;

/// <summary>
/// The contents of a model package's <c>manifest.json</c>: what the model is and which files make it up.
/// See <c>docs/model-package.md</c> for the meaning of every field.
/// </summary>
public sealed class ModelManifest
{
    /// <summary>The manifest format version this runtime reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The manifest format version; must equal <see cref="CurrentFormatVersion"/>.</summary>
    [JsonPropertyName("format_version")] public int FormatVersion { get; set; } = CurrentFormatVersion;

    /// <summary>The model id shown to users.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";

    /// <summary>The architecture: <c>llada</c> or <c>dream</c>.</summary>
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";

    /// <summary>The vocabulary size (rows of the embedding, columns of the logits).</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; set; }

    /// <summary>The model width.</summary>
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; set; }

    /// <summary>The number of transformer blocks.</summary>
    [JsonPropertyName("num_layers")] public int NumLayers { get; set; }

    /// <summary>The number of query heads.</summary>
    [JsonPropertyName("num_heads")] public int NumHeads { get; set; }

    /// <summary>The number of key/value heads; divides <see cref="NumHeads"/>.</summary>
    [JsonPropertyName("num_kv_heads")] public int NumKvHeads { get; set; }

    /// <summary>The size of one attention head.</summary>
    [JsonPropertyName("head_dim")] public int HeadDim { get; set; }

    /// <summary>The SwiGLU hidden width.</summary>
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; set; }

    /// <summary>The largest number of positions (past plus current) the graph accepts.</summary>
    [JsonPropertyName("context_length")] public int ContextLength { get; set; }

    /// <summary>The rotary embedding base.</summary>
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; set; }

    /// <summary>The RMSNorm epsilon.</summary>
    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; set; }

    /// <summary>The weight precision: <c>float32</c>, <c>float16</c> or <c>int4</c>.</summary>
    [JsonPropertyName("dtype")] public string DType { get; set; } = "float32";

    /// <summary>The element type of the cache tensors: <c>float32</c> or <c>float16</c>.</summary>
    [JsonPropertyName("kv_dtype")] public string KvDType { get; set; } = "float32";

    /// <summary>Whether the graph's logits at position i predict token i+1 (Dream).</summary>
    [JsonPropertyName("logits_shifted")] public bool LogitsShifted { get; set; }

    /// <summary>Whether the graph takes past key/value inputs and returns present outputs.</summary>
    [JsonPropertyName("has_cache")] public bool HasCache { get; set; }

    /// <summary>
    /// Whether the graph takes a <c>logits_positions</c> input <c>[B, K]</c> and returns logits <c>[B, K, V]</c> for those
    /// positions only. Optional in the manifest (absent means <see langword="false"/>: logits for every position).
    /// </summary>
    [JsonPropertyName("logits_positions")] public bool LogitsPositions { get; set; }

    /// <summary>The chat format: <c>llama3</c> or <c>chatml</c>.</summary>
    [JsonPropertyName("chat_format")] public string ChatFormat { get; set; } = "";

    /// <summary>The system prompt added when a conversation has none, or <see langword="null"/>.</summary>
    [JsonPropertyName("default_system_prompt")] public string? DefaultSystemPrompt { get; set; }

    /// <summary>The special token ids.</summary>
    [JsonPropertyName("token_ids")] public ManifestTokenIds TokenIds { get; set; } = new();

    /// <summary>The package's file names.</summary>
    [JsonPropertyName("files")] public ManifestFiles Files { get; set; } = new();

    /// <summary>The byte length of every file named in <see cref="Files"/>, by file name.</summary>
    [JsonPropertyName("file_sizes")] public Dictionary<string, long> FileSizes { get; set; } = new();

    /// <summary>The lowercase hex SHA-256 of every file named in <see cref="Files"/>, by file name.</summary>
    [JsonPropertyName("sha256")] public Dictionary<string, string> Sha256 { get; set; } = new();
}
