namespace SkDiffusion.ModelBuilder.Tokenizer;

/// <summary>A byte-level BPE tokenizer read from a checkpoint, in the form the package stores.</summary>
internal sealed class BpeTokenizerData
{
    /// <summary>The BPE vocabulary without added/special tokens, token to id.</summary>
    public required Dictionary<string, int> Vocabulary { get; init; }

    /// <summary>The merges in rank order, each as (left, right).</summary>
    public required List<(string Left, string Right)> Merges { get; init; }

    /// <summary>Added and special tokens (matched verbatim before pre-tokenization), content to id.</summary>
    public required Dictionary<string, int> SpecialTokens { get; init; }

    /// <summary>The split regex applied before BPE, in .NET syntax.</summary>
    public required string PreTokenizerRegex { get; init; }

    /// <summary>The file the tokenizer was read from (for messages).</summary>
    public required string SourceFile { get; init; }

    /// <summary>Settings of the source tokenizer that the package cannot express and that were dropped.</summary>
    public List<string> Warnings { get; init; } = [];
}
