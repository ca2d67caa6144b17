using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Events;

namespace SkDiffusion.Tests.Sampling;

/// <summary>Helpers shared by the sampler tests.</summary>
internal static class SamplerTestKit
{
    public static readonly int[] Prompt = [5, 6];

    /// <summary>
    /// A denoiser whose logits at real position p (padding excluded, 0 = first real token) come from
    /// <paramref name="logitsAt"/>; content-independent.
    /// </summary>
    public static FakeDenoiser ByPosition(Action<int, Span<float>> logitsAt) =>
        new(SamplingTestIds.Vocab, (row, tokens, position, logits) =>
        {
            int first = FirstReal(tokens);
            if (position >= first)
            {
                logitsAt(position - first, logits);
            }
        });

    /// <summary>A denoiser giving answer position i (after <see cref="Prompt"/>) probability conf[i] on token tokens[i].</summary>
    public static FakeDenoiser Confidences(double[] conf, int[]? tokens = null) =>
        ByPosition((p, logits) =>
        {
            int i = p - Prompt.Length;
            if (i >= 0 && i < conf.Length)
            {
                FakeDenoiser.Peaked(logits, tokens?[i] ?? 1 + (i % 9), conf[i]);
            }
        });

    /// <summary>Logits holding exactly the given probabilities on tokens 0..n-1 and negative infinity elsewhere.</summary>
    public static void Exact(Span<float> logits, params double[] probabilities)
    {
        logits.Fill(float.NegativeInfinity);
        for (int i = 0; i < probabilities.Length; i++)
        {
            logits[i] = (float)Math.Log(probabilities[i]);
        }
    }

    public static int FirstReal(ReadOnlySpan<long> tokens)
    {
        int first = 0;
        while (first < tokens.Length - 1 && tokens[first] == SamplingTestIds.Pad)
        {
            first++;
        }

        return first;
    }

    public static DiffusionSampler Sampler(FakeDenoiser denoiser, bool shifted = false) =>
        DiffusionSampler.Create(denoiser, SamplingTestIds.Ids, shifted);

    public static async Task<(SamplingResult Result, List<SamplingStepEvent> Events)> RunAsync(FakeDenoiser denoiser, DiffusionCanvas canvas, SamplerOptions options, CancellationToken ct = default)
    {
        var events = new List<SamplingStepEvent>();
        options.OnStep = events.Add;
        var result = await Sampler(denoiser).SampleAsync(canvas, options, ct);
        return (result, events);
    }
}
