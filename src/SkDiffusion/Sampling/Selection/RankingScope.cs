namespace SkDiffusion.Sampling.Selection;

/// <summary>Over which positions the selection rule ranks and counts.</summary>
public enum RankingScope
{
    /// <summary>All eligible masked positions of the row (its current block) compete in one ranking.</summary>
    Canvas,

    /// <summary>
    /// Each template slot (within the current block) ranks its own positions and commits its own share: the
    /// schedule runs per slot, and threshold rules always commit each slot's top-1.
    /// </summary>
    Slot,
}
