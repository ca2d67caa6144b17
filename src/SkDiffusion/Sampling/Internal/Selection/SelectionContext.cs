namespace SkDiffusion.Sampling.Internal.Selection;

/// <summary>What a selection rule may read besides the candidates: the row, the step, the plan and the options.</summary>
/// <param name="Row">The canvas row.</param>
/// <param name="RowState">The row's block progress.</param>
/// <param name="Step">The run's step (0-based), for the random streams.</param>
/// <param name="Candidate">The reward-guidance candidate (0 without guidance), for the random streams.</param>
/// <param name="Planned">The schedule's commit counts of this step, flat over rows and groups.</param>
/// <param name="PlannedBase">Where this row's groups start in <paramref name="Planned"/>.</param>
/// <param name="Options">The sampler options.</param>
internal readonly record struct SelectionContext(int Row, RowState RowState, int Step, int Candidate, int[] Planned, int PlannedBase, SamplerOptions Options)
{
    /// <summary>The scheduled commit count of group <paramref name="group"/>.</summary>
    public int PlannedFor(int group) => Planned[PlannedBase + group];
}
