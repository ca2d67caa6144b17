using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// The one reader of snake_case diffusion settings, whatever their source (<c>ChatOptions.AdditionalProperties</c>,
/// Semantic Kernel's <c>ExtensionData</c>, JSON prompt configs): every key must be a known setting, a key another layer
/// owns (<see cref="ForeignKeys"/>, passed over) or an answer-length alias (<see cref="AnswerLengthAliases"/>); every
/// value must be readable as its setting's type and, for numbers, finite. Errors are <see cref="ArgumentException"/>s
/// whose <see cref="ArgumentException.ParamName"/> is the key. Ranges are checked later, by
/// <see cref="DiffusionSettings.ToSamplerOptions"/>.
/// </summary>
internal static class DiffusionSettingsReader
{
    /// <summary>Other connectors' names for the answer budget, read as <c>answer_length</c> when it is unset.</summary>
    internal static readonly IReadOnlyList<string> AnswerLengthAliases = ["max_tokens", "max_output_tokens", "max_completion_tokens"];

    /// <summary>
    /// Keys that other layers own and that the diffusion settings pass over: Semantic Kernel's own settings
    /// (<c>service_id</c>, <c>model_id</c>, <c>function_choice_behavior</c>) and the names Semantic Kernel's
    /// <c>ToChatOptions</c> maps onto typed <c>ChatOptions</c> fields this model does not use (penalties, system
    /// prompts, response format, reasoning effort).
    /// </summary>
    internal static readonly IReadOnlySet<string> ForeignKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "service_id", "model_id", "function_choice_behavior",
        "frequency_penalty", "presence_penalty", "chat_system_prompt", "chat_developer_prompt", "systemInstruction",
        "response_format", "reasoning_effort",
    };

    /// <summary>The snake_case names of every diffusion setting, sorted.</summary>
    internal static readonly IReadOnlyList<string> KnownKeys = SettingsJsonContext.Default.DiffusionSettings.Properties
        .Select(p => p.Name)
        .Order(StringComparer.Ordinal)
        .ToArray();

    private static readonly Dictionary<string, string> Canonical = KnownKeys.ToDictionary(k => k, k => k, StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> FloatingKeys = SettingsJsonContext.Default.DiffusionSettings.Properties
        .Where(p => p.PropertyType == typeof(double?))
        .Select(p => p.Name)
        .ToHashSet(StringComparer.Ordinal);

    private static readonly HashSet<string> BooleanKeys = SettingsJsonContext.Default.DiffusionSettings.Properties
        .Where(p => p.PropertyType == typeof(bool?))
        .Select(p => p.Name)
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Reads settings from a JSON object of snake_case keys.</summary>
    /// <exception cref="ArgumentException">The JSON is malformed or not an object, a key is unknown, or a value is unreadable.</exception>
    public static DiffusionSettings ReadJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The diffusion settings are not valid JSON: {ex.Message} Write one JSON object of snake_case settings, e.g. {{\"steps\": 16}}.", "settings", ex);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind == JsonValueKind.Null)
            {
                return new DiffusionSettings();
            }

            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"The diffusion settings must be a JSON object of snake_case settings, not a JSON {doc.RootElement.ValueKind}.", "settings");
            }

            return Read(doc.RootElement.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, p.Value.Clone())));
        }
    }

    /// <summary>Reads settings from key/value pairs; null values count as unset.</summary>
    /// <exception cref="ArgumentException">A key is unknown or a value is unreadable or not finite; the parameter name is the key.</exception>
    public static DiffusionSettings Read(IEnumerable<KeyValuePair<string, object?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var known = new JsonObject();
        int? alias = null;
        foreach (var (rawKey, value) in values)
        {
            string key = rawKey ?? throw new ArgumentException("A diffusion setting has a null key.", "settings");
            if (value is null || value is JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } || ForeignKeys.Contains(key))
            {
                continue;
            }

            if (AnswerLengthAliases.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                alias ??= ReadAlias(key, value);
                continue;
            }

            if (!Canonical.TryGetValue(key, out string? name))
            {
                throw Unknown(key);
            }

            JsonElement element = ToElement(name, value);
            if (BooleanKeys.Contains(name))
            {
                element = ReadBoolean(name, element);
            }

            if (FloatingKeys.Contains(name))
            {
                EnsureFinite(name, element);
            }

            known[name] = JsonNode.Parse(element.GetRawText());
        }

        DiffusionSettings settings;
        try
        {
            settings = known.Deserialize(SettingsJsonContext.Default.DiffusionSettings) ?? new DiffusionSettings();
        }
        catch (SettingValueException ex)
        {
            string name = SettingName(ex);
            throw new ArgumentException($"Diffusion setting '{name}' is {ex.ShownValue}, not one of {ex.Choices}.", name, ex);
        }
        catch (JsonException ex)
        {
            string name = SettingName(ex);
            string shown = known[name] is JsonNode node ? node.ToJsonString() : "?";
            throw new ArgumentException($"Diffusion setting '{name}' has a value of the wrong type ({shown}): {ex.Message}", name, ex);
        }

        settings.AnswerLength ??= alias;
        return settings;
    }

    private static string SettingName(JsonException ex) => ex.Path is { Length: > 2 } p ? p.TrimStart('$', '.').Split('[', '.')[0] : "settings";

    /// <summary>The error for an unknown key: it names the key and lists the known ones.</summary>
    internal static ArgumentException Unknown(string key) => new(
        $"Unknown diffusion setting '{key}'. The known settings are: {string.Join(", ", KnownKeys)}; {string.Join(", ", AnswerLengthAliases)} are read as answer_length, and {string.Join(", ", ForeignKeys.Order(StringComparer.Ordinal))} belong to other layers and are passed over. Check the spelling.",
        key);

    /// <summary>Refuses a NaN or infinite number, naming the setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite.</exception>
    internal static void EnsureFinite(string name, double? value)
    {
        if (value is double v && !double.IsFinite(v))
        {
            throw new ArgumentOutOfRangeException(name, v, $"Diffusion setting '{name}' is {v.ToString(CultureInfo.InvariantCulture)}: give a finite number.");
        }
    }

    private static void EnsureFinite(string name, JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            EnsureFinite(name, element.GetDouble());
        }
        else if (element.ValueKind == JsonValueKind.String && double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed))
        {
            EnsureFinite(name, parsed);
        }
    }

    private static JsonElement ToElement(string name, object value)
    {
        switch (value)
        {
            case JsonElement e:
                return e;
            case double d:
                EnsureFinite(name, d);
                break;
            case float f:
                EnsureFinite(name, f);
                break;
            case Enum e:
                // A typed enum value (e.g. SelectionRule.Threshold) is read by its snake_case name.
                return JsonSerializer.SerializeToElement(JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()), SettingsJsonContext.Default.String);
        }

        try
        {
            return JsonSerializer.SerializeToElement(value, value.GetType(), SettingsJsonContext.Default);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new ArgumentException($"Diffusion setting '{name}' has a value of type {value.GetType().Name} that cannot be read: {ex.Message}", name, ex);
        }
    }

    /// <summary>
    /// A boolean setting as a JSON boolean: <c>true</c>/<c>false</c> as they are, and the strings <c>"true"</c> and
    /// <c>"false"</c> (any case) as configuration files and command lines write them, as numbers are read from strings.
    /// </summary>
    private static JsonElement ReadBoolean(string name, JsonElement element)
    {
        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return element;
        }

        if (element.ValueKind == JsonValueKind.String && bool.TryParse(element.GetString()?.Trim(), out bool flag))
        {
            return JsonSerializer.SerializeToElement(flag, SettingsJsonContext.Default.Boolean);
        }

        throw new ArgumentException($"Diffusion setting '{name}' must be true or false, not {element.GetRawText()}.", name);
    }

    private static int ReadAlias(string key, object value)
    {
        JsonElement element = ToElement(key, value);
        bool ok = element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetInt32(out _) || (element.TryGetDouble(out double d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue),
            JsonValueKind.String => int.TryParse(element.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ => false,
        };
        if (!ok)
        {
            throw new ArgumentException($"Diffusion setting '{key}' (read as answer_length) must be a whole number of tokens, not {element.GetRawText()}.", key);
        }

        return element.ValueKind == JsonValueKind.String
            ? int.Parse(element.GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : element.TryGetInt32(out int i) ? i : (int)element.GetDouble();
    }
}
