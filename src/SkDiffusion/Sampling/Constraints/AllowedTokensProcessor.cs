using System.Buffers;

namespace SkDiffusion.Sampling.Constraints;

/// <summary>Keeps only an allowed set of tokens: every other logit becomes negative infinity.</summary>
public sealed class AllowedTokensProcessor : ILogitProcessor
{
    private readonly int[] _allowed;

    /// <summary>Creates the processor.</summary>
    /// <param name="allowedTokens">The allowed token ids (at least one).</param>
    public AllowedTokensProcessor(IEnumerable<int> allowedTokens)
    {
        ArgumentNullException.ThrowIfNull(allowedTokens);
        _allowed = [.. allowedTokens.Distinct().Order()];
        if (_allowed.Length == 0)
        {
            throw new ArgumentException("At least one token must be allowed.", nameof(allowedTokens));
        }

        if (_allowed[0] < 0)
        {
            throw new ArgumentException($"Token id {_allowed[0]} is negative.", nameof(allowedTokens));
        }
    }

    /// <summary>The allowed token ids, ascending.</summary>
    public IReadOnlyList<int> AllowedTokens => _allowed;

    /// <inheritdoc />
    public void Process(in LogitProcessorContext context, Span<float> logits)
    {
        float[] saved = ArrayPool<float>.Shared.Rent(_allowed.Length);
        try
        {
            Apply(logits, saved);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(saved);
        }
    }

    private void Apply(Span<float> logits, float[] saved)
    {
        for (int i = 0; i < _allowed.Length; i++)
        {
            int t = _allowed[i];
            saved[i] = t < logits.Length ? logits[t] : float.NegativeInfinity;
        }

        logits.Fill(float.NegativeInfinity);
        for (int i = 0; i < _allowed.Length; i++)
        {
            int t = _allowed[i];
            if (t < logits.Length)
            {
                logits[t] = saved[i];
            }
        }
    }
}
