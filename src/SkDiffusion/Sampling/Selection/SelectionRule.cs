namespace SkDiffusion.Sampling.Selection;

/// <summary>
/// Which masked positions a step commits. Every rule ranks the eligible positions by score (descending, ties by
/// position) and commits a prefix of that ranking.
/// </summary>
public enum SelectionRule
{
    /// <summary>
    /// The top <c>k</c> positions, <c>k</c> from <see cref="SamplerOptions.Schedule"/> (LLaDA, Dream). The block
    /// takes exactly its share of <see cref="SamplerOptions.Steps"/>.
    /// </summary>
    Schedule,

    /// <summary>
    /// Fast-dLLM's threshold rule: the top-1 position always, plus every other position whose score is
    /// <c>&gt;= </c><see cref="SamplerOptions.Threshold"/>. A block runs until it holds no mask (at most one step per
    /// mask), ignoring the step budget.
    /// </summary>
    Threshold,

    /// <summary>
    /// Fast-dLLM's factor rule (<c>get_transfer_index_dynamic</c>): with scores sorted descending and n counted from
    /// 1 for the best, the n-th best is committed while <c>score_n &gt;= 1 - factor / (n + 1)</c> holds for it and
    /// every better one; the best is always committed (its bound is ignored), and as in the reference code the last
    /// candidate is committed too when it is the only one that fails. A block runs until it holds no mask.
    /// </summary>
    Factor,

    /// <summary>
    /// Dimple's confident decoding: every position with score strictly above <see cref="SamplerOptions.Threshold"/>;
    /// when none passes, the schedule's <c>k</c> for this step (at least 1). The block's last scheduled step commits
    /// everything left, so a block takes at most its share of the steps (often fewer).
    /// </summary>
    Confident,

    /// <summary>
    /// Dream's default algorithm <c>origin</c>: every masked position of the block is committed independently with
    /// probability <c>1 - s/t</c>, where <c>t</c> and <c>s</c> are the schedule's masked fractions before and after the
    /// step (<see cref="Schedules.ICommitSchedule.MaskedFractionAfter"/>; Dream's timesteps with
    /// <see cref="Schedules.DreamSchedule"/>), and with probability 1 at the block's last step. Scores are not used. Each
    /// position draws from its own stream of <see cref="SamplerOptions.Seed"/>.
    /// </summary>
    Origin,

    /// <summary>
    /// The EB-Sampler (entropy-bounded unmasking, Ben-Hamu et al. 2025): with positions ranked by score, the longest
    /// prefix whose entropies satisfy <c>Σ H - max H &lt;= γ</c> (<see cref="SamplerOptions.EntropyBound"/>), the best
    /// always. The entropies are those of the score distribution (<see cref="SamplerOptions.ScoreDistribution"/>). A
    /// block runs until it holds no mask (at most one step per mask), ignoring the step budget.
    /// </summary>
    EntropyBounded,
}
