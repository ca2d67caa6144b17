using SkDiffusion.Denoising;

namespace SkDiffusion.Tests.Sampling;

/// <summary>Fills the logits of one position of one row.</summary>
/// <param name="row">The batch row.</param>
/// <param name="tokens">The row's tokens (padded row, as the denoiser receives it).</param>
/// <param name="position">The position within the padded row.</param>
/// <param name="logits">The position's logits, zero-filled on entry.</param>
internal delegate void LogitsFunction(int row, ReadOnlySpan<long> tokens, int position, Span<float> logits);

/// <summary>
/// A deterministic denoiser whose logits are a function of row, position and canvas content, so expectations can be
/// computed by hand. Records every input.
/// </summary>
internal sealed class FakeDenoiser(int vocabularySize, LogitsFunction function, int maxSequenceLength = 4096) : IDenoiser
{
    public int VocabularySize { get; } = vocabularySize;

    public int MaxSequenceLength { get; } = maxSequenceLength;

    public int Calls { get; private set; }

    public List<(long[] Tokens, long[] Mask, int Batch, int Length)> Inputs { get; } = [];

    public Action<int>? BeforeCall { get; set; }

    public ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
    {
        BeforeCall?.Invoke(Calls);
        cancellationToken.ThrowIfCancellationRequested();
        Calls++;
        var tokens = input.TokenIds.ToArray();
        Inputs.Add((tokens, input.AttentionMask.ToArray(), input.BatchSize, input.SequenceLength));
        var logits = new float[input.BatchSize * input.SequenceLength * VocabularySize];
        for (int b = 0; b < input.BatchSize; b++)
        {
            var row = tokens.AsSpan(b * input.SequenceLength, input.SequenceLength);
            for (int i = 0; i < input.SequenceLength; i++)
            {
                function(b, row, i, logits.AsSpan(((b * input.SequenceLength) + i) * VocabularySize, VocabularySize));
            }
        }

        return ValueTask.FromResult(new DenoiserOutput(logits, input.BatchSize, input.SequenceLength, VocabularySize));
    }

    public void Dispose()
    {
    }

    /// <summary>Logits giving probability <paramref name="p"/> to <paramref name="token"/> and the rest spread evenly.</summary>
    public static void Peaked(Span<float> logits, int token, double p)
    {
        float rest = (float)Math.Log((1 - p) / (logits.Length - 1));
        logits.Fill(rest);
        logits[token] = (float)Math.Log(p);
    }
}
