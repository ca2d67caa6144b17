namespace SkDiffusion.Templates;

/// <summary>An <see cref="ITemplateTokenizer"/> over delegates (tests, or tokenizers without an adapter).</summary>
internal sealed class DelegateTemplateTokenizer : ITemplateTokenizer
{
    private readonly Func<string, IReadOnlyList<int>> _encode;
    private readonly Func<IEnumerable<int>, string> _decode;

    private DelegateTemplateTokenizer(Func<string, IReadOnlyList<int>> encode, Func<IEnumerable<int>, string> decode, int vocabularySize, IReadOnlySet<int> special)
    {
        _encode = encode;
        _decode = decode;
        VocabularySize = vocabularySize;
        SpecialTokenIds = special;
    }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <inheritdoc />
    public IReadOnlySet<int> SpecialTokenIds { get; }

    /// <summary>Creates the adapter.</summary>
    /// <param name="encode">Text to ids.</param>
    /// <param name="decode">Ids to text.</param>
    /// <param name="vocabularySize">The vocabulary size.</param>
    /// <param name="specialTokenIds">Special ids, excluded from slots.</param>
    public static DelegateTemplateTokenizer Create(Func<string, IReadOnlyList<int>> encode, Func<IEnumerable<int>, string> decode, int vocabularySize, IEnumerable<int>? specialTokenIds = null)
    {
        ArgumentNullException.ThrowIfNull(encode);
        ArgumentNullException.ThrowIfNull(decode);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
        return new DelegateTemplateTokenizer(encode, decode, vocabularySize, new HashSet<int>(specialTokenIds ?? []));
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text) => _encode(text);

    /// <inheritdoc />
    public string Decode(IEnumerable<int> tokenIds) => _decode(tokenIds);
}
