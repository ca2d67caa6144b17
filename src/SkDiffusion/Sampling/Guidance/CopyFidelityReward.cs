namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// Copy fidelity for extraction: the share of the answer's JSON string values (keys excluded) that appear verbatim in
/// the prompt. Mid-decoding, a value cut by masked positions counts through its known prefix or suffix, which must
/// appear in the prompt too; an answer with no value decided yet scores 1. Numbers, booleans and free text outside
/// strings are not judged.
/// </summary>
public sealed class CopyFidelityReward : TextReward
{
    /// <summary>Creates the reward.</summary>
    /// <param name="ignoreCase">Whether values match the prompt regardless of case.</param>
    public CopyFidelityReward(bool ignoreCase = false) => IgnoreCase = ignoreCase;

    /// <summary>Whether values match the prompt regardless of case.</summary>
    public bool IgnoreCase { get; }

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
            found += text.Prompt.Contains(piece.Text, comparison) ? 1 : 0;
        }

        return total == 0 ? 1.0 : (double)found / total;
    }
}
