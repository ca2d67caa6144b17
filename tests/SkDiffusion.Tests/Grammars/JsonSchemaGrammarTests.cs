using System.Text.Json;
using SkDiffusion.Grammars;

namespace SkDiffusion.Tests.Grammars;

public sealed class JsonSchemaGrammarTests
{
    private static TokenGrammar Schema(string json, GrammarOptions? options = null) =>
        GrammarTestKit.ByteSchema(json, options);

    [Fact]
    public void Object_members_follow_declared_order_and_canonical_layout() => GrammarTestKit.CheckByteSchema(
        """{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"ok":{"type":"boolean"}},"required":["name","age","ok"]}""",
        ["""{"name": "Lina", "age": 42, "ok": true}""", """{"name": "", "age": -3, "ok": false}"""],
        ["""{"age": 42, "name": "Lina", "ok": true}""", """{"name":"Lina","age":42,"ok":true}""", """{"name": "Lina", "age": 42}""", """{"name": "Lina", "age": 042, "ok": true}""", """{"name": "Lina", "age": 42, "ok": true} """]);

    [Fact]
    public void Optional_properties_may_be_omitted_with_correct_separators() => GrammarTestKit.CheckByteSchema(
        """{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"}},"required":["b"]}""",
        ["""{"b": 1}""", """{"a": 1, "b": 2}""", """{"b": 2, "c": 3}""", """{"a": 1, "b": 2, "c": 3}"""],
        ["""{}""", """{"a": 1}""", """{, "b": 1}""", """{"b": 1, }""", """{"a": 1, "c": 3}"""]);

    [Fact]
    public void All_optional_allows_the_empty_object() => GrammarTestKit.CheckByteSchema(
        """{"type":"object","properties":{"a":{"type":"null"},"b":{"type":"boolean"}}}""",
        ["{}", """{"a": null}""", """{"b": true}""", """{"a": null, "b": false}"""],
        ["""{"b": true, "a": null}""", """{"a": null, }"""]);

    [Fact]
    public void Strings_escape_and_count_characters_not_bytes() => GrammarTestKit.CheckByteSchema(
        """{"type":"string","minLength":2,"maxLength":3}""",
        ["\"ab\"", "\"éàü\"", "\"a\\\"b\"", "\"\\u00e9x\"", "\"a\\n\""],
        ["\"a\"", "\"abcd\"", "\"a\"b\"", "\"a\nb\"", "\"ab\\q\""]);

    [Fact]
    public void Integer_bounds_and_exclusive_bounds() => GrammarTestKit.CheckByteSchema(
        """{"type":"integer","exclusiveMinimum":-3,"maximum":12.5}""",
        ["-2", "0", "12"], ["-3", "13", "12.0", "1e1"]);

    [Fact]
    public void Number_bounds_allow_fractions_inside_the_range() => GrammarTestKit.CheckByteSchema(
        """{"type":"number","minimum":-1.25,"exclusiveMaximum":3}""",
        ["-1.25", "-1.2", "-0.5", "0", "0.000", "2.99999", "-1", "1.250"], ["-1.26", "3", "3.0", "-1.3", "2.5e0", "-0", "01.5", "1."]);

    [Fact]
    public void Numbers_booleans_nulls() => GrammarTestKit.CheckByteSchema(
        """{"type":["number","boolean","null"]}""",
        ["0", "-1.5", "3e10", "2.0E-3", "true", "null"], ["01", "1.", ".5", "\"1\"", "True"]);

    [Fact]
    public void Enum_and_const_are_canonical_literals()
    {
        GrammarTestKit.CheckByteSchema("""{"enum":["red","green",3,null,{"a":[1,2]}]}""", ["\"red\"", "3", "null", """{"a": [1, 2]}"""], ["\"blue\"", """{"a":[1,2]}"""]);
        GrammarTestKit.CheckByteSchema("""{"const":"x\"y"}""", ["\"x\\\"y\""], ["\"x\"y\""]);
    }

    [Fact]
    public void Arrays_of_objects_with_item_bounds() => GrammarTestKit.CheckByteSchema(
        """{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer","minimum":0,"maximum":9}},"required":["id"]},"minItems":1,"maxItems":2}""",
        ["""[{"id": 1}]""", """[{"id": 1}, {"id": 9}]"""],
        ["[]", """[{"id": 1}, {"id": 2}, {"id": 3}]""", """[{"id": 10}]""", """[{"id": 1},{"id": 2}]"""]);

    [Fact]
    public void Every_uri_the_formats_accept_is_read_by_dotnets_uri()
    {
        string[] candidates =
        [
            "M:aim", "c:x", "http:abc", "mailto:a@b.org", "mailto:@", "urn:isbn:1", "urn:%", "http://a:65536", "http://a:0080",
            "http://[x", "http://a:b:c", "http://", "http://%41", "http://@", "http:///x", "http://a..b", "ab://9", "ab://a.9:1#",
            "http://a/[x]", "http://a/%zz", "http://a?x=%", "http://-a.b", "a+b.c-d://x-y.z:0/", "ab://a.b/'()*+,;=@!$&~",
            "//x", "/a/b?c#d", "a%zz", "/@x", "a?[", "x/", "a:b/c", "./a", "../a",
        ];
        var uri = Schema("""{"type":"string","format":"uri"}""");
        var reference = Schema("""{"type":"string","format":"uri-reference"}""");
        int acceptedAbsolute = 0, acceptedReference = 0;
        foreach (string c in candidates)
        {
            string json = JsonSerializer.Serialize(c);
            if (uri.Matches(json))
            {
                acceptedAbsolute++;
                Assert.True(Uri.TryCreate(c, UriKind.Absolute, out _), $"format uri accepts {c}, which Uri does not read as absolute");
            }

            if (reference.Matches(json))
            {
                acceptedReference++;
                Assert.NotNull(JsonSerializer.Deserialize<Uri>(json));
            }
        }

        Assert.True(acceptedAbsolute >= 8 && acceptedReference > acceptedAbsolute, $"{acceptedAbsolute} absolute, {acceptedReference} references");
    }

    [Fact]
    public void Formats() 
    {
        GrammarTestKit.CheckByteSchema("""{"type":"string","format":"date"}""", ["\"2024-02-29\""], ["\"2024-13-01\"", "\"24-01-01\""]);
        GrammarTestKit.CheckByteSchema("""{"type":"string","format":"time"}""", ["\"23:59:59\"", "\"08:00:00Z\"", "\"08:00:00.5+02:00\""], ["\"24:00:00\"", "\"8:00\""]);
        GrammarTestKit.CheckByteSchema("""{"type":"string","format":"date-time"}""", ["\"2024-01-31T10:00:00Z\""], ["\"2024-01-31 10:00:00Z\"", "\"2024-01-31T10:00:00\""]);
        GrammarTestKit.CheckByteSchema("""{"type":"string","format":"uuid"}""", ["\"123e4567-e89b-12d3-a456-426614174000\""], ["\"123e4567e89b12d3a456426614174000\""]);
        GrammarTestKit.CheckByteSchema("""{"type":"string","format":"email"}""", ["\"a.b@example.com\""], ["\"a@b\"", "\"@x.com\""]);
        GrammarTestKit.CheckByteSchema("""{"type":"string","format":"uri"}""", ["\"https://example.com/a?b=1#c\"", "\"ab://x-y.z:8080/\"", "\"urn:isbn:0451450523\""], ["\"/relative/path\"", "\"http://a b\"", "\"1http://x\"", "\"M:aim\"", "\"mailto:a@b.org\"", "\"http://a..b\"", "\"http://\"", "\"\""]);
        GrammarTestKit.CheckByteSchema("""{"type":"string","format":"uri-reference"}""", ["\"/relative/path?x=[1]\"", "\"a/b/\"", "\"https://example.com\""], ["\"a b\"", "\"c:x\"", "\"//x\"", "\"\""]);
        GrammarTestKit.CheckByteSchema("""{"type":"string","format":"hostname"}""", ["\"example.com\"", "\"a-1.b\""], ["\"-a.com\"", "\"a..b\"", "\"a_b\""]);
        GrammarTestKit.CheckByteSchema("""{"type":"string","format":"ipv4"}""", ["\"192.168.0.1\"", "\"255.255.255.255\"", "\"0.0.0.0\""], ["\"256.1.1.1\"", "\"01.1.1.1\"", "\"1.1.1\""]);
    }

    [Fact]
    public void Pattern_is_unanchored_unless_anchored_and_json_escaped()
    {
        GrammarTestKit.CheckByteSchema("""{"type":"string","pattern":"^[A-Z]{2}\\d$"}""", ["\"AB1\""], ["\"xAB1\"", "\"AB12\""]);
        GrammarTestKit.CheckByteSchema("""{"type":"string","pattern":"\\d"}""", ["\"a1b\"", "\"1\""], ["\"ab\""]);
        GrammarTestKit.CheckByteSchema("""{"type":"string","pattern":"^a\"b$"}""", ["\"a\\\"b\""], ["\"a\"b\""]);
    }

    [Fact]
    public void Refs_to_defs_and_definitions_and_nullable_type_arrays() => GrammarTestKit.CheckByteSchema(
        """{"$defs":{"p":{"type":"object","properties":{"x":{"$ref":"#/definitions/n"}},"required":["x"]}},"definitions":{"n":{"type":["string","null"]}},"type":"array","items":{"$ref":"#/$defs/p"}}""",
        ["""[{"x": null}, {"x": "s"}]""", "[]"], ["""[{"x": 1}]"""]);

    [Fact]
    public void AnyOf_and_additionalProperties_false() => GrammarTestKit.CheckByteSchema(
        """{"anyOf":[{"type":"integer"},{"type":"object","properties":{"k":{"type":"boolean"}},"additionalProperties":false}]}""",
        ["5", "{}", """{"k": true}"""], ["""{"z": 1}""", "\"5\""]);

    [Fact]
    public void Schemaless_parts_accept_any_json_of_bounded_depth()
    {
        var g = Schema("""{"type":"object","properties":{"meta":{}},"required":["meta"]}""", new GrammarOptions { MaxJsonDepth = 2 });
        Assert.True(g.Matches("""{"meta": {"a": [1, "x"]}}"""));
        Assert.False(g.Matches("""{"meta": [[[1]]]}"""));
        var any = TokenGrammar.AnyJson(GrammarTestKit.Bytes, new GrammarOptions { MaxJsonDepth = 3 });
        Assert.True(any.Matches("""[{"a": [null]}, 1.5e3, "é"]"""));
        Assert.False(any.Matches("""[[[[1]]]]"""));
        Assert.False(any.Matches("""{"a":1}"""));
    }

    public static TheoryData<string, string> Errors => new()
    {
        { """{"type":"object","properties":{"age":{"type":"integer","maximum":"5"}}}""", "/properties/age/maximum" },
        { """{"type":"object","properties":{"age":{"type":"integer","minimum":9,"maximum":5}}}""", "/properties/age/minimum" },
        { """{"type":"string","minLength":4,"maxLength":2}""", "/minLength" },
        { """{"type":"array","minItems":3,"maxItems":1}""", "/minItems" },
        { """{"type":"string","maxLength":-1}""", "/maxLength" },
        { """{"type":"object","patternProperties":{"^x":{}}}""", "/patternProperties" },
        { """{"type":"object","properties":{"a":{"oneOf":[{"type":"string"}],"type":"string"}}}""", "/properties/a/type" },
        { """{"allOf":[{"type":"string"},{"maxLength":3}]}""", "/allOf" },
        { """{"type":"object","properties":{"x":{"$ref":"#anchor"}}}""", "/properties/x/$ref" },
        { """{"$ref":"#/$defs/missing"}""", "/$ref" },
        { """{"$ref":"http://x/y"}""", "/$ref" },
        { """{"type":"string","format":"idn-email"}""", "/format" },
        { """{"type":"number","minimum":2.5,"exclusiveMaximum":2.5}""", "/minimum" },
        { """{"type":"number","maximum":1e40}""", "/maximum" },
        { """{"type":"strin"}""", "/type" },
        { """{"type":"object","properties":{"a":{}},"required":["b"]}""", "/required" },
        { """{"type":"string","pattern":"(a"}""", "/pattern" },
        { """{"type":"array","items":[{"type":"string"}]}""", "/items" },
        { """{"type":"object","properties":{"a/b":{"type":"integer","multipleOf":0}}}""", "/properties/a~1b/multipleOf" },
        { """{"enum":[]}""", "/enum" },
        { """{"type":"object","properties":{"a":{"oneOf":5}}}""", "/properties/a/oneOf" },
        { """{"type":"object","properties":{"a":{"enum":"abc"}}}""", "/properties/a/enum" },
        { """{"type":"object","properties":{"a":{"type":"string","maxLength":"ten"}}}""", "/properties/a/maxLength" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Bad_or_unsupported_keywords_name_their_json_pointer(string schema, string pointer)
    {
        var ex = Assert.Throws<GrammarException>(() => Schema(schema));
        Assert.Equal(pointer, ex.Pointer);
        Assert.StartsWith(pointer + ":", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grammars_are_cached_per_source_and_vocabulary()
    {
        const string s = """{"type":"integer","minimum":1,"maximum":5}""";
        Assert.Same(Schema(s), Schema(s));
        Assert.NotSame(Schema(s), Schema(s, new GrammarOptions { MaxStates = 500 }));
        Assert.NotSame(Schema(s), TokenGrammar.FromJsonSchema(JsonDocument.Parse(s).RootElement, GrammarTestKit.Multi.Vocabulary));
    }
}
