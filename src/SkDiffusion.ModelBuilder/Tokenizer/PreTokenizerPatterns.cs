namespace SkDiffusion.ModelBuilder.Tokenizer;

/// <summary>Well-known split regexes of byte-level BPE tokenizers.</summary>
internal static class PreTokenizerPatterns
{
    /// <summary>The GPT-2 pattern that a Hugging Face <c>ByteLevel</c> pre-tokenizer with <c>use_regex: true</c> applies.</summary>
    public const string Gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>The Qwen2 pattern (Dream ships vocab.json + merges.txt, whose Python tokenizer applies this split).</summary>
    public const string Qwen2 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
}
