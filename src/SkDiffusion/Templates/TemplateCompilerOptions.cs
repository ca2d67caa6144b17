namespace SkDiffusion.Templates;

/// <summary>Options of <see cref="TemplateCompiler"/>.</summary>
public sealed class TemplateCompilerOptions
{
    /// <summary>
    /// Whether a space that ends the fixed text before a slot may move into the slot, so that the slot's first token
    /// carries it (" Paris" rather than " " + "Paris"). The compiler moves it only where the tokenizer itself merges
    /// that space with a value of the slot's kind (it encodes the text followed by probe values and compares): so for
    /// <c>Ġword</c> tokenizers (LLaDA, Qwen2/Dream) before words, never before digits those tokenizers split, and
    /// never for tokenizers that emit spaces as their own tokens. Default true.
    /// </summary>
    public bool AbsorbSpaces { get; set; } = true;

    /// <summary>
    /// Fixed tokens appended after the template's answer layout (e.g. the end-of-turn id, so the model sees where the
    /// answer ends). Default none.
    /// </summary>
    public IReadOnlyList<int> TrailingTokens { get; set; } = [];
}
