using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Tests.Sampling;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Bad canvases and settings that only show when a run starts (fake denoiser): refused with the exact exception type
/// before the first denoiser call, and the documented "handled" cases (a block length that does not divide the answer).
/// </summary>
public sealed class SamplerRunCases
{
    /// <summary>(case name, canvas factory, options, expected exception type, message fragment).</summary>
    public static TheoryData<string, Func<DiffusionCanvas>, SamplerOptions, Type, string> Refused => new()
    {
        { "steps fewer than blocks", () => DiffusionCanvas.FromPrompt(SamplerTestKit.Prompt, 12), new SamplerOptions { Steps = 2, BlockLength = 4 }, typeof(ArgumentException), "blocks" },
        { "answer length 0", () => DiffusionCanvas.FromPrompt(SamplerTestKit.Prompt, 0), new SamplerOptions { Steps = 1 }, typeof(ArgumentOutOfRangeException), "answerLength" },
        { "answer length negative", () => DiffusionCanvas.FromPrompt(SamplerTestKit.Prompt, -3), new SamplerOptions { Steps = 1 }, typeof(ArgumentOutOfRangeException), "answerLength" },
        { "negative prompt token", () => DiffusionCanvas.FromPrompt([5, -1], 4), new SamplerOptions { Steps = 4 }, typeof(ArgumentException), "negative" },
        { "prompt token beyond the vocabulary", () => DiffusionCanvas.FromPrompt([5, SamplingTestIds.Vocab], 4), new SamplerOptions { Steps = 4 }, typeof(ArgumentException), "vocabulary" },
        { "prompt holding the mask token", () => DiffusionCanvas.FromPrompt([5, SamplingTestIds.Mask], 4), new SamplerOptions { Steps = 4 }, typeof(ArgumentException), "mask" },
        { "canvas longer than the denoiser accepts", () => DiffusionCanvas.FromPrompt(SamplerTestKit.Prompt, 200), new SamplerOptions { Steps = 200 }, typeof(ArgumentException), "64" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Is_refused_before_the_first_denoiser_call(string name, Func<DiffusionCanvas> canvas, SamplerOptions options, Type exceptionType, string fragment)
    {
        var denoiser = new FakeDenoiser(SamplingTestIds.Vocab, (_, _, _, logits) => logits[1] = 3f, maxSequenceLength: 64);

        var ex = await Assert.ThrowsAsync(exceptionType, async () => await SamplerTestKit.Sampler(denoiser).SampleAsync(canvas(), options));

        Assert.True(ex.Message.Contains(fragment, StringComparison.Ordinal), $"{name}: '{ex.Message}' lacks '{fragment}'");
        Assert.Equal(0, denoiser.Calls);
    }

    /// <summary>(answer length, block length, steps): block lengths that do not divide the answer are handled with a shorter last block.</summary>
    public static TheoryData<int, int, int> NonDividingBlocks => new()
    {
        { 10, 4, 10 },
        { 7, 3, 3 },
        { 5, 8, 5 },
    };

    [Theory]
    [MemberData(nameof(NonDividingBlocks))]
    public async Task Block_length_not_dividing_the_answer_is_handled(int answer, int block, int steps)
    {
        var denoiser = new FakeDenoiser(SamplingTestIds.Vocab, (_, _, position, logits) => logits[1 + (position % 9)] = 3f);

        var (result, events) = await SamplerTestKit.RunAsync(denoiser, DiffusionCanvas.FromPrompt(SamplerTestKit.Prompt, answer), new SamplerOptions { Steps = steps, BlockLength = block, MaxDegreeOfParallelism = 1 });

        var tokens = result.Sequences[0].AnswerTokens;
        Assert.Equal(answer, tokens.Count);
        Assert.DoesNotContain(SamplingTestIds.Mask, tokens);
        Assert.InRange(denoiser.Calls, (answer + block - 1) / block, steps);
        Assert.Equal(denoiser.Calls, events.Count);
    }
}
