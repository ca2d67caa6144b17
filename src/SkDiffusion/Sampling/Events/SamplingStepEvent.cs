namespace SkDiffusion.Sampling.Events;

/// <summary>What one sampler step did, or (with <see cref="IsFinal"/>) the end of the run.</summary>
public sealed class SamplingStepEvent
{
    internal SamplingStepEvent(int step, int nfe, int masksLeft, IReadOnlyList<int> masksLeftPerRow, IReadOnlyList<CommittedToken> committed, IReadOnlyList<RemaskedToken> remasked, IReadOnlyList<CommittedToken> filled, SamplingResult? result)
    {
        Step = step;
        Nfe = nfe;
        MasksLeft = masksLeft;
        MasksLeftPerRow = masksLeftPerRow;
        Committed = committed;
        Remasked = remasked;
        EosFilled = filled;
        Result = result;
    }

    /// <summary>The step index, 0-based (for the final event: the number of steps run).</summary>
    public int Step { get; }

    /// <summary>Forward passes (denoiser calls) so far.</summary>
    public int Nfe { get; }

    /// <summary>Masks left in the whole canvas after the step.</summary>
    public int MasksLeft { get; }

    /// <summary>Masks left per row after the step.</summary>
    public IReadOnlyList<int> MasksLeftPerRow { get; }

    /// <summary>Tokens committed by the step, with their scores.</summary>
    public IReadOnlyList<CommittedToken> Committed { get; }

    /// <summary>Tokens remasked by the step.</summary>
    public IReadOnlyList<RemaskedToken> Remasked { get; }

    /// <summary>Masked positions filled with EOS by the early stop (score and probability are 0).</summary>
    public IReadOnlyList<CommittedToken> EosFilled { get; }

    /// <summary>Whether this is the last event of a run; then <see cref="Result"/> is set.</summary>
    public bool IsFinal => Result is not null;

    /// <summary>The run's result, on the final event only.</summary>
    public SamplingResult? Result { get; }
}
