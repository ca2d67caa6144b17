using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace SkDiffusion.ModelBuilder.Cli;

/// <summary>
/// The model builder's command line on System.CommandLine: the option definitions (with their validation and help
/// text), the root command, and the mapping of a parse result onto <see cref="PackageBuildOptions"/>.
/// </summary>
internal static class CommandLineParser
{
    /// <summary>The checkpoint folder (required).</summary>
    public static readonly Option<string> Checkpoint = new("--checkpoint")
    {
        Description = "Checkpoint folder: config.json, model.safetensors (or model.safetensors.index.json and shards), tokenizer.json (or vocab.json + merges.txt).",
        HelpName = "dir",
        Required = true,
    };

    /// <summary>The package folder to create (required).</summary>
    public static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "Package folder to create (must not exist or be empty unless --overwrite is given).",
        HelpName = "dir",
        Required = true,
    };

    /// <summary>The weight precision: fp32 (default), fp16 or int4.</summary>
    public static readonly Option<ModelPrecision> Precision = new("--precision")
    {
        Description = "Weight precision: fp32 (default), fp16, or int4 (MatMulNBits, block 32).",
        HelpName = "fp32|fp16|int4",
        DefaultValueFactory = _ => ModelPrecision.Float32,
        CustomParser = ParsePrecision,
    };

    /// <summary>With fp16: compute in float16.</summary>
    public static readonly Option<bool> Fp16Compute = new("--fp16-compute")
    {
        Description = "With --precision fp16: compute in float16 (float16 KV cache, half the GPU memory).",
    };

    /// <summary>Build a graph without past/present key-value tensors.</summary>
    public static readonly Option<bool> NoCache = new("--no-cache")
    {
        Description = "Build a graph without past/present key-value tensors.",
    };

    /// <summary>Build a graph that computes logits for every position.</summary>
    public static readonly Option<bool> AllLogits = new("--all-logits")
    {
        Description = "Build a graph that computes logits for every position (no logits_positions input).",
    };

    /// <summary>A Triton model repository to write the built graph into, or null.</summary>
    public static readonly Option<string?> TritonRepository = new("--triton-repository")
    {
        Description = "Also write a Triton model repository entry: <name>/1/model.onnx (+ data) and config.pbtxt.",
        HelpName = "dir",
    };

    /// <summary>Write attention, rotary and residual norms as plain ONNX ops instead of ONNX Runtime's fused kernels.</summary>
    public static readonly Option<bool> Unfused = new("--unfused")
    {
        Description = "Write attention, rotary and residual norms as plain ONNX ops (no fused com.microsoft kernels), for comparison.",
    };

    /// <summary>The model name written to manifest.json.</summary>
    public static readonly Option<string?> Name = new("--name")
    {
        Description = "Model name written to manifest.json (default: config _name_or_path or the folder name).",
        HelpName = "name",
    };

    /// <summary>The largest past plus current length the graph accepts.</summary>
    public static readonly Option<int?> ContextLength = new("--context-length")
    {
        Description = "Largest past + current length the graph accepts (default: from config.json).",
        HelpName = "n",
        CustomParser = ParseContextLength,
    };

    /// <summary>Replace a non-empty output folder.</summary>
    public static readonly Option<bool> Overwrite = new("--overwrite")
    {
        Description = "Replace a non-empty output folder.",
    };

    /// <summary>Print only errors and the final line.</summary>
    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "Print only errors and the final line.",
    };

    /// <summary>
    /// Creates the root command (the options above and the cross-option rules). The action is set by
    /// <see cref="CommandLineApplication"/>; a command without one only parses.
    /// </summary>
    public static RootCommand CreateCommand()
    {
        var command = new RootCommand("SkDiffusion.ModelBuilder: converts a Hugging Face LLaDA or Dream checkpoint into a SkDiffusion model package.")
        {
            Checkpoint, Output, Precision, Fp16Compute, NoCache, AllLogits, Unfused, TritonRepository, Name, ContextLength, Overwrite, Quiet,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(Fp16Compute) && result.GetValue(Precision) != ModelPrecision.Float16)
            {
                result.AddError("--fp16-compute needs --precision fp16.");
            }
        });
        return command;
    }

    /// <summary>Parses <paramref name="args"/> with a fresh root command (no action).</summary>
    public static ParseResult Parse(IReadOnlyList<string> args) => CreateCommand().Parse(args);

    /// <summary>The build options of a parse result without errors.</summary>
    public static PackageBuildOptions ToOptions(ParseResult result) => new()
    {
        CheckpointDirectory = result.GetRequiredValue(Checkpoint),
        OutputDirectory = result.GetRequiredValue(Output),
        Precision = result.GetValue(Precision),
        ComputeInFloat16 = result.GetValue(Fp16Compute),
        IncludeCache = !result.GetValue(NoCache),
        LogitsPositions = !result.GetValue(AllLogits),
        FusedGraph = !result.GetValue(Unfused),
        Name = result.GetValue(Name),
        ContextLength = result.GetValue(ContextLength),
        Overwrite = result.GetValue(Overwrite),
    };

    private static ModelPrecision ParsePrecision(ArgumentResult result)
    {
        string value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        switch (value.ToUpperInvariant())
        {
            case "FP32" or "FLOAT32":
                return ModelPrecision.Float32;
            case "FP16" or "FLOAT16":
                return ModelPrecision.Float16;
            case "INT4":
                return ModelPrecision.Int4;
            default:
                result.AddError($"--precision must be fp32, fp16 or int4, not '{value}'.");
                return default;
        }
    }

    private static int? ParseContextLength(ArgumentResult result)
    {
        string value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
        {
            return n;
        }

        result.AddError($"--context-length must be a positive integer, not '{value}'.");
        return null;
    }
}
