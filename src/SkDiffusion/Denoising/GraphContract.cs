using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkDiffusion.Packaging;

namespace SkDiffusion.Denoising;

/// <summary>Checks that a graph's inputs and outputs are those the manifest promises.</summary>
internal static class GraphContract
{
    public static void Check(InferenceSession session, ModelManifest m, string path)
    {
        void Fail(string problem) => throw new ModelPackageException(path, problem + " The graph and manifest disagree; rebuild the package with SkDiffusion.ModelBuilder.");

        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        foreach (string name in new[] { "input_ids", "position_ids", "attention_mask" })
        {
            if (!inputs.TryGetValue(name, out NodeMetadata? meta))
            {
                Fail($"the graph has no input '{name}' (inputs: {string.Join(", ", inputs.Keys)}).");
            }
            else if (meta.ElementDataType != TensorElementType.Int64 || meta.Dimensions.Length != 2)
            {
                Fail($"input '{name}' is {meta.ElementDataType} of rank {meta.Dimensions.Length}; expected int64 [batch, sequence].");
            }
        }

        bool hasPositions = inputs.TryGetValue("logits_positions", out NodeMetadata? positions);
        if (m.LogitsPositions && !hasPositions)
        {
            Fail("the manifest says logits_positions = true but the graph has no input 'logits_positions'.");
        }
        else if (!m.LogitsPositions && hasPositions)
        {
            Fail("the graph takes 'logits_positions' but the manifest does not say logits_positions = true.");
        }
        else if (hasPositions && (positions!.ElementDataType != TensorElementType.Int64 || positions.Dimensions.Length != 2))
        {
            Fail($"input 'logits_positions' is {positions.ElementDataType} of rank {positions.Dimensions.Length}; expected int64 [batch, outputs].");
        }

        if (!outputs.TryGetValue("logits", out NodeMetadata? logits))
        {
            Fail($"the graph has no output 'logits' (outputs: {string.Join(", ", outputs.Keys)}).");
        }
        else
        {
            if (logits.ElementDataType != TensorElementType.Float || logits.Dimensions.Length != 3)
            {
                Fail($"output 'logits' is {logits.ElementDataType} of rank {logits.Dimensions.Length}; expected float32 [batch, sequence, vocab].");
            }

            int vocab = logits.Dimensions[2];
            if (vocab > 0 && vocab != m.VocabSize)
            {
                Fail($"output 'logits' has {vocab} columns but the manifest's vocab_size is {m.VocabSize}.");
            }
        }

        int pastCount = inputs.Keys.Count(k => k.StartsWith("past_key_values.", StringComparison.Ordinal));
        int presentCount = outputs.Keys.Count(k => k.StartsWith("present.", StringComparison.Ordinal));
        if (!m.HasCache)
        {
            if (pastCount != 0)
            {
                Fail($"the manifest says has_cache = false but the graph takes {pastCount} past inputs.");
            }

            return;
        }

        if (pastCount != 2 * m.NumLayers || presentCount != 2 * m.NumLayers)
        {
            Fail($"the manifest says has_cache with {m.NumLayers} layers, so 2 x {m.NumLayers} past inputs and present outputs are needed; the graph has {pastCount} and {presentCount}.");
        }

        TensorElementType kv = m.KvDType == "float16" ? TensorElementType.Float16 : TensorElementType.Float;
        for (int i = 0; i < m.NumLayers; i++)
        {
            foreach (string part in new[] { "key", "value" })
            {
                string name = $"past_key_values.{i}.{part}";
                if (!inputs.TryGetValue(name, out NodeMetadata? meta))
                {
                    Fail($"the graph has no input '{name}'.");
                    continue;
                }

                string output = $"present.{i}.{part}";
                if (!outputs.TryGetValue(output, out NodeMetadata? presentMeta) || presentMeta.ElementDataType != kv)
                {
                    Fail($"the graph has no {m.KvDType} output '{output}'.");
                }

                int[] d = meta.Dimensions;
                if (meta.ElementDataType != kv || d.Length != 4 || (d[1] > 0 && d[1] != m.NumKvHeads) || (d[3] > 0 && d[3] != m.HeadDim))
                {
                    Fail($"input '{name}' is {meta.ElementDataType} [{string.Join(", ", d)}]; the manifest implies {m.KvDType} [batch, {m.NumKvHeads}, past, {m.HeadDim}].");
                }
            }
        }
    }
}
