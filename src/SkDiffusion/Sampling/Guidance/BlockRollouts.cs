using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Internal;

namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// Reward guidance by block rollouts (<see cref="RewardMode.Block"/>): from the state at the start of each row's
/// current block, the run decodes the block N times (rollout k draws noise stream k; rollout 0 is the unguided run),
/// the scorer rates each row's completed block, and each row keeps its best rollout (the first on ties). A row whose
/// block is complete is parked (marked done) until the other rows finish theirs, so every rollout ends at the block
/// boundary. One event per round reports the kept commits; NFE counts every rollout's passes.
/// </summary>
internal sealed class BlockRollouts(SamplingRun run, RewardGuidanceOptions reward)
{
    /// <summary>Decodes the next block of every unfinished row with N rollouts; null when the run is over.</summary>
    public async ValueTask<SamplingStepEvent?> NextAsync(CancellationToken cancellationToken)
    {
        var access = run.Access;
        var rows = access.Rows;
        var active = Enumerable.Range(0, rows.Length).Where(r => !rows[r].Done).ToArray();
        if (active.Length == 0 || reward.Candidates == 1)
        {
            return await run.NextAsync(cancellationToken).ConfigureAwait(false);
        }

        int startStep = run.Steps;
        int startNfe = run.Nfe;
        var start = active.ToDictionary(r => r, r => Save(access, r));
        var best = new Dictionary<int, (double Reward, RowSnapshot State, int EndStep)>();
        for (int k = 0; k < reward.Candidates; k++)
        {
            foreach (int r in active)
            {
                Restore(access, r, start[r]);
            }

            access.SetStep(startStep);
            run.NoiseStream = k;
            var parked = new HashSet<int>();
            while (true)
            {
                var evt = await run.NextAsync(cancellationToken).ConfigureAwait(false);
                if (evt is null || rows.Any(x => x.Cancelled))
                {
                    run.NoiseStream = 0;
                    return null;
                }

                foreach (int r in active)
                {
                    if (!rows[r].Done && BlockComplete(access, r))
                    {
                        rows[r].Done = true;
                        parked.Add(r);
                    }
                }

                if (active.All(r => rows[r].Done))
                {
                    break;
                }
            }

            foreach (int r in parked)
            {
                rows[r].Done = false;
            }

            foreach (int r in active)
            {
                var row = rows[r];
                var commits = Changes(access, r, start[r], filled: false);
                var tokens = new ReadOnlyMemory<long>(access.Tokens, (r * access.Length) + row.Offset, row.Length).ToArray();
                double value = await reward.Scorer.ScoreAsync(new RewardCandidate(r, startStep, k, tokens, commits, row.PromptLength), cancellationToken).ConfigureAwait(false);
                if (k == 0 || value > best[r].Reward)
                {
                    best[r] = (value, Save(access, r), run.Steps);
                }
            }
        }

        run.NoiseStream = 0;
        var committed = new List<CommittedToken>();
        var filledTokens = new List<CommittedToken>();
        var perRow = new int[rows.Length];
        foreach (int r in active)
        {
            Restore(access, r, best[r].State);
            committed.AddRange(Changes(access, r, start[r], filled: false));
            filledTokens.AddRange(Changes(access, r, start[r], filled: true));
        }

        int endStep = active.Max(r => best[r].EndStep);
        access.SetStep(endStep);
        int left = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            perRow[r] = rows[r].MasksLeft;
            left += perRow[r];
        }

        return new SamplingStepEvent(Math.Max(startStep, endStep - 1), run.Nfe, left, perRow, committed, [], filledTokens, null);
    }

    /// <summary>Whether the row's current block holds no mask.</summary>
    private static bool BlockComplete(RolloutAccess access, int r)
    {
        var row = access.Rows[r];
        if (row.Block < 0)
        {
            return false;
        }

        int baseFlat = (r * access.Length) + row.Offset;
        for (int p = row.BlockStart; p < row.BlockEnd; p++)
        {
            if (access.Tokens[baseFlat + p] == access.MaskId && access.Kinds[baseFlat + p] != access.FilledKind)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The positions masked in <paramref name="before"/> that now hold a token (commits, or EOS fills).</summary>
    private static List<CommittedToken> Changes(RolloutAccess access, int r, RowSnapshot before, bool filled)
    {
        var list = new List<CommittedToken>();
        var row = access.Rows[r];
        int rowStart = r * access.Length;
        for (int i = row.Offset; i < access.Length; i++)
        {
            int flat = rowStart + i;
            if (before.Tokens[i] != access.MaskId || access.Tokens[flat] == access.MaskId || (access.Kinds[flat] == access.FilledKind) != filled)
            {
                continue;
            }

            double probability = filled ? 0 : access.CommitProbability[flat];
            list.Add(new CommittedToken(r, i - row.Offset, (int)access.Tokens[flat], probability, probability));
        }

        return list;
    }

    private static RowSnapshot Save(RolloutAccess access, int r)
    {
        int from = r * access.Length;
        return new RowSnapshot(
            access.Tokens.AsSpan(from, access.Length).ToArray(),
            access.Kinds.AsSpan(from, access.Length).ToArray(),
            access.Committed.AsSpan(from, access.Length).ToArray(),
            access.CommitProbability.AsSpan(from, access.Length).ToArray(),
            access.Rows[r].Copy());
    }

    private static void Restore(RolloutAccess access, int r, RowSnapshot state)
    {
        int from = r * access.Length;
        state.Tokens.CopyTo(access.Tokens, from);
        state.Kinds.CopyTo(access.Kinds, from);
        state.Committed.CopyTo(access.Committed, from);
        state.CommitProbability.CopyTo(access.CommitProbability, from);
        access.Rows[r] = state.Row.Copy();
    }

    /// <summary>One row's saved state (padded coordinates).</summary>
    private sealed record RowSnapshot(long[] Tokens, byte[] Kinds, bool[] Committed, double[] CommitProbability, RowState Row);
}
