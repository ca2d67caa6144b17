using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Internal;
using SkDiffusion.Sampling.Internal.Selection;
using SkDiffusion.Sampling.Schedules;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// The selection rules on hand-built candidate sets: exact boundaries (no renormalisation in the way), ordering by
/// group, score and position, and the per-rule flags the run depends on.
/// </summary>
public sealed class SelectionRuleUnitTests
{
    /// <summary>A candidate set of the given scores; positions default to 10, 11, …; one group unless given.</summary>
    internal static CandidateSet Set(double[] scores, int[]? positions = null, int[]? groups = null, double[]? entropies = null)
    {
        var set = new CandidateSet(scores.Length) { Count = scores.Length };
        for (int i = 0; i < scores.Length; i++)
        {
            set.Score[i] = scores[i];
            set.Position[i] = positions?[i] ?? 10 + i;
            set.Group[i] = groups?[i] ?? 0;
            set.Entropy[i] = entropies?[i] ?? 0;
            set.Token[i] = 100 + i;
        }

        return set;
    }

    internal static SelectionContext Context(SamplerOptions options, int[]? planned = null, int stepInBlock = 0, int stepsInBlock = 4, int step = 0) =>
        new(0, new RowState { StepInBlock = stepInBlock, StepsInBlock = stepsInBlock }, step, 0, planned ?? [1], 0, options);

    private static int[] Chosen(CandidateSet set) => [.. Enumerable.Range(0, set.Count).Where(i => set.Chosen[i])];

    private static int[] Select(SelectionRule rule, CandidateSet set, SelectionContext context)
    {
        SelectionRules.Create(rule).Select(set, context);
        return Chosen(set);
    }

    [Theory]
    [InlineData(new[] { 0.95, 0.9, 0.89 }, 0.9, 2)]   // exactly the threshold passes
    [InlineData(new[] { 0.5, 0.4 }, 0.9, 1)]          // the best always, even below it
    [InlineData(new[] { 0.95, 0.92, 0.91 }, 0.9, 3)]  // everything passes: the loop stops at the end
    [InlineData(new[] { 0.95, 0.3, 0.92 }, 0.9, 2)]   // ranked first: the 0.92 follows the best
    public void Threshold_takes_the_best_and_every_score_at_or_above_the_threshold(double[] scores, double threshold, int expected)
    {
        var set = Set(scores);
        Select(SelectionRule.Threshold, set, Context(new SamplerOptions { Selection = SelectionRule.Threshold, Threshold = threshold }));
        Assert.Equal(expected, set.Chosen.Take(set.Count).Count(c => c));
        Assert.True(set.Chosen[Array.IndexOf(scores, scores.Max())]);
    }

    [Fact]
    public void Threshold_below_the_bound_is_not_taken_and_the_chosen_are_the_ranked_prefix()
    {
        var set = Set([0.3, 0.9, 0.95, 0.899999]);
        Assert.Equal([1, 2], Select(SelectionRule.Threshold, set, Context(new SamplerOptions { Threshold = 0.9 })));
    }

    [Theory]
    [InlineData(new[] { 0.95, 0.3 }, 1.0, 2)]               // only the last fails: committed too (Fast-dLLM)
    [InlineData(new[] { 0.95, 0.3, 0.2 }, 1.0, 1)]          // two fail: the last-candidate rule does not apply
    [InlineData(new[] { 0.99, 0.8, 0.7, 0.3 }, 1.0, 2)]     // n=2 needs 2/3, n=3 needs 3/4
    [InlineData(new[] { 0.99, 0.84, 0.5, 0.4 }, 0.5, 2)]    // factor 0.5: n=2 needs 1 - 0.5/3 = 0.833…
    [InlineData(new[] { 0.99, 0.82, 0.5, 0.4 }, 0.5, 1)]    // 0.82 fails the n=2 bound
    [InlineData(new[] { 0.99, 0.9, 0.9, 0.9 }, 0.5, 4)]     // every bound passes (n=4 needs 0.9)
    public void Factor_accepts_rank_n_while_the_score_reaches_one_minus_factor_over_n_plus_one(double[] scores, double factor, int expected)
    {
        var set = Set(scores);
        Select(SelectionRule.Factor, set, Context(new SamplerOptions { Selection = SelectionRule.Factor, Factor = factor }));
        Assert.Equal(expected, set.Chosen.Take(set.Count).Count(c => c));
    }

    [Fact]
    public void Factor_bound_is_inclusive()
    {
        // Rank 2 with factor 1 needs exactly 1 - 1/3 (computed the same way); a hair below fails.
        double bound = 1 - (1.0 / 3);
        var at = Set([0.99, bound, 0.1, 0.1]);
        Assert.Equal([0, 1], Select(SelectionRule.Factor, at, Context(new SamplerOptions { Factor = 1 })));
        var below = Set([0.99, bound - 1e-12, 0.1, 0.1]);
        Assert.Equal([0], Select(SelectionRule.Factor, below, Context(new SamplerOptions { Factor = 1 })));
    }

    [Theory]
    [InlineData(new[] { 0.95, 0.9, 0.5 }, 2, 1)]   // strictly above: 0.9 does not pass a 0.9 threshold
    [InlineData(new[] { 0.5, 0.4, 0.3 }, 2, 2)]    // none passes: the schedule's k
    [InlineData(new[] { 0.5, 0.4, 0.3 }, 0, 1)]    // none passes and k is 0: still one
    [InlineData(new[] { 0.95, 0.93, 0.91 }, 1, 3)] // all pass
    public void Confident_takes_the_scores_strictly_above_the_threshold_else_k(double[] scores, int planned, int expected)
    {
        var set = Set(scores);
        Select(SelectionRule.Confident, set, Context(new SamplerOptions { Selection = SelectionRule.Confident, Threshold = 0.9 }, [planned]));
        Assert.Equal(expected, set.Chosen.Take(set.Count).Count(c => c));
        Assert.True(set.Chosen[0]);
    }

    [Fact]
    public void Confident_commits_everything_at_the_blocks_last_step()
    {
        var options = new SamplerOptions { Selection = SelectionRule.Confident, Threshold = 0.9 };
        Assert.Equal([0, 1, 2], Select(SelectionRule.Confident, Set([0.5, 0.4, 0.3]), Context(options, [1], stepInBlock: 3, stepsInBlock: 4)));
        Assert.Equal([0], Select(SelectionRule.Confident, Set([0.5, 0.4, 0.3]), Context(options, [1], stepInBlock: 2, stepsInBlock: 4)));
    }

    [Theory]
    [InlineData(new[] { 0.5, 0.25, 0.125 }, 0.375, 3)] // Σ - max = 0.375 exactly: inclusive
    [InlineData(new[] { 0.5, 0.25, 0.125 }, 0.25, 2)]  // the third would reach 0.375
    [InlineData(new[] { 0.5, 0.25, 0.125 }, 0.2, 1)]   // the second alone exceeds: the best always
    [InlineData(new[] { 0.125, 0.5, 0.25 }, 0.375, 3)] // the largest is not the first: 0.875 - 0.5
    [InlineData(new[] { 0.125, 0.5, 0.25 }, 0.3, 2)]   // 0.125 then 0.375
    [InlineData(new[] { 2.0, 0.0, 0.0, 0.0 }, 0.0, 4)] // certain positions cost nothing
    public void Entropy_bounded_takes_the_longest_prefix_with_sum_less_max_within_the_bound(double[] entropies, double bound, int expected)
    {
        // Scores rank the candidates in index order.
        var scores = entropies.Select((_, i) => 1.0 - (i * 0.1)).ToArray();
        var set = Set(scores, entropies: entropies);
        Assert.Equal(Enumerable.Range(0, expected), Select(SelectionRule.EntropyBounded, set, Context(new SamplerOptions { EntropyBound = bound })));
    }

    [Fact]
    public void Ranking_is_by_group_first_then_score_then_position()
    {
        // Groups interleave in index order and their scores interleave too: each group takes its own top k.
        var set = Set([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], positions: [10, 11, 12, 13, 14, 15], groups: [1, 0, 1, 0, 1, 0]);
        var rule = SelectionRules.Create(SelectionRule.Schedule);
        rule.Select(set, Context(new SamplerOptions(), planned: [2, 1]));
        Assert.Equal([0, 1, 3], Chosen(set));
        Assert.Equal([1, 3, 5, 0, 2, 4], set.Order.Take(6));
    }

    [Fact]
    public void A_groups_plan_larger_than_the_group_does_not_reach_the_next_group()
    {
        var set = Set([0.9, 0.8, 0.7, 0.6], groups: [0, 0, 1, 1]);
        SelectionRules.Create(SelectionRule.Schedule).Select(set, Context(new SamplerOptions(), planned: [5, 0]));
        Assert.Equal([0, 1], Chosen(set));
    }

    [Fact]
    public void A_later_groups_plan_larger_than_the_group_stays_inside_it()
    {
        var set = Set([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], groups: [0, 0, 1, 1, 2, 2]);
        SelectionRules.Create(SelectionRule.Schedule).Select(set, Context(new SamplerOptions(), planned: [0, 5, 0]));
        Assert.Equal([2, 3], Chosen(set));
    }

    [Fact]
    public void Position_temperature_draws_depend_on_seed_step_row_and_position_only()
    {
        // Eight equal scores, three to take: each draw is a random 3 of 8. The same context draws the same positions
        // however often the rule is called; another step draws again.
        var options = new SamplerOptions { PositionTemperature = 1, Seed = 3 };
        var rule = SelectionRules.Create(SelectionRule.Schedule);
        var set = Set(new double[8]);
        rule.Select(set, Context(options, planned: [3]));
        int[] first = Chosen(set);
        for (int k = 0; k < 5; k++)
        {
            rule.Select(set, Context(options, planned: [3]));
            Assert.Equal(first, Chosen(set));
        }

        var draws = Enumerable.Range(1, 10).Select(step =>
        {
            rule.Select(set, Context(options, planned: [3], step: step));
            return string.Join(",", Chosen(set));
        });
        Assert.True(draws.Distinct().Count() > 1);
    }

    [Fact]
    public void Ties_go_to_the_earlier_position_whatever_the_index_order()
    {
        var set = Set([0.5, 0.5, 0.5, 0.9], positions: [17, 12, 15, 30]);
        Assert.Equal([1, 3], Select(SelectionRule.Schedule, set, Context(new SamplerOptions(), planned: [2])));
        Assert.Equal([3, 1, 2, 0], set.Order.Take(4));
    }

    [Fact]
    public void A_new_selection_clears_the_previous_choice_and_order()
    {
        var set = Set([0.1, 0.9, 0.5]);
        var rule = SelectionRules.Create(SelectionRule.Schedule);
        rule.Select(set, Context(new SamplerOptions(), planned: [3]));
        set.Score[0] = 0.95;
        rule.Select(set, Context(new SamplerOptions(), planned: [1]));
        Assert.Equal([0], Chosen(set));
        Assert.Equal([0, 1, 2], set.Order.Take(3));
    }

    [Theory]
    [InlineData(SelectionRule.Schedule, typeof(ScheduleSelection), true, true, false)]
    [InlineData(SelectionRule.Threshold, typeof(ThresholdSelection), false, false, false)]
    [InlineData(SelectionRule.Factor, typeof(FactorSelection), false, false, false)]
    [InlineData(SelectionRule.Confident, typeof(ConfidentSelection), false, true, false)]
    [InlineData(SelectionRule.Origin, typeof(OriginSelection), false, true, false)]
    [InlineData(SelectionRule.EntropyBounded, typeof(EntropyBoundedSelection), false, false, true)]
    public void Each_rule_maps_to_its_type_with_its_run_contract(SelectionRule option, Type type, bool followsPlan, bool stepPerBlock, bool entropy)
    {
        // FollowsPlan lets a step with nothing planned skip its denoiser call; NeedsStepPerBlock makes Steps cover the
        // blocks; NeedsEntropy makes the evaluator compute entropies.
        var rule = SelectionRules.Create(option);
        Assert.IsType(type, rule);
        Assert.Equal(followsPlan, rule.FollowsPlan);
        Assert.Equal(stepPerBlock, rule.NeedsStepPerBlock);
        Assert.Equal(entropy, rule.NeedsEntropy);
    }

    [Fact]
    public void An_unknown_rule_is_refused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => SelectionRules.Create((SelectionRule)99));
        Assert.Equal("rule", ex.ParamName);
        Assert.Contains("Unknown selection rule", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Position_temperature_draws_the_first_position_with_softmax_of_score_over_tau()
    {
        // Gumbel-top-1 over keys score/τ + G: P(i) = softmax(score/τ)_i. With three candidates a flipped noise sign
        // (score/τ - G) gives 0.70/0.24/0.05 instead of 0.67/0.24/0.09, and a key of score·τ flattens the distribution.
        double tau = 0.5;
        double[] scores = [0.5, 0.0, -0.5];
        const int draws = 4000;
        var counts = new int[3];
        var rule = SelectionRules.Create(SelectionRule.Schedule);
        for (int d = 0; d < draws; d++)
        {
            var set = Set(scores, positions: [40, 41, 42]);
            rule.Select(set, Context(new SamplerOptions { PositionTemperature = tau, Seed = (ulong)d }, planned: [1]));
            counts[Chosen(set).Single()]++;
        }

        double z = scores.Sum(s => Math.Exp(s / tau));
        for (int i = 0; i < 3; i++)
        {
            double expected = Math.Exp(scores[i] / tau) / z;
            Assert.InRange(counts[i] / (double)draws, expected - 0.02, expected + 0.02);
        }
    }

    [Fact]
    public void Position_temperature_keeps_a_forbidden_candidate_last_and_zero_keeps_the_plain_order()
    {
        var rule = SelectionRules.Create(SelectionRule.Schedule);
        var set = Set([double.NegativeInfinity, 0.2, 0.1], positions: [1, 2, 3]);
        rule.Select(set, Context(new SamplerOptions { PositionTemperature = 10, Seed = 3 }, planned: [2]));
        Assert.Equal([1, 2], Chosen(set));
        Assert.Equal(double.NegativeInfinity, set.RankKey[0]);

        // τ = 0: keys are the scores themselves (no division by zero into ties broken by position).
        var plain = Set([0.1, 0.3, 0.2], positions: [1, 2, 3]);
        rule.Select(plain, Context(new SamplerOptions { PositionTemperature = 0, Seed = 3 }, planned: [1]));
        Assert.Equal([1], Chosen(plain));
        Assert.Equal([0.1, 0.3, 0.2], plain.RankKey.Take(3));
    }

    [Fact]
    public void Origin_commits_each_candidate_with_probability_one_minus_s_over_t()
    {
        // Linear schedule over 4 steps, step 1: t = 0.75, s = 0.5, p = 1/3. Step 0: t = 1, s = 0.75, p = 1/4.
        const int n = 3000;
        var set = Set(new double[n]);
        var rule = SelectionRules.Create(SelectionRule.Origin);
        rule.Select(set, Context(new SamplerOptions { Seed = 11 }, stepInBlock: 1, stepsInBlock: 4, step: 1));
        Assert.InRange(Chosen(set).Length / (double)n, (1.0 / 3) - 0.035, (1.0 / 3) + 0.035);
        rule.Select(set, Context(new SamplerOptions { Seed = 11 }, stepInBlock: 0, stepsInBlock: 4, step: 1));
        Assert.InRange(Chosen(set).Length / (double)n, 0.25 - 0.035, 0.25 + 0.035);
    }

    [Fact]
    public void Origin_draws_depend_on_seed_step_row_and_position_only()
    {
        var set = Set(new double[40]);
        var rule = SelectionRules.Create(SelectionRule.Origin);
        var context = Context(new SamplerOptions { Seed = 5 }, stepInBlock: 1, stepsInBlock: 4, step: 1);
        rule.Select(set, context);
        int[] first = Chosen(set);
        Assert.InRange(first.Length, 1, 39);
        rule.Select(set, context);
        Assert.Equal(first, Chosen(set));
    }

    [Fact]
    public void Origin_commits_everything_at_the_blocks_last_step_whatever_the_schedule_says()
    {
        var set = Set(new double[50]);
        var options = new SamplerOptions { Schedule = new StuckSchedule(), Seed = 2 };
        var rule = SelectionRules.Create(SelectionRule.Origin);
        rule.Select(set, Context(options, stepInBlock: 3, stepsInBlock: 4));
        Assert.Equal(50, Chosen(set).Length);

        // Not the last step and t = s: p = 0, nothing.
        rule.Select(set, Context(options, stepInBlock: 2, stepsInBlock: 4));
        Assert.Empty(Chosen(set));
    }

    [Fact]
    public void Origin_commits_everything_once_the_schedule_has_no_masks_left()
    {
        // t = 0 before the last step (a schedule that ends early): p = 1 rather than 0/0.
        var set = Set(new double[20]);
        SelectionRules.Create(SelectionRule.Origin).Select(set, Context(new SamplerOptions { Schedule = new EarlySchedule(), Seed = 4 }, stepInBlock: 2, stepsInBlock: 4));
        Assert.Equal(20, Chosen(set).Length);
    }

    /// <summary>A schedule whose masked fraction never moves (0.5 throughout).</summary>
    private sealed class StuckSchedule : ICommitSchedule
    {
        public int GetCommitCount(int step, int steps, int initialMasks, int maskedNow) => step >= steps - 1 ? maskedNow : 0;

        public double MaskedFractionAfter(int step, int steps) => 0.5;
    }
}
