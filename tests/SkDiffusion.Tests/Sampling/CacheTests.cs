using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Selection;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

public sealed class CacheTests
{
    /// <summary>Content-dependent logits: the token and confidence at a position depend on the tokens before it.</summary>
    private static void Content(int row, ReadOnlySpan<long> tokens, int position, Span<float> logits)
    {
        int first = FirstReal(tokens);
        if (position < first)
        {
            return;
        }

        long sum = row;
        int masks = 0;
        for (int i = first; i < position; i++)
        {
            if (tokens[i] == SamplingTestIds.Mask)
            {
                masks++;
            }
            else
            {
                sum += tokens[i];
            }
        }

        int token = 1 + (int)((sum + (3 * position)) % 9);
        double p = 0.5 + (0.49 * (((position * 7) + masks) % 10) / 10.0);
        FakeDenoiser.Peaked(logits, token, p);
    }

    private static DiffusionCanvas Batch() => DiffusionCanvas.CreateBuilder().Add([5, 6, 7], 12).Add([5], 9).Build();

    public static TheoryData<CacheMode, SelectionRule, int> Cases() => new()
    {
        { CacheMode.Prefix, SelectionRule.Schedule, 4 },
        { CacheMode.Dual, SelectionRule.Schedule, 4 },
        { CacheMode.Prefix, SelectionRule.Threshold, 4 },
        { CacheMode.Dual, SelectionRule.Threshold, 4 },
        { CacheMode.Prefix, SelectionRule.Threshold, 5 },
        { CacheMode.Dual, SelectionRule.Factor, 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AnExactCacheGivesTheTokensOfNoCache(CacheMode mode, SelectionRule rule, int block)
    {
        SamplerOptions Options(CacheMode m) => new() { Steps = 12, BlockLength = block, Selection = rule, Threshold = 0.8, CacheMode = m, MaxDegreeOfParallelism = 1 };
        var plain = new FakeDenoiser(SamplingTestIds.Vocab, Content);
        var expected = await Sampler(plain).SampleAsync(Batch(), Options(CacheMode.None));
        var cached = new CachingFakeDenoiser(SamplingTestIds.Vocab, Content);
        var actual = await DiffusionSampler.Create(cached, SamplingTestIds.Ids, false).SampleAsync(Batch(), Options(mode));
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal(expected.Sequences[r].Tokens, actual.Sequences[r].Tokens);
        }

        Assert.Equal(expected.Nfe, actual.Nfe);
        Assert.Equal(expected.Steps, actual.Steps);
        Assert.Equal(actual.Nfe, cached.Calls.Count);
    }

    [Theory]
    [InlineData(CacheMode.Prefix)]
    [InlineData(CacheMode.Dual)]
    public async Task CfgWithACacheGivesTheTokensOfNoCacheOnAPaddedBatch(CacheMode mode)
    {
        // The unconditional rows (prompt masked) must reach the cached runs too, padding included. The reference fake's
        // logits are flat enough for the unconditional rows to change the answer.
        var fake = new ReferenceFake(0.125, 0, 0, Causal: true);
        SamplerOptions Options(CacheMode m) => new() { Steps = 12, BlockLength = 4, CfgScale = 1.5, CacheMode = m, MaxDegreeOfParallelism = 1 };
        var expected = await Sampler(fake.Denoiser()).SampleAsync(Batch(), Options(CacheMode.None));
        var withoutCfg = await Sampler(fake.Denoiser()).SampleAsync(Batch(), new SamplerOptions { Steps = 12, BlockLength = 4, MaxDegreeOfParallelism = 1 });
        var actual = await DiffusionSampler.Create(fake.CachingDenoiser(), SamplingTestIds.Ids, false).SampleAsync(Batch(), Options(mode));
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal(expected.Sequences[r].Tokens, actual.Sequences[r].Tokens);
        }

        Assert.NotEqual(withoutCfg.Sequences[0].Tokens, expected.Sequences[0].Tokens);
    }

    [Theory]
    [InlineData(CacheMode.Prefix)]
    [InlineData(CacheMode.Dual)]
    public async Task EachBlockStartsWithOneFullPassAndTheRestRunTheWindow(CacheMode mode)
    {
        // Prompt 2, answer 8 in blocks of 4, one token per step: 8 passes, the first of each block full.
        var cached = new CachingFakeDenoiser(SamplingTestIds.Vocab, Content);
        var options = new SamplerOptions { Steps = 8, BlockLength = 4, CacheMode = mode };
        var result = await DiffusionSampler.Create(cached, SamplingTestIds.Ids, false).SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 8), options);
        Assert.Equal(8, result.Nfe);
        Assert.Equal(8, cached.Calls.Count);
        Assert.Equal(2, result.CacheRefreshes); // one full pass per block
        var full = (0, 10, true);
        if (mode == CacheMode.Prefix)
        {
            Assert.Equal([full, (2, 8, false), (2, 8, false), (2, 8, false), full, (6, 4, false), (6, 4, false), (6, 4, false)], cached.Calls);
        }
        else
        {
            Assert.Equal([full, (6, 4, false), (6, 4, false), (6, 4, false), full, (6, 4, false), (6, 4, false), (6, 4, false)], cached.Calls);
        }
    }

    [Fact]
    public async Task ACacheNeedsBlockLength()
    {
        var cached = new CachingFakeDenoiser(SamplingTestIds.Vocab, Content);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => DiffusionSampler.Create(cached, SamplingTestIds.Ids, false).SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { CacheMode = CacheMode.Prefix }));
        Assert.Equal("CacheMode", ex.ParamName);
        Assert.Contains("BlockLength", ex.Message);
    }

    [Fact]
    public async Task ACacheNeedsACachingDenoiser()
    {
        var plain = new FakeDenoiser(SamplingTestIds.Vocab, Content);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Sampler(plain).SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { BlockLength = 4, CacheMode = CacheMode.Dual }));
        Assert.Contains("CacheMode", ex.Message);
        Assert.Contains("ICachingDenoiser", ex.Message);
    }

    [Fact]
    public void AnUnknownCacheModeIsRejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerOptions { BlockLength = 4, CacheMode = (CacheMode)7 }.Validate());
        Assert.Equal("CacheMode", ex.ParamName);
    }
}
