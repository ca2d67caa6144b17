using SkDiffusion.Chat;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Tests.Equivalence;

/// <summary>
/// With LLaDA's settings (greedy, low-confidence remasking, the even split), <see cref="DiffusionSampler"/> must give
/// exactly the tokens of a literal implementation of LLaDA's published <c>generate</c>, on the embedded model.
/// </summary>
public sealed class LladaGenerateEquivalenceTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    public static TheoryData<string, int, int, int> Cases => new()
    {
        { "What is the capital of Gebeivaith?", 24, 24, 24 },                                       // steps = length, one block
        { "Extract JSON: Mira Tolvan is 34 years old, lives in Brevik and works as a chef. They are not married.", 32, 32, 32 },
        { "Which language is spoken in Shaileson?", 24, 12, 24 },                                    // two tokens per step
        { "How old is Pem Dreimedral?", 24, 24, 8 },                                                 // three blocks of 8
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task SamplerMatchesLiteralLladaGenerate(string question, int genLength, int steps, int blockLength)
    {
        var package = model.Package;
        IReadOnlyList<int> prompt = package.ChatFormat.RenderPrompt([new DiffusionChatMessage(DiffusionChatMessage.UserRole, question)]);

        long[] expected = await LiteralLladaGenerate.GenerateAsync(model.Denoiser, prompt, steps, genLength, blockLength, package.Manifest.TokenIds.Mask);

        var sampler = DiffusionSampler.Create(model.Denoiser, package.Manifest);
        var options = new SamplerOptions { Steps = steps, BlockLength = blockLength == genLength ? null : blockLength, TruncateAtEos = false, MaxDegreeOfParallelism = 1 };
        SamplingResult result = await sampler.SampleAsync(DiffusionCanvas.FromPrompt(prompt, genLength), options);

        Assert.Equal(expected.Select(x => (int)x).ToArray(), result.Sequences[0].Tokens.ToArray());
        Assert.DoesNotContain(package.Manifest.TokenIds.Mask, result.Sequences[0].Tokens);
    }
}
