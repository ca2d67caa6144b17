namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>One safetensors tensor in tests: dtype code (F32/F16/BF16), shape and raw little-endian bytes.</summary>
internal sealed record TestTensor(string DType, long[] Shape, byte[] Data);
