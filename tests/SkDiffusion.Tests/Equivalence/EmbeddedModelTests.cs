using System.Text.Json;
using SkDiffusion.Chat;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Tests.Equivalence;

/// <summary>
/// The embedded default model loads and reproduces known-good generations recorded in
/// <c>models/eval/known-good.json</c> (reference decoding: one token per step, greedy).
/// </summary>
public sealed class EmbeddedModelTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    private sealed record KnownGood(string Prompt, int AnswerLength, string Answer);

    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Load().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ReferenceDecodingReproducesKnownGoodAnswer(int index)
    {
        KnownGood expected = Load()[index];
        var package = model.Package;
        IReadOnlyList<int> prompt = package.ChatFormat.RenderPrompt([new DiffusionChatMessage(DiffusionChatMessage.UserRole, expected.Prompt)]);
        var sampler = DiffusionSampler.Create(model.Denoiser, package.Manifest);

        SamplingResult result = await sampler.SampleAsync(DiffusionCanvas.FromPrompt(prompt, expected.AnswerLength), new SamplerOptions { Steps = expected.AnswerLength, MaxDegreeOfParallelism = 1 });

        Assert.Equal(expected.Answer, package.Tokenizer.Decode(result.AnswerTokens, skipSpecialTokens: true).Trim());
        Assert.Equal(expected.AnswerLength, result.Nfe);
    }

    [Fact]
    public void EmbeddedPackageDescribesTheTrainedModel()
    {
        var m = model.Package.Manifest;
        Assert.Equal("llada", m.Architecture);
        Assert.Equal("llama3", m.ChatFormat);
        Assert.True(m.HasCache);
        Assert.Equal(m.TokenIds.Mask, model.Package.Tokenizer.GetSpecialTokenId("<|mdm_mask|>"));
        Assert.Equal(m.TokenIds.Eot, model.Package.Tokenizer.GetSpecialTokenId("<|eot_id|>"));
    }

    private static List<KnownGood> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "known-good.json");
        // Chat entries have a prompt; infilling entries (an "infill" document) are checked by the InfillingEditor test.
        return [.. JsonSerializer.Deserialize<List<KnownGood>>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!.Where(k => k.Prompt is not null)];
    }
}
