using SkDiffusion.Denoising;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Guidance;
using SkDiffusion.Sampling.Internal.Selection;

namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// Scoring and selection of one row's step, with reward guidance around them (<see cref="RewardGuidanceOptions"/>):
/// without guidance one scored selection; with it, N candidate selections from the same logits (each from its own
/// random streams), N calls of <see cref="IRewardScorer"/>, no extra denoiser pass, and the best (first on ties) kept
/// in the candidate set. Only <see cref="RewardMode.Step"/> draws candidates here (block rollouts draw whole blocks, see
/// <see cref="BlockRollouts"/>); <see cref="NoiseStream"/> shifts every draw's candidate index for a rollout.
/// </summary>
internal sealed class RewardGuidedSelection
{
    private readonly CandidateScorer _scorer;
    private readonly ISelectionRule _rule;
    private readonly RewardGuidanceOptions? _reward;

    public RewardGuidedSelection(CandidateScorer scorer, ISelectionRule rule, RewardGuidanceOptions? reward)
    {
        _scorer = scorer;
        _rule = rule;
        _reward = reward;
    }

    /// <summary>The noise stream of a block rollout (0: the run's own); added to the candidate index of every draw.</summary>
    public int NoiseStream { get; set; }

    /// <summary>Scores and selects row <paramref name="context"/>.Row's candidates; the choice is left in <paramref name="set"/>.</summary>
    public async ValueTask SelectAsync(CandidateSet set, SelectionContext context, DenoiserOutput output, int logitsOffset, ReadOnlyMemory<long> rowTokens, CancellationToken cancellationToken)
    {
        int count = set.Count;
        int r = context.Row;
        if (_reward is not { Mode: RewardMode.Step })
        {
            _scorer.ScoreAll(r, set, context.Step, NoiseStream, output, logitsOffset);
            _rule.Select(set, context with { Candidate = NoiseStream });
            return;
        }

        int[]? bestTokens = null;
        double[]? bestScores = null;
        double[]? bestProbs = null;
        bool[]? bestChosen = null;
        double bestReward = double.NegativeInfinity;
        for (int c = 0; c < _reward.Candidates; c++)
        {
            var candidateContext = context with { Candidate = c + NoiseStream };
            _scorer.ScoreAll(r, set, context.Step, c + NoiseStream, output, logitsOffset);
            _rule.Select(set, candidateContext);

            var commits = new List<CommittedToken>();
            var candidateTokens = rowTokens.ToArray();
            for (int i = 0; i < count; i++)
            {
                if (set.Chosen[i])
                {
                    candidateTokens[set.Position[i]] = set.Token[i];
                    commits.Add(new CommittedToken(r, set.Position[i], set.Token[i], set.Score[i], set.Probability[i]));
                }
            }

            double value = await _reward.Scorer.ScoreAsync(new RewardCandidate(r, context.Step, c, candidateTokens, commits, context.RowState.PromptLength), cancellationToken).ConfigureAwait(false);
            if (c == 0 || value > bestReward)
            {
                bestReward = value;
                bestTokens = set.Token.AsSpan(0, count).ToArray();
                bestScores = set.Score.AsSpan(0, count).ToArray();
                bestProbs = set.Probability.AsSpan(0, count).ToArray();
                bestChosen = set.Chosen.AsSpan(0, count).ToArray();
            }
        }

        bestTokens!.CopyTo(set.Token, 0);
        bestScores!.CopyTo(set.Score, 0);
        bestProbs!.CopyTo(set.Probability, 0);
        bestChosen!.CopyTo(set.Chosen, 0);
    }
}
