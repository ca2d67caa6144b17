namespace SkDiffusion.Denoising;

/// <summary>
/// A masked diffusion denoiser: given a canvas of tokens (some of them mask tokens), predicts logits over the
/// vocabulary for every position. Implementations realign shifted logits, so that the returned logits at
/// position i always predict the token at position i.
/// </summary>
public interface IDenoiser : IDisposable
{
    /// <summary>The number of logits per position.</summary>
    int VocabularySize { get; }

    /// <summary>The largest sequence length one call accepts.</summary>
    int MaxSequenceLength { get; }

    /// <summary>Runs the model once over <paramref name="input"/>.</summary>
    /// <param name="input">The canvas, row-major <c>[BatchSize, SequenceLength]</c>.</param>
    /// <param name="cancellationToken">Cancels the run; an in-flight native run is terminated.</param>
    /// <returns>The logits; dispose the output to return its buffer.</returns>
    ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default);
}
