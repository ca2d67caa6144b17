using System.Text;
using SkDiffusion.Grammars;
using SkDiffusion.Sampling;

namespace SkDiffusion.Tests.Grammars;

/// <summary>Hand-built vocabularies for the grammar tests.</summary>
internal static class GrammarTestKit
{
    public static readonly string[] MultiTokens =
    [
        "\",", "\": \"", "{\"", "\"}", "\", \"", ": ", ", ", "\":", "name", " name", "Lina", " Lina", "age", "42", "true", "false",
        "null", "ing", " the", "city", "job", "married", "é", "\"é", "}}", "]}", "[\"", "\"]", "\"name\": \"", " Park", "12", "0",
    ];

    /// <summary>Tokens 0 "a", 1 "b", 2 "ab", 3 "ba", 4 EOS, 5 mask (<see cref="TinyMask"/>): small enough to enumerate every canvas.</summary>
    public static ByteVocabulary Tiny { get; } = ByteVocabulary.Create([[(byte)'a'], [(byte)'b'], [(byte)'a', (byte)'b'], [(byte)'b', (byte)'a'], null, null], eosId: 4);

    public const int TinyMask = 5;

    /// <summary>One token per byte value (ids 0-255), then EOS 256, EoT 257, mask 258.</summary>
    public static ByteVocabulary Bytes { get; } = CreateBytes();

    public const int ByteEos = 256;
    public const int ByteEot = 257;
    public const int ByteMask = 258;

    /// <summary>
    /// Single printable ASCII characters, the two bytes of é as separate tokens, and multi-byte tokens that cross JSON
    /// structure (<c>",</c>, <c>": "</c>, <c>{"</c>, <c>"}</c>, <c>", "</c>) and Ġword-style tokens with a leading space.
    /// </summary>
    public static (ByteVocabulary Vocabulary, string[] Texts) Multi { get; } = CreateMulti();

    /// <summary>The grammar of a JSON schema given as text, over <see cref="Bytes"/>.</summary>
    public static TokenGrammar ByteSchema(string json, GrammarOptions? options = null) =>
        TokenGrammar.FromJsonSchema(System.Text.Json.JsonDocument.Parse(json).RootElement, Bytes, options);

    /// <summary>Asserts that the <see cref="ByteSchema"/> grammar of <paramref name="schema"/> accepts every text of
    /// <paramref name="accepted"/> and none of <paramref name="rejected"/>.</summary>
    public static void CheckByteSchema(string schema, string[] accepted, string[] rejected)
    {
        var g = ByteSchema(schema);
        foreach (string a in accepted)
        {
            Assert.True(g.Matches(a), $"{schema} should accept {a}");
        }

        foreach (string r in rejected)
        {
            Assert.False(g.Matches(r), $"{schema} should reject {r}");
        }
    }

    /// <summary>Asserts that <paramref name="schema"/> is refused with a <see cref="GrammarException"/> at
    /// <paramref name="pointer"/> whose message contains <paramref name="text"/>.</summary>
    public static void CheckByteSchemaRefused(string schema, string pointer, string text)
    {
        var ex = Assert.Throws<GrammarException>(() => ByteSchema(schema));
        Assert.Equal(pointer, ex.Pointer);
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
    }

    public static SpecialTokenIds MultiIds(ByteVocabulary v) => new(v.Size - 1, v.EosId, v.EotId, v.EosId);

    private static ByteVocabulary CreateBytes()
    {
        var list = new List<byte[]?>();
        for (int b = 0; b < 256; b++)
        {
            list.Add([(byte)b]);
        }

        list.Add(null);
        list.Add(null);
        list.Add(null);
        return ByteVocabulary.Create(list, ByteEos, ByteEot);
    }

    private static (ByteVocabulary, string[]) CreateMulti()
    {
        var texts = new List<string?>();
        var bytes = new List<byte[]?>();
        for (char c = ' '; c <= '~'; c++)
        {
            texts.Add(c.ToString());
            bytes.Add([(byte)c]);
        }

        texts.Add("\\xC3");
        bytes.Add([0xC3]);
        texts.Add("\\xA9");
        bytes.Add([0xA9]);
        foreach (string t in MultiTokens)
        {
            texts.Add(t);
            bytes.Add(Encoding.UTF8.GetBytes(t));
        }

        int eos = bytes.Count;
        texts.Add("<eos>");
        bytes.Add(null);
        texts.Add("<eot>");
        bytes.Add(null);
        texts.Add("<mask>");
        bytes.Add(null);
        return (ByteVocabulary.Create(bytes, eos, eos + 1), texts.Select(t => t ?? "").ToArray());
    }

    /// <summary>The UTF-8 text of token ids, cut at the first end token.</summary>
    public static string Decode(ByteVocabulary v, IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (id == v.EosId || id == v.EotId)
            {
                break;
            }

            bytes.AddRange(v.GetBytes(id).ToArray());
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
