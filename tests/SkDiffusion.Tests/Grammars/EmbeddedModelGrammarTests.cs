using System.Text;
using System.Text.Json;
using SkDiffusion.Grammars;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Selection;
using SkDiffusion.Tests.Equivalence;

namespace SkDiffusion.Tests.Grammars;

public sealed class EmbeddedModelGrammarTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    private const string PersonSchema = """
        {"type":"object","properties":{
          "name":{"type":"string","minLength":1,"maxLength":40},
          "age":{"type":"integer","minimum":0,"maximum":130},
          "city":{"type":"string","minLength":1},
          "job":{"type":"string"},
          "married":{"type":"boolean"}},
         "required":["name","age","city","job","married"],"additionalProperties":false}
        """;

    [Fact]
    public void Package_vocabulary_bytes_reproduce_the_tokenizer()
    {
        var v = ByteVocabulary.FromPackage(model.Package);
        Assert.Same(v, ByteVocabulary.FromPackage(model.Package));
        Assert.Equal(model.Package.Manifest.VocabSize, v.Size);
        foreach (string text in new[] { "{\"name\": \"Lina Varosk\", \"age\": 42}", "Gebeivaith é ü — 東京", "  spaces\tand\nlines" })
        {
            var ids = model.Package.Tokenizer.EncodeToIds(text, allowSpecialTokens: false);
            var bytes = ids.SelectMany(id => v.GetBytes(id).ToArray()).ToArray();
            Assert.Equal(text, Encoding.UTF8.GetString(bytes));
        }

        Assert.True(v.GetBytes(v.EosId).IsEmpty);
    }

    [Fact]
    public async Task A_multipleOf_holds_against_the_models_own_choice_with_multi_digit_tokens()
    {
        // The model wants 42; the schema allows only multiples of 5 (the package's tokens include two-digit numbers).
        string schema = PersonSchema.Replace("\"minimum\":0,\"maximum\":130}", "\"minimum\":0,\"maximum\":130,\"multipleOf\":5}", StringComparison.Ordinal);
        Assert.Contains("multipleOf", schema, StringComparison.Ordinal);
        var grammar = TokenGrammar.FromJsonSchema(JsonDocument.Parse(schema).RootElement, model.Package);
        int length = Math.Max(48, grammar.SuggestAnswerLength(16));
        var sampler = DiffusionSampler.Create(model.Denoiser, model.Package.Manifest);
        var result = await sampler.SampleAsync(
            DiffusionCanvas.FromPrompt(model.Prompt("Extract JSON: Lina Varosk is 42 years old, lives in Tolbreth and works as a pilot. They are married."), length, grammar),
            new SamplerOptions { Steps = length / 2, MaxDegreeOfParallelism = 1 });
        using var doc = JsonDocument.Parse(model.Package.Tokenizer.Decode(result.AnswerTokens, skipSpecialTokens: true));
        int age = doc.RootElement.GetProperty("age").GetInt32();
        Assert.InRange(age, 0, 130);
        Assert.Equal(0, age % 5);
    }

    [Theory]
    [InlineData("Extract JSON: Lina Varosk is 42 years old, lives in Tolbreth and works as a pilot. They are married.", SelectionRule.Schedule)]
    [InlineData("Extract JSON: Boro Teal is 31 years old, lives in Pell and works as a baker. They are not married.", SelectionRule.Threshold)]
    public async Task Person_schema_answers_parse_and_validate(string prompt, SelectionRule rule)
    {
        var grammar = TokenGrammar.FromJsonSchema(JsonDocument.Parse(PersonSchema).RootElement, model.Package);
        int length = Math.Max(48, grammar.SuggestAnswerLength(16));
        var sampler = DiffusionSampler.Create(model.Denoiser, model.Package.Manifest);
        var options = rule == SelectionRule.Schedule
            ? new SamplerOptions { Steps = length / 2, MaxDegreeOfParallelism = 1 }
            : new SamplerOptions { Steps = length, BlockLength = 16, Selection = SelectionRule.Threshold, Threshold = 0.9, MaxDegreeOfParallelism = 1 };
        var result = await sampler.SampleAsync(DiffusionCanvas.FromPrompt(model.Prompt(prompt), length, grammar), options);
        string json = model.Package.Tokenizer.Decode(result.AnswerTokens, skipSpecialTokens: true);

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(["name", "age", "city", "job", "married"], root.EnumerateObject().Select(p => p.Name));
        Assert.InRange(root.GetProperty("name").GetString()!.Length, 1, 40);
        Assert.InRange(root.GetProperty("age").GetInt32(), 0, 130);
        Assert.NotEmpty(root.GetProperty("city").GetString()!);
        Assert.Equal(JsonValueKind.String, root.GetProperty("job").ValueKind);
        Assert.True(root.GetProperty("married").ValueKind is JsonValueKind.True or JsonValueKind.False);
        ConstrainedSamplingTests.AssertCanonicalLayout(json);
        Assert.True(grammar.Accepts(result.Sequences[0].Tokens.Skip(result.Sequences[0].PromptLength).Select(t => (int)t)));
    }
}
