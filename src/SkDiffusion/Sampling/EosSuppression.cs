namespace SkDiffusion.Sampling;

/// <summary>How EOS and EoT are held back in answer positions.</summary>
public enum EosSuppression
{
    /// <summary>No suppression.</summary>
    None,

    /// <summary>EOS and EoT logits are set to negative infinity: they are never produced.</summary>
    Logits,

    /// <summary>
    /// EOS and EoT may be produced, but a position whose chosen token is one of them gets the score negative infinity,
    /// so it is ranked last and committed only when the schedule needs it (threshold rules: only as a block's
    /// top-1 when nothing else is left).
    /// </summary>
    Confidence,
}
