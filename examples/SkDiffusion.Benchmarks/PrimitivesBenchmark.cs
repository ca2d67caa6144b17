using System.CommandLine;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace SkDiffusion.Benchmarks;

/// <summary>
/// Hand loops against <see cref="TensorPrimitives"/> for the inner loops that have a primitive: the model builder's
/// float16 conversions (widening a float16 checkpoint, narrowing with saturation at ±65504) and the sampler's argmax and
/// maximum over a vocabulary row. Each row times both on the same data (median of the repeats) and checks they agree.
/// </summary>
internal static class PrimitivesBenchmark
{
    private const int LladaVocabulary = 126_464;
    private const int ChunkElements = 1 << 16;

    public static void Run(ParseResult parsed)
    {
        int repeats = parsed.GetValue(BenchmarkCommandLine.Repeats) ?? 200;
        var random = new Random(11);
        float[] row = new float[LladaVocabulary];
        for (int i = 0; i < row.Length; i++)
        {
            row[i] = (float)((random.NextDouble() * 30) - 15);
        }

        float[] wide = new float[ChunkElements];
        for (int i = 0; i < wide.Length; i++)
        {
            // Some values beyond the float16 range, as in bfloat16 checkpoints.
            wide[i] = (float)((random.NextDouble() - 0.5) * 200_000);
        }

        Half[] halves = new Half[ChunkElements];
        for (int i = 0; i < halves.Length; i++)
        {
            halves[i] = (Half)((random.NextDouble() - 0.5) * 100);
        }

        float[] clamped = new float[ChunkElements];
        Half[] narrowHand = new Half[ChunkElements];
        Half[] narrowPrimitive = new Half[ChunkElements];
        float[] widenHand = new float[ChunkElements];
        float[] widenPrimitive = new float[ChunkElements];

        var rows = new List<(string Operation, int Size, double Hand, double Primitive, bool Same)>();
        int handIndex = 0, primitiveIndex = 0;
        rows.Add(("argmax (sampler, greedy)", row.Length,
            Median(() => handIndex = HandArgMax(row), repeats),
            Median(() => primitiveIndex = TensorPrimitives.IndexOfMax(row), repeats),
            handIndex == primitiveIndex));
        float handMax = 0, primitiveMax = 0;
        rows.Add(("max, Vector256 loop (sampler statistics)", row.Length,
            Median(() => handMax = HandVectorMax(row), repeats),
            Median(() => primitiveMax = TensorPrimitives.Max(row), repeats),
            handMax == primitiveMax));
        rows.Add(("max, scalar loop (sampler top-p)", row.Length,
            Median(() => handMax = HandScalarMax(row), repeats),
            Median(() => primitiveMax = TensorPrimitives.Max(row), repeats),
            handMax == primitiveMax));
        rows.Add(("float16 -> float32 (builder, F16 checkpoint)", ChunkElements,
            Median(() => HandWiden(halves, widenHand), repeats),
            Median(() => TensorPrimitives.ConvertToSingle(halves, widenPrimitive), repeats),
            widenHand.AsSpan().SequenceEqual(widenPrimitive)));
        rows.Add(("float32 -> float16, saturating (builder, fp16 package)", ChunkElements,
            Median(() => HandNarrow(wide, narrowHand), repeats),
            Median(() =>
            {
                TensorPrimitives.Clamp(wide, -65504f, 65504f, clamped);
                TensorPrimitives.ConvertToHalf(clamped, narrowPrimitive);
            }, repeats),
            narrowHand.AsSpan().SequenceEqual(narrowPrimitive)));

        Console.WriteLine($"CPU, {Environment.ProcessorCount} cores, Vector256 hardware-accelerated: {Vector256.IsHardwareAccelerated}; median of {repeats} runs each");
        Console.WriteLine($"| {"operation",-55} | {"elements",8} | {"hand loop us",12} | {"TensorPrimitives us",19} | {"speedup",7} | {"same result",11} |");
        Console.WriteLine($"|{new string('-', 57)}|{new string('-', 10)}|{new string('-', 14)}|{new string('-', 21)}|{new string('-', 9)}|{new string('-', 13)}|");
        foreach (var (operation, size, hand, primitive, same) in rows)
        {
            Console.WriteLine($"| {operation,-55} | {size,8} | {hand,12:F1} | {primitive,19:F1} | {hand / primitive,6:F2}x | {(same ? "yes" : "NO"),11} |");
        }
    }

    /// <summary>Median microseconds of <paramref name="action"/> over <paramref name="repeats"/> timed runs after a warm-up.</summary>
    private static double Median(Action action, int repeats)
    {
        for (int i = 0; i < Math.Max(3, repeats / 10); i++)
        {
            action();
        }

        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(times);
        return times[repeats / 2];
    }

    // The hand loops below are the forms the library used before TensorPrimitives, kept here as the baseline.
    private static int HandArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        float max = x[0];
        for (int v = 1; v < x.Length; v++)
        {
            if (x[v] > max)
            {
                max = x[v];
                best = v;
            }
        }

        return best;
    }

    private static float HandVectorMax(ReadOnlySpan<float> x)
    {
        var m = Vector256.Create(float.NegativeInfinity);
        int i = 0;
        for (; i <= x.Length - 8; i += 8)
        {
            m = Vector256.Max(m, Vector256.Create(x.Slice(i, 8)));
        }

        float max = float.NegativeInfinity;
        for (int k = 0; k < 8; k++)
        {
            max = Math.Max(max, m[k]);
        }

        for (; i < x.Length; i++)
        {
            max = Math.Max(max, x[i]);
        }

        return max;
    }

    private static float HandScalarMax(ReadOnlySpan<float> x)
    {
        float max = float.NegativeInfinity;
        foreach (float l in x)
        {
            max = Math.Max(max, l);
        }

        return max;
    }

    private static void HandWiden(ReadOnlySpan<Half> source, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)source[i];
        }
    }

    private static void HandNarrow(ReadOnlySpan<float> source, Span<Half> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (Half)Math.Clamp(source[i], -65504f, 65504f);
        }
    }
}
