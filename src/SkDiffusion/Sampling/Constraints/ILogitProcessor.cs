namespace SkDiffusion.Sampling.Constraints;

/// <summary>
/// Rewrites the logits of one masked position before scoring and sampling (e.g. allow only digits). Set a logit to
/// <see cref="float.NegativeInfinity"/> to forbid a token. Processors run on a private copy of the logits, after
/// classifier-free guidance and before EOS suppression, top-k and top-p.
/// </summary>
public interface ILogitProcessor
{
    /// <summary>Processes the logits of one position in place.</summary>
    /// <param name="context">The row, position, slot and step.</param>
    /// <param name="logits">The position's logits (one per vocabulary entry).</param>
    void Process(in LogitProcessorContext context, Span<float> logits);
}
