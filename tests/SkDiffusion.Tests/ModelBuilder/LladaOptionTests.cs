using System.Text.Json.Nodes;
using SkDiffusion.ModelBuilder;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>LLaDA config options that change the graph, checked against equivalent weight edits of the fixture.</summary>
public sealed class LladaOptionTests
{
    private const string Embedding = "model.transformer.wte.weight";

    [Fact]
    public void ScaleLogitsDividesBySqrtDModel()
    {
        using var temp = new TempDirectory();
        var tensors = SafetensorsTestWriter.ReadCheckpoint(FixturePaths.Fixture("tiny-llada"));
        var baseline = Run(temp, "base", tensors, null);
        var scaled = Run(temp, "scaled", tensors, c => c["scale_logits"] = true);
        float factor = 1f / MathF.Sqrt(32);
        Assert.True(TensorCompare.Measure(scaled, baseline.Select(v => v * factor).ToArray()).MaxAbs <= 1e-6);
    }

    [Fact]
    public void InputEmbeddingNormEqualsScaledEmbedding()
    {
        using var temp = new TempDirectory();
        var tensors = SafetensorsTestWriter.ReadCheckpoint(FixturePaths.Fixture("tiny-llada"));
        var flagged = Run(temp, "flag", tensors, c => c["input_emb_norm"] = true);
        tensors[Embedding] = Map(tensors[Embedding], v => v * MathF.Sqrt(32));
        var edited = Run(temp, "edited", tensors, null);
        var (maxAbs, maxValue) = TensorCompare.Measure(flagged, edited);
        Assert.True(maxAbs <= 1e-5 * Math.Max(1, maxValue), $"max abs {maxAbs}");
    }

    [Fact]
    public void QkvBiasIsAddedToProjections()
    {
        using var temp = new TempDirectory();
        var tensors = SafetensorsTestWriter.ReadCheckpoint(FixturePaths.Fixture("tiny-llada"));
        var baseline = Run(temp, "base", tensors, null);
        for (int layer = 0; layer < 2; layer++)
        {
            foreach (var projection in new[] { "q", "k", "v" })
            {
                tensors[$"model.transformer.blocks.{layer}.{projection}_proj.bias"] = new TestTensor("F32", [32], new byte[32 * 4]);
            }
        }

        var zeroBias = Run(temp, "zero-bias", tensors, c => c["include_qkv_bias"] = true);
        Assert.True(TensorCompare.Measure(zeroBias, baseline).MaxAbs <= 1e-6);

        tensors["model.transformer.blocks.0.v_proj.bias"] = Map(tensors["model.transformer.blocks.0.v_proj.bias"], _ => 0.5f);
        var withBias = Run(temp, "bias", tensors, c => c["include_qkv_bias"] = true);
        Assert.True(TensorCompare.Measure(withBias, baseline).MaxAbs > 1e-3);
    }

    private static TestTensor Map(TestTensor tensor, Func<float, float> map)
    {
        var values = new float[tensor.Data.Length / 4];
        Buffer.BlockCopy(tensor.Data, 0, values, 0, tensor.Data.Length);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = map(values[i]);
        }

        var data = new byte[tensor.Data.Length];
        Buffer.BlockCopy(values, 0, data, 0, data.Length);
        return tensor with { Data = data };
    }

    private static float[] Run(TempDirectory temp, string name, Dictionary<string, TestTensor> tensors, Action<JsonObject>? editConfig)
    {
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), name);
        SafetensorsTestWriter.Write(Path.Combine(checkpoint, "model.safetensors"), tensors);
        string configPath = Path.Combine(checkpoint, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        editConfig?.Invoke(config);
        File.WriteAllText(configPath, config.ToJsonString());

        string package = temp.Combine(name + "-package");
        PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = checkpoint, OutputDirectory = package }).GetAwaiter().GetResult();
        var golden = GoldenOutputs.Load(FixturePaths.Fixture("tiny-llada"));
        using var runner = new PackageRunner(package);
        return runner.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, golden.Batch, golden.Sequence).Logits;
    }
}
