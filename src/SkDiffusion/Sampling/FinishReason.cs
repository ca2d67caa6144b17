namespace SkDiffusion.Sampling;

/// <summary>Why sampling of a row (or a whole run) ended.</summary>
public enum FinishReason
{
    /// <summary>Every mask was decoded and the answer holds no EOS/EoT.</summary>
    Completed,

    /// <summary>Every mask was decoded (or filled by the EOS early stop) and the answer holds an EOS/EoT.</summary>
    Eos,

    /// <summary>The cancellation token fired; masks may remain (they hold the mask id).</summary>
    Cancelled,
}
