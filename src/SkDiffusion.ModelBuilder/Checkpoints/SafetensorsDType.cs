namespace SkDiffusion.ModelBuilder.Checkpoints;

/// <summary>The element types a safetensors file may hold that the builder reads.</summary>
internal enum SafetensorsDType
{
    /// <summary>IEEE 754 32-bit float.</summary>
    F32,

    /// <summary>IEEE 754 16-bit float.</summary>
    F16,

    /// <summary>bfloat16 (upper half of a float32).</summary>
    BF16,
}
