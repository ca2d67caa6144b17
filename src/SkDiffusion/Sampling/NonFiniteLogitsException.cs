namespace SkDiffusion.Sampling;

/// <summary>
/// The denoiser returned a NaN or infinite logit at a position the sampler reads: the graph (or its weights) is broken,
/// and the run is stopped instead of decoding garbage. Names the model, the step, the row and the position.
/// </summary>
public sealed class NonFiniteLogitsException : SkDiffusionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="model">The model (package name) or denoiser type.</param>
    /// <param name="step">The sampling step (1-based).</param>
    /// <param name="row">The batch row of the denoiser output.</param>
    /// <param name="position">The canvas position.</param>
    /// <param name="value">The first non-finite value found.</param>
    public NonFiniteLogitsException(string model, int step, int row, int position, float value)
        : base($"The denoiser of model '{model}' returned a non-finite logit ({value}) at step {step}, row {row}, position {position}. The graph or its weights are broken (overflow in float16, corrupt weights or a hostile graph): rebuild the package with SkDiffusion.ModelBuilder or run it in float32.")
    {
        Model = model;
        Step = step;
        Row = row;
        Position = position;
    }

    /// <summary>The model (package name) or denoiser type.</summary>
    public string Model { get; }

    /// <summary>The sampling step (1-based) whose logits were not finite.</summary>
    public int Step { get; }

    /// <summary>The batch row of the denoiser output.</summary>
    public int Row { get; }

    /// <summary>The canvas position.</summary>
    public int Position { get; }
}
