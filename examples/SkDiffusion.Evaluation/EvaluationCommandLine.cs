using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.AI;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Sampling.Guidance;

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
    public static readonly Option<int> Failures = ExampleCommandLine.Integer("--failures", 0, 0, "Wrong answers printed per task (with --reward: answers that guidance changed, per row).");

    /// <summary>Reference decoding on hand-built canvases instead of the public API paths.</summary>
    public static readonly Option<bool> Engine = new("--engine") { Description = "Reference decoding on hand-built canvases instead of the public API paths." };

    /// <summary>The decoding-strategy table.</summary>
    public static readonly Option<bool> Table = new("--table") { Description = "The decoding-strategy table (implies --engine)." };

    /// <summary>A shipped verifier (<c>copy</c> or <c>schema</c>): the chat tasks decoded with and without it.</summary>
    public static readonly Option<string?> Reward = new Option<string?>("--reward")
    {
        Description = "Run the chat tasks with and without a shipped verifier: copy (copy fidelity) or schema (JSON schema validity).",
        HelpName = "copy|schema",
    }.AcceptOnlyFromAmong("copy", "schema");

    /// <summary>Reward candidates: rollouts per block or commits per step.</summary>
    public static readonly Option<int> Candidates = ExampleCommandLine.Integer("--candidates", 4, 1, "Reward candidates: rollouts per block (block) or commits per step (step).");

    /// <summary>The reward guidance unit.</summary>
    public static readonly Option<RewardMode> Mode = new("--reward-mode")
    {
        Description = "Reward guidance unit: block (N rollouts of each block) or step (N commits per step).",
        HelpName = "block|step",
        DefaultValueFactory = _ => RewardMode.Block,
        CustomParser = result =>
        {
            string value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            switch (value)
            {
                case "block":
                    return RewardMode.Block;
                case "step":
                    return RewardMode.Step;
                default:
                    result.AddError($"--reward-mode must be block or step, not '{value}'.");
                    return RewardMode.Block;
            }
        },
    };

    /// <summary>The sampling temperature of the reward's exploring candidates.</summary>
    public static readonly Option<double?> RewardTemperature = new("--reward-temperature")
    {
        Description = "Sampling temperature of the reward's exploring candidates (candidate 0 keeps the run's temperature).",
        HelpName = "t",
        CustomParser = result =>
        {
            string value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) && t >= 0 && double.IsFinite(t))
            {
                return t;
            }

            result.AddError($"--reward-temperature must be a finite number at least 0, not '{value}'.");
            return null;
        },
    };

    /// <summary>The tasks to score (comma-separated; default all).</summary>
    public static readonly Option<string[]> Tasks = CommaList("--tasks", [], "Tasks to score, comma-separated (default all): facts, extraction, infill for the API paths; facts, extraction, Person for a reward run.");

    /// <summary>The reward run's phrasings (comma-separated).</summary>
    public static readonly Option<string[]> Phrasings = CommaList("--phrasings", ["train", "new"], "Phrasings of the reward run, comma-separated (train, new).");

    /// <summary>Diffusion settings (snake_case <c>key=value</c>, repeatable) for both clients of the reward run.</summary>
    public static readonly Option<string[]> Settings = new("--setting")
    {
        Description = "A diffusion setting key=value (snake_case, repeatable) on every chat and typed request (both clients of a reward run).",
        HelpName = "key=value",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        Validators =
        {
            result =>
            {
                foreach (var token in result.Tokens)
                {
                    if (token.Value.Split('=', 2) is not [{ Length: > 0 }, _])
                    {
                        result.AddError($"--setting must be key=value, not '{token.Value}'.");
                    }
                }
            },
        },
    };

    /// <summary>The root command (options only; the program acts on the parse result).</summary>
    public static RootCommand Command { get; } = new("Exact-match evaluation of a model package on the held-out set.")
    {
        Package, HeldOut, Limit, Failures, Engine, Table, Reward, Candidates, Mode, RewardTemperature, Tasks, Phrasings, Settings,
    };

    /// <summary>The <c>--setting</c> pairs as a dictionary (the last value of a key wins).</summary>
    /// <param name="parsed">The parse result.</param>
    public static Dictionary<string, string> SettingPairs(ParseResult parsed)
    {
        var settings = new Dictionary<string, string>();
        foreach (string pair in parsed.GetValue(Settings) ?? [])
        {
            if (pair.Split('=', 2) is [var key, var value])
            {
                settings[key] = value;
            }
        }

        return settings;
    }

    /// <summary>Puts the settings on a request's <c>ChatOptions.AdditionalProperties</c>, as an application would.</summary>
    public static Action<ChatOptions> Apply(IReadOnlyDictionary<string, string> settings) => options =>
    {
        options.AdditionalProperties ??= [];
        foreach (var (key, value) in settings)
        {
            options.AdditionalProperties[key] = value;
        }
    };

    private static Option<string[]> CommaList(string name, string[] defaultValue, string description) => new(name)
    {
        Description = description,
        HelpName = "a,b,...",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => (result.Tokens.Count > 0 ? result.Tokens[0].Value : "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    };
}
