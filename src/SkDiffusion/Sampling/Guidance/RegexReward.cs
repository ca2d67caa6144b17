using SkDiffusion.Grammars;

namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// 1 when the whole answer matches a regular expression, else 0 (the grammar's regex subset, see docs/grammars.md; it
/// is compiled to an automaton over bytes). Mid-decoding, the text before the first masked position must still be
/// completable to a match.
/// </summary>
public sealed class RegexReward : TextReward
{
    private readonly TokenGrammar _grammar;

    /// <summary>Creates the reward.</summary>
    /// <param name="pattern">The pattern, matched against the whole answer (surrounding white space ignored).</param>
    /// <exception cref="ArgumentNullException"><paramref name="pattern"/> is null.</exception>
    /// <exception cref="GrammarException">The pattern uses an unsupported construct (the message names its offset).</exception>
    public RegexReward(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Pattern = pattern;
        _grammar = TokenGrammar.FromRegex(pattern, ByteLevelGrammar.Vocabulary);
    }

    /// <summary>The pattern.</summary>
    public string Pattern { get; }

    /// <inheritdoc />
    public override string Name => "regex";

    /// <inheritdoc />
    public override double Score(RewardText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ByteLevelGrammar.Score(_grammar, text);
    }
}
