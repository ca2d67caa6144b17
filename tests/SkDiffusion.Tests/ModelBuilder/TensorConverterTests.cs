using System.Runtime.InteropServices;
using Onnx;
using SkDiffusion.ModelBuilder.Graph;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>The float16 narrowing of weights (TensorPrimitives clamp + convert): saturation, rounding, every chunk.</summary>
public sealed class TensorConverterTests
{
    [Fact]
    public void HalfEmitSaturatesAndMatchesTheScalarCastAcrossChunks()
    {
        // More than one 65,536-element chunk, with values beyond the float16 range, subnormals and exact halfway cases.
        var random = new Random(5);
        float[] values = new float[70_001];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() - 0.5) * 300_000);
        }

        values[0] = 1e30f;
        values[1] = -1e30f;
        values[2] = float.PositiveInfinity;
        values[3] = float.NegativeInfinity;
        values[4] = 65504f;
        values[5] = 1e-7f;
        values[6] = 1.00048828125f; // halfway between two float16 values: rounds to even
        values[^1] = -70000f;

        using var writer = new WeightDataWriter(null);
        writer.BeginTensor();
        TensorConverter.Emit(values, half: true, writer);
        TensorProto tensor = writer.EndTensor("t", TensorProto.Types.DataType.Float16, [values.Length]);

        ReadOnlySpan<Half> written = MemoryMarshal.Cast<byte, Half>(tensor.RawData.Span);
        Assert.Equal(values.Length, written.Length);
        for (int i = 0; i < values.Length; i++)
        {
            Half expected = (Half)Math.Clamp(values[i], -65504f, 65504f);
            Assert.True(expected.Equals(written[i]), $"element {i}: {values[i]} -> {written[i]}, expected {expected}");
        }

        Assert.Equal(Half.MaxValue, written[0]);
        Assert.Equal(Half.MinValue, written[1]);
        Assert.Equal(Half.MaxValue, written[2]);
        Assert.Equal(Half.MinValue, written[3]);
    }

    [Fact]
    public void FloatEmitWritesTheValuesUnchanged()
    {
        float[] values = [1.5f, -2.25f, 1e30f, float.Epsilon];
        using var writer = new WeightDataWriter(null);
        writer.BeginTensor();
        TensorConverter.Emit(values, half: false, writer);
        TensorProto tensor = writer.EndTensor("t", TensorProto.Types.DataType.Float, [values.Length]);
        Assert.Equal(values, MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray());
    }
}
