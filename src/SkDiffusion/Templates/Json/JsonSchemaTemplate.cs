using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace SkDiffusion.Templates.Json;

/// <summary>
/// A template made from a JSON Schema (or a C# type): keys, quotes, commas and braces are fixed text, values are typed
/// slots, rendered as <c>{"name": "…", "age": 42, "tags": ["…", "…"]}</c>. Read the filled template back with
/// <see cref="ToJson"/>, which always gives JSON of the schema's shape and types.
/// </summary>
/// <remarks>
/// Supported: <c>object</c> with <c>properties</c> (every listed property is filled, in order), <c>string</c>
/// (<c>maxLength</c> bounds the tokens), <c>integer</c> (digits from <c>minimum</c>/<c>maximum</c>; unsigned when
/// <c>minimum &gt;= 0</c>), <c>number</c>, <c>boolean</c>, <c>null</c>, <c>enum</c>, <c>const</c>, <c>array</c> with
/// <c>items</c> (fixed count when <c>minItems == maxItems</c>, otherwise up to <c>maxItems</c> scalars, the optional
/// ones dropped when empty) or <c>prefixItems</c>, nullable types (<c>["string","null"]</c>, <c>anyOf</c> with
/// <c>null</c>: filled as the non-null type), local <c>$ref</c>s. Rejected with a <see cref="TemplateException"/>
/// naming the JSON pointer: other <c>oneOf</c>/<c>anyOf</c>/<c>allOf</c>, <c>$ref</c> cycles, objects of unknown keys
/// (<c>additionalProperties</c> with a schema, <c>patternProperties</c>), untyped values, arrays of objects without a
/// fixed count.
/// </remarks>
public sealed class JsonSchemaTemplate
{
    private JsonSchemaTemplate(TextTemplate template, JsonShape root)
    {
        Template = template;
        Root = root;
    }

    /// <summary>The template (fixed JSON punctuation and typed slots).</summary>
    public TextTemplate Template { get; }

    internal JsonShape Root { get; }

    /// <summary>Builds the template of a JSON Schema.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="options">Sizes; null for the defaults.</param>
    /// <exception cref="TemplateException">The schema uses an unsupported feature; <see cref="TemplateException.Pointer"/> says where.</exception>
    public static JsonSchemaTemplate FromSchema(JsonElement schema, JsonSchemaTemplateOptions? options = null)
    {
        options ??= new JsonSchemaTemplateOptions();
        options.Validate();
        var builder = new Builder(schema, options);
        var root = builder.Build(schema, "#", "", 0, ImmutableStack.Empty.Push("#"));
        return new JsonSchemaTemplate(TextTemplate.Create(builder.Segments()), root);
    }

    /// <summary>Builds the template of a JSON Schema given as a node.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="options">Sizes; null for the defaults.</param>
    /// <exception cref="TemplateException">The schema uses an unsupported feature.</exception>
    public static JsonSchemaTemplate FromSchema(JsonNode schema, JsonSchemaTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        using var doc = JsonDocument.Parse(schema.ToJsonString());
        return FromSchema(doc.RootElement.Clone(), options);
    }

    /// <summary>Builds the template of a C# type, through <see cref="JsonSchemaExporter"/>.</summary>
    /// <typeparam name="T">The type (a record or class with properties, usually).</typeparam>
    /// <param name="serializerOptions">The serializer options whose naming the JSON must follow (default: the web defaults, camelCase).</param>
    /// <param name="options">Sizes; null for the defaults.</param>
    public static JsonSchemaTemplate FromType<T>(JsonSerializerOptions? serializerOptions = null, JsonSchemaTemplateOptions? options = null) =>
        FromType(typeof(T), serializerOptions, options);

    /// <summary>Builds the template of a C# type, through <see cref="JsonSchemaExporter"/>.</summary>
    /// <param name="type">The type.</param>
    /// <param name="serializerOptions">The serializer options whose naming the JSON must follow (default: the web defaults, camelCase).</param>
    /// <param name="options">Sizes; null for the defaults.</param>
    public static JsonSchemaTemplate FromType(Type type, JsonSerializerOptions? serializerOptions = null, JsonSchemaTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        serializerOptions ??= new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        if (serializerOptions.TypeInfoResolver is null)
        {
            serializerOptions = new JsonSerializerOptions(serializerOptions) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        }

        var node = serializerOptions.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        return FromSchema(node, options);
    }

    /// <summary>The filled template as JSON of the schema's shape.</summary>
    /// <param name="result">The filled template (from <see cref="CompiledTemplate.Read(SkDiffusion.Sampling.SequenceResult)"/>).</param>
    public JsonNode? ToJson(TemplateResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Convert(Root, result);
    }

    /// <summary>The filled template as a JSON string (<c>{"key": value, …}</c> spacing).</summary>
    /// <param name="result">The filled template.</param>
    public string ToJsonString(TemplateResult result)
    {
        var node = ToJson(result);
        return node is null ? "null" : Render(node);
    }

    /// <summary>Deserializes the filled template.</summary>
    /// <typeparam name="T">The target type.</typeparam>
    /// <param name="result">The filled template.</param>
    /// <param name="serializerOptions">Serializer options (default: the web defaults).</param>
    public T? Deserialize<T>(TemplateResult result, JsonSerializerOptions? serializerOptions = null) =>
        ToJson(result).Deserialize<T>(serializerOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>
    /// Checks that JSON text has this template's shape: the same keys in objects, arrays within their item count, and
    /// values of the slot types (string, integer, number, boolean, enum option, constants equal).
    /// </summary>
    /// <param name="json">The JSON text (e.g. an unconstrained answer).</param>
    /// <param name="error">What does not match (a JSON pointer and the reason), or <see langword="null"/>.</param>
    /// <returns>Whether the JSON matches.</returns>
    public bool TryValidate(string json, out string? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            error = $"not valid JSON: {ex.Message}";
            return false;
        }

        error = Check(Root, node, "");
        return error is null;
    }

    private string? Check(JsonShape shape, JsonNode? node, string pointer)
    {
        string at = pointer.Length == 0 ? "/" : pointer;
        switch (shape.Kind)
        {
            case JsonShapeKind.Constant:
                return JsonNode.DeepEquals(shape.Constant, node) ? null : $"{at}: expected {shape.Constant?.ToJsonString() ?? "null"}";
            case JsonShapeKind.Object:
            {
                if (node is not JsonObject obj)
                {
                    return $"{at}: expected an object";
                }

                foreach (var (key, value) in shape.Properties)
                {
                    if (!obj.TryGetPropertyValue(key, out var child))
                    {
                        return $"{at}: missing \"{key}\"";
                    }

                    if (Check(value, child, $"{pointer}/{key}") is { } e)
                    {
                        return e;
                    }
                }

                return obj.Count == shape.Properties.Count ? null : $"{at}: unexpected keys";
            }

            case JsonShapeKind.Array:
            {
                if (node is not JsonArray array)
                {
                    return $"{at}: expected an array";
                }

                int required = shape.Items.Count(i => !(i.Kind == JsonShapeKind.Slot && Template.Slots.First(s => s.Name == i.SlotName).Optional));
                if (array.Count < required || array.Count > shape.Items.Count)
                {
                    return $"{at}: expected {required} to {shape.Items.Count} items, found {array.Count}";
                }

                for (int i = 0; i < array.Count; i++)
                {
                    if (Check(shape.Items[i], array[i], $"{pointer}/{i}") is { } e)
                    {
                        return e;
                    }
                }

                return null;
            }

            default:
            {
                var slot = Template.Slots.First(s => s.Name == shape.SlotName);
                var kind = node?.GetValueKind();
                bool ok = slot.Kind switch
                {
                    TemplateSlotKind.String or TemplateSlotKind.Text => kind == JsonValueKind.String,
                    TemplateSlotKind.Integer => kind == JsonValueKind.Number && node!.AsValue().TryGetValue(out long _),
                    TemplateSlotKind.Number => kind == JsonValueKind.Number,
                    TemplateSlotKind.Boolean => kind is JsonValueKind.True or JsonValueKind.False,
                    _ => shape.RawChoices ? slot.Choices.Any(c => JsonNode.DeepEquals(JsonNode.Parse(c), node)) : kind == JsonValueKind.String && slot.Choices.Contains(node!.GetValue<string>()),
                };
                return ok ? null : $"{at}: expected {slot.Kind}{(slot.Kind == TemplateSlotKind.Enum ? " (" + string.Join("|", slot.Choices) + ")" : "")}";
            }
        }
    }

    private static JsonNode? Convert(JsonShape shape, TemplateResult result)
    {
        switch (shape.Kind)
        {
            case JsonShapeKind.Constant:
                return shape.Constant?.DeepClone();
            case JsonShapeKind.Object:
            {
                var obj = new JsonObject();
                foreach (var (key, value) in shape.Properties)
                {
                    obj[key] = Convert(value, result);
                }

                return obj;
            }

            case JsonShapeKind.Array:
            {
                var array = new JsonArray();
                foreach (var item in shape.Items)
                {
                    if (item.Kind == JsonShapeKind.Slot && result[item.SlotName!] is { Slot.Optional: true, Value: null })
                    {
                        continue;
                    }

                    array.Add(Convert(item, result));
                }

                return array;
            }

            default:
            {
                var filled = result[shape.SlotName!];
                return filled.Value switch
                {
                    null => null,
                    string s when shape.RawChoices => JsonNode.Parse(s),
                    string s => JsonValue.Create(s),
                    long l => JsonValue.Create(l),
                    double d => JsonValue.Create(d),
                    bool b => JsonValue.Create(b),
                    var other => JsonValue.Create(other.ToString()),
                };
            }
        }
    }

    private static string Render(JsonNode node) => node switch
    {
        JsonObject o => "{" + string.Join(", ", o.Select(p => JsonSerializer.Serialize(p.Key) + ": " + (p.Value is null ? "null" : Render(p.Value)))) + "}",
        JsonArray a => "[" + string.Join(", ", a.Select(v => v is null ? "null" : Render(v))) + "]",
        _ => node.ToJsonString(),
    };

    private sealed class Builder
    {
        private readonly JsonElement _root;
        private readonly JsonSchemaTemplateOptions _options;
        private readonly List<TemplateSegment> _segments = [];
        private readonly StringBuilder _text = new();
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        public Builder(JsonElement root, JsonSchemaTemplateOptions options)
        {
            _root = root;
            _options = options;
        }

        public List<TemplateSegment> Segments()
        {
            Flush();
            return _segments;
        }

        public JsonShape Build(JsonElement schema, string pointer, string path, int depth, ImmutableStack refs)
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
                Literal(Render(JsonNode.Parse(constant.GetRawText())!));
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

        private JsonShape BuildObject(JsonElement schema, string pointer, string path, int depth, ImmutableStack refs)
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
                Literal(JsonSerializer.Serialize(property.Name) + ": ");
                string childPointer = $"{pointer}/properties/{Escape(property.Name)}";
                shape.Properties.Add((property.Name, Build(property.Value, childPointer, $"{path}/{Escape(property.Name)}", depth + 1, refs)));
            }

            Literal("}");
            return shape;
        }

        private JsonShape BuildArray(JsonElement schema, string pointer, string path, int depth, ImmutableStack refs)
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

        private string? ResolveType(JsonElement schema, string pointer)
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
                string part = raw.Replace("~1", "/").Replace("~0", "~");
                if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(part, out var next))
                {
                    current = next;
                }
                else if (current.ValueKind == JsonValueKind.Array && int.TryParse(part, out int index) && index < current.GetArrayLength())
                {
                    current = current[index];
                }
                else
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

        private static string Escape(string key) => key.Replace("~", "~0").Replace("/", "~1");
    }

    private sealed class ImmutableStack
    {
        private readonly string? _head;
        private readonly ImmutableStack? _tail;

        private ImmutableStack(string? head, ImmutableStack? tail)
        {
            _head = head;
            _tail = tail;
        }

        public static ImmutableStack Empty { get; } = new(null, null);

        public ImmutableStack Push(string value) => new(value, this);

        public bool Contains(string value) => _head == value || (_tail?.Contains(value) ?? false);
    }
}
