namespace SkDiffusion.CudaCheck;

/// <summary>
/// How far two providers' logits may differ: the largest and the mean absolute difference relative to the largest
/// |logit| (at least 1), and the share of positions whose top token must agree.
/// </summary>
internal sealed record Tolerance(double MaxRelative, double MeanRelative, double MinArgmaxAgreement)
{
    /// <summary>float32 with TF32 matrix products allowed (about 1e-3 relative error per product).</summary>
    public static Tolerance Float32 { get; } = new(1e-2, 1e-3, 0.99);

    /// <summary>float32 without TF32, and runs of one provider that must agree (concurrency).</summary>
    public static Tolerance Strict { get; } = new(1e-3, 1e-4, 0.99);

    /// <summary>float16 weights or compute, and int4 weights, against a reference of the same or higher precision.</summary>
    public static Tolerance Reduced { get; } = new(3e-2, 5e-3, 0.95);
}
