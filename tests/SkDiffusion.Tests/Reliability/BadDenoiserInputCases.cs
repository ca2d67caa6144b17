using SkDiffusion.Denoising;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Bad <see cref="DenoiserInput"/>s: shapes are refused by the input's constructor, token ids outside the vocabulary and
/// canvases beyond the context by <see cref="OnnxDenoiser"/> before ONNX Runtime runs (tiny LLaDA package, vocab 320).
/// </summary>
[Collection(TinyPackageCollection.Name)]
public sealed class BadDenoiserInputCases(TinyPackages packages)
{
    private static readonly OnnxDenoiserOptions Cpu = new() { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    /// <summary>(case name, input factory given the vocabulary size and context, expected exception type, message fragment).</summary>
    public static TheoryData<string, Func<int, int, DenoiserInput>, Type, string> Cases => new()
    {
        { "token id equal to the vocabulary size", (v, _) => new DenoiserInput(new long[] { 1, v, 2 }, 1, 3), typeof(ArgumentOutOfRangeException), "outside the vocabulary" },
        { "negative token id", (_, _) => new DenoiserInput(new long[] { 1, -1, 2 }, 1, 3), typeof(ArgumentOutOfRangeException), "outside the vocabulary" },
        { "token id near long.MaxValue", (_, _) => new DenoiserInput(new long[] { long.MaxValue, 1 }, 1, 2), typeof(ArgumentOutOfRangeException), "outside the vocabulary" },
        { "bad token in the second row", (v, _) => new DenoiserInput(new long[] { 1, 2, 3, v + 5 }, 2, 2), typeof(ArgumentOutOfRangeException), "row 1" },
        { "canvas longer than the context", (_, c) => new DenoiserInput(new long[c + 1], 1, c + 1), typeof(ArgumentException), "context_length" },
        { "token count not matching the shape", (_, _) => new DenoiserInput(new long[5], 2, 3), typeof(ArgumentException), "Expected 6 token ids" },
        { "attention mask of the wrong length", (_, _) => new DenoiserInput(new long[4], 1, 4, new long[3]), typeof(ArgumentException), "attention mask has 3 entries" },
        { "logits position outside the row", (_, _) => new DenoiserInput(new long[4], 1, 4, default, new[] { 4 }), typeof(ArgumentException), "outside the row" },
        { "negative logits position", (_, _) => new DenoiserInput(new long[4], 1, 4, default, new[] { -1 }), typeof(ArgumentException), "outside the row" },
        { "logits positions not splitting over rows", (_, _) => new DenoiserInput(new long[8], 2, 4, default, new[] { 0, 1, 2 }), typeof(ArgumentException), "do not split evenly" },
        { "batch size 0", (_, _) => new DenoiserInput(Array.Empty<long>(), 0, 4), typeof(ArgumentOutOfRangeException), "batchSize" },
        { "sequence length 0", (_, _) => new DenoiserInput(Array.Empty<long>(), 1, 0), typeof(ArgumentOutOfRangeException), "sequenceLength" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Is_refused_before_the_graph_runs(string name, Func<int, int, DenoiserInput> input, Type exceptionType, string fragment)
    {
        using var denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);

        var ex = await Assert.ThrowsAsync(exceptionType, async () =>
        {
            using var output = await denoiser.DenoiseAsync(input(denoiser.VocabularySize, packages.Llada.Manifest.ContextLength));
        });

        Assert.True(ex.Message.Contains(fragment, StringComparison.Ordinal), $"{name}: '{ex.Message}' lacks '{fragment}'");

        // The denoiser is still usable after the refusal.
        using var ok = await denoiser.DenoiseAsync(new DenoiserInput(new long[] { 1, 2, packages.Llada.Tokenizer.MaskId }, 1, 3));
        Assert.Equal(3, ok.SequenceLength);
    }
}
