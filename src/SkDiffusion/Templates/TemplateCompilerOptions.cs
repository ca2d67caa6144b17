namespace SkDiffusion.Templates;

/// <summary>Options of <see cref="TemplateCompiler"/>.</summary>
public sealed class TemplateCompilerOptions
{
    /// <summary>
    /// Whether a space that ends the fixed text before a slot moves into the slot, so that the slot's first token
    /// carries it (" Paris" rather than " " + "Paris"), as the model saw the text in training. Applied only when the
    /// vocabulary has space-led tokens of the slot's kind (never for digits with Qwen2/LLaDA-style tokenizers that
    /// split digits). Default true.
    /// </summary>
    public bool AbsorbSpaces { get; set; } = true;

    /// <summary>
    /// Fixed tokens appended after the template's answer layout (e.g. the end-of-turn id, so the model sees where the
    /// answer ends). Default none.
    /// </summary>
    public IReadOnlyList<int> TrailingTokens { get; set; } = [];
}
