using SkDiffusion.Grammars;

namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// Grammar checks of decoded text for the verifiers: a one-byte-per-token vocabulary (so the grammar's automaton reads
/// text, whatever the model's tokenizer) and the rule for partial answers.
/// </summary>
internal static class ByteLevelGrammar
{
    private static readonly Lazy<ByteVocabulary> Bytes = new(() =>
    {
        var tokens = new byte[]?[257];
        for (int b = 0; b < 256; b++)
        {
            tokens[b] = [(byte)b];
        }

        return ByteVocabulary.Create(tokens, eosId: 256);
    });

    /// <summary>The vocabulary of single bytes (id 256 is EOS).</summary>
    public static ByteVocabulary Vocabulary => Bytes.Value;

    /// <summary>
    /// 1 when the answer is a word of the grammar (complete answers, surrounding white space ignored) or, mid-decoding,
    /// when its text before the first gap can still be completed; else 0. An answer that starts with a gap scores 1.
    /// </summary>
    public static double Score(TokenGrammar grammar, RewardText text)
    {
        if (text.IsComplete)
        {
            return grammar.Matches(text.Answer.Trim()) ? 1 : 0;
        }

        if (text.LeadingGap || text.Fragments.Count == 0)
        {
            return 1;
        }

        return grammar.IsViablePrefix(text.Fragments[0].TrimStart()) ? 1 : 0;
    }
}
