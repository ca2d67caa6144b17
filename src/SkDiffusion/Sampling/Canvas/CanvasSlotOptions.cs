using SkDiffusion.Grammars;
using SkDiffusion.Sampling.Constraints;

namespace SkDiffusion.Sampling.Canvas;

/// <summary>Options of one masked slot of a <see cref="CanvasTemplate"/>.</summary>
public sealed class CanvasSlotOptions
{
    /// <summary>An optional name, reported back in <see cref="SlotResult.Name"/>.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Optional set of token ids the slot may hold; every other token's logit is set to negative infinity before
    /// scoring and sampling. Empty sets are rejected.
    /// </summary>
    public IReadOnlyCollection<int>? AllowedTokens { get; init; }

    /// <summary>An optional logit processor applied to every position of the slot (after the global processors).</summary>
    public ILogitProcessor? LogitProcessor { get; init; }

    /// <summary>
    /// Whether the slot may end early. When <see langword="true"/>, an EOS, EoT or pad token committed inside the slot
    /// ends it: the decoded <see cref="SlotResult.Tokens"/> stop before it. When <see langword="false"/> (the default
    /// for template slots) the slot always holds exactly its length: EOS, EoT and pad logits are set to negative
    /// infinity inside it.
    /// </summary>
    public bool VariableLength { get; init; }

    /// <summary>
    /// An optional grammar the slot must spell: the slot's tokens form a word of the language followed by end tokens
    /// (EOS, optionally EoT), whatever the denoiser prefers. Needs <see cref="VariableLength"/>, a slot at least
    /// <see cref="TokenGrammar.MinimumTokens"/> long, no <see cref="AllowedTokens"/>, and a grammar built for the
    /// denoiser's vocabulary.
    /// </summary>
    public TokenGrammar? Grammar { get; init; }
}
