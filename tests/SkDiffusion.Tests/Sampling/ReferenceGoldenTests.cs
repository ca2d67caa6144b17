using System.Text.Json;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Schedules;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// Token ids produced by the reference implementations themselves (LLaDA, dInfer, Dream's generation utilities) on
/// <see cref="ReferenceFake"/>; tests/fixtures/reference-goldens/README.md says which file and commit gave each.
/// </summary>
public sealed class ReferenceGoldenTests
{
    private static JsonElement Case(string name) => ReferenceFake.Goldens.GetProperty(name);

    private static async Task<(SamplingResult Result, List<SamplingStepEvent> Events)> RunAsync(JsonElement golden, SamplerOptions options, CacheMode cache = CacheMode.None, bool shifted = false)
    {
        var fake = ReferenceFake.From(golden.GetProperty("fake")) with { Shifted = shifted || (golden.GetProperty("fake").TryGetProperty("shifted", out var s) && s.GetBoolean()) };
        var events = new List<SamplingStepEvent>();
        options.OnStep = events.Add;
        options.MaxDegreeOfParallelism = 1;
        options.CacheMode = cache;
        var denoiser = cache == CacheMode.None ? (SkDiffusion.Denoising.IDenoiser)fake.Denoiser() : fake.CachingDenoiser();
        var canvas = DiffusionCanvas.FromPrompt(ReferenceFake.Ints(golden, "prompt"), golden.GetProperty("genLength").GetInt32());
        var result = await DiffusionSampler.Create(denoiser, SamplingTestIds.Ids, fake.Shifted).SampleAsync(canvas, options);
        return (result, events);
    }

    [Theory]
    [InlineData(CacheMode.None, false)]
    [InlineData(CacheMode.Prefix, false)]
    [InlineData(CacheMode.Dual, false)]
    [InlineData(CacheMode.None, true)]
    [InlineData(CacheMode.Prefix, true)]
    [InlineData(CacheMode.Dual, true)]
    public async Task CfgMatchesLladaWithAndWithoutACacheOnBothLayouts(CacheMode cache, bool dreamLayout)
    {
        var golden = Case("cfg");
        var options = new SamplerOptions { Steps = golden.GetProperty("steps").GetInt32(), BlockLength = golden.GetProperty("blockLength").GetInt32(), CfgScale = golden.GetProperty("cfgScale").GetDouble() };
        var (result, _) = await RunAsync(golden, options, cache, dreamLayout);
        Assert.Equal(ReferenceFake.Ints(golden, "tokens"), result.Sequences[0].Tokens);
    }

    [Theory]
    [InlineData("eosLogits", EosSuppression.Logits)]
    [InlineData("eosConfidence", EosSuppression.Confidence)]
    public async Task EosSuppressionMatchesLlada(string name, EosSuppression suppression)
    {
        var golden = Case(name);
        var options = new SamplerOptions { Steps = golden.GetProperty("steps").GetInt32(), BlockLength = golden.GetProperty("blockLength").GetInt32(), EosSuppression = suppression };
        var (result, _) = await RunAsync(golden, options);
        Assert.Equal(ReferenceFake.Ints(golden, "tokens"), result.Sequences[0].Tokens);
    }

    [Theory]
    [InlineData(CacheMode.None)]
    [InlineData(CacheMode.Prefix)]
    [InlineData(CacheMode.Dual)]
    public async Task EosStopFinishesTheBlockFirstAsDInfer(CacheMode cache)
    {
        var golden = Case("eosStop");
        var options = new SamplerOptions
        {
            Steps = 12,
            BlockLength = golden.GetProperty("blockLength").GetInt32(),
            Selection = SelectionRule.Threshold,
            Threshold = golden.GetProperty("threshold").GetDouble(),
            StopAtEos = true,
            TruncateAtEos = false,
        };
        var (result, events) = await RunAsync(golden, options, cache);
        Assert.Equal(ReferenceFake.Ints(golden, "tokens"), result.Sequences[0].Tokens);
        Assert.NotEqual(ReferenceFake.Ints(golden, "previousEngine"), result.Sequences[0].Tokens);

        // The fill comes in the step that leaves the block without a mask, never while it still holds one.
        var fill = Assert.Single(events, e => e.EosFilled.Count > 0);
        Assert.All(fill.EosFilled, f => Assert.True(f.Position >= 3 + 4));
    }

    [Fact]
    public async Task FactorCommitsTheLastCandidateWhenOnlyItFailsAsDInfer()
    {
        var golden = Case("factor");
        var options = new SamplerOptions { Steps = 8, Selection = SelectionRule.Factor, Factor = golden.GetProperty("factor").GetDouble() };
        var (result, _) = await RunAsync(golden, options);
        Assert.Equal(ReferenceFake.Ints(golden, "tokens"), result.Sequences[0].Tokens);
        Assert.Equal(golden.GetProperty("nfe").GetInt32(), result.Nfe);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task OriginMatchesDreamGivenTheSameUniforms(int index)
    {
        var golden = Case("origin")[index];
        var options = new SamplerOptions
        {
            Steps = golden.GetProperty("steps").GetInt32(),
            Selection = SelectionRule.Origin,
            Schedule = new DreamSchedule(golden.GetProperty("eps").GetDouble()),
            Seed = golden.GetProperty("seed").GetUInt64(),
        };
        var (result, events) = await RunAsync(golden, options);
        Assert.Equal(ReferenceFake.Ints(golden, "tokens"), result.Sequences[0].Tokens);

        // Dream keeps calling the model after the last mask is gone; the engine stops there.
        var masks = ReferenceFake.Ints(golden, "masksAfterStep");
        int used = Array.IndexOf(masks, 0) + 1;
        Assert.Equal(masks[..used], events.Select(e => e.MasksLeft).ToArray());
    }

    [Fact]
    public void DreamTimestepsFollowTheScalarLinspaceKernel()
    {
        var timesteps = Case("dreamTimesteps");
        foreach (var entry in timesteps.GetProperty("scalar").EnumerateObject())
        {
            int steps = int.Parse(entry.Name, System.Globalization.CultureInfo.InvariantCulture);
            var expected = entry.Value.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
            var actual = Enumerable.Range(0, steps + 1).Select(i => DreamSchedule.Default.Timestep(i, steps)).ToArray();
            Assert.Equal(expected, actual);
        }

        // Where this CPU's vectorised torch.linspace rounds differently, the counts follow the scalar kernel.
        var rows = timesteps.GetProperty("countMismatches").EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            int steps = row.GetProperty("steps").GetInt32(), step = row.GetProperty("step").GetInt32(), masks = row.GetProperty("masks").GetInt32();
            int count = DreamSchedule.Default.GetCommitCount(step, steps, masks, masks);
            Assert.Equal(row.GetProperty("scalar").GetInt32(), count);
            Assert.NotEqual(row.GetProperty("cpu").GetInt32(), count);
        }
    }
}
