using System.Text.Json;

namespace SkDiffusion.ModelBuilder.Checkpoints;

/// <summary>Typed access to the config's keys with errors naming the file and key.</summary>
internal sealed class ConfigJsonReader(string path, JsonElement root)
{
    /// <summary>The config file path (for messages).</summary>
    public string Path { get; } = path;

    /// <summary>The config's root object.</summary>
    public JsonElement Root { get; } = root;

    /// <summary>An integer key that must be present.</summary>
    public int RequiredInt(string key) =>
        OptionalInt(key) ?? throw new ModelBuildException($"{Path}: missing required key '{key}'.");

    /// <summary>An integer key (the first element of a list), or null when absent.</summary>
    public int? OptionalInt(string key)
    {
        if (!Root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            // eos_token_id may be a list: the first id is the canonical one.
            var first = value.EnumerateArray().FirstOrDefault();
            if (first.ValueKind == JsonValueKind.Number && first.TryGetInt32(out int firstValue))
            {
                return firstValue;
            }
        }
        else if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int result))
        {
            return result;
        }

        throw new ModelBuildException($"{Path}: key '{key}' must be an integer, found {value.GetRawText()}.");
    }

    /// <summary>A number key, or null when absent.</summary>
    public double? OptionalDouble(string key)
    {
        if (!Root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : throw new ModelBuildException($"{Path}: key '{key}' must be a number, found {value.GetRawText()}.");
    }

    /// <summary>A boolean key, or null when absent.</summary>
    public bool? OptionalBool(string key)
    {
        if (!Root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelBuildException($"{Path}: key '{key}' must be true or false, found {value.GetRawText()}."),
        };
    }

    /// <summary>A string key, or null when absent or not a string.</summary>
    public string? OptionalString(string key) =>
        Root.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
