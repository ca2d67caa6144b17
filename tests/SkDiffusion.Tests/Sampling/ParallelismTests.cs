using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Scoring;

namespace SkDiffusion.Tests.Sampling;

public sealed class ParallelismTests
{
    // A vocabulary large enough (32 positions x 4096) for the parallel path to run.
    private static FakeDenoiser Large() => new(4096, (row, tokens, position, logits) =>
    {
        for (int v = 0; v < logits.Length; v++)
        {
            logits[v] = (float)((((position * 7919) + (v * 104729)) % 2003) / 300.0);
        }
    });

    private static async Task<int[]> Run(int degree, double temperature, ScoreKind score)
    {
        var sampler = DiffusionSampler.Create(Large(), new SpecialTokenIds(4095, 4000, 4001, 4002));
        var options = new SamplerOptions { Steps = 8, Temperature = temperature, Seed = 42, Score = score, MaxDegreeOfParallelism = degree, TopP = 0.9, TruncateAtEos = false };
        var result = await sampler.SampleAsync(DiffusionCanvas.FromPrompt([1, 2], 32), options);
        return [.. result.Sequences[0].Tokens];
    }

    [Theory]
    [InlineData(0.0, ScoreKind.Confidence)]
    [InlineData(1.0, ScoreKind.Confidence)]
    [InlineData(0.7, ScoreKind.Random)]
    [InlineData(1.0, ScoreKind.NegativeEntropy)]
    public async Task ResultsDoNotDependOnTheDegreeOfParallelism(double temperature, ScoreKind score)
    {
        var serial = await Run(1, temperature, score);
        var parallel = await Run(4, temperature, score);
        Assert.Equal(serial, parallel);
        Assert.DoesNotContain(4095, serial);
    }

    [Fact]
    public void DegreeBelowOneIsRejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerOptions { MaxDegreeOfParallelism = 0 }.Validate());
        Assert.Equal(nameof(SamplerOptions.MaxDegreeOfParallelism), ex.ParamName);
    }
}
