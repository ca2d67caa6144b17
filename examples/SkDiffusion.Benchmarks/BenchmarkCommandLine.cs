using System.CommandLine;
using SkDiffusion.Examples.Shared;

namespace SkDiffusion.Benchmarks;

/// <summary>The benchmarks' command line: the options of every table and the root command.</summary>
internal static class BenchmarkCommandLine
{
    /// <summary>Run the grammar-constrained decoding cost table.</summary>
    public static readonly Option<bool> Grammar = new("--grammar") { Description = "Grammar-constrained decoding cost instead of the strategy table." };

    /// <summary>Run the cost-versus-size-and-length table.</summary>
    public static readonly Option<bool> Scaling = new("--scaling") { Description = "Step cost vs. model size and answer length instead of the strategy table." };

    /// <summary>Run the hand-loop versus TensorPrimitives table.</summary>
    public static readonly Option<bool> Primitives = new("--primitives") { Description = "Hand loops vs. TensorPrimitives (float16 conversion, argmax, max) instead of the strategy table." };

    /// <summary>Run the fused-versus-plain graph table.</summary>
    public static readonly Option<bool> Graph = new("--graph") { Description = "Fused vs. plain graph of the 155M random model, PyTorch and the FLOP floor, instead of the strategy table." };

    /// <summary>Canvas lengths of --graph.</summary>
    public static readonly Option<int[]> Canvases = ExampleCommandLine.PositiveIntegers("--canvases", [128, 256, 512, 1024], "--graph: canvas lengths.");

    /// <summary>Thread counts of --graph.</summary>
    public static readonly Option<int[]> ThreadCounts = ExampleCommandLine.PositiveIntegers("--thread-counts", [1, 2], "--graph: ONNX Runtime intra-op thread counts.");

    /// <summary>Repeats at canvas 1,024 in --graph.</summary>
    public static readonly Option<int> LongRepeats = ExampleCommandLine.Integer("--repeats-1024", 1, 1, "--graph: timed repeats at canvas 1,024.");

    /// <summary>Canvas lengths PyTorch is timed at in --graph.</summary>
    public static readonly Option<int[]> TorchCanvases = ExampleCommandLine.PositiveIntegers("--torch-canvases", [128, 256, 512], "--graph: canvas lengths PyTorch's reference forward is timed at.");

    /// <summary>PyTorch repeats in --graph.</summary>
    public static readonly Option<int> TorchRepeats = ExampleCommandLine.Integer("--torch-repeats", 1, 1, "--graph: timed repeats of PyTorch's reference forward.");

    /// <summary>Skip PyTorch in --graph.</summary>
    public static readonly Option<bool> NoTorch = new("--no-torch") { Description = "--graph: do not time PyTorch's reference forward." };

    /// <summary>Canvas of the --graph profile (0: no profile).</summary>
    public static readonly Option<int> ProfileCanvas = ExampleCommandLine.Integer("--profile-canvas", 0, 0, "--graph: also profile one pass of each graph at this canvas (first thread count) and print per-op-type totals (0: no profile).");

    /// <summary>Run the local-versus-loopback-server table.</summary>
    public static readonly Option<bool> Remote = new("--remote") { Description = "Per-step ms of the embedded model, local vs. a loopback Open Inference Protocol server, instead of the strategy table." };

    /// <summary>Timed steps per row of --remote.</summary>
    public static readonly Option<int> Iterations = ExampleCommandLine.Integer("--iterations", 100, 1, "--remote: timed steps per row.");

    /// <summary>Run the trailing-EOS commit table.</summary>
    public static readonly Option<bool> EosRun = new("--eos-run") { Description = "The trailing-EOS commit (trailing_eos_threshold) against the default through the public paths, instead of the strategy table." };

    /// <summary>Skip the concurrent-requests table.</summary>
    public static readonly Option<bool> NoConcurrency = new("--no-concurrency") { Description = "Skip the concurrent-requests table." };

    /// <summary>Examples per task.</summary>
    public static readonly Option<int> Limit = ExampleCommandLine.Integer("--limit", 30, 1, "Examples per task.");

    /// <summary>ONNX Runtime intra-op threads (0 = the runtime's default).</summary>
    public static readonly Option<int> Threads = ExampleCommandLine.Integer("--threads", 1, 0, "ONNX Runtime intra-op threads (0 = the runtime's default).");

    /// <summary>The model package folder (default: the embedded model).</summary>
    public static readonly Option<string?> Package = ExampleCommandLine.ExistingDirectory("--package", "Model package folder (default: the embedded model).");

    /// <summary>The held-out JSONL file (default: heldout.jsonl next to the program).</summary>
    public static readonly Option<string?> HeldOut = ExampleCommandLine.ExistingFile("--heldout", "Held-out JSONL file (default: heldout.jsonl next to the program).");

    /// <summary>Timed repeats per measurement (default: 2 for --scaling, 5 for --grammar, 200 for --primitives).</summary>
    public static readonly Option<int?> Repeats = ExampleCommandLine.OptionalInteger("--repeats", 1, "Timed repeats per measurement (default: 2 for --scaling, 5 for --grammar, 200 for --primitives, 3 for --graph).");

    /// <summary>Hidden size of the random model of --scaling.</summary>
    public static readonly Option<int> Hidden = ExampleCommandLine.Integer("--hidden", 1024, 64, "--scaling: hidden size of the random model (a multiple of 64).");

    /// <summary>Layers of the random model of --scaling.</summary>
    public static readonly Option<int> Layers = ExampleCommandLine.Integer("--layers", 12, 1, "--scaling: layers of the random model.");

    /// <summary>MLP size of the random model of --scaling.</summary>
    public static readonly Option<int> Mlp = ExampleCommandLine.Integer("--mlp", 2816, 1, "--scaling: MLP size of the random model.");

    /// <summary>Answer lengths of --scaling.</summary>
    public static readonly Option<int[]> Lengths = ExampleCommandLine.PositiveIntegers("--lengths", [64, 128, 256, 512], "--scaling: answer lengths.");

    /// <summary>Work folder of --scaling (the random checkpoint and package).</summary>
    public static readonly Option<string?> Work = new("--work") { Description = "--scaling and --graph: work folder for the random checkpoint and packages (default: a folder under the temp path).", HelpName = "dir" };

    /// <summary>The root command: the options and the rules between them (one table at a time, --hidden a multiple of 64).</summary>
    public static RootCommand Command { get; } = Create();

    private static RootCommand Create()
    {
        var command = new RootCommand("Speed benchmarks of the sampler on the embedded model (default: the strategy table).")
        {
            Grammar, Scaling, Primitives, Graph, Remote, EosRun, Iterations, Canvases, ThreadCounts, LongRepeats, TorchCanvases, TorchRepeats, NoTorch, ProfileCanvas, NoConcurrency, Limit, Threads, Package, HeldOut, Repeats, Hidden, Layers, Mlp, Lengths, Work,
        };
        command.Validators.Add(result =>
        {
            int tables = (result.GetValue(Grammar) ? 1 : 0) + (result.GetValue(Scaling) ? 1 : 0) + (result.GetValue(Primitives) ? 1 : 0) + (result.GetValue(Graph) ? 1 : 0) + (result.GetValue(Remote) ? 1 : 0) + (result.GetValue(EosRun) ? 1 : 0);
            if (tables > 1)
            {
                result.AddError("--grammar, --scaling, --primitives, --graph, --remote and --eos-run each choose a table: give at most one.");
            }

            if (result.GetValue(Hidden) % 64 != 0)
            {
                result.AddError($"--hidden must be a multiple of 64 (the head size), not {result.GetValue(Hidden)}.");
            }
        });
        return command;
    }
}
