using System.Text.Json.Nodes;
using SkDiffusion.ModelBuilder;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>Bad input fails with a <see cref="ModelBuildException"/> naming the file and the problem, and leaves no package behind.</summary>
public sealed class BuildErrorTests
{
    [Fact]
    public async Task UnknownModelTypeListsSupportedTypes()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        EditConfig(checkpoint, c => c["model_type"] = "gpt2");
        var error = await BuildFails(checkpoint, temp);
        Assert.Contains("config.json", error.Message);
        Assert.Contains("unknown model_type 'gpt2'", error.Message);
        Assert.Contains("'llada'", error.Message);
        Assert.Contains("'Dream'", error.Message);
    }

    [Theory]
    [InlineData("layer_norm_type", "\"default\"", "layer_norm_type 'default' is not supported")]
    [InlineData("block_type", "\"sequential\"", "block_type 'sequential' is not supported")]
    [InlineData("attention_layer_norm", "true", "attention_layer_norm=true")]
    [InlineData("n_heads", "5", "must be a multiple")]
    [InlineData("d_model", "\"big\"", "key 'd_model' must be an integer")]
    public async Task UnsupportedLladaOptionsAreReported(string key, string value, string expected)
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        EditConfig(checkpoint, c => c[key] = JsonNode.Parse(value));
        var error = await BuildFails(checkpoint, temp);
        Assert.Contains("config.json", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task MissingConfigIsReported()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        File.Delete(Path.Combine(checkpoint, "config.json"));
        var error = await BuildFails(checkpoint, temp);
        Assert.Contains("config.json: not found", error.Message);
    }

    [Fact]
    public async Task MissingConfigKeyIsNamed()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-dream"), "checkpoint");
        EditConfig(checkpoint, c => c.Remove("intermediate_size"));
        var error = await BuildFails(checkpoint, temp);
        Assert.Contains("missing required key 'intermediate_size'", error.Message);
    }

    [Fact]
    public async Task MissingTensorNamesTensorAndFile()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        string weights = Path.Combine(checkpoint, "model.safetensors");
        var tensors = SafetensorsTestWriter.Read(weights);
        Assert.True(tensors.Remove("model.transformer.blocks.1.up_proj.weight"));
        SafetensorsTestWriter.Write(weights, tensors);
        var error = await BuildFails(checkpoint, temp);
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("missing tensor 'model.transformer.blocks.1.up_proj.weight'", error.Message);
    }

    [Fact]
    public async Task WrongShapeNamesExpectedAndActual()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        string weights = Path.Combine(checkpoint, "model.safetensors");
        var tensors = SafetensorsTestWriter.Read(weights);
        tensors["model.transformer.blocks.0.q_proj.weight"] = new TestTensor("F32", [32, 16], new byte[32 * 16 * 4]);
        SafetensorsTestWriter.Write(weights, tensors);
        var error = await BuildFails(checkpoint, temp);
        Assert.Contains("'model.transformer.blocks.0.q_proj.weight' has shape [32, 16], expected [32, 32]", error.Message);
    }

    [Fact]
    public async Task TruncatedSafetensorsIsReported()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        string weights = Path.Combine(checkpoint, "model.safetensors");
        using (var file = new FileStream(weights, FileMode.Open))
        {
            file.SetLength(file.Length - 100);
        }

        var error = await BuildFails(checkpoint, temp);
        Assert.Contains("model.safetensors: truncated safetensors file", error.Message);
    }

    [Fact]
    public async Task MalformedHeaderIsReported()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        SafetensorsTestWriter.WriteRawHeader(Path.Combine(checkpoint, "model.safetensors"), "{\"a\": [1, 2", new byte[16]);
        var error = await BuildFails(checkpoint, temp);
        Assert.Contains("header is not valid JSON", error.Message);
    }

    [Fact]
    public async Task UnsupportedDtypeIsReported()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        SafetensorsTestWriter.WriteRawHeader(Path.Combine(checkpoint, "model.safetensors"),
            """{"x":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}}""", new byte[4]);
        var error = await BuildFails(checkpoint, temp);
        Assert.Contains("'x' has dtype I8; supported: F32, F16, BF16", error.Message);
    }

    [Fact]
    public async Task ShardMissingAListedTensorIsReported()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-dream"), "checkpoint");
        string index = Path.Combine(checkpoint, "model.safetensors.index.json");
        var json = JsonNode.Parse(File.ReadAllText(index))!;
        var map = json["weight_map"]!.AsObject();
        string name = map.First().Key;
        string shard = map[name]!.GetValue<string>();
        map[name] = shard == "model-00001-of-00002.safetensors" ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors";
        File.WriteAllText(index, json.ToJsonString());
        var error = await BuildFails(checkpoint, temp);
        Assert.Contains($"missing tensor '{name}'", error.Message);
    }

    [Fact]
    public async Task MissingTokenizerIsReported()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        File.Delete(Path.Combine(checkpoint, "tokenizer.json"));
        var error = await BuildFails(checkpoint, temp);
        Assert.Contains("no tokenizer found", error.Message);
    }

    [Fact]
    public async Task MissingMaskTokenIsReported()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        EditConfig(checkpoint, c => c.Remove("mask_token_id"));
        string tokenizer = Path.Combine(checkpoint, "tokenizer.json");
        File.WriteAllText(tokenizer, File.ReadAllText(tokenizer).Replace("<|mdm_mask|>", "<|other|>"));
        var error = await BuildFails(checkpoint, temp);
        Assert.Contains("mask token '<|mdm_mask|>' not found", error.Message);
    }

    [Fact]
    public async Task NonEmptyOutputIsRefusedUnlessOverwrite()
    {
        using var temp = new TempDirectory();
        string output = temp.Combine("out");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "keep.txt"), "x");
        var options = new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture("tiny-llada"), OutputDirectory = output };
        var error = await Assert.ThrowsAsync<ModelBuildException>(() => PackageBuilder.BuildAsync(options));
        Assert.Contains("output folder is not empty", error.Message);
        Assert.True(File.Exists(Path.Combine(output, "keep.txt")));

        options.Overwrite = true;
        await PackageBuilder.BuildAsync(options);
        Assert.False(File.Exists(Path.Combine(output, "keep.txt")));
        Assert.True(File.Exists(Path.Combine(output, "manifest.json")));
    }

    [Fact]
    public async Task OutputMayNotContainTheCheckpoint()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        foreach (var output in new[] { checkpoint, temp.Path })
        {
            var error = await Assert.ThrowsAsync<ModelBuildException>(() => PackageBuilder.BuildAsync(
                new PackageBuildOptions { CheckpointDirectory = checkpoint, OutputDirectory = output, Overwrite = true }));
            Assert.Contains("must not be the checkpoint folder or contain it", error.Message);
        }

        Assert.True(File.Exists(Path.Combine(checkpoint, "model.safetensors")));
    }

    [Fact]
    public async Task EmptyOutputFolderIsAccepted()
    {
        using var temp = new TempDirectory();
        string output = temp.Combine("empty");
        Directory.CreateDirectory(output);
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture("tiny-llada"), OutputDirectory = output });
        Assert.True(File.Exists(Path.Combine(output, "model.onnx")));
    }

    [Fact]
    public async Task Float16ComputeNeedsFloat16Weights()
    {
        using var temp = new TempDirectory();
        var error = await Assert.ThrowsAsync<ModelBuildException>(() => PackageBuilder.BuildAsync(new PackageBuildOptions
        {
            CheckpointDirectory = FixturePaths.Fixture("tiny-llada"),
            OutputDirectory = temp.Combine("out"),
            ComputeInFloat16 = true,
        }));
        Assert.Contains("--precision fp16", error.Message);
    }

    [Fact]
    public async Task CancelledBuildLeavesNothing()
    {
        using var temp = new TempDirectory();
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Stage == BuildStage.WritingWeights && p.TensorIndex == 3)
            {
                cancellation.Cancel();
            }
        });
        string output = temp.Combine("out");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PackageBuilder.BuildAsync(
            new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture("tiny-llada"), OutputDirectory = output }, progress, cancellation.Token));
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public async Task ProgressReportsEveryTensor()
    {
        using var temp = new TempDirectory();
        var reports = new List<BuildProgress>();
        await PackageBuilder.BuildAsync(
            new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture("tiny-llada"), OutputDirectory = temp.Combine("out") },
            new SynchronousProgress(reports.Add));
        var tensors = reports.Where(r => r.Stage == BuildStage.WritingWeights).ToList();
        // wte + 2 layers x 9 + ln_f + ff_out + 2 rotary tables.
        Assert.Equal(23, tensors.Count);
        Assert.Equal(Enumerable.Range(1, 23), tensors.Select(t => t.TensorIndex));
        Assert.All(tensors, t => Assert.Equal(23, t.TensorCount));
        Assert.True(tensors[^1].BytesWritten >= tensors[^1].TotalBytes);
        Assert.Equal(BuildStage.Done, reports[^1].Stage);
    }

    private static async Task<ModelBuildException> BuildFails(string checkpoint, TempDirectory temp)
    {
        string output = temp.Combine("out");
        var error = await Assert.ThrowsAsync<ModelBuildException>(() =>
            PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = checkpoint, OutputDirectory = output }));
        Assert.False(Directory.Exists(output));
        Assert.DoesNotContain(Directory.GetDirectories(temp.Path), d => Path.GetFileName(d).Contains("partial", StringComparison.Ordinal));
        return error;
    }

    private static void EditConfig(string checkpoint, Action<JsonObject> edit)
    {
        string path = Path.Combine(checkpoint, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
