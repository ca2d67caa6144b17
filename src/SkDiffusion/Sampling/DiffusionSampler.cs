using System.Runtime.CompilerServices;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Guidance;
using SkDiffusion.Sampling.Internal;

namespace SkDiffusion.Sampling;

/// <summary>
/// The diffusion decoding engine: starting from a canvas of prompt tokens and masked slots, it repeatedly runs the
/// denoiser over the whole canvas, scores the eligible masked positions and commits a subset, until no mask is left.
/// Works with any <see cref="IDenoiser"/> whose logits are aligned (position i predicts token i).
/// </summary>
/// <example>
/// <code>
/// var sampler = DiffusionSampler.Create(denoiser, SpecialTokenIds.LLaDA);
/// var canvas = DiffusionCanvas.FromPrompt(promptIds, answerLength: 128);
/// var result = await sampler.SampleAsync(canvas, new SamplerOptions { Steps = 128, BlockLength = 32 });
/// int[] answer = [.. result.AnswerTokens];
/// </code>
/// </example>
public sealed class DiffusionSampler
{
    private DiffusionSampler(IDenoiser denoiser, SpecialTokenIds tokenIds, bool logitsShifted)
    {
        Denoiser = denoiser;
        TokenIds = tokenIds;
        LogitsShifted = logitsShifted;
    }

    /// <summary>The denoiser (not owned: the sampler never disposes it).</summary>
    public IDenoiser Denoiser { get; }

    /// <summary>The special token ids.</summary>
    public SpecialTokenIds TokenIds { get; }

    /// <summary>
    /// Whether the model's raw logits are shifted (Dream). The denoiser realigns them, but position 0 then has no
    /// prediction of its own, so canvases must not start with a masked position.
    /// </summary>
    public bool LogitsShifted { get; }

    /// <summary>Creates a sampler.</summary>
    /// <param name="denoiser">The denoiser (aligned logits).</param>
    /// <param name="tokenIds">Mask, EOS, EoT and pad ids.</param>
    /// <param name="logitsShifted">True for shifted-logit models (Dream): position 0 must never be a mask.</param>
    public static DiffusionSampler Create(IDenoiser denoiser, SpecialTokenIds tokenIds, bool logitsShifted = false)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(tokenIds);
        if (tokenIds.Mask >= denoiser.VocabularySize)
        {
            throw new ArgumentException($"The mask id {tokenIds.Mask} is outside the denoiser's vocabulary ({denoiser.VocabularySize}).", nameof(tokenIds));
        }

        return new DiffusionSampler(denoiser, tokenIds, logitsShifted);
    }

    /// <summary>Creates a sampler with the special ids and the logit alignment named in a model manifest.</summary>
    /// <param name="denoiser">The denoiser (aligned logits).</param>
    /// <param name="manifest">The model package manifest (<c>token_ids</c>, <c>logits_shifted</c>).</param>
    public static DiffusionSampler Create(IDenoiser denoiser, ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return Create(denoiser, SpecialTokenIds.FromManifest(manifest.TokenIds), manifest.LogitsShifted);
    }

    /// <summary>Decodes every masked position of <paramref name="canvas"/>.</summary>
    /// <param name="canvas">Prompt(s) and answer layout(s).</param>
    /// <param name="options">Decoding options; null for the defaults. Validated first.</param>
    /// <param name="cancellationToken">
    /// Checked between steps and passed to the denoiser. Cancellation does not throw: the result comes back with
    /// <see cref="FinishReason.Cancelled"/> and the masks left in place.
    /// </param>
    /// <returns>The decoded rows, NFE and step counts, and the finish reason.</returns>
    public async Task<SamplingResult> SampleAsync(DiffusionCanvas canvas, SamplerOptions? options = null, CancellationToken cancellationToken = default)
    {
        SamplingResult? result = null;
        await foreach (var evt in StreamAsync(canvas, options, cancellationToken).ConfigureAwait(false))
        {
            result = evt.Result ?? result;
        }

        return result!;
    }

    /// <summary>
    /// Decodes <paramref name="canvas"/> step by step, yielding one event per step and a final event that carries
    /// <see cref="SamplingStepEvent.Result"/>. <see cref="SamplerOptions.Progress"/> and
    /// <see cref="SamplerOptions.OnStep"/> are called as well.
    /// </summary>
    /// <param name="canvas">Prompt(s) and answer layout(s).</param>
    /// <param name="options">Decoding options; null for the defaults.</param>
    /// <param name="cancellationToken">Checked between steps and passed to the denoiser.</param>
    /// <returns>The step events.</returns>
    public async IAsyncEnumerable<SamplingStepEvent> StreamAsync(DiffusionCanvas canvas, SamplerOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        options ??= new SamplerOptions();
        options.Validate();
        CheckStepBound(canvas, options);

        // The run owns the KV cache; the finally releases it on completion, failure, cancellation and when the caller
        // abandons the stream (breaks out of the await foreach, which disposes the enumerator).
        using var run = new SamplingRun(Denoiser, TokenIds, LogitsShifted, canvas, options);
        var rollouts = options.RewardGuidance is { Mode: RewardMode.Block } reward ? new BlockRollouts(run, reward) : null;
        while (true)
        {
            var evt = rollouts is null ? await run.NextAsync(cancellationToken).ConfigureAwait(false) : await rollouts.NextAsync(cancellationToken).ConfigureAwait(false);
            if (evt is null)
            {
                break;
            }

            options.Progress?.Report(evt);
            options.OnStep?.Invoke(evt);
            yield return evt;
        }

        var result = run.BuildResult();
        var perRow = result.Sequences.Select(s => s.Tokens.Count(t => t == TokenIds.Mask)).ToArray();
        yield return new SamplingStepEvent(run.Steps, run.Nfe, perRow.Sum(), perRow, [], [], [], result);
    }

    /// <summary>
    /// Bounds the work of a run: <see cref="SamplerOptions.Steps"/> may be at most
    /// <see cref="SamplerOptions.MaxStepsPerAnswerPosition"/> times the longest row's answer (at least
    /// <see cref="SamplerOptions.MinStepBound"/>), so remasking cannot run thousands of passes over a short answer.
    /// </summary>
    private static void CheckStepBound(DiffusionCanvas canvas, SamplerOptions options)
    {
        long answer = canvas.Sequences.Max(s => (long)s.AnswerLength);
        long bound = Math.Max(SamplerOptions.MinStepBound, SamplerOptions.MaxStepsPerAnswerPosition * answer);
        if (options.Steps > bound)
        {
            throw new ArgumentOutOfRangeException(nameof(SamplerOptions.Steps), options.Steps, $"Steps ({options.Steps}) is more than {SamplerOptions.MaxStepsPerAnswerPosition} x the answer length ({answer}) and more than {SamplerOptions.MinStepBound}: at most {bound} steps are allowed for this canvas. Lower Steps.");
        }
    }
}
