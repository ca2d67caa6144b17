using System.Globalization;
using System.Text.Json;
using SkDiffusion.Templates.Json;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// Compiles a JSON schema into the regular language of its canonical JSON documents (see <see cref="JsonLexicon"/>).
/// Errors name the JSON pointer of the keyword at fault.
/// </summary>
internal sealed class JsonSchemaCompiler
{
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$comment", "$defs", "definitions", "$anchor", "title", "description", "default", "examples",
        "deprecated", "readOnly", "writeOnly", "contentMediaType", "contentEncoding",
    };

    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        "patternProperties", "if", "then", "else", "not", "dependentRequired", "dependentSchemas", "dependencies",
        "contains", "minContains", "maxContains", "prefixItems",
        "unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef", "additionalItems",
    };

    private readonly GrammarOptions _options;
    private readonly JsonSchemaReferences _refs;

    private JsonSchemaCompiler(JsonElement root, GrammarOptions options)
    {
        _options = options;
        _refs = new JsonSchemaReferences(root, options);
    }

    public static RegexNode Compile(JsonElement schema, GrammarOptions options)
    {
        var compiler = new JsonSchemaCompiler(schema, options);
        var node = compiler.Schema(schema, "");
        if (node.Kind == RegexNodeKind.Nothing)
        {
            throw new GrammarException(compiler._refs.CutOff
                ? $"the schema allows no document: a recursive '$ref' is required at every level, so no document ends within GrammarOptions.MaxRecursionDepth ({options.MaxRecursionDepth}) levels; make the recursive property optional, nullable or an array."
                : "the schema allows no document.", "");
        }

        return node;
    }

    private RegexNode Schema(JsonElement s, string ptr)
    {
        _refs.Enter(ptr);
        try
        {
            return Unguarded(s, ptr);
        }
        finally
        {
            _refs.Leave();
        }
    }

    private RegexNode Unguarded(JsonElement s, string ptr)
    {
        switch (s.ValueKind)
        {
            case JsonValueKind.True:
                return JsonLexicon.AnyValue(_options.MaxJsonDepth);
            case JsonValueKind.False:
                throw new GrammarException("the schema 'false' allows no value.", ptr);
            case JsonValueKind.Object:
                break;
            default:
                throw new GrammarException($"a schema must be an object or a boolean, not {s.ValueKind}.", ptr);
        }

        var constraining = new List<string>();
        foreach (var p in s.EnumerateObject())
        {
            if (Unsupported.Contains(p.Name))
            {
                throw new GrammarException($"the keyword '{p.Name}' is not supported (see docs/grammars.md for the supported subset).", JsonPointer.Child(ptr, p.Name));
            }

            if (!Annotations.Contains(p.Name))
            {
                constraining.Add(p.Name);
            }
        }

        if (s.TryGetProperty("$ref", out var reference))
        {
            constraining.RemoveAll(k => JsonSchemaReferences.IsVacuousSibling(k, s.GetProperty(k)));
            Alone(constraining, "$ref", ptr);
            return _refs.Expand(reference, JsonPointer.Child(ptr, "$ref"), Schema);
        }

        if (s.TryGetProperty("const", out var constant))
        {
            return RegexNode.Literal(JsonLexicon.Canonical(constant));
        }

        if (s.TryGetProperty("enum", out var options))
        {
            if (options.ValueKind != JsonValueKind.Array || options.GetArrayLength() == 0)
            {
                throw new GrammarException("'enum' must be a non-empty array.", JsonPointer.Child(ptr, "enum"));
            }

            return RegexNode.Alternation(options.EnumerateArray().Select(o => RegexNode.Literal(JsonLexicon.Canonical(o))).ToList());
        }

        foreach (string combinator in new[] { "anyOf", "oneOf", "allOf" })
        {
            if (s.TryGetProperty(combinator, out var subs))
            {
                Alone(constraining, combinator, ptr);
                string cp = JsonPointer.Child(ptr, combinator);
                if (subs.ValueKind != JsonValueKind.Array || subs.GetArrayLength() == 0)
                {
                    throw new GrammarException($"'{combinator}' must be a non-empty array of schemas.", cp);
                }

                if (combinator == "allOf" && subs.GetArrayLength() != 1)
                {
                    throw new GrammarException("'allOf' with more than one schema is not supported: merge the schemas into one.", cp);
                }

                return RegexNode.Alternation(subs.EnumerateArray().Select((sub, i) => Schema(sub, JsonPointer.Child(cp, i.ToString(CultureInfo.InvariantCulture)))).ToList());
            }
        }

        var types = Types(s, ptr);
        var node = RegexNode.Alternation(types.Select(t => Typed(s, ptr, t)).ToList());
        if (s.TryGetProperty("nullable", out var nullable) && nullable.ValueKind == JsonValueKind.True && !types.Contains("null"))
        {
            node = RegexNode.Alternation(node, JsonLexicon.Null);
        }

        return node;
    }

    private static void Alone(List<string> constraining, string keyword, string ptr)
    {
        string? other = constraining.FirstOrDefault(k => k != keyword);
        if (other is not null)
        {
            throw new GrammarException($"'{other}' next to '{keyword}' is not supported: move it into the referenced or listed schemas.", JsonPointer.Child(ptr, other));
        }
    }

    private static List<string> Types(JsonElement s, string ptr)
    {
        string[] known = ["string", "integer", "number", "boolean", "null", "object", "array"];
        if (s.TryGetProperty("type", out var type))
        {
            var list = new List<string>();
            string tp = JsonPointer.Child(ptr, "type");
            var items = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().ToList() : [type];
            foreach (var t in items)
            {
                if (t.ValueKind != JsonValueKind.String || !known.Contains(t.GetString()))
                {
                    throw new GrammarException($"'type' must be one of {string.Join(", ", known)} or an array of them, not {t.GetRawText()}.", tp);
                }

                list.Add(t.GetString()!);
            }

            if (list.Count == 0)
            {
                throw new GrammarException("'type' is an empty array.", tp);
            }

            return list;
        }

        bool Has(params string[] keys) => keys.Any(k => s.TryGetProperty(k, out _));
        return Has("properties", "required", "additionalProperties", "propertyNames", "minProperties", "maxProperties") ? ["object"]
            : Has("items", "minItems", "maxItems") ? ["array"]
            : Has("minLength", "maxLength", "pattern", "format") ? ["string"]
            : Has("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf") ? ["number"]
            : ["any"];
    }

    private RegexNode Typed(JsonElement s, string ptr, string type) => type switch
    {
        "string" => JsonStringSchema.Compile(s, ptr, _options),
        "integer" => JsonNumberSchema.Integer(s, ptr, _options.MaxStates),
        "number" => JsonNumberSchema.Number(s, ptr, _options.MaxStates),
        "boolean" => JsonLexicon.Boolean,
        "null" => JsonLexicon.Null,
        "object" => Object(s, ptr),
        "array" => Array(s, ptr),
        _ => JsonLexicon.AnyValue(_options.MaxJsonDepth),
    };

    private RegexNode Object(JsonElement s, string ptr)
    {
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (s.TryGetProperty("required", out var req))
        {
            if (req.ValueKind != JsonValueKind.Array || req.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
            {
                throw new GrammarException("'required' must be an array of property names.", JsonPointer.Child(ptr, "required"));
            }

            required.UnionWith(req.EnumerateArray().Select(r => r.GetString()!));
        }

        bool closed = false;
        if (s.TryGetProperty("additionalProperties", out var additional))
        {
            if (additional.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Object))
            {
                throw new GrammarException("'additionalProperties' must be a boolean or a schema.", JsonPointer.Child(ptr, "additionalProperties"));
            }

            closed = additional.ValueKind == JsonValueKind.False;
        }

        int minProps = JsonStringSchema.Count(s, ptr, "minProperties") ?? 0;
        int maxProps = JsonStringSchema.Count(s, ptr, "maxProperties") ?? -1;
        if (maxProps >= 0 && minProps > maxProps)
        {
            throw new GrammarException($"'minProperties' ({minProps}) is above 'maxProperties' ({maxProps}).", JsonPointer.Child(ptr, "minProperties"));
        }

        var open = RegexNode.Byte((byte)'{');
        var close = RegexNode.Byte((byte)'}');
        if (!s.TryGetProperty("properties", out var props))
        {
            if (required.Count > 0)
            {
                throw new GrammarException($"'required' names '{required.First()}' but the object has no 'properties': declare every required property.", JsonPointer.Child(ptr, "required"));
            }

            if (closed)
            {
                return minProps == 0 ? RegexNode.Literal("{}") : throw new GrammarException($"'minProperties' ({minProps}) asks for members, but with 'additionalProperties': false and no 'properties' the only object is {{}}.", JsonPointer.Child(ptr, "minProperties"));
            }

            // A map: keys of the propertyNames schema (any string when it is absent), each value of the
            // additionalProperties schema (any value when it is absent or true).
            var key = s.TryGetProperty("propertyNames", out var names) ? PropertyName(names, JsonPointer.Child(ptr, "propertyNames")) : JsonLexicon.String(0, -1);
            var value = additional.ValueKind == JsonValueKind.Object
                ? Schema(additional, JsonPointer.Child(ptr, "additionalProperties"))
                : JsonLexicon.AnyValue(Math.Max(0, _options.MaxJsonDepth - 1));
            return FreeMembers(key, value, minProps, maxProps);
        }

        if (s.TryGetProperty("propertyNames", out _))
        {
            throw new GrammarException("'propertyNames' next to declared 'properties' is not supported: declare the properties, or describe a map (no 'properties') whose keys follow 'propertyNames'.", JsonPointer.Child(ptr, "propertyNames"));
        }

        string propsPtr = JsonPointer.Child(ptr, "properties");
        if (props.ValueKind != JsonValueKind.Object)
        {
            throw new GrammarException("'properties' must be an object of schemas.", propsPtr);
        }

        var members = new List<(RegexNode Node, bool Required)>();
        foreach (var p in props.EnumerateObject())
        {
            var value = Schema(p.Value, JsonPointer.Child(propsPtr, p.Name));
            members.Add((RegexNode.Concat(RegexNode.Literal(JsonLexicon.QuoteString(p.Name)), JsonLexicon.KeySeparator, value), required.Contains(p.Name)));
        }

        string? missing = required.FirstOrDefault(r => !props.TryGetProperty(r, out _));
        if (missing is not null)
        {
            throw new GrammarException($"'required' names '{missing}', which is not declared in 'properties'.", JsonPointer.Child(ptr, "required"));
        }

        CheckPropertyCounts(members.Count, required.Count, minProps, maxProps, ptr);
        return RegexNode.Concat(open, Members(members), close);
    }

    /// <summary>
    /// With declared properties only those are written, so a count bound is honoured only when it holds for every
    /// choice of the optional ones; a bound that would pick among them is refused with the way out.
    /// </summary>
    private static void CheckPropertyCounts(int declared, int required, int minProps, int maxProps, string ptr)
    {
        if (minProps > required)
        {
            throw new GrammarException($"'minProperties' ({minProps}) is above the {required} required properties: with declared 'properties' a count bound must hold whichever optional properties are written; list more properties in 'required' or lower 'minProperties'.", JsonPointer.Child(ptr, "minProperties"));
        }

        if (maxProps >= 0 && maxProps < declared)
        {
            throw new GrammarException(maxProps < required
                ? $"'maxProperties' ({maxProps}) is below the {required} required properties: the schema allows no object."
                : $"'maxProperties' ({maxProps}) is below the {declared} declared properties: with declared 'properties' a count bound must hold whichever optional properties are written; declare fewer properties or raise 'maxProperties'.", JsonPointer.Child(ptr, "maxProperties"));
        }
    }

    /// <summary>The members in declared order, optional ones omissible, with <c>", "</c> between the present ones.</summary>
    private static RegexNode Members(List<(RegexNode Node, bool Required)> members)
    {
        int n = members.Count;

        // after[k]: members k.. once at least one member was written (each present one is led by ", ").
        var after = new RegexNode[n + 1];
        after[n] = RegexNode.Empty;
        for (int k = n - 1; k >= 0; k--)
        {
            var led = RegexNode.Concat(JsonLexicon.ItemSeparator, members[k].Node);
            after[k] = RegexNode.Concat(members[k].Required ? led : RegexNode.Optional(led), after[k + 1]);
        }

        // first[k]: members k.. when none was written yet.
        var first = RegexNode.Empty;
        for (int k = n - 1; k >= 0; k--)
        {
            var withThis = RegexNode.Concat(members[k].Node, after[k + 1]);
            first = members[k].Required ? withThis : RegexNode.Alternation(withThis, first);
        }

        return first;
    }

    /// <summary>The keys of a map: a string schema (its length bounds, pattern, format, or string enum/const).</summary>
    private RegexNode PropertyName(JsonElement names, string ptr)
    {
        if (names.ValueKind == JsonValueKind.True)
        {
            return JsonLexicon.String(0, -1);
        }

        if (names.ValueKind != JsonValueKind.Object)
        {
            throw new GrammarException($"'propertyNames' must be a string schema or true, not {names.GetRawText()} (use 'additionalProperties': false for an object without members).", ptr);
        }

        foreach (var p in names.EnumerateObject())
        {
            bool ok = Annotations.Contains(p.Name) || p.Name is "minLength" or "maxLength" or "pattern" or "format" or "enum" or "const"
                || (p.Name == "type" && p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() == "string");
            if (!ok)
            {
                throw new GrammarException($"'{p.Name}' is not supported in 'propertyNames': keys are strings, constrained by minLength, maxLength, pattern, format, enum or const.", JsonPointer.Child(ptr, p.Name));
            }
        }

        foreach (string listed in new[] { "enum", "const" })
        {
            if (names.TryGetProperty(listed, out var v) && (v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : new[] { v }.AsEnumerable()).Any(x => x.ValueKind != JsonValueKind.String))
            {
                throw new GrammarException($"'{listed}' in 'propertyNames' must list strings only: property names are strings.", JsonPointer.Child(ptr, listed));
            }
        }

        return names.TryGetProperty("enum", out _) || names.TryGetProperty("const", out _) ? Schema(names, ptr) : JsonStringSchema.Compile(names, ptr, _options);
    }

    /// <summary>An object whose keys are <paramref name="key"/> and values <paramref name="value"/>, with <paramref name="min"/> to <paramref name="max"/> members (-1: no bound).</summary>
    private static RegexNode FreeMembers(RegexNode key, RegexNode value, int min, int max)
    {
        var member = RegexNode.Concat(key, JsonLexicon.KeySeparator, value);
        return RegexNode.Concat(RegexNode.Byte((byte)'{'), RegexNode.SeparatedList(member, JsonLexicon.ItemSeparator, min, max), RegexNode.Byte((byte)'}'));
    }

    private RegexNode Array(JsonElement s, string ptr)
    {
        int min = JsonStringSchema.Count(s, ptr, "minItems") ?? 0;
        int max = JsonStringSchema.Count(s, ptr, "maxItems") ?? -1;
        if (max >= 0 && min > max)
        {
            throw new GrammarException($"'minItems' ({min}) is above 'maxItems' ({max}).", JsonPointer.Child(ptr, "minItems"));
        }

        if (s.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
        {
            throw new GrammarException("'uniqueItems': true is not supported (uniqueness is not regular).", JsonPointer.Child(ptr, "uniqueItems"));
        }

        RegexNode item;
        if (s.TryGetProperty("items", out var items))
        {
            if (items.ValueKind == JsonValueKind.Array)
            {
                throw new GrammarException("tuple 'items' (an array of schemas) is not supported: use one schema for every item.", JsonPointer.Child(ptr, "items"));
            }

            item = Schema(items, JsonPointer.Child(ptr, "items"));
        }
        else
        {
            item = JsonLexicon.AnyValue(Math.Max(0, _options.MaxJsonDepth - 1));
        }

        return RegexNode.Concat(RegexNode.Byte((byte)'['), RegexNode.SeparatedList(item, JsonLexicon.ItemSeparator, min, max), RegexNode.Byte((byte)']'));
    }
}
