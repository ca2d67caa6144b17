using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

/// <summary>Mechanics of <see cref="SamplerOptions.TrailingEosThreshold"/> on fake denoisers (not usefulness: the
/// EOS-run benchmark and the evaluation measure that on the embedded model).</summary>
public sealed class TrailingEosTests
{
    // Answer positions 0 and 1 predict token 7 (p 0.6); from answer position 2 on, EOS (p 0.99).
    private static FakeDenoiser EndsAfterTwo() => EosTests.EndsAfterTwo();

    [Fact]
    public async Task The_padding_is_committed_in_one_step_and_the_plan_skips_the_steps_it_saved()
    {
        var off = await RunAsync(EndsAfterTwo(), DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { Steps = 8 });
        var (result, events) = await RunAsync(EndsAfterTwo(), DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { Steps = 8, TrailingEosThreshold = 0.9 });

        Assert.Equal(8, off.Result.Nfe);
        Assert.Equal(3, result.Nfe); // step 0 (the run of six EOS), then the plan's last two commits
        Assert.Equal([4, 5, 6, 7, 8, 9], events[0].Committed.Select(c => c.Position).Order());
        Assert.All(events[0].Committed, c => Assert.Equal(SamplingTestIds.Eos, c.TokenId));
        Assert.Equal(off.Result.Sequences[0].Tokens, result.Sequences[0].Tokens);
        Assert.Equal([7, 7], result.Sequences[0].AnswerTokens);
    }

    [Fact]
    public async Task A_threshold_above_the_eos_probability_changes_nothing()
    {
        var off = await RunAsync(EndsAfterTwo(), DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { Steps = 8 });
        var on = await RunAsync(EndsAfterTwo(), DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { Steps = 8, TrailingEosThreshold = 0.995 });
        Assert.Equal(off.Result.Nfe, on.Result.Nfe);
        Assert.Equal(off.Events.Select(e => e.Committed.Single().Position), on.Events.Select(e => e.Committed.Single().Position));
    }

    [Fact]
    public async Task The_run_starts_at_the_slot_end_and_stops_at_the_first_other_token()
    {
        // EOS (p 0.99) at answer positions 2..5, token 7 (p 0.6) at the last one: no run ends at the slot's end.
        var denoiser = ByPosition((p, l) =>
        {
            int i = p - Prompt.Length;
            if (i >= 0)
            {
                bool eos = i is >= 2 and <= 5;
                FakeDenoiser.Peaked(l, eos ? SamplingTestIds.Eos : 7, eos ? 0.99 : 0.6);
            }
        });
        var (result, events) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 7), new SamplerOptions { Steps = 7, TrailingEosThreshold = 0.9 });
        Assert.Equal(7, result.Nfe);
        Assert.All(events, e => Assert.Single(e.Committed));
    }

    [Fact]
    public async Task With_the_early_stop_a_run_inside_the_first_block_ends_the_answer()
    {
        var options = new SamplerOptions { Steps = 12, BlockLength = 4, StopAtEos = true, TrailingEosThreshold = 0.9 };
        var (result, events) = await RunAsync(EndsAfterTwo(), DiffusionCanvas.FromPrompt(Prompt, 12), options);

        Assert.Equal(3, result.Nfe); // without the run: 4 (EosTests.EarlyStopFillsLaterBlocksWithEos)
        Assert.Equal([4, 5], events[0].Committed.Select(c => c.Position).Order());
        Assert.Equal(8, events[^1].EosFilled.Count);
        Assert.Equal([7, 7], result.Sequences[0].AnswerTokens);
    }

    [Fact]
    public async Task Without_the_early_stop_only_the_block_that_holds_the_slot_end_gains()
    {
        var options = new SamplerOptions { Steps = 12, BlockLength = 4, TrailingEosThreshold = 0.9 };
        var (result, events) = await RunAsync(EndsAfterTwo(), DiffusionCanvas.FromPrompt(Prompt, 12), options);

        Assert.Equal(9, result.Nfe); // blocks 1 and 2 (4 steps each), the last block in one step
        Assert.Equal(4, events[^1].Committed.Count);
        Assert.Equal([7, 7], result.Sequences[0].AnswerTokens);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_threshold_outside_0_to_1_is_refused(double threshold)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerOptions { TrailingEosThreshold = threshold }.Validate());
        Assert.Equal(nameof(SamplerOptions.TrailingEosThreshold), ex.ParamName);
        Assert.Contains("(0, 1]", ex.Message, StringComparison.Ordinal);
    }
}
