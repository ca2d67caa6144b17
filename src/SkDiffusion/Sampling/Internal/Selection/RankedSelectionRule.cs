namespace SkDiffusion.Sampling.Internal.Selection;

/// <summary>
/// The rules that rank the candidates of each group by score (descending, ties by position) and commit a prefix of
/// the ranking; a rule decides the prefix length.
/// </summary>
internal abstract class RankedSelectionRule : ISelectionRule
{
    public abstract bool FollowsPlan { get; }

    public abstract bool NeedsStepPerBlock { get; }

    public virtual bool NeedsEntropy => false;

    public void Select(CandidateSet set, in SelectionContext context)
    {
        int count = set.Count;
        set.ResetChoice();
        for (int i = 0; i < count; i++)
        {
            set.RankKey[i] = RankKey(set, i, context);
        }

        var order = set.Order.AsSpan(0, count);
        order.Sort(new CandidateComparer(set.Group, set.RankKey, set.Position));
        int start = 0;
        while (start < count)
        {
            int g = set.Group[order[start]];
            int end = start;
            while (end < count && set.Group[order[end]] == g)
            {
                end++;
            }

            int take = Math.Clamp(Take(set, order[start..end], context.PlannedFor(g), context), 0, end - start);
            for (int i = 0; i < take; i++)
            {
                set.Chosen[order[start + i]] = true;
            }

            start = end;
        }
    }

    /// <summary>The key candidate <paramref name="i"/> is ranked by; the score unless overridden.</summary>
    protected virtual double RankKey(CandidateSet set, int i, in SelectionContext context) => set.Score[i];

    /// <summary>How many of one group's ranked candidates to commit.</summary>
    /// <param name="set">The candidates.</param>
    /// <param name="sorted">The group's candidate indices, best first.</param>
    /// <param name="planned">The schedule's count for the group in this step.</param>
    /// <param name="context">The step.</param>
    protected abstract int Take(CandidateSet set, ReadOnlySpan<int> sorted, int planned, in SelectionContext context);

    private readonly struct CandidateComparer(int[] group, double[] key, int[] position) : IComparer<int>
    {
        public int Compare(int a, int b)
        {
            int c = group[a].CompareTo(group[b]);
            if (c != 0)
            {
                return c;
            }

            c = key[b].CompareTo(key[a]);
            return c != 0 ? c : position[a].CompareTo(position[b]);
        }
    }
}
