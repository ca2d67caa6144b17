using System.CommandLine;
using System.Globalization;
using SkDiffusion.Examples.Shared;

namespace SkDiffusion.CudaCheck;

/// <summary>Command-line options of the CUDA check.</summary>
internal sealed class CheckOptions
{
    private static readonly Option<string?> PackageOption = ExampleCommandLine.ExistingDirectory("--package", "The float32 package to check (default: the embedded model).");
    private static readonly Option<string?> CheckpointOption = ExampleCommandLine.ExistingDirectory("--checkpoint", "The Hugging Face checkpoint the float16 packages are built from (default: models/checkpoint).");
    private static readonly Option<string> OutputOption = new("--out") { Description = "Where the results table is written.", HelpName = "dir", DefaultValueFactory = _ => "cuda-check-results" };
    private static readonly Option<bool> AllowCpuOption = new("--allow-cpu") { Description = "Compare the CPU with itself when CUDA cannot load (to test this program without a GPU)." };
    private static readonly Option<int> RunsOption = ExampleCommandLine.Integer("--runs", 20, 1, "Timed runs per measurement (the median is reported).");
    private static readonly Option<int> TimeoutOption = ExampleCommandLine.Integer("--timeout-minutes", 8, 1, "The whole check stops after this long, writing what it has (exit code 3).");
    private static readonly Option<(int Hidden, int Layers)?> LargeOption = new("--large")
    {
        Description = "HIDDENxLAYERS of the random LLaDA-shaped model timed beside the embedded one (default 1024x12 under CUDA, 256x2 on the CPU).",
        HelpName = "HIDDENxLAYERS",
        CustomParser = result =>
        {
            string value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            string[] parts = value.Split('x');
            if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int hidden) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out int layers)
                && hidden >= 64 && hidden % 64 == 0 && layers > 0)
            {
                return (hidden, layers);
            }

            result.AddError($"--large takes HIDDENxLAYERS with HIDDEN a multiple of 64 (heads of 64), e.g. 1024x12; got '{value}'.");
            return null;
        },
    };

    /// <summary>The root command of the CUDA check (options only).</summary>
    public static RootCommand Command { get; } = new("The CUDA path end to end: load, placement, logits parity with the CPU, the same generation, caches, concurrency, step times.")
    {
        PackageOption, CheckpointOption, OutputOption, AllowCpuOption, RunsOption, TimeoutOption, LargeOption,
    };

    /// <summary>The float32 package to check (default: the embedded model).</summary>
    public string? Package { get; set; }

    /// <summary>The Hugging Face checkpoint the float16 packages are built from (default: models/checkpoint).</summary>
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

    /// <summary>The options of a parse result of <see cref="Command"/> without errors.</summary>
    public static CheckOptions From(ParseResult parsed) => new()
    {
        Package = parsed.GetValue(PackageOption),
        Checkpoint = parsed.GetValue(CheckpointOption),
        Output = parsed.GetValue(OutputOption) ?? "cuda-check-results",
        AllowCpu = parsed.GetValue(AllowCpuOption),
        Runs = parsed.GetValue(RunsOption),
        TimeoutMinutes = parsed.GetValue(TimeoutOption),
        Large = parsed.GetValue(LargeOption),
    };
}
