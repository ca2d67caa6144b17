using System.Diagnostics.CodeAnalysis;
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
    private const string ReflectionMessage = "Reads the type's shape through reflection-based System.Text.Json metadata; under trimming or native AOT build the schema with JsonSerializerOptions.GetJsonSchemaAsNode on source-generated options and call FromSchema.";

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
        var builder = new JsonSchemaBuilder(schema, options);
        var root = builder.Build(schema, "#", "", 0, RefStack.Empty.Push("#"));
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
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static JsonSchemaTemplate FromType<T>(JsonSerializerOptions? serializerOptions = null, JsonSchemaTemplateOptions? options = null) =>
        FromType(typeof(T), serializerOptions, options);

    /// <summary>Builds the template of a C# type, through <see cref="JsonSchemaExporter"/>.</summary>
    /// <param name="type">The type.</param>
    /// <param name="serializerOptions">The serializer options whose naming the JSON must follow (default: the web defaults, camelCase).</param>
    /// <param name="options">Sizes; null for the defaults.</param>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
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
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
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

    internal static string Render(JsonNode node) => node switch
    {
        JsonObject o => "{" + string.Join(", ", o.Select(p => JsonSerializer.Serialize(p.Key, Packaging.PackageJsonContext.Default.String) + ": " + (p.Value is null ? "null" : Render(p.Value)))) + "}",
        JsonArray a => "[" + string.Join(", ", a.Select(v => v is null ? "null" : Render(v))) + "]",
        _ => node.ToJsonString(),
    };
}
