using System.CommandLine;
using SkDiffusion.Examples.Shared;

namespace SkDiffusion.Evaluation;

/// <summary>The evaluation's command line: the options and the root command.</summary>
internal static class EvaluationCommandLine
{
    /// <summary>The model package folder (default: the embedded model).</summary>
    public static readonly Option<string?> Package = ExampleCommandLine.ExistingDirectory("--package", "Model package folder (default: the embedded model).");

    /// <summary>The held-out JSONL file (default: heldout.jsonl next to the program).</summary>
    public static readonly Option<string?> HeldOut = ExampleCommandLine.ExistingFile("--heldout", "Held-out JSONL file (default: heldout.jsonl next to the program).");

    /// <summary>Examples per task and phrasing.</summary>
    public static readonly Option<int> Limit = ExampleCommandLine.Integer("--limit", 100, 1, "Examples per task and phrasing.");

    /// <summary>Wrong answers printed per task.</summary>
    public static readonly Option<int> Failures = ExampleCommandLine.Integer("--failures", 0, 0, "Wrong answers printed per task.");

    /// <summary>Reference decoding on hand-built canvases instead of the public API paths.</summary>
    public static readonly Option<bool> Engine = new("--engine") { Description = "Reference decoding on hand-built canvases instead of the public API paths." };

    /// <summary>The decoding-strategy table.</summary>
    public static readonly Option<bool> Table = new("--table") { Description = "The decoding-strategy table (implies --engine)." };

    /// <summary>The root command (options only; the program acts on the parse result).</summary>
    public static RootCommand Command { get; } = new("Exact-match evaluation of a model package on the held-out set.")
    {
        Package, HeldOut, Limit, Failures, Engine, Table,
    };
}
