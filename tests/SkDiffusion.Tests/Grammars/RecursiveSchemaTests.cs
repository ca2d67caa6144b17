using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.Grammars;

namespace SkDiffusion.Tests.Grammars;

/// <summary>
/// Recursive JSON schemas (tree records) unroll to <see cref="GrammarOptions.MaxRecursionDepth"/> levels, and '$ref' takes
/// any JSON pointer into the schema, as M.E.AI writes them ('#', '#/properties/parent').
/// </summary>
public sealed class RecursiveSchemaTests
{
    private const string Tree = """{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#"}}},"required":["name","children"]}""";

    public sealed record Node(string Name, List<Node>? Children, Node? Parent);

    private static TokenGrammar Schema(string json, GrammarOptions? options = null) =>
        GrammarTestKit.ByteSchema(json, options);

    private static string Nested(int levels) => levels == 0
        ? """{"name": "a", "children": []}"""
        : $$"""{"name": "a", "children": [{{Nested(levels - 1)}}, {"name": "b", "children": []}]}""";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_tree_nests_up_to_the_depth_and_no_further(int depth)
    {
        var g = Schema(Tree, new GrammarOptions { MaxRecursionDepth = depth });
        for (int levels = 0; levels <= depth; levels++)
        {
            Assert.True(g.Matches(Nested(levels)), $"depth {depth} should accept {levels} nested levels");
        }

        Assert.False(g.Matches(Nested(depth + 1)));
        Assert.False(g.Matches("""{"name": "a", "children": [{"name": "b"}]}"""));
    }

    [Fact]
    public void The_default_depth_is_three_and_the_depth_is_part_of_the_cache_key()
    {
        var g = Schema(Tree);
        Assert.True(g.Matches(Nested(3)));
        Assert.False(g.Matches(Nested(4)));
        Assert.NotSame(g, Schema(Tree, new GrammarOptions { MaxRecursionDepth = 2 }));
    }

    [Fact]
    public void A_recursive_record_schema_from_MEAI_compiles_and_accepts_its_serialized_trees()
    {
        var schema = AIJsonUtilities.CreateJsonSchema(typeof(Node));
        string raw = schema.GetRawText();
        Assert.Contains("\"$ref\":\"#\"", raw, StringComparison.Ordinal);
        Assert.Contains("\"$ref\":\"#/properties/parent\"", raw, StringComparison.Ordinal);
        var g = TokenGrammar.FromJsonSchema(schema, GrammarTestKit.Bytes);
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        foreach (var node in new[]
        {
            new Node("root", null, null),
            new Node("root", [new Node("kid", [], null), new Node("kid2", null, new Node("up", null, null))], null),
        })
        {
            string json = JsonSerializer.Serialize(node, web).Replace("\":", "\": ", StringComparison.Ordinal).Replace(",\"", ", \"", StringComparison.Ordinal).Replace("},{", "}, {", StringComparison.Ordinal);
            Assert.True(g.Matches(json), json);
        }
    }

    [Fact]
    public void Pointer_refs_reuse_any_schema_of_the_document() => Assert.True(Schema(
        """{"type":"object","properties":{"home":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"work":{"$ref":"#/properties/home"}},"required":["home","work"]}""")
        .Matches("""{"home": {"city": "Zubral"}, "work": {"city": "Neinoth"}}"""));

    [Fact]
    public void A_recursion_required_at_every_level_names_the_schema_root()
    {
        var ex = Assert.Throws<GrammarException>(() => Schema("""{"$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}},"required":["next"]}},"$ref":"#/$defs/n"}"""));
        Assert.Equal("", ex.Pointer);
        Assert.Contains("MaxRecursionDepth", ex.Message, StringComparison.Ordinal);
        Assert.Throws<GrammarException>(() => Schema("""{"$ref":"#"}"""));
    }

    [Fact]
    public void Depth_zero_refuses_recursion_and_depths_outside_zero_to_eight_are_refused()
    {
        var ex = Assert.Throws<GrammarException>(() => Schema(Tree, new GrammarOptions { MaxRecursionDepth = 0 }));
        Assert.Equal("/properties/children/items/$ref", ex.Pointer);
        Assert.Contains("recursive", ex.Message, StringComparison.Ordinal);
        Assert.True(Schema("""{"$defs":{"n":{"type":"integer"}},"$ref":"#/$defs/n"}""", new GrammarOptions { MaxRecursionDepth = 0 }).Matches("7"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schema(Tree, new GrammarOptions { MaxRecursionDepth = 9 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schema(Tree, new GrammarOptions { MaxRecursionDepth = -1 }));
    }

    [Fact]
    public void An_unrolling_past_the_expansion_guard_asks_for_a_lower_depth()
    {
        // Five recursive references per level at depth 8: 5^8 copies, far past the guard.
        const string wide = """{"type":"object","properties":{"a":{"$ref":"#"},"b":{"$ref":"#"},"c":{"$ref":"#"},"d":{"$ref":"#"},"e":{"$ref":"#"}}}""";
        var ex = Assert.Throws<GrammarException>(() => Schema(wide, new GrammarOptions { MaxRecursionDepth = 8 }));
        Assert.Contains("lower the depth", ex.Message, StringComparison.Ordinal);
    }
}
