namespace SkDiffusion.Templates.Holes;

/// <summary>Options of <see cref="HoleCompiler"/>.</summary>
public sealed class HoleCompilerOptions
{
    /// <summary>
    /// The token budget of one word of a hole. <see langword="null"/> (the default) measures it on the tokenizer: the
    /// 95th percentile of the tokens an ordinary word takes after a space (the space counts where the tokenizer emits
    /// it as its own token). A hole of n words gets n times this many positions.
    /// </summary>
    public int? TokensPerWord { get; set; }
}
