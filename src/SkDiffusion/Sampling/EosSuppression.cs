namespace SkDiffusion.Sampling;

/// <summary>How EOS and EoT are held back in answer positions.</summary>
public enum EosSuppression
{
    /// <summary>No suppression.</summary>
    None,

    /// <summary>
    /// LLaDA's <c>logits_eos_inf</c>: the EOS logit is set to negative infinity, so EOS is never produced (EoT still
    /// can be).
    /// </summary>
    Logits,

    /// <summary>
    /// LLaDA's <c>confidence_eos_eot_inf</c>: EOS and EoT may be produced, but every position's score is computed from
    /// the distribution with EOS and EoT removed (renormalised), and a position whose chosen token is EOS or EoT scores
    /// 0 (its probability there). Such positions rank after every other one and are committed only when the schedule
    /// needs them (threshold rules: only as a block's top-1).
    /// </summary>
    Confidence,
}
