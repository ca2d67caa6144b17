using System.Globalization;

namespace SkDiffusion.ModelBuilder.Cli;

/// <summary>Parses the model builder's command line.</summary>
internal static class CommandLineParser
{
    /// <summary>The text printed by <c>--help</c>.</summary>
    public const string Usage =
        """
        SkDiffusion.ModelBuilder: converts a Hugging Face LLaDA or Dream checkpoint into a SkDiffusion model package.

        Usage:
          SkDiffusion.ModelBuilder --checkpoint <dir> --output <dir> [options]

        Options:
          --checkpoint <dir>      checkpoint folder: config.json, model.safetensors (or model.safetensors.index.json
                                  and shards), tokenizer.json (or vocab.json + merges.txt)
          --output <dir>          package folder to create (must not exist or be empty)
          --precision <p>         weight precision: fp32 (default), fp16, or int4 (MatMulNBits, block 32)
          --fp16-compute          with --precision fp16: compute in float16 (float16 KV cache, half the GPU memory)
          --no-cache              build a graph without past/present key-value tensors
          --all-logits            build a graph that computes logits for every position (no logits_positions input)
          --name <name>           model name written to manifest.json (default: config _name_or_path or folder name)
          --context-length <n>    largest past + current length the graph accepts (default: from config.json)
          --overwrite             replace a non-empty output folder
          --quiet                 print only errors and the final line
          --triton-repository <dir>  also write a Triton model repository: <name>/1/model.onnx (+ data), config.pbtxt
          --help                  show this text
        """;

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <exception cref="CommandLineException">An unknown option, a missing value or a missing required option.</exception>
    public static CommandLineArguments Parse(IReadOnlyList<string> args)
    {
        var options = new PackageBuildOptions();
        bool quiet = false;
        string? checkpoint = null, output = null, triton = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? inlineValue = null;
            int equals = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inlineValue = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new CommandLineException($"{arg} needs a value.");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "--help" or "-h" or "-?":
                    return new CommandLineArguments { ShowHelp = true };
                case "--checkpoint":
                    checkpoint = Value();
                    break;
                case "--output":
                    output = Value();
                    break;
                case "--precision":
                    string precision = Value();
                    options.Precision = precision.ToLowerInvariant() switch
                    {
                        "fp32" or "float32" => ModelPrecision.Float32,
                        "fp16" or "float16" => ModelPrecision.Float16,
                        "int4" => ModelPrecision.Int4,
                        _ => throw new CommandLineException($"--precision must be fp32, fp16 or int4, not '{precision}'."),
                    };
                    break;
                case "--fp16-compute":
                    options.ComputeInFloat16 = true;
                    break;
                case "--all-logits":
                    options.LogitsPositions = false;
                    break;
                case "--no-cache":
                    options.IncludeCache = false;
                    break;
                case "--name":
                    options.Name = Value();
                    break;
                case "--context-length":
                    string length = Value();
                    options.ContextLength = int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
                        ? n
                        : throw new CommandLineException($"--context-length must be a positive integer, not '{length}'.");
                    break;
                case "--overwrite":
                    options.Overwrite = true;
                    break;
                case "--quiet":
                    quiet = true;
                    break;
                case "--triton-repository":
                    triton = Value();
                    break;
                default:
                    throw new CommandLineException($"unknown option '{args[i]}' (see --help).");
            }
        }

        if (checkpoint is null || output is null)
        {
            throw new CommandLineException("--checkpoint and --output are required (see --help).");
        }

        options.CheckpointDirectory = checkpoint;
        options.OutputDirectory = output;
        return new CommandLineArguments { Options = options, Quiet = quiet, TritonRepository = triton };
    }
}
