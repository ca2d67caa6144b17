using System.Text.Json.Nodes;

namespace SkDiffusion.Templates.Json;

/// <summary>The JSON structure a schema template fills: objects, arrays, constants and slot references.</summary>
internal sealed class JsonShape
{
    public JsonShapeKind Kind { get; init; }

    public List<(string Key, JsonShape Value)> Properties { get; } = [];

    public List<JsonShape> Items { get; } = [];

    public string? SlotName { get; init; }

    public bool RawChoices { get; init; }

    public JsonNode? Constant { get; init; }
}
