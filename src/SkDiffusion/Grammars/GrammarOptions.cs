namespace SkDiffusion.Grammars;

/// <summary>Options of a <see cref="TokenGrammar"/>.</summary>
public sealed record GrammarOptions
{
    /// <summary>The default limit on automaton states.</summary>
    public const int DefaultMaxStates = 20_000;

    /// <summary>The hard upper bound of <see cref="MaxStates"/> (state ids are stored in 16 bits).</summary>
    public const int MaxStatesLimit = 65_000;

    /// <summary>The longest <see cref="CopySource"/>, in characters.</summary>
    public const int MaxCopySourceLength = 20_000;

    /// <summary>The default options.</summary>
    public static GrammarOptions Default { get; } = new();

    /// <summary>
    /// The most states the byte automaton may have (default <see cref="DefaultMaxStates"/>, at most
    /// <see cref="MaxStatesLimit"/>). Long bounded strings (<c>maxLength</c>), large repetition counts and deep
    /// schema-less nesting multiply states; a source that needs more throws a <see cref="GrammarException"/>.
    /// </summary>
    public int MaxStates { get; init; } = DefaultMaxStates;

    /// <summary>
    /// The nesting depth of schema-less JSON (<see cref="TokenGrammar.AnyJson"/>, and schema parts without a type):
    /// 1 allows scalars inside one object or array, default 4, at most 8.
    /// </summary>
    public int MaxJsonDepth { get; init; } = 4;

    /// <summary>
    /// How many levels a recursive <c>$ref</c> of a JSON schema unrolls (default 3, 0 to 8): a tree record's children
    /// may nest this many levels below the first. Beyond that the reference allows no value, so an optional property
    /// is left out, a nullable one is <c>null</c> and a list is empty there. 0 refuses recursive schemas with a
    /// <see cref="GrammarException"/>. Each level copies the recursive part, so the automaton grows with the depth.
    /// </summary>
    public int MaxRecursionDepth { get; init; } = 3;

    /// <summary>
    /// Whether the end-of-turn token may close the word as well as EOS (default <see langword="true"/>): chat answers end
    /// with EoT and are padded with EOS; infill holes use EOS only.
    /// </summary>
    public bool AllowEndOfTurn { get; init; } = true;

    /// <summary>
    /// Extractive strings: when set, every free-form string value of a JSON schema (<c>"type": "string"</c> without
    /// <c>enum</c>, <c>const</c>, <c>format</c> or <c>pattern</c>) must be copied from this text, as a run of one to
    /// <see cref="CopyMaxWords"/> of its whole words (or the empty string where <c>minLength</c> allows it). Extraction
    /// then cannot return a misspelt or invented name. Default <see langword="null"/> (any string). A grammar with a copy
    /// source is built per source and not cached.
    /// </summary>
    public string? CopySource { get; init; }

    /// <summary>The most words of <see cref="CopySource"/> one copied value may span (default 6, 1 to 32).</summary>
    public int CopyMaxWords { get; init; } = 6;

    internal void Validate()
    {
        if (CopyMaxWords < 1 || CopyMaxWords > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(CopyMaxWords), CopyMaxWords, "GrammarOptions.CopyMaxWords must be between 1 and 32.");
        }

        if (CopySource is { Length: > MaxCopySourceLength })
        {
            throw new ArgumentOutOfRangeException(nameof(CopySource), CopySource.Length, $"GrammarOptions.CopySource is {CopySource.Length} characters, above the supported {MaxCopySourceLength}: pass the passage the values come from, not a whole document.");
        }

        if (MaxStates < 2 || MaxStates > MaxStatesLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxStates), MaxStates, $"GrammarOptions.MaxStates must be between 2 and {MaxStatesLimit}.");
        }

        if (MaxRecursionDepth < 0 || MaxRecursionDepth > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRecursionDepth), MaxRecursionDepth, "GrammarOptions.MaxRecursionDepth must be between 0 and 8.");
        }

        if (MaxJsonDepth < 0 || MaxJsonDepth > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxJsonDepth), MaxJsonDepth, "GrammarOptions.MaxJsonDepth must be between 0 and 8.");
        }
    }

    internal string CacheKey => $"{MaxStates}|{MaxJsonDepth}|{MaxRecursionDepth}|{AllowEndOfTurn}";
}
