using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SkDiffusion.Packaging;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>Runs a built package's model.onnx on the ONNX Runtime CPU provider.</summary>
internal sealed class PackageRunner : IDisposable
{
    private readonly InferenceSession _session;

    /// <summary>Loads the package in <paramref name="packageDirectory"/>, with ONNX Runtime's default session options unless <paramref name="options"/> is given.</summary>
    public PackageRunner(string packageDirectory, SessionOptions? options = null)
    {
        Manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(Path.Combine(packageDirectory, "manifest.json")))!;
        _session = options is null
            ? new InferenceSession(Path.Combine(packageDirectory, Manifest.Files.Model))
            : new InferenceSession(Path.Combine(packageDirectory, Manifest.Files.Model), options);
    }

    /// <summary>Ends ONNX Runtime profiling (when the session options enabled it) and returns the profile's file.</summary>
    public string EndProfiling() => _session.EndProfiling();

    /// <summary>The package's manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The graph's input names.</summary>
    public IReadOnlyCollection<string> InputNames => _session.InputMetadata.Keys.ToList();

    /// <summary>The graph's output names.</summary>
    public IReadOnlyCollection<string> OutputNames => _session.OutputMetadata.Keys.ToList();

    /// <summary>
    /// Runs <paramref name="batch"/> x <paramref name="sequence"/> tokens with a past of <paramref name="past"/> positions
    /// (<paramref name="pastKeys"/>/<paramref name="pastValues"/> per layer, null for an empty past). The mask covers past + current.
    /// </summary>
    public PackageRunResult Run(long[] inputIds, long[] positionIds, long[] attentionMask, int batch, int sequence, int past = 0, float[][]? pastKeys = null, float[][]? pastValues = null)
    {
        var m = Manifest;
        var inputs = new Dictionary<string, OrtValue>
        {
            ["input_ids"] = OrtValue.CreateTensorValueFromMemory(inputIds, [batch, sequence]),
            ["position_ids"] = OrtValue.CreateTensorValueFromMemory(positionIds, [batch, sequence]),
            ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(attentionMask, [batch, past + sequence]),
        };
        if (m.HasCache)
        {
            long[] pastShape = [batch, m.NumKvHeads, past, m.HeadDim];
            for (int i = 0; i < m.NumLayers; i++)
            {
                inputs[$"past_key_values.{i}.key"] = Past(pastKeys?[i] ?? [], pastShape);
                inputs[$"past_key_values.{i}.value"] = Past(pastValues?[i] ?? [], pastShape);
            }
        }

        if (m.LogitsPositions)
        {
            // Every position, in order: the graph then returns what an all-logits graph would.
            inputs["logits_positions"] = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, batch * sequence).Select(i => (long)(i % sequence)).ToArray(), [batch, sequence]);
        }

        var outputNames = new List<string> { "logits" };
        if (m.HasCache)
        {
            for (int i = 0; i < m.NumLayers; i++)
            {
                outputNames.Add($"present.{i}.key");
                outputNames.Add($"present.{i}.value");
            }
        }

        try
        {
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, inputs.Keys.ToList(), inputs.Values.ToList(), outputNames);
            float[] logits = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            var keys = new float[m.HasCache ? m.NumLayers : 0][];
            var values = new float[keys.Length][];
            long[] presentShape = [];
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = Present(outputs[1 + (2 * i)]);
                values[i] = Present(outputs[2 + (2 * i)]);
                presentShape = outputs[1 + (2 * i)].GetTensorTypeAndShape().Shape;
            }

            return new PackageRunResult(logits, keys, values, presentShape);
        }
        finally
        {
            foreach (var value in inputs.Values)
            {
                value.Dispose();
            }
        }
    }

    private bool HalfCache => Manifest.KvDType == "float16";

    private OrtValue Past(float[] values, long[] shape) =>
        HalfCache
            ? OrtValue.CreateTensorValueFromMemory(values.Select(v => new Float16(BitConverter.HalfToUInt16Bits((Half)v))).ToArray(), shape)
            : OrtValue.CreateTensorValueFromMemory(values, shape);

    private float[] Present(OrtValue value) =>
        HalfCache
            ? value.GetTensorDataAsSpan<Float16>().ToArray().Select(v => (float)BitConverter.UInt16BitsToHalf(v.value)).ToArray()
            : value.GetTensorDataAsSpan<float>().ToArray();

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
