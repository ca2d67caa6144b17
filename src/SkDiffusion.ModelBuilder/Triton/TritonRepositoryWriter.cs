using System.Globalization;
using System.Text;
using SkDiffusion.Packaging;

namespace SkDiffusion.ModelBuilder.Triton;

/// <summary>
/// Writes a model package's graph as an NVIDIA Triton Inference Server model repository for the ONNX Runtime backend:
/// <c>&lt;model&gt;/1/model.onnx</c> with its external data, and <c>&lt;model&gt;/config.pbtxt</c> declaring the inputs
/// and outputs of the package contract, dynamic batching on the batch axis and an instance group.
/// </summary>
internal static class TritonRepositoryWriter
{
    /// <summary>The largest batch Triton's dynamic batcher forms (the config's <c>max_batch_size</c>).</summary>
    public const int DefaultMaxBatchSize = 8;

    /// <summary>Copies the graph of the package in <paramref name="packageDirectory"/> into <paramref name="repositoryDirectory"/>.</summary>
    /// <param name="packageDirectory">A built package (manifest.json, model.onnx, model.onnx.data).</param>
    /// <param name="repositoryDirectory">The model repository (created if missing; other models in it are left alone).</param>
    /// <param name="modelName">The model's folder and name, or null for the last segment of the manifest's name.</param>
    /// <param name="instanceCount">Model instances per GPU.</param>
    /// <returns>The model's folder.</returns>
    /// <exception cref="ModelBuildException">The package is incomplete or the model folder exists and is not empty.</exception>
    public static string Write(string packageDirectory, string repositoryDirectory, string? modelName = null, int instanceCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instanceCount, 1);
        string manifestPath = Path.Combine(packageDirectory, "manifest.json");
        if (!File.Exists(manifestPath))
        {
            throw new ModelBuildException($"No manifest.json in '{packageDirectory}'; build the package first (--output).");
        }

        ModelManifest manifest = System.Text.Json.JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(manifestPath))
            ?? throw new ModelBuildException($"'{manifestPath}' is empty.");
        string name = modelName ?? manifest.Name[(manifest.Name.LastIndexOf('/') + 1)..];
        if (name.Length == 0 || name.IndexOfAny(['/', '\\', ' ']) >= 0)
        {
            throw new ModelBuildException($"'{name}' cannot name a Triton model folder; pass a name without slashes or spaces (--name).");
        }

        string modelDirectory = Path.Combine(repositoryDirectory, name);
        if (Directory.Exists(modelDirectory) && Directory.EnumerateFileSystemEntries(modelDirectory).Any())
        {
            throw new ModelBuildException($"The Triton model folder '{modelDirectory}' is not empty; remove it or choose another --triton-repository.");
        }

        string versionDirectory = Path.Combine(modelDirectory, "1");
        Directory.CreateDirectory(versionDirectory);
        foreach (string? file in new[] { manifest.Files.Model, manifest.Files.ModelData })
        {
            if (file is null)
            {
                continue;
            }

            string source = Path.Combine(packageDirectory, file);
            if (!File.Exists(source))
            {
                throw new ModelBuildException($"The package lists '{file}' but '{source}' does not exist.");
            }

            // The graph names its external data file relatively, so the data keeps its name beside model.onnx.
            File.Copy(source, Path.Combine(versionDirectory, file == manifest.Files.Model ? "model.onnx" : file));
        }

        File.WriteAllText(Path.Combine(modelDirectory, "config.pbtxt"), RenderConfig(manifest, name, DefaultMaxBatchSize, instanceCount));
        return modelDirectory;
    }

    /// <summary>The <c>config.pbtxt</c> of a package's graph (dims exclude the batch axis, which Triton batches on).</summary>
    public static string RenderConfig(ModelManifest manifest, string name, int maxBatchSize, int instanceCount)
    {
        var text = new StringBuilder();
        string I(long value) => value.ToString(CultureInfo.InvariantCulture);
        void Tensor(string tensorName, string type, string dims, bool last) =>
            text.Append("  {\n    name: \"").Append(tensorName).Append("\"\n    data_type: ").Append(type).Append("\n    dims: [ ").Append(dims).Append(" ]\n  }").Append(last ? "\n" : ",\n");

        string kvType = manifest.KvDType == "float16" ? "TYPE_FP16" : "TYPE_FP32";
        string kvDims = $"{I(manifest.NumKvHeads)}, -1, {I(manifest.HeadDim)}";
        text.Append("# Written by SkDiffusion.ModelBuilder --triton-repository for ").Append(manifest.Name).Append(" (").Append(manifest.Architecture).Append(").\n");
        text.Append("# Clients: SkDiffusion.Remote.RemoteDenoiser (stateless cached steps; see docs/remote.md).\n");
        text.Append("name: \"").Append(name).Append("\"\n");
        text.Append("backend: \"onnxruntime\"\n");
        text.Append("max_batch_size: ").Append(I(maxBatchSize)).Append('\n');
        text.Append("input [\n");
        var inputs = new List<(string Name, string Type, string Dims)>
        {
            ("input_ids", "TYPE_INT64", "-1"),
            ("position_ids", "TYPE_INT64", "-1"),
            ("attention_mask", "TYPE_INT64", "-1"),
        };
        if (manifest.LogitsPositions)
        {
            inputs.Add(("logits_positions", "TYPE_INT64", "-1"));
        }

        var outputs = new List<(string Name, string Type, string Dims)> { ("logits", "TYPE_FP32", $"-1, {I(manifest.VocabSize)}") };
        if (manifest.HasCache)
        {
            for (int layer = 0; layer < manifest.NumLayers; layer++)
            {
                foreach (string part in new[] { "key", "value" })
                {
                    inputs.Add(($"past_key_values.{I(layer)}.{part}", kvType, kvDims));
                    outputs.Add(($"present.{I(layer)}.{part}", kvType, kvDims));
                }
            }
        }

        for (int i = 0; i < inputs.Count; i++)
        {
            Tensor(inputs[i].Name, inputs[i].Type, inputs[i].Dims, i == inputs.Count - 1);
        }

        text.Append("]\noutput [\n");
        for (int i = 0; i < outputs.Count; i++)
        {
            Tensor(outputs[i].Name, outputs[i].Type, outputs[i].Dims, i == outputs.Count - 1);
        }

        text.Append("]\n");
        text.Append("# Requests of the same shape (same canvas length and logits count) are batched on the batch axis.\n");
        text.Append("dynamic_batching {\n  max_queue_delay_microseconds: 500\n}\n");
        text.Append("instance_group [\n  {\n    count: ").Append(I(instanceCount)).Append("\n    kind: KIND_GPU\n  }\n]\n");
        return text.ToString();
    }
}
