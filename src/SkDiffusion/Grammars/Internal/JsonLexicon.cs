using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// The pieces of canonical JSON (the layout of Python's <c>json.dumps</c> defaults: <c>", "</c> between members and
/// items, <c>": "</c> after keys, no other whitespace) as regular languages: string content, numbers, literals, formats
/// and any value of bounded depth.
/// </summary>
internal static class JsonLexicon
{
    public static readonly RegexNode Quote = RegexNode.Byte((byte)'"');

    public static readonly RegexNode ItemSeparator = RegexNode.Literal(", ");

    public static readonly RegexNode KeySeparator = RegexNode.Literal(": ");

    /// <summary>The characters a URI may hold after its host (RFC 3986's unreserved, reserved and '%').</summary>
    private const string UriCharacter = @"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]";

    /// <summary>
    /// A hierarchical URI that .NET's Uri reads as absolute: a scheme of two or more characters (one letter is a
    /// drive), "://", a host of dotted labels, an optional port, then any URI characters.
    /// </summary>
    private const string HierarchicalUri = @"[A-Za-z][A-Za-z0-9+.\-]+://[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*(:\d{1,4})?([/?#]" + UriCharacter + "*)?";

    /// <summary>A relative URI whose path segments hold no ':' (a first segment with a colon would read as a scheme or a drive).</summary>
    private const string RelativeUri = @"/?[A-Za-z0-9\-._~!$&'()*+,;=%@]+(/[A-Za-z0-9\-._~!$&'()*+,;=%@]+)*/?([?#]" + UriCharacter + "*)?";

    /// <summary>Dotted decimal, no leading zeros.</summary>
    private const string Ipv4 = @"((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)";

    /// <summary>One group of an IPv6 address: one to four hex digits.</summary>
    private const string H16 = "[0-9A-Fa-f]{1,4}";

    private static readonly Dictionary<string, string> Formats = new(StringComparer.Ordinal)
    {
        ["date"] = @"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])",
        ["time"] = @"([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?",
        ["date-time"] = @"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)",
        ["uuid"] = @"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        ["email"] = @"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
        ["uri"] = HierarchicalUri + "|urn:" + UriCharacter + "+",
        ["uri-reference"] = HierarchicalUri + "|" + RelativeUri,
        ["hostname"] = @"[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*",
        ["ipv4"] = Ipv4,
        ["ipv6"] = Ipv6(),
    };

    /// <summary>
    /// RFC 3986's IPv6address: eight groups, or fewer with one "::" standing for the rest, the last two groups
    /// optionally written as an IPv4 address; no zone, no brackets.
    /// </summary>
    private static string Ipv6()
    {
        string ls32 = $"({H16}:{H16}|{Ipv4})";
        string Groups(int n) => $"({H16}:){{{n}}}";
        var forms = new List<string> { Groups(6) + ls32, "::" + Groups(5) + ls32 };
        string[] tails = [Groups(4) + ls32, Groups(3) + ls32, Groups(2) + ls32, $"{H16}:{ls32}", ls32, H16, ""];
        for (int i = 0; i < tails.Length; i++)
        {
            // At most i groups before the last one in front of "::".
            string front = i == 0 ? $"({H16})?" : $"(({H16}:){{0,{i}}}{H16})?";
            forms.Add(front + "::" + tails[i]);
        }

        return string.Join("|", forms);
    }

    /// <summary>The supported <c>format</c> names.</summary>
    public static IEnumerable<string> FormatNames => Formats.Keys;

    /// <summary>One character of a JSON string: an unescaped scalar value other than <c>"</c>, <c>\</c> and controls, or an escape.</summary>
    public static RegexNode StringCharacter { get; } = RegexNode.Alternation(
        CodepointSet.Of((0x20, 0x10FFFF)).Except(CodepointSet.Of(('"', '"'), ('\\', '\\'))).ToNode(),
        RegexNode.Concat(
            RegexNode.Byte((byte)'\\'),
            RegexNode.Alternation(
                RegexNode.Class(Set("\"\\/bfnrt")),
                RegexNode.Concat(RegexNode.Byte((byte)'u'), RegexNode.Repeat(RegexNode.Class(Set("0123456789abcdefABCDEF")), 4, 4)))));

    public static RegexNode Integer { get; } = IntegerRange.Build(null, null);

    public static RegexNode Number { get; } = RegexNode.Concat(
        Integer,
        RegexNode.Optional(RegexNode.Concat(RegexNode.Byte((byte)'.'), RegexNode.Plus(Digit))),
        RegexNode.Optional(RegexNode.Concat(RegexNode.Class(Set("eE")), RegexNode.Optional(RegexNode.Class(Set("+-"))), RegexNode.Plus(Digit))));

    public static RegexNode Boolean { get; } = RegexNode.Alternation(RegexNode.Literal("true"), RegexNode.Literal("false"));

    public static RegexNode Null { get; } = RegexNode.Literal("null");

    private static RegexNode Digit => RegexNode.Class(ByteSet.Range('0', '9'));

    /// <summary>A quoted string of <paramref name="min"/> to <paramref name="max"/> characters (-1 = unbounded).</summary>
    public static RegexNode String(int min, int max) => Quoted(RegexNode.Repeat(StringCharacter, min, max));

    public static RegexNode Quoted(RegexNode content) => RegexNode.Concat(Quote, content, Quote);

    /// <summary>The content of a string in a supported <c>format</c>, or null.</summary>
    public static RegexNode? Format(string name) => Formats.TryGetValue(name, out string? re) ? RegexParser.Parse(re).Node : null;

    /// <summary>
    /// Rewrites a language over string values into one over their JSON-escaped spelling: <c>"</c> and <c>\</c> become
    /// <c>\"</c> and <c>\\</c>, newline, tab and carriage return their short escapes; other controls are dropped.
    /// </summary>
    public static RegexNode Escaped(RegexNode valueLanguage) => valueLanguage.MapClasses(set =>
    {
        var special = ByteSet.Range(0, 0x1F).Union(ByteSet.Of((byte)'"')).Union(ByteSet.Of((byte)'\\'));
        if (set.Intersect(special).IsEmpty)
        {
            return RegexNode.Class(set);
        }

        var options = new List<RegexNode> { RegexNode.Class(set.Except(special)) };
        foreach (var (b, esc) in new[] { ((byte)'"', "\\\""), ((byte)'\\', "\\\\"), ((byte)'\n', "\\n"), ((byte)'\t', "\\t"), ((byte)'\r', "\\r") })
        {
            if (set.Contains(b))
            {
                options.Add(RegexNode.Literal(esc));
            }
        }

        return RegexNode.Alternation(options);
    });

    /// <summary>Any JSON value nested at most <paramref name="depth"/> containers deep.</summary>
    public static RegexNode AnyValue(int depth)
    {
        var scalar = RegexNode.Alternation(String(0, -1), Number, Boolean, Null);
        if (depth <= 0)
        {
            return scalar;
        }

        var inner = AnyValue(depth - 1);
        var member = RegexNode.Concat(String(0, -1), KeySeparator, inner);
        var obj = RegexNode.Concat(RegexNode.Byte((byte)'{'), RegexNode.SeparatedList(member, ItemSeparator, 0, -1), RegexNode.Byte((byte)'}'));
        var arr = RegexNode.Concat(RegexNode.Byte((byte)'['), RegexNode.SeparatedList(inner, ItemSeparator, 0, -1), RegexNode.Byte((byte)']'));
        return RegexNode.Alternation(scalar, obj, arr);
    }

    /// <summary>Any JSON object or array (the document of a schema-less JSON mode), nested at most <paramref name="depth"/> deep.</summary>
    public static RegexNode AnyContainer(int depth)
    {
        var inner = AnyValue(Math.Max(0, depth - 1));
        var member = RegexNode.Concat(String(0, -1), KeySeparator, inner);
        var obj = RegexNode.Concat(RegexNode.Byte((byte)'{'), RegexNode.SeparatedList(member, ItemSeparator, 0, -1), RegexNode.Byte((byte)'}'));
        var arr = RegexNode.Concat(RegexNode.Byte((byte)'['), RegexNode.SeparatedList(inner, ItemSeparator, 0, -1), RegexNode.Byte((byte)']'));
        return RegexNode.Alternation(obj, arr);
    }

    /// <summary>The canonical spelling of a JSON value (for <c>const</c> and <c>enum</c>).</summary>
    public static string Canonical(JsonElement e)
    {
        var sb = new StringBuilder();
        Write(e, sb);
        return sb.ToString();
    }

    /// <summary>A string value spelled as a JSON string literal: <c>"</c>, <c>\</c> and controls escaped, other characters raw.</summary>
    public static string QuoteString(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in value)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    private static void Write(JsonElement e, StringBuilder sb)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                bool first = true;
                foreach (var p in e.EnumerateObject())
                {
                    sb.Append(first ? "" : ", ").Append(QuoteString(p.Name)).Append(": ");
                    Write(p.Value, sb);
                    first = false;
                }

                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                first = true;
                foreach (var item in e.EnumerateArray())
                {
                    sb.Append(first ? "" : ", ");
                    Write(item, sb);
                    first = false;
                }

                sb.Append(']');
                break;
            case JsonValueKind.String:
                sb.Append(QuoteString(e.GetString()!));
                break;
            default:
                sb.Append(e.GetRawText());
                break;
        }
    }

    private static ByteSet Set(string chars)
    {
        var set = ByteSet.Empty;
        foreach (char c in chars)
        {
            set = set.Union(ByteSet.Of((byte)c));
        }

        return set;
    }
}
