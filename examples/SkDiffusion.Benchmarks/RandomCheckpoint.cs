using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace SkDiffusion.Benchmarks;

/// <summary>Writes a random-weight LLaDA-shaped checkpoint (config.json, F16 model.safetensors, tokenizer.json).</summary>
internal static class RandomCheckpoint
{
    public const int Vocab = 320; // the fixture tokenizer's ids (290 regular + specials), padded

    /// <summary>Writes the checkpoint and returns its parameter count.</summary>
    public static long Write(string directory, int hidden, int layers, int heads, int mlp, int context, string tokenizerJson)
    {
        Directory.CreateDirectory(directory);
        var config = new Dictionary<string, object>
        {
            ["architectures"] = new[] { "LLaDAModelLM" },
            ["model_type"] = "llada",
            ["d_model"] = hidden,
            ["n_heads"] = heads,
            ["n_kv_heads"] = heads,
            ["n_layers"] = layers,
            ["mlp_hidden_size"] = mlp,
            ["vocab_size"] = Vocab,
            ["embedding_size"] = Vocab,
            ["rope_theta"] = 10000.0,
            ["rms_norm_eps"] = 1e-5,
            ["max_sequence_length"] = context,
            ["weight_tying"] = false,
            ["include_bias"] = false,
            ["block_type"] = "llama",
            ["layer_norm_type"] = "rms",
            ["mask_token_id"] = 292,
            ["eos_token_id"] = 291,
            ["pad_token_id"] = 291,
            ["bos_token_id"] = 290,
        };
        File.WriteAllText(Path.Combine(directory, "config.json"), JsonSerializer.Serialize(config));
        File.Copy(tokenizerJson, Path.Combine(directory, "tokenizer.json"), overwrite: true);

        var tensors = new List<(string Name, int[] Shape, bool Norm)>
        {
            ("model.transformer.wte.weight", [Vocab, hidden], false),
            ("model.transformer.ln_f.weight", [hidden], true),
            ("model.transformer.ff_out.weight", [Vocab, hidden], false),
        };
        for (int i = 0; i < layers; i++)
        {
            string p = $"model.transformer.blocks.{i}.";
            tensors.Add((p + "attn_norm.weight", [hidden], true));
            tensors.Add((p + "ff_norm.weight", [hidden], true));
            tensors.Add((p + "q_proj.weight", [hidden, hidden], false));
            tensors.Add((p + "k_proj.weight", [hidden, hidden], false));
            tensors.Add((p + "v_proj.weight", [hidden, hidden], false));
            tensors.Add((p + "attn_out.weight", [hidden, hidden], false));
            tensors.Add((p + "ff_proj.weight", [mlp, hidden], false));
            tensors.Add((p + "up_proj.weight", [mlp, hidden], false));
            tensors.Add((p + "ff_out.weight", [hidden, mlp], false));
        }

        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0, parameters = 0;
        foreach (var (name, shape, _) in tensors)
        {
            long count = shape.Aggregate(1L, (a, b) => a * b);
            parameters += count;
            header.Append($",\"{name}\":{{\"dtype\":\"F16\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + (2 * count)}]}}");
            offset += 2 * count;
        }

        header.Append('}');
        while (header.Length % 8 != 0)
        {
            header.Append(' ');
        }

        using var stream = new FileStream(Path.Combine(directory, "model.safetensors"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        byte[] head = Encoding.UTF8.GetBytes(header.ToString());
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)head.Length);
        stream.Write(length);
        stream.Write(head);
        var random = new Random(1234);
        byte[] chunk = new byte[1 << 20];
        foreach (var (_, shape, norm) in tensors)
        {
            long count = shape.Aggregate(1L, (a, b) => a * b);
            float scale = norm ? 0 : 1.0f / MathF.Sqrt(shape[^1]);
            long left = count;
            while (left > 0)
            {
                int n = (int)Math.Min(left, chunk.Length / 2);
                for (int i = 0; i < n; i++)
                {
                    float value = norm ? 1f : scale * ((2 * random.NextSingle()) - 1) * 1.7f;
                    BinaryPrimitives.WriteHalfLittleEndian(chunk.AsSpan(2 * i, 2), (Half)value);
                }

                stream.Write(chunk, 0, 2 * n);
                left -= n;
            }
        }

        return parameters;
    }
}
