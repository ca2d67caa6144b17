namespace SkDiffusion.Sampling.Guidance;

/// <summary>How an <see cref="OnnxClassifierReward"/> runs its model.</summary>
public sealed class OnnxClassifierRewardOptions
{
    /// <summary>The label whose probability is the reward (index into the output's last dimension). Default 1.</summary>
    public int Label { get; set; } = 1;

    /// <summary>
    /// Turns text into the model's int64 input ids (shape <c>[1, n]</c>). Default: the text's UTF-8 bytes (0..255).
    /// </summary>
    public Func<string, long[]>? Featurizer { get; set; }

    /// <summary>The input name; null for the model's first input.</summary>
    public string? InputName { get; set; }

    /// <summary>The output name; null for the model's first output.</summary>
    public string? OutputName { get; set; }

    /// <summary>Whether the output holds logits (softmax applied here) rather than probabilities. Default false.</summary>
    public bool OutputIsLogits { get; set; }

    /// <summary>Input ids beyond this many are cut (default 512).</summary>
    public int MaxInputLength { get; set; } = 512;

    /// <summary>The reward of an answer with no text yet (nothing to classify). Default 0.5.</summary>
    public double EmptyScore { get; set; } = 0.5;
}
