using System.Text.Json.Nodes;
using SkDiffusion.Templates;
using SkDiffusion.Templates.Json;

namespace SkDiffusion.Tests.Reliability;

/// <summary>Unsupported JSON-schema features: a <see cref="TemplateException"/> whose pointer names the schema node.</summary>
public sealed class BadJsonSchemaCases
{
    /// <summary>(case name, schema, pointer, message fragment).</summary>
    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "oneOf of two types", """{"type":"object","properties":{"x":{"oneOf":[{"type":"string"},{"type":"integer"}]}}}""", "#/properties/x/oneOf", "oneOf" },
        { "anyOf of two objects", """{"type":"object","properties":{"x":{"anyOf":[{"type":"object","properties":{"a":{"type":"string"}}},{"type":"object","properties":{"b":{"type":"string"}}}]}}}""", "#/properties/x/anyOf", "anyOf" },
        { "allOf", """{"type":"object","properties":{"x":{"allOf":[{"type":"string"},{"maxLength":3}]}}}""", "#/properties/x/allOf", "allOf" },
        { "recursive reference", """{"$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}}}},"$ref":"#/$defs/n"}""", "#/properties/next", "recursive" },
        { "remote reference", """{"type":"object","properties":{"x":{"$ref":"https://example.com/s.json"}}}""", "#/properties/x", "Only local references" },
        { "dangling reference", """{"type":"object","properties":{"x":{"$ref":"#/$defs/missing"}}}""", "#/properties/x", "does not resolve" },
        { "additionalProperties schema", """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}}""", "#/additionalProperties", "additionalProperties" },
        { "patternProperties", """{"type":"object","properties":{"a":{"type":"string"}},"patternProperties":{"^x":{"type":"string"}}}""", "#/patternProperties", "patternProperties" },
        { "object without properties", """{"type":"object"}""", "#", "no properties" },
        { "untyped value", """{"type":"object","properties":{"x":{}}}""", "#/properties/x", "type" },
        { "type union", """{"type":"object","properties":{"x":{"type":["string","boolean"]}}}""", "#/properties/x/type", "type union" },
        { "type that is a number", """{"type":"object","properties":{"x":{"type":5}}}""", "#/properties/x/type", "must be a string" },
        { "array of objects without fixed count", """{"type":"object","properties":{"x":{"type":"array","items":{"type":"object","properties":{"a":{"type":"string"}}}}}}""", "#/properties/x", "fixed count" },
        { "array without items", """{"type":"object","properties":{"x":{"type":"array"}}}""", "#/properties/x", "items" },
        { "empty enum", """{"type":"object","properties":{"x":{"enum":[]}}}""", "#/properties/x/enum", "empty" },
        { "schema false", """{"type":"object","properties":{"x":false}}""", "#/properties/x", "not an object" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_naming_the_schema_node(string name, string schema, string pointer, string fragment)
    {
        var ex = Assert.Throws<TemplateException>(() => JsonSchemaTemplate.FromSchema(JsonNode.Parse(schema)!));

        Assert.True(ex.Message.Contains(fragment, StringComparison.Ordinal), $"{name}: '{ex.Message}' lacks '{fragment}'");
        Assert.Equal(pointer, ex.Pointer);
    }
}
