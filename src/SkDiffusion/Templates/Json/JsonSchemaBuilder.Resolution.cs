using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkDiffusion.Templates.Json;

/// <summary>Schema resolution: <c>$ref</c> targets, types, scalars and JSON-pointer escaping.</summary>
internal sealed partial class JsonSchemaBuilder
{
    private static string? ResolveType(JsonElement schema, string pointer)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return schema.TryGetProperty("properties", out _) ? "object" : schema.TryGetProperty("items", out _) || schema.TryGetProperty("prefixItems", out _) ? "array" : null;
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            return type.GetString();
        }

        if (type.ValueKind != JsonValueKind.Array)
        {
            throw new TemplateException("\"type\" must be a string or an array of strings.", pointer: $"{pointer}/type");
        }

        var types = type.EnumerateArray().Select(t => t.GetString()).Where(t => t != "null").Distinct().ToList();
        if (types.Count == 0)
        {
            return "null";
        }

        if (types.Count == 1)
        {
            return types[0];
        }

        // Serializers that accept numbers written as strings emit ["string", "integer"]: fill the number.
        if (types.Count == 2 && types.Contains("string") && (types.Contains("integer") || types.Contains("number")))
        {
            return types.First(t => t != "string");
        }

        throw new TemplateException($"The type union [{string.Join(", ", types)}] is not supported: a template needs one type per value.", pointer: $"{pointer}/type");
    }

    private JsonElement Deref(JsonElement schema, string pointer)
    {
        for (int guard = 0; guard < 32 && schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var r); guard++)
        {
            schema = ResolveRef(r.GetString() ?? "", pointer);
        }

        return schema;
    }

    private static bool IsScalar(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (schema.TryGetProperty("enum", out _) || schema.TryGetProperty("const", out _))
        {
            return true;
        }

        if (!schema.TryGetProperty("type", out var t))
        {
            return false;
        }

        var names = t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()).ToList() : [t.GetString()];
        return !names.Contains("object") && !names.Contains("array");
    }

    private JsonElement ResolveRef(string target, string pointer)
    {
        if (!target.StartsWith('#'))
        {
            throw new TemplateException($"Only local references are supported; '{target}' points outside the schema. Inline it under $defs.", pointer: pointer);
        }

        var current = _root;
        foreach (string raw in target[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!JsonPointer.TryStep(current, raw, out current))
            {
                throw new TemplateException($"The reference '{target}' does not resolve inside the schema.", pointer: pointer);
            }
        }

        return current;
    }

    private static bool IsNullSchema(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null";

    private static int IndexOf(JsonElement array, JsonElement item)
    {
        int i = 0;
        foreach (var e in array.EnumerateArray())
        {
            if (e.GetRawText() == item.GetRawText())
            {
                return i;
            }

            i++;
        }

        return -1;
    }
}
