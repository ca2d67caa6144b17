using System.Text.Json;
using SkDiffusion.Grammars;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Selection;
using SkDiffusion.Tests.Sampling;

namespace SkDiffusion.Tests.Grammars;

public sealed class ConstrainedSamplingTests
{
    private const string PersonSchema = """
        {"type":"object","properties":{
          "name":{"type":"string","maxLength":12},
          "age":{"type":"integer","minimum":0,"maximum":120},
          "city":{"type":"string"},
          "married":{"type":"boolean"},
          "tags":{"type":"array","items":{"enum":["é","x"]},"maxItems":2}},
         "required":["name","age","city","married"]}
        """;

    private static readonly int[] Prompt = [0, 1];

    /// <summary>Checks a decoded answer against <see cref="PersonSchema"/> by hand.</summary>
    internal static void AssertValidPerson(string json, int maxNameLength = 12)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        string[] names = [.. root.EnumerateObject().Select(p => p.Name)];
        Assert.Equal(["name", "age", "city", "married"], names.Take(4));
        Assert.True(names.Length == 4 || (names.Length == 5 && names[4] == "tags"), json);
        Assert.True(root.GetProperty("name").GetString()!.Length <= maxNameLength, json);
        int age = root.GetProperty("age").GetInt32();
        Assert.InRange(age, 0, 120);
        Assert.Equal(JsonValueKind.String, root.GetProperty("city").ValueKind);
        Assert.True(root.GetProperty("married").ValueKind is JsonValueKind.True or JsonValueKind.False);
        if (root.TryGetProperty("tags", out var tags))
        {
            Assert.InRange(tags.GetArrayLength(), 0, 2);
            Assert.All(tags.EnumerateArray(), t => Assert.Contains(t.GetString(), new[] { "é", "x" }));
        }

        AssertCanonicalLayout(json);
    }

    /// <summary>Outside strings: ", " between items, ": " after keys, no other whitespace.</summary>
    internal static void AssertCanonicalLayout(string json)
    {
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (inString)
            {
                i += c == '\\' ? 1 : 0;
                inString = c != '"';
                continue;
            }

            if (c == '"')
            {
                inString = true;
            }
            else if (c is ',' or ':')
            {
                Assert.True(i + 1 < json.Length && json[i + 1] == ' ' && json[i + 2] != ' ', $"'{c}' at {i} not followed by one space: {json}");
                i++;
            }
            else
            {
                Assert.False(char.IsWhiteSpace(c), $"whitespace at {i}: {json}");
            }
        }
    }

    private static FakeDenoiser Adversary(int vocab, string kind, int seed, string[] texts, int eos) =>
        new(vocab, (row, tokens, position, logits) =>
        {
            long masks = 0;
            foreach (long t in tokens)
            {
                masks += t == vocab - 1 ? 1 : 0;
            }

            var rng = new Random((int)((seed * 1_000_003L) + (position * 8191L) + (masks * 131L)));
            for (int t = 0; t < vocab; t++)
            {
                logits[t] = (float)(rng.NextDouble() * 4);
            }

            switch (kind)
            {
                case "brace":
                    logits[Array.IndexOf(texts, "}")] = 12;
                    logits[Array.IndexOf(texts, "\"}")] = 11;
                    break;
                case "eos":
                    logits[eos] = 12;
                    break;
                case "quote":
                    logits[Array.IndexOf(texts, "\"")] = 12;
                    logits[Array.IndexOf(texts, "\\")] = 11;
                    break;
            }
        });

    public static TheoryData<string, string, int> Runs()
    {
        var data = new TheoryData<string, string, int>();
        foreach (string kind in new[] { "random", "brace", "eos", "quote" })
        {
            foreach (string strategy in new[] { "reference", "threshold", "schedule-sampled" })
            {
                data.Add(kind, strategy, kind.Length * 7 + strategy.Length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task Adversarial_denoisers_still_yield_valid_schema_json(string kind, string strategy, int seed)
    {
        var (v, texts) = GrammarTestKit.Multi;
        var ids = GrammarTestKit.MultiIds(v);
        var grammar = TokenGrammar.FromJsonSchema(JsonDocument.Parse(PersonSchema).RootElement, v);
        for (int run = 0; run < 3; run++)
        {
            int length = grammar.MinimumTokens + 6 + (run * 9);
            var denoiser = Adversary(v.Size, kind, seed + run, texts, v.EosId);
            var sampler = DiffusionSampler.Create(denoiser, ids);
            var options = strategy switch
            {
                "reference" => new SamplerOptions { Steps = length, Seed = (ulong)(seed + run) },
                "threshold" => new SamplerOptions { Steps = length, BlockLength = 8, Selection = SelectionRule.Threshold, Threshold = 0.05, Seed = (ulong)run },
                _ => new SamplerOptions { Steps = Math.Max(2, length / 3), Temperature = 1.0, Seed = (ulong)(seed * 13 + run) },
            };
            var result = await sampler.SampleAsync(DiffusionCanvas.FromPrompt(Prompt, length, grammar), options);
            var answer = result.Sequences[0].Tokens.Skip(Prompt.Length).ToArray();
            Assert.DoesNotContain(ids.Mask, answer.Select(t => (int)t));
            Assert.True(grammar.Accepts(answer), $"{kind}/{strategy} run {run}: [{string.Join(",", answer)}]");
            string json = GrammarTestKit.Decode(v, result.AnswerTokens);
            AssertValidPerson(json);
        }
    }

    [Fact]
    public void A_region_shorter_than_the_shortest_word_is_refused_at_canvas_creation()
    {
        var grammar = TokenGrammar.FromJsonSchema(JsonDocument.Parse(PersonSchema).RootElement, GrammarTestKit.Multi.Vocabulary);
        var ex = Assert.Throws<ArgumentException>(() => DiffusionCanvas.FromPrompt(Prompt, grammar.MinimumTokens - 1, grammar));
        Assert.Contains($"needs {grammar.MinimumTokens} tokens", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CanvasTemplate().AddSlot(40, new CanvasSlotOptions { Grammar = grammar }));
        Assert.Throws<ArgumentException>(() => new CanvasTemplate().AddSlot(40, new CanvasSlotOptions { Grammar = grammar, VariableLength = true, AllowedTokens = [1] }));
    }

    [Fact]
    public async Task A_grammar_for_another_vocabulary_is_refused()
    {
        var grammar = TokenGrammar.FromRegex("ab", GrammarTestKit.Bytes);
        var (v, texts) = GrammarTestKit.Multi;
        var sampler = DiffusionSampler.Create(Adversary(v.Size, "random", 1, texts, v.EosId), GrammarTestKit.MultiIds(v));
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => sampler.SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 4, grammar), new SamplerOptions { Steps = 4 }));
        Assert.Contains("vocabulary", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_and_regex_grammars_constrain_a_plain_answer()
    {
        var (v, texts) = GrammarTestKit.Multi;
        var ids = GrammarTestKit.MultiIds(v);
        var template = TokenGrammar.FromTemplate("Name: {{name:string}}; age {{age:int(3)}}; pet {{pet:enum(cat|dog)}}.", v);
        var regex = TokenGrammar.FromRegex(@"[a-f]{2,5}-\d{2}", v);
        for (int seed = 0; seed < 6; seed++)
        {
            foreach (var (g, check) in new (TokenGrammar, string)[] { (template, @"^Name: [^""\\]*; age -?(0|[1-9]\d{0,2}); pet (cat|dog)\.$"), (regex, @"^[a-f]{2,5}-\d{2}$") })
            {
                var sampler = DiffusionSampler.Create(Adversary(v.Size, seed % 2 == 0 ? "random" : "eos", seed, texts, v.EosId), ids);
                var r = await sampler.SampleAsync(DiffusionCanvas.FromPrompt(Prompt, g.MinimumTokens + 8, g), new SamplerOptions { Steps = g.MinimumTokens + 8, Temperature = 0.7, Seed = (ulong)seed });
                string text = GrammarTestKit.Decode(v, r.AnswerTokens);
                Assert.Matches(check, text);
            }
        }
    }
}
