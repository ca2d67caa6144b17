namespace SkDiffusion.Sampling.Internal.Selection;

/// <summary>
/// <see cref="Sampling.Selection.SelectionRule.EntropyBounded"/>, the EB-Sampler (Ben-Hamu et al. 2025, "Accelerated
/// Sampling from Masked Diffusion Models via Entropy Bounded Unmasking"): with the candidates ranked by score, the
/// largest prefix whose entropies satisfy <c>Σ H - max H &lt;= γ</c> (<see cref="SamplerOptions.EntropyBound"/>); the
/// best always. The sum minus the largest term bounds the dependence error of committing the prefix jointly, so easy
/// steps commit many positions and uncertain ones a single position.
/// </summary>
internal sealed class EntropyBoundedSelection : RankedSelectionRule
{
    public override bool FollowsPlan => false;

    public override bool NeedsStepPerBlock => false;

    public override bool NeedsEntropy => true;

    protected override int Take(CandidateSet set, ReadOnlySpan<int> sorted, int planned, in SelectionContext context)
    {
        double gamma = context.Options.EntropyBound;
        double sum = set.Entropy[sorted[0]];
        double max = sum;
        int take = 1;
        while (take < sorted.Length)
        {
            double h = set.Entropy[sorted[take]];
            if (sum + h - Math.Max(max, h) > gamma)
            {
                break;
            }

            sum += h;
            max = Math.Max(max, h);
            take++;
        }

        return take;
    }
}
