using System.Text.Json;
using SkDiffusion.Grammars;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Tests.Sampling;

namespace SkDiffusion.Tests.Grammars;

/// <summary>The trailing-EOS commit under a grammar: a run the grammar cannot end there is cut by the gate.</summary>
public sealed class TrailingEosGrammarTests
{
    private const string Schema = """{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}""";

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_denoiser_that_wants_eos_everywhere_still_yields_a_word_of_the_grammar(int seed)
    {
        var (v, _) = GrammarTestKit.Multi;
        var ids = GrammarTestKit.MultiIds(v);
        var grammar = TokenGrammar.FromJsonSchema(JsonDocument.Parse(Schema).RootElement, v);
        var rng = new Random(seed);
        var denoiser = new FakeDenoiser(v.Size, (row, tokens, position, logits) =>
        {
            for (int t = 0; t < v.Size; t++)
            {
                logits[t] = (float)rng.NextDouble();
            }

            logits[v.EosId] = 20;
        });
        int length = grammar.MinimumTokens + 12;
        var result = await DiffusionSampler.Create(denoiser, ids).SampleAsync(
            DiffusionCanvas.FromPrompt([0, 1], length, grammar),
            new SamplerOptions { Steps = length, TrailingEosThreshold = 0.5, MaxDegreeOfParallelism = 1 });

        var answer = result.Sequences[0].Tokens.Skip(2).ToArray();
        Assert.True(grammar.Accepts(answer), string.Join(",", answer));
        Assert.True(result.Nfe < length, $"NFE {result.Nfe} of {length} steps");
        using var doc = JsonDocument.Parse(GrammarTestKit.Decode(v, result.AnswerTokens));
        Assert.Equal(JsonValueKind.Number, doc.RootElement.GetProperty("age").ValueKind);
    }
}
