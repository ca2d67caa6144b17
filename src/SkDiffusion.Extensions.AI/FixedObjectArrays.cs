using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// Gives every array of objects (or of arrays) in a JSON schema a fixed element count, which the schema template needs:
/// <c>maxItems</c> when set, else the larger of <c>minItems</c> and the default count (<c>json_array_items</c>).
/// <c>GetResponseAsync&lt;T[]&gt;</c> sends such arrays without counts.
/// </summary>
internal static class FixedObjectArrays
{
    /// <summary>The schema with fixed counts, or the schema itself when nothing needed one.</summary>
    public static JsonElement Apply(JsonElement schema, int defaultCount)
    {
        var root = JsonNode.Parse(schema.GetRawText());
        if (root is null || !Visit(root, defaultCount))
        {
            return schema;
        }

        using var doc = JsonDocument.Parse(root.ToJsonString());
        return doc.RootElement.Clone();
    }

    private static bool Visit(JsonNode node, int defaultCount)
    {
        bool changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null)
                    {
                        changed |= Visit(child, defaultCount);
                    }
                }

                if (HasType(obj, "array") && obj["items"] is JsonObject items && (HasType(items, "object") || HasType(items, "array") || items.ContainsKey("properties")))
                {
                    int? min = Int(obj["minItems"]);
                    int? max = Int(obj["maxItems"]);
                    if (min is null || min != max)
                    {
                        int count = Math.Max(1, max ?? Math.Max(min ?? 0, defaultCount));
                        obj["minItems"] = count;
                        obj["maxItems"] = count;
                        changed = true;
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        changed |= Visit(child, defaultCount);
                    }
                }

                break;
        }

        return changed;
    }

    private static bool HasType(JsonObject schema, string type) => schema["type"] switch
    {
        JsonValue v => v.TryGetValue(out string? s) && s == type,
        JsonArray a => a.Any(t => t is JsonValue v && v.TryGetValue(out string? s) && s == type),
        _ => false,
    };

    private static int? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue(out int i) ? i : null;
}
