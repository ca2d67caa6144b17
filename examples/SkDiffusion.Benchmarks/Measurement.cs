namespace SkDiffusion.Benchmarks;

/// <summary>What one strategy measured over the held-out examples.</summary>
internal sealed class Measurement
{
    public required string Name { get; init; }
    public int Examples { get; set; }
    public int Correct { get; set; }
    public int SameAsReference { get; set; }
    public long Tokens { get; set; }
    public long Nfe { get; set; }
    public long Steps { get; set; }
    public double SampleSeconds { get; set; }
    public double DenoiserSeconds { get; set; }
    public long AllocatedBytes { get; set; }
    public long SteadyBytes { get; set; }
    public long SteadySteps { get; set; }

    public double Agreement => Examples == 0 ? 0 : 100.0 * SameAsReference / Examples;
    public double Accuracy => Examples == 0 ? 0 : 100.0 * Correct / Examples;
    public double TokensPerSecond => Tokens / SampleSeconds;
    public double NfePerToken => (double)Nfe / Tokens;
    public double MsPerStep => 1000 * SampleSeconds / Math.Max(1, Nfe);
    public double OverheadPercent => 100 * (SampleSeconds - DenoiserSeconds) / SampleSeconds;
    public double BytesPerStep => (double)AllocatedBytes / Math.Max(1, Nfe);
    public double SteadyBytesPerStep => (double)SteadyBytes / Math.Max(1, SteadySteps);
}
