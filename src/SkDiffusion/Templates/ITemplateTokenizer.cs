namespace SkDiffusion.Templates;

/// <summary>The tokenizer view a <see cref="TemplateCompiler"/> needs: encode fixed text, decode slot tokens, and the special ids.</summary>
public interface ITemplateTokenizer
{
    /// <summary>The number of token ids (the model's vocabulary size).</summary>
    int VocabularySize { get; }

    /// <summary>Special token ids (BOS, EOS, mask, chat headers…): never allowed in a slot except as the end marker.</summary>
    IReadOnlySet<int> SpecialTokenIds { get; }

    /// <summary>Encodes ordinary text (special-token markup is not interpreted).</summary>
    /// <param name="text">The text.</param>
    IReadOnlyList<int> Encode(string text);

    /// <summary>Decodes token ids to text (special tokens decode to nothing).</summary>
    /// <param name="tokenIds">The ids.</param>
    string Decode(IEnumerable<int> tokenIds);
}
