namespace SkDiffusion.Packaging;

/// <summary>Checks every manifest field before anything heavy is loaded.</summary>
internal static class ManifestValidator
{
    private const int MaxVocabulary = 4 * 1024 * 1024;
    private const int MaxWidth = 1 << 17;
    private const int MaxLayers = 1024;
    private const int MaxContext = 1 << 20;

    private static readonly string[] RequiredKeys =
    [
        "format_version", "name", "architecture", "vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads",
        "head_dim", "intermediate_size", "context_length", "rope_theta", "rms_norm_eps", "dtype", "kv_dtype",
        "logits_shifted", "has_cache", "chat_format", "default_system_prompt", "token_ids", "files", "file_sizes", "sha256",
    ];

    private static readonly string[] RequiredTokenIds = ["mask", "eos", "eot", "pad"];

    private static readonly string[] RequiredFiles = ["model", "vocab", "merges", "tokenizer_config"];

    /// <summary>Fails when the manifest is not an object or lacks a required key (defaults would hide the omission).</summary>
    public static void CheckRequiredKeys(System.Text.Json.JsonElement root, string path)
    {
        if (root.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            throw new ModelPackageException(path, $"the manifest is a JSON {root.ValueKind}, not an object. Rebuild the package with SkDiffusion.ModelBuilder.");
        }

        Require(root, RequiredKeys, "");
        if (root.GetProperty("token_ids").ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            Require(root.GetProperty("token_ids"), RequiredTokenIds, "token_ids.");
        }

        if (root.GetProperty("files").ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            Require(root.GetProperty("files"), RequiredFiles, "files.");
        }

        void Require(System.Text.Json.JsonElement obj, string[] keys, string prefix)
        {
            foreach (string key in keys)
            {
                if (!obj.TryGetProperty(key, out _))
                {
                    throw new ModelPackageException(path, $"the required key '{prefix}{key}' is missing. Rebuild the package with SkDiffusion.ModelBuilder.");
                }
            }
        }
    }

    public static IEnumerable<string> FileNames(ModelManifest m)
    {
        yield return m.Files.Model;
        if (m.Files.ModelData is not null)
        {
            yield return m.Files.ModelData;
        }

        yield return m.Files.Vocab;
        yield return m.Files.Merges;
        yield return m.Files.TokenizerConfig;
    }

    public static void Validate(ModelManifest m, string path)
    {
        void Fail(string problem) => throw new ModelPackageException(path, problem + " Rebuild the package with SkDiffusion.ModelBuilder.");

        if (m.FormatVersion != ModelManifest.CurrentFormatVersion)
        {
            Fail($"format_version is {m.FormatVersion}; this runtime reads version {ModelManifest.CurrentFormatVersion}.");
        }

        if (string.IsNullOrWhiteSpace(m.Name))
        {
            Fail("name is missing or empty.");
        }

        if (m.Architecture is not ("llada" or "dream"))
        {
            Fail($"architecture '{m.Architecture}' is not supported (expected 'llada' or 'dream').");
        }

        Range("vocab_size", m.VocabSize, 2, MaxVocabulary);
        Range("hidden_size", m.HiddenSize, 1, MaxWidth);
        Range("num_layers", m.NumLayers, 1, MaxLayers);
        Range("num_heads", m.NumHeads, 1, 4096);
        Range("num_kv_heads", m.NumKvHeads, 1, m.NumHeads);
        Range("head_dim", m.HeadDim, 1, 4096);
        Range("intermediate_size", m.IntermediateSize, 1, MaxWidth * 8);
        Range("context_length", m.ContextLength, 1, MaxContext);
        if (m.NumHeads % m.NumKvHeads != 0)
        {
            Fail($"num_kv_heads ({m.NumKvHeads}) does not divide num_heads ({m.NumHeads}).");
        }

        if (!(m.RopeTheta > 0) || double.IsInfinity(m.RopeTheta))
        {
            Fail($"rope_theta must be a positive number, not {m.RopeTheta}.");
        }

        if (!(m.RmsNormEps > 0) || m.RmsNormEps >= 1)
        {
            Fail($"rms_norm_eps must be in (0, 1), not {m.RmsNormEps}.");
        }

        if (m.DType is not ("float32" or "float16" or "int4"))
        {
            Fail($"dtype '{m.DType}' is not one of float32, float16, int4.");
        }

        if (m.KvDType is not ("float32" or "float16"))
        {
            Fail($"kv_dtype '{m.KvDType}' is not one of float32, float16.");
        }

        if (m.ChatFormat is not ("llama3" or "chatml"))
        {
            Fail($"chat_format '{m.ChatFormat}' is not one of llama3, chatml.");
        }

        if (m.TokenIds is null)
        {
            Fail("token_ids is missing.");
        }

        TokenId("mask", m.TokenIds!.Mask);
        TokenId("eos", m.TokenIds.Eos);
        TokenId("eot", m.TokenIds.Eot);
        TokenId("pad", m.TokenIds.Pad);
        if (m.TokenIds.Bos is int bos)
        {
            TokenId("bos", bos);
        }

        // The mask id marks positions to decode: sharing it with a token the canvas holds would make prompt tokens masks.
        foreach ((string name, int? id) in new[] { ("bos", m.TokenIds.Bos), ("eos", (int?)m.TokenIds.Eos), ("eot", m.TokenIds.Eot), ("pad", m.TokenIds.Pad) })
        {
            if (id == m.TokenIds.Mask)
            {
                Fail($"token_ids.mask ({m.TokenIds.Mask}) equals token_ids.{name}: the mask token must be a token of its own.");
            }
        }

        if (m.Files is null)
        {
            Fail("files is missing.");
        }

        foreach (var (field, name) in new (string, string?)[] { ("model", m.Files!.Model), ("vocab", m.Files.Vocab), ("merges", m.Files.Merges), ("tokenizer_config", m.Files.TokenizerConfig) })
        {
            if (name is null)
            {
                Fail($"files.{field} is null; it must name a file.");
            }
        }

        foreach (var (field, name) in new (string, string?)[] { ("model", m.Files.Model), ("vocab", m.Files.Vocab), ("merges", m.Files.Merges), ("tokenizer_config", m.Files.TokenizerConfig), ("model_data", m.Files.ModelData) })
        {
            if (name is not null && !IsPlainName(name))
            {
                throw new ModelPackageException(path, $"files.{field} names '{name}', which is not a plain file name inside the package folder (no folders, '..', rooted or empty names). The package may be hostile; do not use it.");
            }
        }

        if (m.FileSizes is null || m.Sha256 is null)
        {
            Fail("file_sizes or sha256 is missing.");
        }

        void Range(string field, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                Fail($"{field} is {value}; it must be between {min} and {max}.");
            }
        }

        void TokenId(string field, int value)
        {
            if (value < 0 || value >= m.VocabSize)
            {
                Fail($"token_ids.{field} is {value}, outside the vocabulary [0, {m.VocabSize}).");
            }
        }
    }

    public static bool IsPlainName(string name) =>
        !string.IsNullOrWhiteSpace(name)
        && name == name.Trim()
        && name != "." && name != ".."
        && name.IndexOfAny(['/', '\\', ':', '\0']) < 0
        && !Path.IsPathRooted(name)
        && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;
}
