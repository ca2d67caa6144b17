using System.Text.Json;

namespace SkDiffusion.Grammars.Internal;

/// <summary>The <c>"type": "string"</c> part of a JSON schema: length bounds in characters, <c>pattern</c> and <c>format</c>.</summary>
internal static class JsonStringSchema
{
    /// <summary>The largest <c>minLength</c>/<c>maxLength</c>/<c>minItems</c>/<c>maxItems</c> accepted.</summary>
    public const int MaxCount = 4096;

    public static RegexNode Compile(JsonElement s, string ptr, GrammarOptions options)
    {
        int min = Count(s, ptr, "minLength") ?? 0;
        int max = Count(s, ptr, "maxLength") ?? -1;
        if (max >= 0 && min > max)
        {
            throw new GrammarException($"'minLength' ({min}) is above 'maxLength' ({max}).", ptr + "/minLength");
        }

        bool hasLength = s.TryGetProperty("minLength", out _) || s.TryGetProperty("maxLength", out _);
        string? lengthKeyword = s.TryGetProperty("minLength", out _) ? "minLength" : "maxLength";
        RegexNode? content = null;
        if (s.TryGetProperty("format", out var format))
        {
            if (format.ValueKind != JsonValueKind.String)
            {
                throw new GrammarException("'format' must be a string.", ptr + "/format");
            }

            content = JsonLexicon.Format(format.GetString()!)
                ?? throw new GrammarException($"the format '{format.GetString()}' is not supported: use one of {string.Join(", ", JsonLexicon.FormatNames)}, or a 'pattern'.", ptr + "/format");
            if (s.TryGetProperty("pattern", out _))
            {
                throw new GrammarException("'pattern' together with 'format' is not supported: keep one.", ptr + "/pattern");
            }
        }
        else if (s.TryGetProperty("pattern", out var pattern))
        {
            if (pattern.ValueKind != JsonValueKind.String)
            {
                throw new GrammarException("'pattern' must be a string.", ptr + "/pattern");
            }

            (RegexNode node, bool start, bool end) parsed;
            try
            {
                parsed = RegexParser.Parse(pattern.GetString()!);
            }
            catch (GrammarException ex)
            {
                throw new GrammarException(ex.Message, ptr + "/pattern");
            }

            var any = RegexNode.Star(CodepointSet.Any().ToNode());
            content = RegexNode.Concat(parsed.start ? RegexNode.Empty : any, parsed.node, parsed.end ? RegexNode.Empty : any);
        }

        if (content is null)
        {
            return options.CopySource is string source ? Copied(source, options.CopyMaxWords, min, max, ptr) : JsonLexicon.String(min, max);
        }

        if (hasLength)
        {
            throw new GrammarException($"'{lengthKeyword}' together with 'pattern' or 'format' is not supported: put the length into the pattern.", ptr + "/" + lengthKeyword);
        }

        return JsonLexicon.Quoted(JsonLexicon.Escaped(content));
    }

    /// <summary>A free-form string copied from the source: a run of its whole words, or the empty string when allowed.</summary>
    private static RegexNode Copied(string source, int maxWords, int min, int max, string ptr)
    {
        var values = CopySpans.Find(source, maxWords, Math.Max(min, 1), max).Select(span => RegexNode.Literal(JsonLexicon.QuoteString(span))).ToList();
        if (min == 0)
        {
            values.Add(RegexNode.Literal("\"\""));
        }

        return values.Count > 0
            ? RegexNode.Alternation(values)
            : throw new GrammarException($"No run of whole words of the copy source (GrammarOptions.CopySource, {source.Length} characters) has a length between {min} and {(max < 0 ? "any" : max)} characters: pass the text the value comes from, or turn copying off for this schema.", ptr);
    }

    /// <summary>A non-negative whole-number keyword, or null when absent.</summary>
    public static int? Count(JsonElement s, string ptr, string keyword)
    {
        if (!s.TryGetProperty(keyword, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out decimal d) || d < 0 || decimal.Truncate(d) != d)
        {
            throw new GrammarException($"'{keyword}' must be a non-negative whole number, not {v.GetRawText()}.", ptr + "/" + keyword);
        }

        if (d > MaxCount)
        {
            throw new GrammarException($"'{keyword}' is {d}, above the supported {MaxCount}.", ptr + "/" + keyword);
        }

        return (int)d;
    }
}
