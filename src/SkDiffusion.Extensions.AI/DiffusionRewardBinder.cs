using System.Text.Json;
using SkDiffusion.Sampling.Guidance;
using SkDiffusion.Tokenization;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// Turns a request's reward (the <c>reward</c> setting's name, or an object under the same key) into a scorer bound to
/// the model's tokenizer, and the <c>reward_*</c> settings into <see cref="RewardGuidanceOptions"/>. Errors name the
/// setting and the fix.
/// </summary>
internal static class DiffusionRewardBinder
{
    /// <summary>The AdditionalProperties key (and setting) of the reward.</summary>
    public const string Key = "reward";

    /// <summary>The most candidates a request may ask for.</summary>
    public const int MaxCandidates = 64;

    /// <summary>The candidate count when <c>reward_candidates</c> is unset.</summary>
    public const int DefaultCandidates = 4;

    /// <summary>The exploring candidates' temperature when the request decodes greedily and sets none.</summary>
    public const double DefaultExplorationTemperature = 1.0;

    /// <summary>The names of the rewards that ship with the library.</summary>
    public static readonly IReadOnlyList<string> BuiltInNames = ["copy", "schema", "regex"];

    /// <summary>
    /// Binds <paramref name="settings"/>' reward to <paramref name="tokenizer"/> (sets <see cref="DiffusionSettings.RewardScorer"/>).
    /// </summary>
    /// <param name="settings">The request's settings.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="schema">The request's JSON schema (for <c>schema</c>), or null.</param>
    /// <param name="resolver">Resolves names the library does not know (e.g. a kernel function), or null.</param>
    /// <exception cref="ArgumentException">The reward is of an unknown type or name, or a reward needs a setting that is missing.</exception>
    public static void Bind(DiffusionSettings settings, DiffusionTokenizer tokenizer, JsonElement? schema, Func<string, TextReward?>? resolver)
    {
        settings.RewardScorer = settings.RewardObject switch
        {
            null => settings.Reward is { } name ? new TextRewardScorer(Named(name, settings, schema, resolver), tokenizer) : null,
            IRewardScorer scorer => scorer,
            TextReward reward => new TextRewardScorer(reward, tokenizer),
            Func<RewardText, double> function => new TextRewardScorer(TextReward.FromDelegate(function), tokenizer),
            var other => throw new ArgumentException($"The reward (ChatOptions.AdditionalProperties[\"{Key}\"]) is a {other.GetType().Name}; pass a TextReward (e.g. new CopyFidelityReward()), an IRewardScorer, a Func<RewardText, double>, or the name of a shipped verifier ({string.Join(", ", BuiltInNames)}).", Key),
        };
    }

    /// <summary>The sampler's reward guidance for bound settings; null without a reward.</summary>
    /// <param name="settings">The settings (after <see cref="Bind"/>).</param>
    /// <param name="temperature">The request's sampling temperature.</param>
    /// <exception cref="ArgumentException">A <c>reward_*</c> setting is out of range, unknown, or set without a reward.</exception>
    public static RewardGuidanceOptions? ToGuidance(DiffusionSettings settings, double temperature)
    {
        Check(settings.RewardCandidates is null or >= 1 and <= MaxCandidates, "reward_candidates", settings.RewardCandidates, $"reward_candidates must lie in 1..{MaxCandidates}.");
        Check(settings.RewardTemperature is null or >= 0, "reward_temperature", settings.RewardTemperature, "reward_temperature must be 0 or a finite positive number.");
        var mode = settings.RewardMode switch
        {
            null or RewardMode.Block => RewardMode.Block,
            RewardMode.Step => RewardMode.Step,
            _ => throw new ArgumentException($"Diffusion setting 'reward_mode' is {settings.RewardMode}, not one of {SnakeCaseEnumConverter<RewardMode>.Choices}.", "reward_mode"),
        };

        bool tuned = settings.RewardCandidates is not null || settings.RewardMode is not null || settings.RewardTemperature is not null || settings.RewardPattern is not null;
        if (settings.RewardScorer is null)
        {
            if (tuned && settings.Reward is null && settings.RewardObject is null)
            {
                string name = settings.RewardCandidates is not null ? "reward_candidates" : settings.RewardMode is not null ? "reward_mode" : settings.RewardTemperature is not null ? "reward_temperature" : "reward_pattern";
                throw new ArgumentException($"Diffusion setting '{name}' is set but no reward is given: name one with reward ({string.Join(", ", BuiltInNames)}) or pass one with ChatOptions.WithReward(...).", name);
            }

            return null;
        }

        return new RewardGuidanceOptions(settings.RewardScorer, settings.RewardCandidates ?? DefaultCandidates)
        {
            Mode = mode,
            ExplorationTemperature = settings.RewardTemperature ?? (temperature == 0 ? DefaultExplorationTemperature : null),
        };
    }

    private static TextReward Named(string name, DiffusionSettings settings, JsonElement? schema, Func<string, TextReward?>? resolver)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "copy":
                return new CopyFidelityReward();
            case "schema":
                return schema is JsonElement s
                    ? new JsonSchemaReward(s)
                    : throw new ArgumentException("Diffusion setting 'reward' is 'schema', but the request has no JSON schema: set json_schema or a JSON-schema ChatOptions.ResponseFormat, or pass new JsonSchemaReward(schema) as the reward.", Key);
            case "regex":
                return settings.RewardPattern is { Length: > 0 } pattern
                    ? new RegexReward(pattern)
                    : throw new ArgumentException("Diffusion setting 'reward' is 'regex', but reward_pattern is unset: give the pattern the answer must match in reward_pattern.", Key);
        }

        return resolver?.Invoke(name.Trim())
            ?? throw new ArgumentException($"Diffusion setting 'reward' is '{name}', not one of the shipped verifiers ({string.Join(", ", BuiltInNames)}){(resolver is null ? "" : " nor a name the host resolves (Semantic Kernel: plugin.function)")}. Check the spelling, or pass a TextReward object under AdditionalProperties[\"reward\"].", Key);
    }

    private static void Check(bool ok, string name, object? value, string message)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Diffusion setting '{name}': {message}");
        }
    }
}
