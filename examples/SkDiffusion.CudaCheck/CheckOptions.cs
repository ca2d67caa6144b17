using System.Globalization;

namespace SkDiffusion.CudaCheck;

/// <summary>Command-line options of the CUDA check.</summary>
internal sealed class CheckOptions
{
    private const string Usage = "Options: --package DIR --checkpoint DIR --out DIR --allow-cpu --runs N --timeout-minutes M --large HIDDENxLAYERS";

    /// <summary>The float32 package to check (default: the embedded model).</summary>
    public string? Package { get; set; }

    /// <summary>The Hugging Face checkpoint the float16 and int4 packages are built from (default: models/checkpoint).</summary>
    public string? Checkpoint { get; set; }

    /// <summary>Where the results table is written.</summary>
    public string Output { get; set; } = "cuda-check-results";

    /// <summary>Compare the CPU with itself when CUDA cannot load (to test this program on a machine without a GPU).</summary>
    public bool AllowCpu { get; set; }

    /// <summary>Timed runs per measurement (the median is reported).</summary>
    public int Runs { get; set; } = 20;

    /// <summary>The whole check stops after this long, writing what it has (exit code 3).</summary>
    public double TimeoutMinutes { get; set; } = 8;

    /// <summary>
    /// Hidden size and layers of the random LLaDA-shaped model timed beside the embedded one; <see langword="null"/>
    /// picks 1024x12 (155M parameters, the benchmarks' scaling model) under CUDA and 256x2 on the CPU.
    /// </summary>
    public (int Hidden, int Layers)? Large { get; set; }

    /// <summary>Parses <paramref name="args"/>.</summary>
    public static CheckOptions Parse(string[] args)
    {
        var o = new CheckOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            switch (args[i])
            {
                case "--package": o.Package = Next(); break;
                case "--checkpoint": o.Checkpoint = Next(); break;
                case "--out": o.Output = Next(); break;
                case "--allow-cpu": o.AllowCpu = true; break;
                case "--runs": o.Runs = Positive(args[i], Next()); break;
                case "--timeout-minutes": o.TimeoutMinutes = Positive(args[i], Next()); break;
                case "--large": o.Large = ParseSize(Next()); break;
                default: throw new ArgumentException($"Unknown option {args[i]}. {Usage}");
            }
        }

        return o;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new ArgumentException($"{name} takes a whole number above 0, not '{value}'.");

    private static (int, int) ParseSize(string value)
    {
        string[] parts = value.Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int hidden) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out int layers)
            && hidden >= 64 && hidden % 64 == 0 && layers > 0)
        {
            return (hidden, layers);
        }

        throw new ArgumentException($"--large takes HIDDENxLAYERS with HIDDEN a multiple of 64 (heads of 64), e.g. 1024x12; got '{value}'.");
    }
}
