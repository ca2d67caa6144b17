using System.Text.Json.Serialization;

namespace SkDiffusion.Packaging;

/// <summary>The special token ids named in a model manifest.</summary>
public sealed class ManifestTokenIds
{
    /// <summary>The mask token id (<c>&lt;|mdm_mask|&gt;</c> for LLaDA).</summary>
    [JsonPropertyName("mask")] public int Mask { get; set; }

    /// <summary>The beginning-of-sequence token id, or <see langword="null"/> when the model uses none.</summary>
    [JsonPropertyName("bos")] public int? Bos { get; set; }

    /// <summary>The end-of-sequence token id; answers are padded with it.</summary>
    [JsonPropertyName("eos")] public int Eos { get; set; }

    /// <summary>The end-of-turn token id (<c>&lt;|eot_id|&gt;</c> or <c>&lt;|im_end|&gt;</c>).</summary>
    [JsonPropertyName("eot")] public int Eot { get; set; }

    /// <summary>The padding token id used for left padding in a batch.</summary>
    [JsonPropertyName("pad")] public int Pad { get; set; }
}
