using SkDiffusion.ModelBuilder;
using SkDiffusion.ModelBuilder.Graph;
using Xunit.Abstractions;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>
/// int4 packages (MatMulNBits): the graph must compute exactly what a float32 graph computes with the
/// quantized-then-dequantized weights, which checks nibble, scale and zero-point packing.
/// </summary>
public sealed class Int4Tests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("tiny-llada")]
    [InlineData("tiny-dream")]
    public async Task Int4MatchesDequantizedFloat32Graph(string fixture)
    {
        using var temp = new TempDirectory();
        string int4Package = temp.Combine("int4");
        var manifest = await PackageBuilder.BuildAsync(new PackageBuildOptions
        {
            CheckpointDirectory = FixturePaths.Fixture(fixture),
            OutputDirectory = int4Package,
            Precision = ModelPrecision.Int4,
        });
        Assert.Equal("int4", manifest.DType);

        // The reference: a float32 checkpoint holding what the int4 graph computes with.
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture(fixture), "dequantized");
        var tensors = SafetensorsTestWriter.ReadCheckpoint(checkpoint);
        foreach (var file in Directory.GetFiles(checkpoint, "model*.safetensors*"))
        {
            File.Delete(file);
        }

        var rewritten = new Dictionary<string, TestTensor>();
        foreach (var (name, tensor) in tensors)
        {
            Assert.Equal("F32", tensor.DType);
            var values = new float[tensor.Data.Length / 4];
            Buffer.BlockCopy(tensor.Data, 0, values, 0, tensor.Data.Length);
            if (name is "model.transformer.wte.weight" or "model.embed_tokens.weight")
            {
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)(Half)values[i];
                }
            }
            else if (tensor.Shape.Length == 2)
            {
                int k = (int)tensor.Shape[1];
                for (int row = 0; row < tensor.Shape[0]; row++)
                {
                    Int4Quantizer.RoundTrip(values.AsSpan(row * k, k));
                }
            }

            var data = new byte[tensor.Data.Length];
            Buffer.BlockCopy(values, 0, data, 0, data.Length);
            rewritten[name] = tensor with { Data = data };
        }

        SafetensorsTestWriter.Write(Path.Combine(checkpoint, "model.safetensors"), rewritten);
        string referencePackage = temp.Combine("reference");
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = checkpoint, OutputDirectory = referencePackage });

        var golden = GoldenOutputs.Load(FixturePaths.Fixture(fixture));
        float[] int4Logits, referenceLogits;
        using (var runner = new PackageRunner(int4Package))
        {
            int4Logits = runner.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, golden.Batch, golden.Sequence).Logits;
        }

        using (var runner = new PackageRunner(referencePackage))
        {
            referenceLogits = runner.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, golden.Batch, golden.Sequence).Logits;
        }

        var (vsReference, maxReference) = TensorCompare.Measure(int4Logits, referenceLogits);
        var (vsGolden, maxGolden) = TensorCompare.Measure(int4Logits, golden.Logits);
        double cosine = Cosine(int4Logits, golden.Logits);
        output.WriteLine($"{fixture} int4: max abs vs dequantized fp32 graph {vsReference:E3}; vs golden {vsGolden:E3} (relative {vsGolden / Math.Max(1, maxGolden):E3}, cosine {cosine:F4})");
        Assert.True(vsReference <= 1e-4 * Math.Max(1, maxReference), $"int4 differs from the dequantized float32 graph by {vsReference}");

        // The fixtures' random weights quantize coarsely (one 32-wide block per row), so against golden only the direction is checked.
        Assert.True(cosine >= 0.9, $"int4 logits have cosine {cosine} with golden");
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    [Fact]
    public void QuantizedRowRoundTripsWithinHalfAStep()
    {
        var random = new Random(1);
        var row = Enumerable.Range(0, 80).Select(_ => (float)((random.NextDouble() * 2) - 0.5)).ToArray();
        var copy = row.ToArray();
        Int4Quantizer.RoundTrip(copy);
        for (int b = 0; b < 3; b++)
        {
            var block = row.AsSpan(b * 32, Math.Min(32, 80 - (b * 32)));
            float step = (Math.Max(0, block.ToArray().Max()) - Math.Min(0, block.ToArray().Min())) / 15f;
            for (int i = 0; i < block.Length; i++)
            {
                Assert.True(Math.Abs(block[i] - copy[(b * 32) + i]) <= (step / 2) + 1e-6, $"element {(b * 32) + i}");
            }
        }
    }
}
