namespace SkDiffusion.Sampling.Constraints;

/// <summary>Forbids a set of tokens: their logits become negative infinity.</summary>
public sealed class DeniedTokensProcessor : ILogitProcessor
{
    private readonly int[] _denied;

    /// <summary>Creates the processor.</summary>
    /// <param name="deniedTokens">The forbidden token ids.</param>
    public DeniedTokensProcessor(IEnumerable<int> deniedTokens)
    {
        ArgumentNullException.ThrowIfNull(deniedTokens);
        _denied = [.. deniedTokens.Distinct().Order()];
        if (_denied.Length > 0 && _denied[0] < 0)
        {
            throw new ArgumentException($"Token id {_denied[0]} is negative.", nameof(deniedTokens));
        }
    }

    /// <summary>The denied token ids, ascending.</summary>
    public IReadOnlyList<int> DeniedTokens => _denied;

    /// <inheritdoc />
    public void Process(in LogitProcessorContext context, Span<float> logits)
    {
        foreach (int t in _denied)
        {
            if (t < logits.Length)
            {
                logits[t] = float.NegativeInfinity;
            }
        }
    }
}
