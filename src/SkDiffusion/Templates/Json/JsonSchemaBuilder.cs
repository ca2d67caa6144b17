using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkDiffusion.Templates.Json;

/// <summary>Walks a JSON Schema and emits the template segments and the JSON shape of <see cref="JsonSchemaTemplate"/>.</summary>
internal sealed partial class JsonSchemaBuilder
{
    private readonly JsonElement _root;
    private readonly JsonSchemaTemplateOptions _options;
    private readonly List<TemplateSegment> _segments = [];
    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public JsonSchemaBuilder(JsonElement root, JsonSchemaTemplateOptions options)
    {
        _root = root;
        _options = options;
    }

    public List<TemplateSegment> Segments()
    {
        Flush();
        return _segments;
    }

    public JsonShape Build(JsonElement schema, string pointer, string path, int depth, RefStack refs)
    {
        if (depth > _options.MaxDepth)
        {
            throw new TemplateException($"The schema nests deeper than {_options.MaxDepth} levels: flatten it or raise MaxDepth.", pointer: pointer);
        }

        if (schema.ValueKind == JsonValueKind.True)
        {
            throw new TemplateException("The value is untyped (schema 'true'): give it a \"type\".", pointer: pointer);
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new TemplateException("The schema node is not an object: nothing can match it.", pointer: pointer);
        }

        if (schema.TryGetProperty("$ref", out var refElement))
        {
            string target = refElement.GetString() ?? "";
            if (refs.Contains(target))
            {
                throw new TemplateException($"The schema is recursive ($ref '{target}' refers back to itself): a template has a fixed shape, so replace the cycle with a fixed depth.", pointer: pointer);
            }

            return Build(ResolveRef(target, pointer), pointer, path, depth + 1, refs.Push(target));
        }

        foreach (string unsupported in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema.TryGetProperty(unsupported, out var alternatives))
            {
                var nonNull = alternatives.EnumerateArray().Where(a => !IsNullSchema(a)).ToList();
                if (nonNull.Count == 1)
                {
                    return Build(nonNull[0], $"{pointer}/{unsupported}/{IndexOf(alternatives, nonNull[0])}", path, depth + 1, refs);
                }

                throw new TemplateException($"'{unsupported}' with {nonNull.Count} alternatives is not supported: a template needs one shape. Use a single type (a nullable alternative with null is fine).", pointer: $"{pointer}/{unsupported}");
            }
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            Literal(JsonSchemaTemplate.Render(JsonNode.Parse(constant.GetRawText())!));
            return new JsonShape { Kind = JsonShapeKind.Constant, Constant = JsonNode.Parse(constant.GetRawText()) };
        }

        if (schema.TryGetProperty("enum", out var enumElement))
        {
            return BuildEnum(enumElement, pointer, path);
        }

        string? type = ResolveType(schema, pointer);
        switch (type)
        {
            case "object":
                return BuildObject(schema, pointer, path, depth, refs);
            case "array":
                return BuildArray(schema, pointer, path, depth, refs);
            case "string":
            {
                int max = schema.TryGetProperty("maxLength", out var ml) && ml.TryGetInt32(out int m) && m > 0 ? Math.Min(m, TemplateSlot.MaxAllowedLength) : _options.StringTokens;
                int min = schema.TryGetProperty("minLength", out var mn) && mn.TryGetInt32(out int n) && n > 0 ? Math.Min(Math.Min(n, max), 1) : 0;
                Literal("\"");
                var shape = Slot(path, new TemplateSlot { Name = NameOf(path), Kind = TemplateSlotKind.String, MinLength = min, MaxLength = max });
                Literal("\"");
                return shape;
            }

            case "integer":
            {
                var (digits, signed) = IntegerSize(schema);
                return Slot(path, new TemplateSlot { Name = NameOf(path), Kind = TemplateSlotKind.Integer, MinLength = 1, MaxLength = digits, Signed = signed });
            }

            case "number":
            {
                bool signed = !(schema.TryGetProperty("minimum", out var min) && min.ValueKind == JsonValueKind.Number && min.GetDouble() >= 0);
                return Slot(path, new TemplateSlot { Name = NameOf(path), Kind = TemplateSlotKind.Number, MinLength = 1, MaxLength = _options.NumberLength, Signed = signed });
            }

            case "boolean":
                return Slot(path, new TemplateSlot { Name = NameOf(path), Kind = TemplateSlotKind.Boolean, Choices = ["true", "false"] });
            case "null":
                Literal("null");
                return new JsonShape { Kind = JsonShapeKind.Constant, Constant = null };
            default:
                throw new TemplateException($"The value has no usable \"type\" (found '{type ?? "none"}'): give it one of object, array, string, integer, number, boolean.", pointer: pointer);
        }
    }

    private JsonShape BuildObject(JsonElement schema, string pointer, string path, int depth, RefStack refs)
    {
        bool hasProperties = schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object;
        if (schema.TryGetProperty("patternProperties", out _))
        {
            throw new TemplateException("'patternProperties' describes unknown keys, which a template cannot lay out: list the keys under \"properties\".", pointer: $"{pointer}/patternProperties");
        }

        if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object && additional.EnumerateObject().Any())
        {
            throw new TemplateException("'additionalProperties' with a schema describes unknown keys, which a template cannot lay out: list the keys under \"properties\" (and set additionalProperties to false).", pointer: $"{pointer}/additionalProperties");
        }

        if (!hasProperties || !properties.EnumerateObject().Any())
        {
            throw new TemplateException("The object lists no properties: a template needs its keys. Add \"properties\".", pointer: pointer);
        }

        var shape = new JsonShape { Kind = JsonShapeKind.Object };
        Literal("{");
        bool first = true;
        foreach (var property in properties.EnumerateObject())
        {
            if (!first)
            {
                Literal(", ");
            }

            first = false;
            Literal(JsonSerializer.Serialize(property.Name, Packaging.PackageJsonContext.Default.String) + ": ");
            string childPointer = JsonPointer.Child(JsonPointer.Child(pointer, "properties"), property.Name);
            shape.Properties.Add((property.Name, Build(property.Value, childPointer, JsonPointer.Child(path, property.Name), depth + 1, refs)));
        }

        Literal("}");
        return shape;
    }

    private JsonShape BuildArray(JsonElement schema, string pointer, string path, int depth, RefStack refs)
    {
        var shape = new JsonShape { Kind = JsonShapeKind.Array };
        Literal("[");
        if (schema.TryGetProperty("prefixItems", out var prefix) && prefix.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var item in prefix.EnumerateArray())
            {
                if (i > 0)
                {
                    Literal(", ");
                }

                shape.Items.Add(Build(item, $"{pointer}/prefixItems/{i}", $"{path}/{i}", depth + 1, refs));
                i++;
            }

            Literal("]");
            return shape;
        }

        if (!schema.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Object)
        {
            throw new TemplateException("The array has no \"items\" schema: say what its elements are.", pointer: pointer);
        }

        int? minItems = schema.TryGetProperty("minItems", out var mi) && mi.TryGetInt32(out int a) ? a : null;
        int? maxItems = schema.TryGetProperty("maxItems", out var ma) && ma.TryGetInt32(out int b) ? b : null;
        int count = Math.Min(maxItems ?? Math.Max(minItems ?? 0, _options.ArrayItems), TemplateSlot.MaxArrayCount);
        int required = Math.Min(minItems ?? 0, count);
        var itemSchema = Deref(items, $"{pointer}/items");
        bool scalar = IsScalar(itemSchema);
        if (!scalar && required != count)
        {
            throw new TemplateException("An array of objects or arrays needs a fixed count: set \"minItems\" equal to \"maxItems\".", pointer: pointer);
        }

        if (count == 0)
        {
            Literal("]");
            return shape;
        }

        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                Literal(", ");
            }

            _optional = i >= required;
            shape.Items.Add(Build(items, $"{pointer}/items", $"{path}/{i}", depth + 1, refs));
            _optional = false;
        }

        Literal("]");
        return shape;
    }

    private bool _optional;

    private JsonShape BuildEnum(JsonElement enumElement, string pointer, string path)
    {
        var values = enumElement.EnumerateArray().ToList();
        if (values.Count == 0)
        {
            throw new TemplateException("The enum is empty: list at least one value.", pointer: $"{pointer}/enum");
        }

        bool strings = values.All(v => v.ValueKind == JsonValueKind.String);
        var choices = strings ? values.Select(v => v.GetString()!).ToArray() : values.Select(v => v.GetRawText()).ToArray();
        if (strings)
        {
            Literal("\"");
        }

        var shape = Slot(path, new TemplateSlot { Name = NameOf(path), Kind = TemplateSlotKind.Enum, Choices = choices }, rawChoices: !strings);
        if (strings)
        {
            Literal("\"");
        }

        return shape;
    }

    private JsonShape Slot(string path, TemplateSlot slot, bool rawChoices = false)
    {
        if (_optional)
        {
            slot = new TemplateSlot { Name = slot.Name, Kind = slot.Kind, MinLength = 0, MaxLength = slot.MaxLength, Choices = slot.Choices, Signed = slot.Signed, Optional = true };
        }

        Flush();
        _segments.Add(TemplateSegment.FromSlot(slot));
        return new JsonShape { Kind = JsonShapeKind.Slot, SlotName = slot.Name, RawChoices = rawChoices };
    }

    private void Literal(string text) => _text.Append(text);

    private void Flush()
    {
        if (_text.Length > 0)
        {
            _segments.Add(TemplateSegment.FromText(_text.ToString()));
            _text.Clear();
        }
    }

    private string NameOf(string path)
    {
        var sb = new StringBuilder(path.Length + 8);
        foreach (char ch in path.Length == 0 ? "value" : path)
        {
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '-' or '/' ? ch : '_');
        }

        string name = sb.ToString();
        string unique = name;
        for (int i = 2; !_names.Add(unique); i++)
        {
            unique = $"{name}_{i}";
        }

        return unique;
    }

    private (int Digits, bool Signed) IntegerSize(JsonElement schema)
    {
        double? min = schema.TryGetProperty("minimum", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetDouble() : null;
        double? max = schema.TryGetProperty("maximum", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetDouble() : null;
        bool signed = min is not >= 0;
        int digits = _options.IntegerDigits;
        if (min is double lo && max is double hi)
        {
            digits = Math.Max(Digits(lo), Digits(hi));
        }
        else if (max is double h && !signed)
        {
            digits = Digits(h);
        }

        return (Math.Clamp(digits, 1, 18), signed);

        static int Digits(double v) => Math.Abs(v) < 1 ? 1 : ((long)Math.Floor(Math.Abs(v))).ToString(CultureInfo.InvariantCulture).Length;
    }
}
