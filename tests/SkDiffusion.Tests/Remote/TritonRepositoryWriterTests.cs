using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using SkDiffusion.DefaultModel;
using SkDiffusion.ModelBuilder;
using SkDiffusion.ModelBuilder.Cli;
using SkDiffusion.ModelBuilder.Triton;
using SkDiffusion.Packaging;

namespace SkDiffusion.Tests.Remote;

/// <summary>The Triton model repository written from a package: layout, config.pbtxt against the graph, the CLI option.</summary>
public sealed partial class TritonRepositoryWriterTests : IDisposable
{
    private readonly string _repository = Path.Combine(Path.GetTempPath(), "skd-triton-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void The_repository_holds_the_graph_and_a_config_that_names_its_tensors()
    {
        string model = TritonRepositoryWriter.Write(EmbeddedModel.PackageDirectory, _repository, instanceCount: 2);
        ModelManifest manifest = ModelPackage.Load(EmbeddedModel.PackageDirectory).Manifest;

        Assert.Equal(Path.Combine(_repository, "tiny-llada"), model);
        Assert.True(File.Exists(Path.Combine(model, "1", "model.onnx")));
        Assert.True(File.Exists(Path.Combine(model, "1", "model.onnx.data")));
        string config = File.ReadAllText(Path.Combine(model, "config.pbtxt"));
        Assert.Contains("name: \"tiny-llada\"", config, StringComparison.Ordinal);
        Assert.Contains("backend: \"onnxruntime\"", config, StringComparison.Ordinal);
        Assert.Contains("dynamic_batching", config, StringComparison.Ordinal);
        Assert.Matches(@"instance_group \[\s*\{\s*count: 2\s*kind: KIND_GPU", config);
        Assert.Matches($@"name: ""logits""\s*data_type: TYPE_FP32\s*dims: \[ -1, {manifest.VocabSize} \]", config);

        // Every graph input and output is declared, and nothing else: Triton refuses a config that disagrees.
        using var session = new InferenceSession(Path.Combine(model, "1", "model.onnx"));
        string[] declared = TensorName().Matches(config).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToArray();
        string[] graph = session.InputMetadata.Keys.Concat(session.OutputMetadata.Keys).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(graph, declared);
        Assert.Equal(4 * manifest.NumLayers, declared.Count(n => n.StartsWith("past_key_values.", StringComparison.Ordinal) || n.StartsWith("present.", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_non_empty_model_folder_is_refused()
    {
        TritonRepositoryWriter.Write(EmbeddedModel.PackageDirectory, _repository);

        var ex = Assert.Throws<ModelBuildException>(() => TritonRepositoryWriter.Write(EmbeddedModel.PackageDirectory, _repository));

        Assert.Contains("not empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_line_takes_the_repository_folder()
    {
        var parsed = CommandLineParser.Parse(["--checkpoint", "c", "--output", "o", "--triton-repository", "repo"]);

        Assert.Empty(parsed.Errors);
        Assert.Equal("repo", parsed.GetValue(CommandLineParser.TritonRepository));
        Assert.Null(CommandLineParser.Parse(["--checkpoint", "c", "--output", "o"]).GetValue(CommandLineParser.TritonRepository));
    }

    public void Dispose()
    {
        if (Directory.Exists(_repository))
        {
            Directory.Delete(_repository, recursive: true);
        }
    }

    [GeneratedRegex(@"\{\s*name: ""([^""]+)""")]
    private static partial Regex TensorName();
}
