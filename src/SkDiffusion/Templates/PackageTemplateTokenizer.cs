using SkDiffusion.Packaging;
using SkDiffusion.Tokenization;

namespace SkDiffusion.Templates;

/// <summary>The <see cref="ITemplateTokenizer"/> of a model package's <see cref="DiffusionTokenizer"/>.</summary>
public sealed class PackageTemplateTokenizer : ITemplateTokenizer
{
    private readonly DiffusionTokenizer _tokenizer;

    private PackageTemplateTokenizer(DiffusionTokenizer tokenizer, int vocabularySize)
    {
        _tokenizer = tokenizer;
        VocabularySize = vocabularySize;
        SpecialTokenIds = new HashSet<int>(tokenizer.SpecialTokens.Values);
    }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <inheritdoc />
    public IReadOnlySet<int> SpecialTokenIds { get; }

    /// <summary>Creates the adapter for a loaded package.</summary>
    /// <param name="package">The package.</param>
    public static PackageTemplateTokenizer Create(ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        return new PackageTemplateTokenizer(package.Tokenizer, package.Manifest.VocabSize);
    }

    /// <summary>Creates the adapter for a tokenizer.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="vocabularySize">The model's vocabulary size.</param>
    public static PackageTemplateTokenizer Create(DiffusionTokenizer tokenizer, int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
        return new PackageTemplateTokenizer(tokenizer, vocabularySize);
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text) => _tokenizer.EncodeToIds(text, allowSpecialTokens: false);

    /// <inheritdoc />
    public string Decode(IEnumerable<int> tokenIds) => _tokenizer.Decode(tokenIds, skipSpecialTokens: true);
}
