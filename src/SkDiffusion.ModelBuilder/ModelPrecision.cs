namespace SkDiffusion.ModelBuilder;

/// <summary>The precision the package stores its weights in.</summary>
public enum ModelPrecision
{
    /// <summary>32-bit floats (manifest dtype <c>float32</c>).</summary>
    Float32,

    /// <summary>16-bit floats (manifest dtype <c>float16</c>); the graph computes in float32.</summary>
    Float16,

    /// <summary>
    /// 4-bit block-quantized projections and head (manifest dtype <c>int4</c>): ONNX Runtime <c>com.microsoft.MatMulNBits</c>,
    /// blocks of 32 with a float32 scale and a 4-bit zero point each; the embedding is float16, norms and biases float32.
    /// </summary>
    Int4,
}
