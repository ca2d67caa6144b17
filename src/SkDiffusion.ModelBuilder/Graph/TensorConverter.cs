using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SkDiffusion.ModelBuilder.Checkpoints;

namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>Converts checkpoint tensors (F32/F16/BF16) to float32 or float16 weight bytes, optionally transposed, in bounded chunks.</summary>
internal static unsafe class TensorConverter
{
    private const int ChunkElements = 4 << 20;

    /// <summary>Converts <paramref name="destination"/>.Length elements starting at <paramref name="source"/> to float32.</summary>
    public static void ToFloat(byte* source, SafetensorsDType dtype, Span<float> destination)
    {
        switch (dtype)
        {
            case SafetensorsDType.F32:
                new ReadOnlySpan<float>(source, destination.Length).CopyTo(destination);
                break;
            case SafetensorsDType.F16:
                // TensorPrimitives: 7x the scalar loop (Benchmarks --primitives).
                TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(source, destination.Length), destination);
                break;
            case SafetensorsDType.BF16:
                var raw = new ReadOnlySpan<ushort>(source, destination.Length);
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype));
        }
    }

    /// <summary>
    /// Writes a tensor of <paramref name="rows"/> x <paramref name="cols"/> elements (a vector is one row) to <paramref name="writer"/>,
    /// as <c>[cols, rows]</c> when <paramref name="transpose"/> is set, in float16 when <paramref name="half"/> is set.
    /// Memory use is bounded by the chunk size, not the tensor size.
    /// </summary>
    public static void Write(byte* source, SafetensorsDType dtype, long rows, long cols, bool transpose, bool half, WeightDataWriter writer)
    {
        int elementSize = SafetensorsTensorInfo.ElementSize(dtype);
        if (!transpose)
        {
            long total = rows * cols;
            var buffer = new float[(int)Math.Min(total, ChunkElements)];
            for (long start = 0; start < total; start += buffer.Length)
            {
                int count = (int)Math.Min(buffer.Length, total - start);
                var span = buffer.AsSpan(0, count);
                ToFloat(source + (start * elementSize), dtype, span);
                Emit(span, half, writer);
            }

            return;
        }

        // Target row c holds source column c. Build blocks of target rows, reading each source row segment contiguously.
        int blockRows = (int)Math.Clamp(ChunkElements / Math.Max(rows, 1), 1, cols);
        var block = new float[checked((int)(blockRows * rows))];
        var segment = new float[blockRows];
        for (long c0 = 0; c0 < cols; c0 += blockRows)
        {
            int bc = (int)Math.Min(blockRows, cols - c0);
            for (long r = 0; r < rows; r++)
            {
                var seg = segment.AsSpan(0, bc);
                ToFloat(source + (((r * cols) + c0) * elementSize), dtype, seg);
                for (int j = 0; j < bc; j++)
                {
                    block[(j * rows) + r] = seg[j];
                }
            }

            Emit(block.AsSpan(0, (int)(bc * rows)), half, writer);
        }
    }

    /// <summary>Writes float32 values to <paramref name="writer"/>, converting to float16 (saturating at ±65504) when <paramref name="half"/> is set.</summary>
    public static void Emit(ReadOnlySpan<float> values, bool half, WeightDataWriter writer)
    {
        if (!half)
        {
            writer.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        const int step = 1 << 16;
        Span<Half> buffer = new Half[Math.Min(step, values.Length)];
        Span<float> clamped = new float[buffer.Length];
        for (int start = 0; start < values.Length; start += step)
        {
            int count = Math.Min(step, values.Length - start);

            // Saturate instead of overflowing to infinity (bfloat16 checkpoints can exceed the float16 range).
            // TensorPrimitives clamp + convert: 5x the scalar loop (Benchmarks --primitives).
            TensorPrimitives.Clamp(values.Slice(start, count), -65504f, 65504f, clamped[..count]);
            TensorPrimitives.ConvertToHalf(clamped[..count], buffer[..count]);
            writer.Write(MemoryMarshal.AsBytes(buffer[..count]));
        }
    }

    /// <summary>The size of a float (for callers computing byte totals).</summary>
    public static int FloatSize(bool half) => half ? Unsafe.SizeOf<Half>() : sizeof(float);
}
