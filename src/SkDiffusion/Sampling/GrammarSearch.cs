namespace SkDiffusion.Sampling;

/// <summary>How a grammar slot's candidate tokens are chosen at each step (greedy decoding).</summary>
public enum GrammarSearch
{
    /// <summary>
    /// The most probable completion of the whole slot under the step's per-position distributions, found by dynamic
    /// programming over positions × grammar states (DINGO). Each masked position's candidate is that completion's
    /// token there, so a value the model prefers but the grammar forbids is replaced by the allowed value that is
    /// most probable over all its positions, not by the best allowed first token. Only with temperature 0; sampled
    /// steps choose locally.
    /// </summary>
    Path,

    /// <summary>Each masked position's most probable token among those that keep the slot completable, on its own.</summary>
    Local,
}
