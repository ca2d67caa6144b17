using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Templates;
using SkDiffusion.Tests.Sampling;

namespace SkDiffusion.Tests.Templates;

/// <summary>Compiles templates against <see cref="TestTokenizer"/> and decodes them with a fake denoiser.</summary>
internal static class TemplateTestKit
{
    public static readonly TestTokenizer Tokenizer = new();

    public static readonly TokenVocabulary Vocabulary = TokenVocabulary.Create(Tokenizer);

    public static TemplateCompiler Compiler(TemplateCompilerOptions? options = null) => TemplateCompiler.Create(Vocabulary, Tokenizer.Ids, options);

    /// <summary>Decodes a compiled template after a one-token prompt; <paramref name="preference"/> orders tokens by preference (earlier = higher logit).</summary>
    public static async Task<(TemplateResult Result, SamplingResult Raw)> FillAsync(CompiledTemplate compiled, params string[] preference)
    {
        var ids = preference.Select(p => p == "<eos>" ? Tokenizer.Eos : Tokenizer.Id(p)).ToArray();
        var denoiser = new FakeDenoiser(Tokenizer.VocabularySize, (_, _, _, logits) =>
        {
            for (int i = 0; i < ids.Length; i++)
            {
                logits[ids[i]] = 10f - i;
            }
        });
        var sampler = DiffusionSampler.Create(denoiser, Tokenizer.Ids);
        var raw = await sampler.SampleAsync(DiffusionCanvas.FromTemplate([Tokenizer.Id(">")], compiled.Canvas), new SamplerOptions { Steps = compiled.Canvas.Length, MaxDegreeOfParallelism = 1 });
        return (compiled.Read(raw.Sequences[0]), raw);
    }
}
