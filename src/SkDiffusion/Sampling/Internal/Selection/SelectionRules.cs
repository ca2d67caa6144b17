using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.Sampling.Internal.Selection;

/// <summary>Maps the user-facing <see cref="SelectionRule"/> option to its implementation (one per run).</summary>
internal static class SelectionRules
{
    public static ISelectionRule Create(SelectionRule rule) => rule switch
    {
        SelectionRule.Schedule => new ScheduleSelection(),
        SelectionRule.Threshold => new ThresholdSelection(),
        SelectionRule.Factor => new FactorSelection(),
        SelectionRule.Confident => new ConfidentSelection(),
        SelectionRule.Origin => new OriginSelection(),
        SelectionRule.EntropyBounded => new EntropyBoundedSelection(),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown selection rule."),
    };
}
