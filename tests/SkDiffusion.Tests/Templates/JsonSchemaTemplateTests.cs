using System.Text.Json;
using System.Text.Json.Nodes;
using SkDiffusion.Templates;
using SkDiffusion.Templates.Json;

namespace SkDiffusion.Tests.Templates;

public class JsonSchemaTemplateTests
{
    private const string PersonSchema = """
        {
          "type": "object",
          "properties": {
            "name": { "type": "string", "maxLength": 6 },
            "age": { "type": "integer", "minimum": 0, "maximum": 120 },
            "married": { "type": "boolean" },
            "pet": { "type": "string", "enum": ["cat", "dog"] },
            "score": { "type": ["number", "null"] },
            "tags": { "type": "array", "items": { "type": "string", "maxLength": 3 }, "minItems": 1, "maxItems": 2 },
            "kind": { "const": "person" }
          },
          "required": ["name"],
          "additionalProperties": false
        }
        """;

    [Fact]
    public void Keys_and_punctuation_are_fixed_text()
    {
        var t = JsonSchemaTemplate.FromSchema(JsonNode.Parse(PersonSchema)!);
        string text = t.Template.ToString();
        Assert.StartsWith("{\"name\": \"{{/name:string(6)}}\", \"age\": {{/age:int(3, unsigned)}}, \"married\": {{/married:bool}}, \"pet\": \"{{/pet:enum(cat|dog)}}\"", text);
        Assert.Contains("\"tags\": [\"{{/tags/0:string(3)}}\", \"{{/tags/1:string(3)}}\"]", text);
        Assert.EndsWith("\"kind\": \"person\"}", text);
        Assert.True(t.Template.Slots.Single(s => s.Name == "/tags/1").Optional);
    }

    [Fact]
    public async Task The_filled_template_is_valid_json_of_the_schema_types()
    {
        var t = JsonSchemaTemplate.FromSchema(JsonNode.Parse(PersonSchema)!);
        var compiled = TemplateTestKit.Compiler().Compile(t.Template);
        var (result, _) = await TemplateTestKit.FillAsync(compiled, "\"", "Bob", "<eos>", "4", "true", "dog");

        string json = t.ToJsonString(result);
        var node = JsonNode.Parse(json)!.AsObject();
        Assert.Equal(JsonValueKind.String, node["name"]!.GetValueKind());
        Assert.Equal(JsonValueKind.Number, node["age"]!.GetValueKind());
        Assert.Equal(JsonValueKind.True, node["married"]!.GetValueKind());
        Assert.Equal("dog", (string?)node["pet"]);
        Assert.Equal(JsonValueKind.Number, node["score"]!.GetValueKind());
        Assert.Equal("person", (string?)node["kind"]);
        Assert.InRange(node["tags"]!.AsArray().Count, 1, 2);
        Assert.StartsWith("Bob", (string?)node["name"]);
        Assert.Equal(4, (int)node["age"]!);
    }

    private sealed record Person(string Name, int Age, bool Married, string? City);

    [Fact]
    public async Task A_csharp_type_gives_a_template_whose_result_deserializes()
    {
        var t = JsonSchemaTemplate.FromType<Person>(options: new JsonSchemaTemplateOptions { StringTokens = 3, IntegerDigits = 2 });
        Assert.Equal(["/name", "/age", "/married", "/city"], t.Template.Slots.Select(s => s.Name));
        var compiled = TemplateTestKit.Compiler().Compile(t.Template);
        var (result, _) = await TemplateTestKit.FillAsync(compiled, "Bob", "<eos>", "1", " false");
        var person = t.Deserialize<Person>(result)!;
        Assert.StartsWith("Bob", person.Name);
        Assert.Equal(1, person.Age);
        Assert.False(person.Married);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"x":{"oneOf":[{"type":"string"},{"type":"integer"}]}}}""", "#/properties/x/oneOf", "one shape")]
    [InlineData("""{"type":"object","properties":{"x":{"$ref":"#"}}}""", "#/properties/x", "recursive")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"string"}}""", "#/additionalProperties", "unknown keys")]
    [InlineData("""{"type":"object","properties":{"x":{}}}""", "#/properties/x", "no usable \"type\"")]
    [InlineData("""{"type":"object","properties":{"x":true}}""", "#/properties/x", "untyped")]
    [InlineData("""{"type":"object","properties":{"x":{"type":"array","items":{"type":"object","properties":{"a":{"type":"integer"}}}}}}""", "#/properties/x", "fixed count")]
    [InlineData("""{"type":"object","properties":{"x":{"type":["string","boolean"]}}}""", "#/properties/x/type", "type union")]
    [InlineData("""{"type":"object"}""", "#", "no properties")]
    [InlineData("""{"type":"object","properties":{"x":{"$ref":"other.json#/a"}}}""", "#/properties/x", "local references")]
    public void Unsupported_schemas_name_the_pointer(string schema, string pointer, string message)
    {
        var ex = Assert.Throws<TemplateException>(() => JsonSchemaTemplate.FromSchema(JsonNode.Parse(schema)!));
        Assert.Equal(pointer, ex.Pointer);
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Nullable_alternatives_and_local_refs_are_followed()
    {
        var t = JsonSchemaTemplate.FromSchema(JsonNode.Parse("""
            {"type":"object","$defs":{"n":{"type":"integer","minimum":0,"maximum":99}},
             "properties":{"a":{"anyOf":[{"$ref":"#/$defs/n"},{"type":"null"}]},"b":{"type":"array","items":{"$ref":"#/$defs/n"},"minItems":2,"maxItems":2}}}
            """)!);
        Assert.Equal("{\"a\": {{/a:int(2, unsigned)}}, \"b\": [{{/b/0:int(2, unsigned)}}, {{/b/1:int(2, unsigned)}}]}", t.Template.ToString());
    }

    [Theory]
    [InlineData("""{"name": "Bo", "age": 4, "married": true, "pet": "cat", "score": 1.5, "tags": ["a"], "kind": "person"}""", null)]
    [InlineData("""{"name": "Bo", "age": 4.5, "married": true, "pet": "cat", "score": 1, "tags": ["a"], "kind": "person"}""", "/age")]
    [InlineData("""{"name": "Bo", "age": 4, "married": true, "pet": "cow", "score": 1, "tags": ["a"], "kind": "person"}""", "/pet")]
    [InlineData("""{"name": "Bo", "age": 4, "married": true, "pet": "cat", "score": 1, "tags": [], "kind": "person"}""", "/tags")]
    [InlineData("""{"name": "Bo", "age": 4, "married": true, "pet": "cat", "score": 1, "tags": ["a"]}""", "missing")]
    [InlineData("""{"name": "Bo", """, "not valid JSON")]
    public void Validation_checks_shape_and_types(string json, string? expected)
    {
        var t = JsonSchemaTemplate.FromSchema(JsonNode.Parse(PersonSchema)!);
        bool ok = t.TryValidate(json, out string? error);
        Assert.Equal(expected is null, ok);
        if (expected is not null)
        {
            Assert.Contains(expected, error);
        }
    }
}
