namespace SkDiffusion.Templates.Internal;

/// <summary>
/// Finds where fixed text and a value meet, as the tokenizer really splits them: the text is encoded alone and
/// followed (or preceded) by probe values; the tokens that stay the same whatever the probe are stable and stay fixed,
/// the characters of the tokens that change merge with the value and belong to it. Nothing about spaces is assumed:
/// a tokenizer that emits spaces as their own tokens keeps a trailing space stable, one with <c>Ġword</c> tokens
/// folds it into the value.
/// </summary>
internal static class TokenBoundaryProbe
{
    /// <summary>Ordinary words, the probes for free-text values.</summary>
    public static readonly IReadOnlyList<string> WordProbes = ["word", "Paris", "the", "Hello", "x", "name"];

    /// <summary>Digit strings, the probes for numeric values.</summary>
    public static readonly IReadOnlyList<string> DigitProbes = ["42", "7", "1990"];

    /// <summary>Splits the text before a value into its stable tokens and the lead that merges with the value.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="text">The fixed text before the value.</param>
    /// <param name="probes">Values that could follow.</param>
    /// <returns>The stable tokens (a prefix of <c>Encode(text)</c>) and the rest of the text (empty when all of it is stable).</returns>
    public static (int[] Tokens, string Lead) Before(ITemplateTokenizer tokenizer, string text, IReadOnlyList<string> probes)
    {
        int[] whole = [.. tokenizer.Encode(text)];
        if (whole.Length == 0)
        {
            return (whole, "");
        }

        int stable = whole.Length;
        foreach (string probe in probes)
        {
            var joined = tokenizer.Encode(text + probe);
            int k = 0;
            while (k < stable && k < joined.Count && joined[k] == whole[k])
            {
                k++;
            }

            stable = k;
        }

        if (stable == whole.Length)
        {
            return (whole, "");
        }

        string kept = tokenizer.Decode(whole[..stable]);
        return text.StartsWith(kept, StringComparison.Ordinal) ? (whole[..stable], text[kept.Length..]) : (whole, "");
    }

    /// <summary>Splits the text after a value into the trail that merges with the value and its stable tokens.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="text">The fixed text after the value.</param>
    /// <param name="probes">Values that could precede.</param>
    /// <returns>The start of the text that merges with a value (empty when none) and the stable tokens (a suffix of <c>Encode(text)</c>).</returns>
    public static (string Trail, int[] Tokens) After(ITemplateTokenizer tokenizer, string text, IReadOnlyList<string> probes)
    {
        int[] whole = [.. tokenizer.Encode(text)];
        if (whole.Length == 0)
        {
            return ("", whole);
        }

        int stable = whole.Length;
        foreach (string probe in probes)
        {
            var joined = tokenizer.Encode(probe + text);
            int k = 0;
            while (k < stable && k < joined.Count && joined[^(k + 1)] == whole[^(k + 1)])
            {
                k++;
            }

            stable = k;
        }

        if (stable == whole.Length)
        {
            return ("", whole);
        }

        string kept = tokenizer.Decode(whole[^stable..]);
        return text.EndsWith(kept, StringComparison.Ordinal) ? (text[..^kept.Length], whole[^stable..]) : ("", whole);
    }
}
