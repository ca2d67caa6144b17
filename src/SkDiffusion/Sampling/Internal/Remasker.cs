using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Remasking;

namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// ReMDM (Wang et al. 2025, kuleshov-group/remdm): turns committed tokens of the current block back into masks with
/// probability σ (<c>cap</c>, <c>rescale</c>, <c>conf</c>, <c>loop</c>). Its other touch points are asked here: whether
/// a block with no mask keeps its spare steps, the loop schedule's commit plan, and σ itself.
/// </summary>
internal sealed class Remasker
{
    private readonly CanvasState _state;
    private readonly SamplerOptions _options;
    private readonly RemaskingOptions? _remasking;
    private readonly Xoshiro256StarStar _rng;
    private readonly double[] _weights;

    public Remasker(CanvasState state, SamplerOptions options)
    {
        _state = state;
        _options = options;
        _remasking = options.Remasking;
        Strategy = _remasking?.Strategy ?? RemaskingStrategy.None;
        _rng = new Xoshiro256StarStar(options.Seed);
        _weights = new double[state.Tokens.Length];
    }

    public RemaskingStrategy Strategy { get; }

    public bool Active => Strategy != RemaskingStrategy.None;

    /// <summary>A block with no mask left keeps its remaining steps to remask and recommit (test-time scaling).</summary>
    public bool KeepsBlockOpen(int r)
    {
        var row = _state.Rows[r];
        return Active && row.StepInBlock < row.StepsInBlock && _state.HasRemaskable(r);
    }

    /// <summary>The loop schedule's commit count for a group (it replaces the configured schedule); null otherwise.</summary>
    public int? PlannedCount(RowState row, int group)
    {
        if (Strategy != RemaskingStrategy.Loop)
        {
            return null;
        }

        int maskedNow = row.GroupMasked[group];
        double remainingFraction = 1.0 - LoopAlpha(1.0 - ((row.StepInBlock + 1) / (double)row.StepsInBlock));
        int plannedRemaining = (int)Math.Floor((row.GroupInitial[group] * remainingFraction) + 1e-9);
        return Math.Clamp(maskedNow - plannedRemaining, 0, maskedNow);
    }

    /// <summary>The block-level remasking probability σ (σ_max for <c>conf</c>) of the row's current step.</summary>
    public double Sigma(RowState row)
    {
        if (!Active || row.IsLastStep)
        {
            return 0;
        }

        var o = _remasking!;
        if (Strategy == RemaskingStrategy.Loop)
        {
            double t = 1.0 - (row.StepInBlock / (double)row.StepsInBlock);
            return t <= o.TOn && t > o.TOff ? o.Eta : 0;
        }

        double alphaT = 1.0 - _options.Schedule.MaskedFractionAfter(row.StepInBlock - 1, row.StepsInBlock);
        double alphaS = 1.0 - _options.Schedule.MaskedFractionAfter(row.StepInBlock, row.StepsInBlock);
        return Strategy switch
        {
            RemaskingStrategy.Cap => alphaT > 0 ? Math.Min(o.Eta, (1 - alphaS) / alphaT) : o.Eta,
            RemaskingStrategy.Rescale => o.Eta * (alphaT > 0 ? Math.Min(1, (1 - alphaS) / alphaT) : 1),
            RemaskingStrategy.Conf => alphaT > 0 ? Math.Min(1, (1 - alphaS) / alphaT) : 1,
            _ => 0,
        };
    }

    /// <summary>Remasks tokens of row <paramref name="r"/>'s block committed in earlier steps, each with its σ.</summary>
    public void Remask(int r, double sigma, List<RemaskedToken> remasked)
    {
        var row = _state.Rows[r];
        int baseFlat = _state.RowBase(r);
        var committed = _state.Committed;
        if (Strategy == RemaskingStrategy.Conf)
        {
            // σ_i = σ_max · softmax(-p)_i over the remaskable tokens.
            double max = double.NegativeInfinity;
            for (int p = row.BlockStart; p < row.BlockEnd; p++)
            {
                if (committed[baseFlat + p])
                {
                    max = Math.Max(max, -_state.CommitProbability[baseFlat + p]);
                }
            }

            double z = 0;
            for (int p = row.BlockStart; p < row.BlockEnd; p++)
            {
                int flat = baseFlat + p;
                _weights[flat] = committed[flat] ? Math.Exp(-_state.CommitProbability[flat] - max) : 0;
                z += _weights[flat];
            }

            for (int p = row.BlockStart; p < row.BlockEnd; p++)
            {
                int flat = baseFlat + p;
                if (committed[flat] && _rng.NextOpenUnit() < sigma * _weights[flat] / z)
                {
                    remasked.Add(new RemaskedToken(r, p, _state.Remask(r, p)));
                }
            }

            return;
        }

        for (int p = row.BlockStart; p < row.BlockEnd; p++)
        {
            if (committed[baseFlat + p] && _rng.NextOpenUnit() < sigma)
            {
                remasked.Add(new RemaskedToken(r, p, _state.Remask(r, p)));
            }
        }
    }

    private double LoopAlpha(double t)
    {
        var o = _remasking!;
        if (t > o.TOn)
        {
            return (1 - t) * o.AlphaOn / (1 - o.TOn);
        }

        if (t > o.TOff)
        {
            return o.AlphaOn;
        }

        return o.TOff <= 0 ? 1.0 : 1 - (t * (1 - o.AlphaOn) / o.TOff);
    }
}
