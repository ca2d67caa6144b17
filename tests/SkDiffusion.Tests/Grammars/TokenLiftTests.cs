using System.Text.Json;
using SkDiffusion.Grammars;
using SkDiffusion.Grammars.Internal;

namespace SkDiffusion.Tests.Grammars;

public sealed class TokenLiftTests
{
    private const string Person = """{"type":"object","properties":{"name":{"type":"string","maxLength":6},"age":{"type":"integer","minimum":0,"maximum":120},"tags":{"type":"array","items":{"enum":["é","x"]},"maxItems":2}},"required":["name","age"]}""";

    [Fact]
    public void Every_state_token_move_equals_running_the_bytes_through_the_automaton()
    {
        var v = GrammarTestKit.Multi.Vocabulary;
        var root = JsonSchemaCompiler.Compile(JsonDocument.Parse(Person).RootElement, GrammarOptions.Default);
        var dfa = Dfa.Build(root, 5000);
        var lifted = new TokenAutomaton(dfa, v, allowEndOfTurn: true);
        int crossing = 0;
        for (int s = 0; s < dfa.StateCount; s++)
        {
            for (int t = 0; t < v.Size; t++)
            {
                var bytes = v.GetBytes(t);
                int expected = bytes.IsEmpty ? (t == v.EosId || t == v.EotId) && dfa.Accepting[s] ? lifted.End : -1 : dfa.Run(s, bytes);
                Assert.True(expected == lifted.Next(s, t), $"state {s} token {t} '{GrammarTestKit.Multi.Texts[t]}'");
                crossing += expected >= 0 && bytes.Length > 1 && bytes.IndexOfAny("\",:{}[]"u8) >= 0 ? 1 : 0;
            }
        }

        Assert.True(crossing > 10, "multi-byte tokens that cross structure should be accepted somewhere");
        Assert.Equal(-1, lifted.Next(lifted.End, 0));
        Assert.Equal(lifted.End, lifted.Next(lifted.End, v.EosId));
    }

    [Fact]
    public void Structure_crossing_and_partial_utf8_tokens_spell_valid_words()
    {
        var (v, texts) = GrammarTestKit.Multi;
        var g = TokenGrammar.FromJsonSchema(JsonDocument.Parse(Person).RootElement, v);
        int Id(string t) => Array.IndexOf(texts, t);
        // {"name": "Lina", "age": 42, "tags": ["é"]} spelled with crossing tokens and é as two byte tokens.
        int[] word = [Id("{\""), Id("name"), Id("\": \""), Id("Lina"), Id("\","), Id(" "), Id("\""), Id("age"), Id("\":"), Id(" "), Id("42"), Id(","), Id(" "), Id("\""), Id("t"), Id("a"), Id("g"), Id("s"), Id("\":"), Id(" "), Id("[\""), Id("\\xC3"), Id("\\xA9"), Id("\"]"), Id("}")];
        Assert.DoesNotContain(-1, word);
        Assert.True(g.Accepts(word));
        Assert.True(g.Accepts([.. word, v.EotId!.Value, v.EosId, v.EosId]));
        Assert.False(g.Accepts([.. word, v.EosId, Id("}")]));
        Assert.False(g.Accepts(word[..^1]));
        Assert.Equal("{\"name\": \"Lina\", \"age\": 42, \"tags\": [\"é\"]}", GrammarTestKit.Decode(v, word));
        Assert.True(g.MinimumTokens > 0 && g.MinimumTokens < 20, $"minimum {g.MinimumTokens}");
        Assert.True(g.SuggestAnswerLength() >= g.MinimumTokens);
    }

    [Fact]
    public void A_language_the_vocabulary_cannot_spell_is_refused()
    {
        var v = ByteVocabulary.Create([[(byte)'a'], [(byte)'b'], null], eosId: 2);
        var ex = Assert.Throws<GrammarException>(() => TokenGrammar.FromRegex("ac", v));
        Assert.Contains("cannot spell", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Byte_vocabulary_rejects_end_ids_with_bytes() =>
        Assert.Throws<ArgumentException>(() => ByteVocabulary.Create([[(byte)'a'], null], eosId: 0));
}
