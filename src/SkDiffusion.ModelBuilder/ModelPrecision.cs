namespace SkDiffusion.ModelBuilder;

/// <summary>The precision the package stores its weights in.</summary>
public enum ModelPrecision
{
    /// <summary>32-bit floats (manifest dtype <c>float32</c>).</summary>
    Float32,

    /// <summary>16-bit floats (manifest dtype <c>float16</c>); the graph computes in float32.</summary>
    Float16,

    /// <summary>4-bit block-quantized weights (manifest dtype <c>int4</c>); not implemented yet.</summary>
    Int4,
}
