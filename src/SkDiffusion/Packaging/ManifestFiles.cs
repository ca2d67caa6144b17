using System.Text.Json.Serialization;

namespace SkDiffusion.Packaging;

/// <summary>The file names that make up a model package, relative to its folder.</summary>
public sealed class ManifestFiles
{
    /// <summary>The ONNX graph.</summary>
    [JsonPropertyName("model")] public string Model { get; set; } = "model.onnx";

    /// <summary>The ONNX external-data file, or <see langword="null"/> when the weights are inside the graph.</summary>
    [JsonPropertyName("model_data")] public string? ModelData { get; set; }

    /// <summary>The BPE vocabulary (<c>vocab.json</c>).</summary>
    [JsonPropertyName("vocab")] public string Vocab { get; set; } = "vocab.json";

    /// <summary>The BPE merges (<c>merges.txt</c>).</summary>
    [JsonPropertyName("merges")] public string Merges { get; set; } = "merges.txt";

    /// <summary>The tokenizer settings: pre-tokenizer regex and special tokens.</summary>
    [JsonPropertyName("tokenizer_config")] public string TokenizerConfig { get; set; } = "tokenizer_config.json";
}
