using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Sampling;

namespace SkDiffusion.SemanticKernel.Settings;

// Reading the settings from other settings or JSON, and their conversions to chat options and sampler options.
public sealed partial class DiffusionPromptExecutionSettings
{
    /// <summary>
    /// Converts any settings to diffusion settings: <see langword="null"/> gives defaults, diffusion settings are
    /// returned as they are, other settings (e.g. a plain <see cref="PromptExecutionSettings"/> whose
    /// <see cref="PromptExecutionSettings.ExtensionData"/> holds <c>steps</c>, <c>temperature</c>…) go through a JSON
    /// round trip. <c>max_tokens</c>, <c>max_output_tokens</c> and <c>max_completion_tokens</c> are read as
    /// <c>answer_length</c> when it is not set.
    /// </summary>
    /// <param name="settings">The settings.</param>
    /// <exception cref="ArgumentException">
    /// A key is not a diffusion setting (the message lists the known ones), or a value has the wrong type or is not
    /// finite; the parameter name is the snake_case key. Keys of other layers (<c>service_id</c>, <c>model_id</c>,
    /// <c>function_choice_behavior</c>…) are passed over.
    /// </exception>
    public static DiffusionPromptExecutionSettings FromExecutionSettings(PromptExecutionSettings? settings)
    {
        switch (settings)
        {
            case null:
                return new DiffusionPromptExecutionSettings();
            case DiffusionPromptExecutionSettings diffusion:
                return diffusion;
        }

        string json = JsonSerializer.Serialize(settings, settings.GetType(), RoundTrip);

        // The shared reader refuses unknown keys, unreadable values and non-finite numbers, naming the key, and reads
        // other connectors' names for the answer budget.
        var shared = DiffusionSettings.FromJson(json);
        var result = Deserialize(json);
        result.AnswerLength ??= shared.AnswerLength;
        result.ServiceId ??= settings.ServiceId;
        result.ModelId ??= settings.ModelId;
        result.FunctionChoiceBehavior ??= settings.FunctionChoiceBehavior;
        return result;
    }

    /// <summary>Reads settings from a JSON object of snake_case keys.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="ArgumentException">
    /// The JSON is malformed, a key is not a diffusion setting (the message lists the known ones), or a value has the
    /// wrong type or is not finite; the parameter name is the snake_case key.
    /// </exception>
    public static DiffusionPromptExecutionSettings FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);

        // The shared reader refuses unknown keys, unreadable values and non-finite numbers, naming the key.
        DiffusionSettings.FromJson(json);
        return Deserialize(json);
    }

    private static DiffusionPromptExecutionSettings Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<DiffusionPromptExecutionSettings>(json, RoundTrip) ?? new DiffusionPromptExecutionSettings();
        }
        catch (JsonException ex)
        {
            string setting = ex.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "settings";
            throw new ArgumentException($"Diffusion setting '{setting}' has a value of the wrong type: {ex.Message}", setting, ex);
        }
    }

    /// <summary>
    /// Reads settings from key/value pairs (e.g. <c>ChatOptions.AdditionalProperties</c>); unknown keys are refused, keys
    /// of other layers and answer-length aliases are kept in <see cref="PromptExecutionSettings.ExtensionData"/>.
    /// </summary>
    internal static DiffusionPromptExecutionSettings FromDictionary(IEnumerable<KeyValuePair<string, object?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var dict = values.ToDictionary(kv => kv.Key, kv => kv.Value);
        return FromJson(JsonSerializer.Serialize(dict, RoundTrip));
    }

    /// <summary>
    /// The settings as <see cref="ChatOptions"/>: <c>temperature</c>, <c>top_p</c>, <c>top_k</c>, <c>seed</c>,
    /// <c>answer_length</c> (<see cref="ChatOptions.MaxOutputTokens"/>), <c>stop_sequences</c> and <c>json_schema</c>
    /// (<see cref="ChatOptions.ResponseFormat"/>) fill the typed fields that middleware reads; the diffusion settings
    /// (<c>steps</c>, <c>block_length</c>, <c>selection</c>…) go into <see cref="ChatOptions.AdditionalProperties"/>
    /// under their snake_case names, where <c>DiffusionChatClient</c> reads them back.
    /// </summary>
    public ChatOptions ToChatOptions()
    {
        // The shared reader validates every key and value, ExtensionData included (a typed setting given there counts).
        string json = JsonSerializer.Serialize(this, RoundTrip);
        var shared = DiffusionSettings.FromJson(json);
        var options = new ChatOptions
        {
            ModelId = ModelId,
            Temperature = (float?)shared.Temperature,
            TopP = (float?)shared.TopP,
            TopK = shared.TopK,
            Seed = shared.Seed,
            MaxOutputTokens = shared.AnswerLength,
            StopSequences = shared.StopSequences is { Count: > 0 } stops ? [.. stops] : null,
            ResponseFormat = shared.JsonSchema is JsonElement schema ? ChatResponseFormat.ForJsonSchema(schema) : null,
            AdditionalProperties = [],
        };
        using var doc = JsonDocument.Parse(json);
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Null && !TypedOrKernel.Contains(property.Name))
            {
                options.AdditionalProperties[property.Name] = property.Value.Clone();
            }
        }

        return options;
    }

    /// <summary>The settings for the chat client's request mapping (validated there).</summary>
    internal DiffusionSettings ToDiffusionSettings() =>
        DiffusionSettings.FromJson(JsonSerializer.Serialize(this, RoundTrip));

    /// <summary>Builds sampler options (validated; the exception's parameter name is the snake_case setting).</summary>
    internal SamplerOptions ToSamplerOptions(int maskedPositions, bool template = false) => ToDiffusionSettings().ToSamplerOptions(maskedPositions, template);

    /// <summary>Builds sampler options with the reward (a name, or <paramref name="reward"/>) bound to the model's tokenizer.</summary>
    /// <param name="maskedPositions">The masked positions to decode.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="reward">An object reward that overrides <see cref="Reward"/>, or null.</param>
    /// <param name="resolver">Resolves names that are not shipped verifiers (kernel functions), or null.</param>
    /// <param name="template">Whether the canvas is a template.</param>
    internal SamplerOptions ToSamplerOptions(int maskedPositions, Tokenization.DiffusionTokenizer tokenizer, Sampling.Guidance.TextReward? reward, Func<string, Sampling.Guidance.TextReward?>? resolver, bool template = false)
    {
        var shared = ToDiffusionSettings();
        shared.RewardObject = reward;
        DiffusionRewardBinder.Bind(shared, tokenizer, shared.JsonSchema, resolver);
        return shared.ToSamplerOptions(maskedPositions, template);
    }

    /// <summary>The template sizes for <see cref="JsonSchema"/> after defaults.</summary>
    internal Templates.Json.JsonSchemaTemplateOptions ToJsonSchemaTemplateOptions() => ToDiffusionSettings().ToJsonSchemaTemplateOptions();

    /// <summary>The answer length after defaults.</summary>
    internal int ResolveAnswerLength() => ToDiffusionSettings().ResolveAnswerLength();
}
