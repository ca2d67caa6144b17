using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkDiffusion.Packaging;

namespace SkDiffusion.Denoising;

/// <summary>
/// One run of a single token at the last position the manifest allows (<c>context_length - 1</c>), made when a denoiser
/// is created: a graph whose position tables are shorter than <c>context_length</c> fails here instead of at request
/// time, and the output shapes (vocabulary columns, KV heads, head size) are compared with the manifest.
/// </summary>
internal static class GraphProbe
{
    public static void Run(InferenceSession session, ModelManifest m, string path)
    {
        void Fail(string problem, Exception? inner = null) =>
            throw new ModelPackageException(path, problem + " The graph and manifest disagree; rebuild the package with SkDiffusion.ModelBuilder.", inner);

        var values = new List<OrtValue>();
        var names = new List<string> { "input_ids", "position_ids", "attention_mask" };
        var outputNames = new List<string> { "logits" };
        try
        {
            values.Add(OrtValue.CreateTensorValueFromMemory(new long[] { 0 }, [1, 1]));
            values.Add(OrtValue.CreateTensorValueFromMemory(new long[] { m.ContextLength - 1L }, [1, 1]));
            values.Add(OrtValue.CreateTensorValueFromMemory(new long[] { 1 }, [1, 1]));
            if (m.HasCache)
            {
                TensorElementType kv = m.KvDType == "float16" ? TensorElementType.Float16 : TensorElementType.Float;
                for (int i = 0; i < m.NumLayers; i++)
                {
                    names.Add($"past_key_values.{i}.key");
                    names.Add($"past_key_values.{i}.value");
                    values.Add(OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, kv, [1, m.NumKvHeads, 0, m.HeadDim]));
                    values.Add(OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, kv, [1, m.NumKvHeads, 0, m.HeadDim]));
                }

                outputNames.Add("present.0.key");
            }

            if (m.LogitsPositions)
            {
                names.Add("logits_positions");
                values.Add(OrtValue.CreateTensorValueFromMemory(new long[] { 0 }, [1, 1]));
            }

            IDisposableReadOnlyCollection<OrtValue> outputs;
            try
            {
                using var runOptions = new RunOptions();
                outputs = session.Run(runOptions, names, values, outputNames);
            }
            catch (OnnxRuntimeException ex)
            {
                Fail($"a one-token run at position {m.ContextLength - 1} (context_length - 1) fails, so the graph does not support the manifest's context_length of {m.ContextLength} or its inputs ({ex.Message}).", ex);
                return;
            }

            using (outputs)
            {
                long[] logits = outputs[0].GetTensorTypeAndShape().Shape;
                if (logits.Length != 3 || logits[0] != 1 || logits[1] != 1 || logits[2] != m.VocabSize)
                {
                    Fail($"a one-token run returns logits of shape [{string.Join(", ", logits)}]; the manifest implies [1, 1, {m.VocabSize}] (vocab_size).");
                }

                if (m.HasCache)
                {
                    long[] key = outputs[1].GetTensorTypeAndShape().Shape;
                    if (key.Length != 4 || key[0] != 1 || key[1] != m.NumKvHeads || key[2] != 1 || key[3] != m.HeadDim)
                    {
                        Fail($"a one-token run returns present.0.key of shape [{string.Join(", ", key)}]; the manifest implies [1, {m.NumKvHeads}, 1, {m.HeadDim}] (num_kv_heads, head_dim).");
                    }
                }
            }
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }
}
