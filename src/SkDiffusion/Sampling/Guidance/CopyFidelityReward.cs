namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// Copy fidelity for extraction: the share of the answer's JSON string values (keys excluded) that appear verbatim in
/// the prompt. By default a value must appear as whole words (<see cref="WholeWords"/>): <c>"Lutud"</c> does not
/// count as a copy of <c>Lutudou</c>, which is the usual error of a model that miscopies a name it has never seen.
/// Mid-decoding, a value cut by masked positions counts through its known prefix or suffix, which must appear in the
/// prompt too (a prefix must start at a word start, a suffix end at a word end); an answer with no value decided yet
/// scores 1. Numbers, booleans and free text outside strings are not judged.
/// </summary>
public sealed class CopyFidelityReward : TextReward
{
    /// <summary>Creates the reward.</summary>
    /// <param name="ignoreCase">Whether values match the prompt regardless of case.</param>
    public CopyFidelityReward(bool ignoreCase = false) => IgnoreCase = ignoreCase;

    /// <summary>Whether values match the prompt regardless of case.</summary>
    public bool IgnoreCase { get; }

    /// <summary>
    /// Whether a value's known ends must fall on word boundaries of the prompt (a letter or digit at the value's edge
    /// must not continue a longer word there). Default <see langword="true"/>; <see langword="false"/> accepts any
    /// substring of the prompt.
    /// </summary>
    public bool WholeWords { get; init; } = true;

    /// <inheritdoc />
    public override string Name => "copy";

    /// <inheritdoc />
    public override double Score(RewardText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var comparison = IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        int total = 0, found = 0;
        foreach (var piece in JsonStringPieces.Find(text))
        {
            if (piece.Text.Trim().Length == 0)
            {
                continue;
            }

            total++;
            found += Occurs(text.Prompt, piece, comparison) ? 1 : 0;
        }

        return total == 0 ? 1.0 : (double)found / total;
    }

    private bool Occurs(string prompt, JsonStringPieces.Piece piece, StringComparison comparison)
    {
        string value = piece.Text;
        if (!WholeWords)
        {
            return prompt.Contains(value, comparison);
        }

        bool checkStart = piece.StartKnown && char.IsLetterOrDigit(value[0]);
        bool checkEnd = piece.EndKnown && char.IsLetterOrDigit(value[^1]);
        for (int at = prompt.IndexOf(value, comparison); at >= 0; at = prompt.IndexOf(value, at + 1, comparison))
        {
            int end = at + value.Length;
            bool startOk = !checkStart || at == 0 || !char.IsLetterOrDigit(prompt[at - 1]);
            bool endOk = !checkEnd || end == prompt.Length || !char.IsLetterOrDigit(prompt[end]);
            if (startOk && endOk)
            {
                return true;
            }
        }

        return false;
    }
}
