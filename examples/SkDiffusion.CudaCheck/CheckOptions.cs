namespace SkDiffusion.CudaCheck;

/// <summary>Command-line options of the CUDA check.</summary>
internal sealed class CheckOptions
{
    /// <summary>The float32 package to check (default: the embedded model).</summary>
    public string? Package { get; set; }

    /// <summary>The Hugging Face checkpoint the float16 packages are built from (default: models/checkpoint).</summary>
    public string? Checkpoint { get; set; }

    /// <summary>Where the results table is written.</summary>
    public string Output { get; set; } = "cuda-check-results";

    /// <summary>Compare the CPU with itself when CUDA cannot load (to test this program on a machine without a GPU).</summary>
    public bool AllowCpu { get; set; }

    /// <summary>Timed runs per measurement.</summary>
    public int Runs { get; set; } = 20;

    /// <summary>Parses <paramref name="args"/>.</summary>
    public static CheckOptions Parse(string[] args)
    {
        var o = new CheckOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--package": o.Package = Next(); break;
                case "--checkpoint": o.Checkpoint = Next(); break;
                case "--out": o.Output = Next(); break;
                case "--allow-cpu": o.AllowCpu = true; break;
                case "--runs": o.Runs = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option {args[i]}. Options: --package DIR --checkpoint DIR --out DIR --allow-cpu --runs N");
            }
        }

        return o;
    }
}
