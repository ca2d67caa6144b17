using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Selection;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// <see cref="CacheMode.Adaptive"/> (dLLM-Cache) on the exact caching fake: a position the cache did not refresh
/// keeps its old token in the past, so stale entries change the answer; the degenerate settings must not.
/// </summary>
public sealed class AdaptiveCacheTests
{
    private static readonly DiffusionCanvas Single = DiffusionCanvas.FromPrompt([5, 6, 7], 8);

    private static DiffusionCanvas Batch() => DiffusionCanvas.CreateBuilder().Add([5, 6, 7], 12).Add([5], 9).Build();

    private static async Task<(SamplingResult Expected, SamplingResult Actual, CachingFakeDenoiser Cached)> RunBothAsync(DiffusionCanvas canvas, Func<CacheMode, SamplerOptions> options)
    {
        var expected = await Sampler(new FakeDenoiser(SamplingTestIds.Vocab, DelayedCacheTests.Content)).SampleAsync(canvas, options(CacheMode.None));
        var cached = new CachingFakeDenoiser(SamplingTestIds.Vocab, DelayedCacheTests.Content);
        var actual = await DiffusionSampler.Create(cached, SamplingTestIds.Ids, false).SampleAsync(canvas, options(CacheMode.Adaptive));
        return (expected, actual, cached);
    }

    [Theory]
    [InlineData(SelectionRule.Schedule, 0)]
    [InlineData(SelectionRule.Threshold, 0)]
    [InlineData(SelectionRule.Schedule, 1.5)]
    public async Task RefreshingTheWholeAnswerEveryStepGivesTheTokensOfNoCache(SelectionRule rule, double cfg)
    {
        var (expected, actual, cached) = await RunBothAsync(Batch(), m => new() { Steps = 12, BlockLength = 4, Selection = rule, Threshold = 0.8, CfgScale = cfg, CacheMode = m, CacheRefresh = { ResponseFraction = 1, PromptInterval = 100 }, MaxDegreeOfParallelism = 1 });
        Assert.Equal(expected.Sequences[0].Tokens, actual.Sequences[0].Tokens);
        Assert.Equal(expected.Sequences[1].Tokens, actual.Sequences[1].Tokens);
        Assert.Equal(expected.Nfe, actual.Nfe);
        Assert.Single(cached.Calls, c => c.Past == 0); // the prompt was cached after the first pass
    }

    /// <summary>
    /// Content-dependent logits whose confidence falls with the position, so one token per step decodes left to right:
    /// the token decoded last is then the latest position, never the earliest one a tie-break by position would pick.
    /// </summary>
    private static void LeftToRight(int row, ReadOnlySpan<long> tokens, int position, Span<float> logits)
    {
        int first = FirstReal(tokens);
        if (position < first)
        {
            return;
        }

        long sum = 0;
        for (int i = first; i < tokens.Length; i++)
        {
            sum += i == position ? 0 : tokens[i] == SamplingTestIds.Mask ? 5 : tokens[i] * (i + 1);
        }

        FakeDenoiser.Peaked(logits, 1 + (int)((sum + position) % 9), 0.9 - (0.03 * (position - first)));
    }

    private static async Task<(SamplingResult Expected, SamplingResult Actual, CachingFakeDenoiser Cached)> LeftToRightAsync(double fraction)
    {
        SamplerOptions Options(CacheMode m) => new() { Steps = 8, CacheMode = m, CacheRefresh = { ResponseFraction = fraction, Interval = 100, PromptInterval = 100 }, MaxDegreeOfParallelism = 1 };
        var expected = await Sampler(new FakeDenoiser(SamplingTestIds.Vocab, LeftToRight)).SampleAsync(Single, Options(CacheMode.None));
        var cached = new CachingFakeDenoiser(SamplingTestIds.Vocab, LeftToRight);
        var actual = await DiffusionSampler.Create(cached, SamplingTestIds.Ids, false).SampleAsync(Single, Options(CacheMode.Adaptive));
        return (expected, actual, cached);
    }

    [Fact]
    public async Task WithoutPartialRefreshStaleEntriesChangeTheAnswer()
    {
        // The control for the next test: this fake does notice stale entries.
        var (expected, actual, _) = await LeftToRightAsync(0);
        Assert.NotEqual(expected.Sequences[0].Tokens, actual.Sequences[0].Tokens);
    }

    [Fact]
    public async Task ChangedTokensAreRefreshedFirst()
    {
        // One token per step, left to right, and a refresh share of one position (1/8 of the answer): the position
        // refreshed must be the token decoded in the previous step (its cached value was the mask's), not the earliest
        // decoded one; then no entry is ever stale.
        var (expected, actual, cached) = await LeftToRightAsync(0.125);
        Assert.Equal(expected.Sequences[0].Tokens, actual.Sequences[0].Tokens);
        Assert.Equal(expected.Nfe, actual.Nfe);

        // Call k > 0 runs the 8 - k masks plus the one refreshed position.
        Assert.Equal(Enumerable.Range(1, 7).Select(k => (11 - (8 - k + 1), 8 - k + 1)), cached.Calls.Skip(1).Select(c => (c.Past, c.Length)));
    }

    [Fact]
    public async Task RefreshesFollowTheirIntervals()
    {
        // Answer 8 in blocks of 4, one token per step, no partial refresh: call 0 and 8k are full passes, 4k whole
        // answers against the cached prompt (3 positions), the others the block's masks only.
        var cached = new CachingFakeDenoiser(SamplingTestIds.Vocab, DelayedCacheTests.Content);
        var options = new SamplerOptions { Steps = 8, BlockLength = 4, CacheMode = CacheMode.Adaptive, CacheRefresh = { ResponseFraction = 0, Interval = 4, PromptInterval = 8 }, MaxDegreeOfParallelism = 1 };
        await DiffusionSampler.Create(cached, SamplingTestIds.Ids, false).SampleAsync(Single, options);
        Assert.Equal([(0, 11), (8, 3), (9, 2), (10, 1), (3, 8), (8, 3), (9, 2), (10, 1)], cached.Calls.Select(c => (c.Past, c.Length)));
    }
}
