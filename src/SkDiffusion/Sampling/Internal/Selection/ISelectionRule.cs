namespace SkDiffusion.Sampling.Internal.Selection;

/// <summary>Which of a step's candidates are committed (one implementation per <see cref="Sampling.Selection.SelectionRule"/>).</summary>
internal interface ISelectionRule
{
    /// <summary>
    /// Whether the rule commits exactly the schedule's plan, so that a step whose plan commits and remasks nothing can
    /// skip the denoiser call.
    /// </summary>
    bool FollowsPlan { get; }

    /// <summary>Whether every block takes its share of the step budget (then Steps must cover the blocks).</summary>
    bool NeedsStepPerBlock { get; }

    /// <summary>Whether the rule reads <see cref="CandidateSet.Entropy"/>.</summary>
    bool NeedsEntropy { get; }

    /// <summary>Marks the candidates to commit in <see cref="CandidateSet.Chosen"/>.</summary>
    void Select(CandidateSet set, in SelectionContext context);
}
