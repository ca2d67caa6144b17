using System.Text.Json.Nodes;
using SkDiffusion.ModelBuilder;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>Tied heads (LLaDA <c>weight_tying</c>, Dream <c>tie_word_embeddings</c>) reuse the embedding matrix.</summary>
public sealed class TiedEmbeddingTests
{
    [Theory]
    [InlineData("tiny-llada", "model.transformer.wte.weight", "model.transformer.ff_out.weight", "weight_tying")]
    [InlineData("tiny-dream", "model.embed_tokens.weight", "lm_head.weight", "tie_word_embeddings")]
    public async Task TiedCheckpointEqualsUntiedCopyOfEmbedding(string fixture, string embedding, string head, string flag)
    {
        using var temp = new TempDirectory();
        var tensors = SafetensorsTestWriter.ReadCheckpoint(FixturePaths.Fixture(fixture));
        tensors[head] = tensors[embedding];
        string untied = WriteCheckpoint(temp, fixture, "untied", tensors, null);
        tensors.Remove(head);
        string tied = WriteCheckpoint(temp, fixture, "tied", tensors, flag);

        var golden = GoldenOutputs.Load(FixturePaths.Fixture(fixture));
        float[] Run(string checkpoint)
        {
            string package = temp.Combine(Path.GetFileName(checkpoint) + "-package");
            PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = checkpoint, OutputDirectory = package }).GetAwaiter().GetResult();
            using var runner = new PackageRunner(package);
            return runner.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, golden.Batch, golden.Sequence).Logits;
        }

        var untiedLogits = Run(untied);
        var tiedLogits = Run(tied);
        Assert.Equal(0, TensorCompare.Measure(tiedLogits, untiedLogits).MaxAbs);

        // Without the flag, a missing head is an error naming the tensor.
        string broken = WriteCheckpoint(temp, fixture, "broken", tensors, null);
        var error = await Assert.ThrowsAsync<ModelBuildException>(() =>
            PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = broken, OutputDirectory = temp.Combine("broken-package") }));
        Assert.Contains($"missing tensor '{head}'", error.Message);
    }

    private static string WriteCheckpoint(TempDirectory temp, string fixture, string name, Dictionary<string, TestTensor> tensors, string? tieFlag)
    {
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture(fixture), name);
        foreach (var file in Directory.GetFiles(checkpoint, "model*.safetensors*"))
        {
            File.Delete(file);
        }

        SafetensorsTestWriter.Write(Path.Combine(checkpoint, "model.safetensors"), tensors);
        string config = Path.Combine(checkpoint, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        if (tieFlag is not null)
        {
            json[tieFlag] = true;
        }

        File.WriteAllText(config, json.ToJsonString());
        return checkpoint;
    }
}
