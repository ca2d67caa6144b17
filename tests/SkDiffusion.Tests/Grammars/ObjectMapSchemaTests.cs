using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.Grammars;

namespace SkDiffusion.Tests.Grammars;

/// <summary>
/// Objects without declared properties (maps such as <c>Dictionary&lt;string, int&gt;</c>): every value follows the
/// <c>additionalProperties</c> schema, every key the <c>propertyNames</c> string schema, and
/// <c>minProperties</c>/<c>maxProperties</c> bound the member count. With
/// declared properties a count bound is accepted only when it holds for every choice of the optional ones.
/// </summary>
public sealed class ObjectMapSchemaTests
{
    [Fact]
    public void Map_values_follow_the_additionalProperties_schema() => GrammarTestKit.CheckByteSchema(
        """{"type":"object","additionalProperties":{"type":"integer"}}""",
        ["{}", """{"a": 1}""", """{"a": 1, "b": -2}""", """{"": 0}"""],
        ["""{"a": "x"}""", """{"a": true}""", """{"a": 1.5}""", """{"a": {}}""", """{"a": 1,}"""]);

    [Fact]
    public void Map_member_count_follows_minProperties_and_maxProperties() => GrammarTestKit.CheckByteSchema(
        """{"type":"object","additionalProperties":{"type":"boolean"},"minProperties":1,"maxProperties":2}""",
        ["""{"a": true}""", """{"a": true, "b": false}"""],
        ["{}", """{"a": true, "b": false, "c": true}"""]);

    [Fact]
    public void Open_object_without_a_value_schema_takes_any_values_within_the_count() => GrammarTestKit.CheckByteSchema(
        """{"type":"object","maxProperties":1}""",
        ["{}", """{"a": [1, "x"]}""", """{"a": null}"""],
        ["""{"a": 1, "b": 2}"""]);

    [Fact]
    public void Map_keys_follow_the_propertyNames_string_schema() => GrammarTestKit.CheckByteSchema(
        """{"type":"object","propertyNames":{"maxLength":2},"additionalProperties":{"type":"integer"}}""",
        ["{}", """{"ab": 1}""", """{"a": 1, "": 2}"""],
        ["""{"abc": 1}""", """{"ab": "x"}"""]);

    [Fact]
    public void Map_keys_may_be_a_string_enum() => GrammarTestKit.CheckByteSchema(
        """{"type":"object","propertyNames":{"type":"string","enum":["x","y"]},"additionalProperties":{"type":"boolean"}}""",
        ["""{"x": true}""", """{"x": true, "y": false}"""],
        ["""{"z": true}""", """{"xy": true}"""]);

    [Fact]
    public void Count_and_key_keywords_alone_make_the_schema_an_object() => GrammarTestKit.CheckByteSchema(
        """{"minProperties":1}""",
        ["""{"a": 1}""", """{"a": 1, "b": [true]}"""],
        ["{}", "1", "\"a\""]);

    [Fact]
    public void The_map_schema_that_MEAI_writes_for_a_dictionary_constrains_its_values()
    {
        var schema = AIJsonUtilities.CreateJsonSchema(typeof(Dictionary<string, int>));
        var g = TokenGrammar.FromJsonSchema(schema, GrammarTestKit.Bytes);
        Assert.True(g.Matches("""{"apples": 3, "pears": 0}"""));
        Assert.False(g.Matches("""{"apples": "three"}"""));
    }

    [Fact]
    public void Count_bounds_that_hold_for_every_choice_of_optional_properties_are_accepted() => GrammarTestKit.CheckByteSchema(
        """{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a"],"minProperties":1,"maxProperties":2}""",
        ["""{"a": 1}""", """{"a": 1, "b": 2}"""],
        ["{}", """{"b": 2}"""]);

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{},"b":{}},"minProperties":1}""", "/minProperties", "required")]
    [InlineData("""{"type":"object","properties":{"a":{},"b":{}},"maxProperties":1}""", "/maxProperties", "declare fewer")]
    [InlineData("""{"type":"object","properties":{"a":{},"b":{}},"required":["a","b"],"maxProperties":1}""", "/maxProperties", "allows no object")]
    [InlineData("""{"type":"object","additionalProperties":false,"minProperties":1}""", "/minProperties", "{}")]
    [InlineData("""{"type":"object","minProperties":3,"maxProperties":2}""", "/minProperties", "above 'maxProperties'")]
    [InlineData("""{"type":"object","minProperties":-1}""", "/minProperties", "non-negative")]
    [InlineData("""{"type":"object","properties":{"a":{}},"propertyNames":{"maxLength":3}}""", "/propertyNames", "declared 'properties'")]
    [InlineData("""{"type":"object","propertyNames":{"type":"integer"}}""", "/propertyNames/type", "keys are strings")]
    [InlineData("""{"type":"object","propertyNames":{"enum":["a",1]}}""", "/propertyNames/enum", "strings only")]
    [InlineData("""{"type":"object","propertyNames":false}""", "/propertyNames", "additionalProperties")]
    [InlineData("""{"properties":{"m":{"type":"object","additionalProperties":{"type":"string","minLength":"x"}}}}""", "/properties/m/additionalProperties/minLength", "minLength")]
    public void Count_bounds_that_cannot_be_honoured_name_their_pointer(string schema, string pointer, string hint) =>
        GrammarTestKit.CheckByteSchemaRefused(schema, pointer, hint);
}
