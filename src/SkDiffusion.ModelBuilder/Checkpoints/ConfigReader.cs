using System.Text.Json;

namespace SkDiffusion.ModelBuilder.Checkpoints;

/// <summary>Reads a checkpoint's <c>config.json</c> into a <see cref="TransformerConfig"/>.</summary>
internal static class ConfigReader
{
    /// <summary>The <c>model_type</c> values the builder accepts.</summary>
    public static readonly string[] SupportedModelTypes = ["llada", "Dream", "dream"];

    /// <summary>Reads and validates <c>config.json</c> in <paramref name="checkpointDirectory"/>.</summary>
    /// <exception cref="ModelBuildException">The file is missing, malformed, of an unknown model type, or inconsistent.</exception>
    public static TransformerConfig Read(string checkpointDirectory)
    {
        string path = Path.Combine(checkpointDirectory, "config.json");
        if (!File.Exists(path))
        {
            throw new ModelBuildException($"{path}: not found (is '{checkpointDirectory}' a Hugging Face checkpoint folder?).");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new ModelBuildException($"{path}: not valid JSON ({ex.Message}).", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ModelBuildException($"{path}: not a JSON object.");
            }

            var reader = new ConfigJsonReader(path, root);
            string modelType = reader.OptionalString("model_type") ?? "(none)";
            var config = modelType switch
            {
                "llada" => ReadLlada(reader),
                "Dream" or "dream" => ReadDream(reader),
                _ => throw new ModelBuildException(
                    $"{path}: unknown model_type '{modelType}'; supported: {string.Join(", ", SupportedModelTypes.Select(t => $"'{t}'"))}."),
            };
            Validate(path, config);
            return config;
        }
    }

    private static TransformerConfig ReadLlada(ConfigJsonReader r)
    {
        if (r.OptionalBool("include_bias") == true)
        {
            throw new ModelBuildException($"{r.Path}: include_bias=true is not supported (LLaDA checkpoints have no biases).");
        }

        if (r.OptionalBool("rope") == false || r.OptionalBool("alibi") == true)
        {
            throw new ModelBuildException($"{r.Path}: only rotary position embeddings are supported (rope=true, alibi=false).");
        }

        RequireOneOf(r, "block_type", "llama");
        RequireOneOf(r, "layer_norm_type", "rms");
        RequireOneOf(r, "activation_type", "silu", "swiglu");
        if (r.OptionalBool("attention_layer_norm") == true)
        {
            throw new ModelBuildException($"{r.Path}: attention_layer_norm=true (q/k norms) is not supported.");
        }

        if (r.OptionalBool("layer_norm_with_affine") == false)
        {
            throw new ModelBuildException($"{r.Path}: layer_norm_with_affine=false is not supported (norms must have weights).");
        }

        if (r.Root.TryGetProperty("clip_qkv", out var clip) && clip.ValueKind != JsonValueKind.Null)
        {
            throw new ModelBuildException($"{r.Path}: clip_qkv is not supported (must be null or absent).");
        }

        int d = r.RequiredInt("d_model");
        int heads = r.RequiredInt("n_heads");
        int kvHeads = r.OptionalInt("n_kv_heads") ?? heads;
        int? mlp = r.OptionalInt("mlp_hidden_size");
        if (mlp is null)
        {
            double? ratio = r.OptionalDouble("mlp_ratio");
            if (ratio is null)
            {
                throw new ModelBuildException($"{r.Path}: missing 'mlp_hidden_size' (and no 'mlp_ratio').");
            }

            mlp = (int)(ratio.Value * d);
        }

        int vocab = r.OptionalInt("embedding_size") ?? r.RequiredInt("vocab_size");
        return new TransformerConfig
        {
            Architecture = ModelArchitecture.Llada,
            VocabSize = vocab,
            HiddenSize = d,
            NumLayers = r.RequiredInt("n_layers"),
            NumHeads = heads,
            NumKvHeads = kvHeads,
            HeadDim = heads > 0 ? d / heads : 0,
            IntermediateSize = mlp.Value,
            MaxPositions = r.RequiredInt("max_sequence_length"),
            RopeTheta = r.OptionalDouble("rope_theta") ?? 10000.0,
            RmsNormEps = r.OptionalDouble("rms_norm_eps") ?? 1e-5,
            TieWordEmbeddings = r.OptionalBool("weight_tying") ?? false,
            QkvBias = r.OptionalBool("include_qkv_bias") ?? false,
            ScaleLogits = r.OptionalBool("scale_logits") ?? false,
            InputEmbeddingScale = r.OptionalBool("input_emb_norm") ?? false,
            MaskTokenId = r.OptionalInt("mask_token_id"),
            BosTokenId = r.OptionalInt("bos_token_id"),
            EosTokenId = r.OptionalInt("eos_token_id"),
            PadTokenId = r.OptionalInt("pad_token_id"),
            NameOrPath = r.OptionalString("_name_or_path"),
        };
    }

    private static void RequireOneOf(ConfigJsonReader r, string key, params string[] allowed)
    {
        string? value = r.OptionalString(key);
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            throw new ModelBuildException($"{r.Path}: {key} '{value}' is not supported; expected {string.Join(" or ", allowed.Select(a => $"'{a}'"))}.");
        }
    }

    private static TransformerConfig ReadDream(ConfigJsonReader r)
    {
        if (r.Root.TryGetProperty("rope_scaling", out var scaling) && scaling.ValueKind != JsonValueKind.Null)
        {
            throw new ModelBuildException($"{r.Path}: rope_scaling is not supported (must be null or absent).");
        }

        int d = r.RequiredInt("hidden_size");
        int heads = r.RequiredInt("num_attention_heads");
        return new TransformerConfig
        {
            Architecture = ModelArchitecture.Dream,
            VocabSize = r.RequiredInt("vocab_size"),
            HiddenSize = d,
            NumLayers = r.RequiredInt("num_hidden_layers"),
            NumHeads = heads,
            NumKvHeads = r.OptionalInt("num_key_value_heads") ?? heads,
            HeadDim = r.OptionalInt("head_dim") ?? (heads > 0 ? d / heads : 0),
            IntermediateSize = r.RequiredInt("intermediate_size"),
            MaxPositions = r.RequiredInt("max_position_embeddings"),
            RopeTheta = r.OptionalDouble("rope_theta") ?? 10000.0,
            RmsNormEps = r.OptionalDouble("rms_norm_eps") ?? 1e-6,
            TieWordEmbeddings = r.OptionalBool("tie_word_embeddings") ?? false,
            QkvBias = true,
            MaskTokenId = r.OptionalInt("mask_token_id"),
            BosTokenId = r.OptionalInt("bos_token_id"),
            EosTokenId = r.OptionalInt("eos_token_id"),
            PadTokenId = r.OptionalInt("pad_token_id"),
            NameOrPath = r.OptionalString("_name_or_path"),
        };
    }

    private static void Validate(string path, TransformerConfig c)
    {
        void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new ModelBuildException($"{path}: {message}");
            }
        }

        Require(c.VocabSize > 0 && c.HiddenSize > 0 && c.NumLayers > 0 && c.NumHeads > 0 && c.NumKvHeads > 0 && c.IntermediateSize > 0 && c.MaxPositions > 0,
            "vocabulary size, hidden size, layers, heads, kv heads, intermediate size and maximum positions must all be positive.");
        Require(c.NumHeads % c.NumKvHeads == 0, $"the number of heads ({c.NumHeads}) must be a multiple of the number of kv heads ({c.NumKvHeads}).");
        Require(c.HeadDim > 0 && c.HeadDim % 2 == 0, $"head size {c.HeadDim} must be positive and even (rotary embeddings rotate halves).");
        Require(c.Architecture != ModelArchitecture.Llada || c.HeadDim * c.NumHeads == c.HiddenSize,
            $"d_model ({c.HiddenSize}) must be divisible by n_heads ({c.NumHeads}).");
        Require(c.RopeTheta > 0, "rope_theta must be positive.");
        Require(c.RmsNormEps > 0, "rms_norm_eps must be positive.");
    }
}
