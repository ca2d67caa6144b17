using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Remasking;
using SkDiffusion.Sampling.Selection;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// <see cref="CacheMode.Delayed"/> (dKV-Cache). The caching fake's keys are exact (token, position, mask bit), so a
/// cached run gives the logits of a full pass whenever the cached positions hold their current tokens: any entry the
/// cache kept stale would show up as different tokens.
/// </summary>
public sealed class DelayedCacheTests
{
    /// <summary>Content-dependent logits: the token and confidence at a position depend on every other position.</summary>
    internal static void Content(int row, ReadOnlySpan<long> tokens, int position, Span<float> logits)
    {
        int first = FirstReal(tokens);
        if (position < first)
        {
            return;
        }

        long sum = row;
        int masks = 0;
        for (int i = first; i < tokens.Length; i++)
        {
            if (i == position)
            {
                continue;
            }

            if (tokens[i] == SamplingTestIds.Mask)
            {
                masks++;
            }
            else
            {
                sum += tokens[i] * (i < position ? 1 : 2);
            }
        }

        int token = 1 + (int)((sum + (3 * position)) % 9);
        double p = 0.5 + (0.49 * (((position * 7) + masks) % 10) / 10.0);
        FakeDenoiser.Peaked(logits, token, p);
    }

    private static DiffusionCanvas Batch() => DiffusionCanvas.CreateBuilder().Add([5, 6, 7], 12).Add([5], 9).Build();

    public static TheoryData<SelectionRule, int?, int, double> Cases() => new()
    {
        { SelectionRule.Schedule, 4, 8, 0 },
        { SelectionRule.Schedule, null, 3, 0 },
        { SelectionRule.Threshold, 4, 8, 0 },
        { SelectionRule.Factor, 3, 2, 0 },
        { SelectionRule.EntropyBounded, 4, 8, 0 },
        { SelectionRule.Schedule, 4, 8, 1.5 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AnExactDelayedCacheGivesTheTokensOfNoCache(SelectionRule rule, int? block, int interval, double cfg)
    {
        SamplerOptions Options(CacheMode m) => new() { Steps = 12, BlockLength = block, Selection = rule, Threshold = 0.8, CfgScale = cfg, CacheMode = m, CacheRefresh = { Interval = interval }, MaxDegreeOfParallelism = 1 };
        var expected = await Sampler(new FakeDenoiser(SamplingTestIds.Vocab, Content)).SampleAsync(Batch(), Options(CacheMode.None));
        var cached = new CachingFakeDenoiser(SamplingTestIds.Vocab, Content);
        var actual = await DiffusionSampler.Create(cached, SamplingTestIds.Ids, false).SampleAsync(Batch(), Options(CacheMode.Delayed));
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal(expected.Sequences[r].Tokens, actual.Sequences[r].Tokens);
        }

        Assert.Equal(expected.Nfe, actual.Nfe);
        Assert.Equal(actual.Nfe, cached.Calls.Count);
        Assert.Contains(cached.Calls, c => c.Past > 0); // the cache was used, not only full passes

        // The result counts the calls that rebuilt the cache from the whole canvas.
        Assert.Equal(0, expected.CacheRefreshes);
        Assert.Equal(cached.Calls.Count(c => c.Past == 0), actual.CacheRefreshes);
        Assert.InRange(actual.CacheRefreshes, 1, actual.Nfe - 1);
    }

    [Fact]
    public async Task RemaskedTokensLeaveTheCache()
    {
        // ReMDM turns cached tokens back into masks: the cache must drop them (a full pass), or the exact fake would
        // read a stale token.
        SamplerOptions Options(CacheMode m) => new() { Steps = 24, BlockLength = 6, Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap, Eta = 0.5 }, Seed = 7, CacheMode = m, CacheRefresh = { Interval = 50 }, MaxDegreeOfParallelism = 1 };
        var expected = await Sampler(new FakeDenoiser(SamplingTestIds.Vocab, Content)).SampleAsync(Batch(), Options(CacheMode.None));
        var cached = new CachingFakeDenoiser(SamplingTestIds.Vocab, Content);
        var actual = await DiffusionSampler.Create(cached, SamplingTestIds.Ids, false).SampleAsync(Batch(), Options(CacheMode.Delayed));
        Assert.Equal(expected.Sequences[0].Tokens, actual.Sequences[0].Tokens);
        Assert.Equal(expected.Sequences[1].Tokens, actual.Sequences[1].Tokens);
    }

    [Fact]
    public async Task ATokenIsCachedOneStepAfterItIsDecoded()
    {
        // Prompt 2, answer 4, one token per step. Call 0 is a full pass that caches the prompt only (masks are never
        // cached). The token decoded in step t runs again in call t+1 (now as itself) and joins the past at call t+2.
        var cached = new CachingFakeDenoiser(SamplingTestIds.Vocab, Content);
        var options = new SamplerOptions { Steps = 4, CacheMode = CacheMode.Delayed, CacheRefresh = { Interval = 100 }, MaxDegreeOfParallelism = 1 };
        var result = await DiffusionSampler.Create(cached, SamplingTestIds.Ids, false).SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 4), options);
        Assert.Equal(4, result.Nfe);
        Assert.Equal([(0, 6, true), (2, 4, true), (3, 3, true), (4, 2, true)], cached.Calls);
    }

    [Fact]
    public async Task IntervalOneIsAFullPassAtEveryCall()
    {
        var cached = new CachingFakeDenoiser(SamplingTestIds.Vocab, Content);
        var options = new SamplerOptions { Steps = 4, CacheMode = CacheMode.Delayed, CacheRefresh = { Interval = 1 }, MaxDegreeOfParallelism = 1 };
        await DiffusionSampler.Create(cached, SamplingTestIds.Ids, false).SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 4), options);
        Assert.All(cached.Calls, c => Assert.Equal((0, 6), (c.Past, c.Length)));
    }

    [Fact]
    public async Task IntervalTwoRefreshesEveryOtherCall()
    {
        var cached = new CachingFakeDenoiser(SamplingTestIds.Vocab, Content);
        var options = new SamplerOptions { Steps = 4, CacheMode = CacheMode.Delayed, CacheRefresh = { Interval = 2 }, MaxDegreeOfParallelism = 1 };
        await DiffusionSampler.Create(cached, SamplingTestIds.Ids, false).SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 4), options);

        // Call 2 is full again and caches the two tokens decoded so far; call 3 runs the one decoded in step 2 and the mask.
        Assert.Equal([(0, 6, true), (2, 4, true), (0, 6, true), (4, 2, true)], cached.Calls);
    }

    [Fact]
    public async Task ShiftedLogitsAreRejected()
    {
        var cached = new CachingFakeDenoiser(SamplingTestIds.Vocab, Content, shifted: true);
        var options = new SamplerOptions { Steps = 4, CacheMode = CacheMode.Delayed };
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => DiffusionSampler.Create(cached, SamplingTestIds.Ids, true).SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 4), options));
        Assert.Contains("shifted", ex.Message);
        Assert.Contains("CacheMode.Prefix", ex.Message);
    }

    [Fact]
    public async Task ADenoiserWithoutACacheIsRejected()
    {
        var options = new SamplerOptions { Steps = 4, CacheMode = CacheMode.Delayed };
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Sampler(new FakeDenoiser(SamplingTestIds.Vocab, Content)).SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 4), options));
        Assert.Contains("ICachingDenoiser", ex.Message);
    }

    [Theory]
    [InlineData(0, 32, 0.25, "Interval")]
    [InlineData(8, 0, 0.25, "PromptInterval")]
    [InlineData(8, 32, 1.5, "ResponseFraction")]
    [InlineData(8, 32, double.NaN, "ResponseFraction")]
    public void BadRefreshOptionsNameTheOption(int interval, int promptInterval, double fraction, string name)
    {
        var options = new SamplerOptions { CacheMode = CacheMode.Adaptive, CacheRefresh = { Interval = interval, PromptInterval = promptInterval, ResponseFraction = fraction } };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(name, ex.ParamName);
    }

    [Fact]
    public void DelayedAndAdaptiveCachesNeedNoBlocks()
    {
        new SamplerOptions { CacheMode = CacheMode.Delayed }.Validate();
        new SamplerOptions { CacheMode = CacheMode.Adaptive }.Validate();
        Assert.Throws<ArgumentException>(new SamplerOptions { CacheMode = CacheMode.Dual }.Validate);
    }
}
