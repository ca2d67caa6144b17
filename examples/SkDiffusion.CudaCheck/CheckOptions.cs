using System.CommandLine;
using SkDiffusion.Examples.Shared;

namespace SkDiffusion.CudaCheck;

/// <summary>Command-line options of the CUDA check.</summary>
internal sealed class CheckOptions
{
    private static readonly Option<string?> PackageOption = ExampleCommandLine.ExistingDirectory("--package", "The float32 package to check (default: the embedded model).");
    private static readonly Option<string?> CheckpointOption = ExampleCommandLine.ExistingDirectory("--checkpoint", "The Hugging Face checkpoint the float16 packages are built from (default: models/checkpoint).");
    private static readonly Option<string> OutputOption = new("--out") { Description = "Where the results table is written.", HelpName = "dir", DefaultValueFactory = _ => "cuda-check-results" };
    private static readonly Option<bool> AllowCpuOption = new("--allow-cpu") { Description = "Compare the CPU with itself when CUDA cannot load (to test this program without a GPU)." };
    private static readonly Option<int> RunsOption = ExampleCommandLine.Integer("--runs", 20, 1, "Timed runs per measurement.");

    /// <summary>The root command of the CUDA check (options only).</summary>
    public static RootCommand Command { get; } = new("The CUDA path end to end: load, logits parity with the CPU, the same generation, step times.")
    {
        PackageOption, CheckpointOption, OutputOption, AllowCpuOption, RunsOption,
    };

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

    /// <summary>The options of a parse result of <see cref="Command"/> without errors.</summary>
    public static CheckOptions From(ParseResult parsed) => new()
    {
        Package = parsed.GetValue(PackageOption),
        Checkpoint = parsed.GetValue(CheckpointOption),
        Output = parsed.GetValue(OutputOption) ?? "cuda-check-results",
        AllowCpu = parsed.GetValue(AllowCpuOption),
        Runs = parsed.GetValue(RunsOption),
    };
}
