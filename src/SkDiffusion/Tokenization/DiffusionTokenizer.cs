using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using SkDiffusion.Packaging;

namespace SkDiffusion.Tokenization;

/// <summary>
/// The byte-level BPE tokenizer of a model package (Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>), with the
/// model's special tokens and ids.
/// </summary>
public sealed class DiffusionTokenizer
{
    private readonly BpeTokenizer _withSpecialTokens;
    private readonly BpeTokenizer _plain;
    private readonly Dictionary<string, int> _specialTokens;
    private readonly HashSet<int> _specialIds;

    private readonly string _configPath;
    private readonly string _packageName;

    /// <summary>How long the pre-tokenizer regex may run on one piece of text before encoding is refused.</summary>
    public static readonly TimeSpan RegexMatchTimeout = TimeSpan.FromSeconds(1);

    private DiffusionTokenizer(BpeTokenizer withSpecialTokens, BpeTokenizer plain, Dictionary<string, int> specialTokens, ManifestTokenIds ids, string configPath, string packageName, int maxInputCharacters)
    {
        _configPath = configPath;
        _packageName = packageName;
        MaxInputCharacters = maxInputCharacters;
        _withSpecialTokens = withSpecialTokens;
        _plain = plain;
        _specialTokens = specialTokens;
        _specialIds = [.. specialTokens.Values];
        MaskId = ids.Mask;
        EosId = ids.Eos;
        EotId = ids.Eot;
        PadId = ids.Pad;
        BosId = ids.Bos;
    }

    /// <summary>
    /// The longest text <see cref="EncodeToIds(string, bool)"/> accepts: the model's <c>context_length</c> times the
    /// longest token (in characters). Longer text cannot fit in the context, so it is refused by its length before any
    /// tokenization work (bounding the time and memory a huge prompt can cost).
    /// </summary>
    public int MaxInputCharacters { get; }

    /// <summary>The mask token id.</summary>
    public int MaskId { get; }

    /// <summary>The end-of-sequence token id.</summary>
    public int EosId { get; }

    /// <summary>The end-of-turn token id.</summary>
    public int EotId { get; }

    /// <summary>The padding token id.</summary>
    public int PadId { get; }

    /// <summary>The beginning-of-sequence token id, or <see langword="null"/>.</summary>
    public int? BosId { get; }

    /// <summary>The special tokens by content.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => _specialTokens;

    /// <summary>The underlying Microsoft.ML.Tokenizers tokenizer (special tokens recognised).</summary>
    public BpeTokenizer InnerTokenizer => _withSpecialTokens;

    /// <summary>Builds the tokenizer from a package's files.</summary>
    /// <param name="vocabPath">vocab.json.</param>
    /// <param name="mergesPath">merges.txt.</param>
    /// <param name="configPath">tokenizer_config.json.</param>
    /// <param name="manifest">The manifest whose special ids must be present.</param>
    /// <exception cref="ModelPackageException">A file is malformed or lacks a special token the manifest names.</exception>
    public static DiffusionTokenizer Create(string vocabPath, string mergesPath, string configPath, ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        RegularFile.Require(configPath);
        RegularFile.Require(vocabPath);
        RegularFile.Require(mergesPath);
        string regex;
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            using var config = JsonDocument.Parse(File.ReadAllBytes(configPath));
            if (config.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ModelPackageException(configPath, $"the tokenizer config must be a JSON object, not {config.RootElement.ValueKind}.");
            }

            if (!config.RootElement.TryGetProperty("pre_tokenizer_regex", out JsonElement re) || re.ValueKind != JsonValueKind.String)
            {
                throw new ModelPackageException(configPath, "pre_tokenizer_regex is missing or not a string.");
            }

            regex = re.GetString()!;
            if (!config.RootElement.TryGetProperty("special_tokens", out JsonElement sp) || sp.ValueKind != JsonValueKind.Object)
            {
                throw new ModelPackageException(configPath, "special_tokens is missing or not an object.");
            }

            foreach (JsonProperty p in sp.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0 || id >= manifest.VocabSize)
                {
                    throw new ModelPackageException(configPath, $"special token '{p.Name}' has id {p.Value}, not an integer in [0, {manifest.VocabSize}).");
                }

                special[p.Name] = id;
            }
        }
        catch (JsonException ex)
        {
            throw new ModelPackageException(configPath, $"not valid JSON ({ex.Message}).", ex);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException)
        {
            // JsonDocument accepts invalid UTF-8 inside strings and only fails when the string is read.
            throw new ModelPackageException(configPath, $"a string is not valid UTF-8 ({ex.Message}).", ex);
        }

        var ids = manifest.TokenIds;
        foreach (var (field, id) in new (string, int?)[] { ("mask", ids.Mask), ("eos", ids.Eos), ("eot", ids.Eot), ("bos", ids.Bos) })
        {
            if (id is int value && !special.ContainsValue(value))
            {
                throw new ModelPackageException(configPath, $"special_tokens has no token with the manifest's {field} id {value}. Rebuild the package so the tokenizer keeps its special tokens.");
            }
        }

        Dictionary<string, int> vocabulary;
        try
        {
            vocabulary = JsonSerializer.Deserialize(File.ReadAllBytes(vocabPath), Packaging.PackageJsonContext.Default.DictionaryStringInt32)
                ?? throw new ModelPackageException(vocabPath, "the vocabulary is the JSON literal null.");
        }
        catch (JsonException ex)
        {
            throw new ModelPackageException(vocabPath, $"not a valid token-to-id JSON object ({ex.Message}).", ex);
        }

        foreach (var (token, id) in vocabulary)
        {
            if (id < 0 || id >= manifest.VocabSize)
            {
                throw new ModelPackageException(vocabPath, $"token '{token}' has id {id}, outside the vocabulary [0, {manifest.VocabSize}).");
            }
        }

        List<string> merges = File.ReadLines(mergesPath).Where(l => l.Length > 0 && !l.StartsWith("#version", StringComparison.Ordinal)).ToList();
        Regex split;
        try
        {
            split = new Regex(regex, RegexOptions.Compiled, RegexMatchTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new ModelPackageException(configPath, $"pre_tokenizer_regex is not a valid regular expression ({ex.Message}).", ex);
        }

        PreTokenizerRegexCheck.Check(regex, configPath, manifest.Name);
        int longestToken = Math.Max(1, vocabulary.Keys.Concat(special.Keys).DefaultIfEmpty("").Max(k => k.Length));
        int maxInput = (int)Math.Min(int.MaxValue, (long)Math.Max(1, manifest.ContextLength) * longestToken);

        try
        {
            BpeTokenizer withSpecial = BpeTokenizer.Create(new BpeOptions(vocabulary)
            {
                Merges = merges,
                SpecialTokens = special,
                ByteLevel = true,
                PreTokenizer = new RegexPreTokenizer(split, special),
            });
            BpeTokenizer plain = BpeTokenizer.Create(new BpeOptions(vocabulary)
            {
                Merges = merges,
                ByteLevel = true,
                PreTokenizer = new RegexPreTokenizer(split, null),
            });
            return new DiffusionTokenizer(withSpecial, plain, special, ids, configPath, manifest.Name, maxInput);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new ModelPackageException(mergesPath, $"the vocabulary and merges do not form a valid BPE tokenizer ({ex.Message}).", ex);
        }
    }

    /// <summary>Encodes text to token ids.</summary>
    /// <param name="text">The text.</param>
    /// <param name="allowSpecialTokens">
    /// Whether special-token text (e.g. <c>&lt;|eot_id|&gt;</c>) becomes its special id. Pass <see langword="false"/> for
    /// user content, so that users cannot inject control tokens.
    /// </param>
    public IReadOnlyList<int> EncodeToIds(string text, bool allowSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        return EncodeToIds(text.AsSpan(), allowSpecialTokens);
    }

    /// <summary>Encodes text to token ids.</summary>
    /// <param name="text">The text.</param>
    /// <param name="allowSpecialTokens">Whether special-token text becomes its special id.</param>
    public IReadOnlyList<int> EncodeToIds(ReadOnlySpan<char> text, bool allowSpecialTokens = true)
    {
        if (text.IsEmpty)
        {
            return [];
        }

        if (text.Length > MaxInputCharacters)
        {
            throw new ArgumentException($"The text has {text.Length} characters; package '{_packageName}' can hold at most {MaxInputCharacters} (context_length times its longest token), so it cannot fit the model's context. Shorten it.", nameof(text));
        }

        try
        {
            return (allowSpecialTokens ? _withSpecialTokens : _plain).EncodeToIds(text, considerPreTokenization: true, considerNormalization: true);
        }
        catch (RegexMatchTimeoutException ex)
        {
            throw new ModelPackageException(_configPath, $"pre_tokenizer_regex of package '{_packageName}' took longer than {RegexMatchTimeout.TotalSeconds} s on a {text.Length}-character text; the pattern backtracks catastrophically. Fix the package's tokenizer_config.json.", ex);
        }
    }

    /// <summary>Decodes token ids to text.</summary>
    /// <param name="ids">The ids.</param>
    /// <param name="skipSpecialTokens">Whether to drop special tokens (mask, EOS, headers) from the text.</param>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return skipSpecialTokens ? _withSpecialTokens.Decode(ids.Where(i => !_specialIds.Contains(i))) : _withSpecialTokens.Decode(ids);
    }

    /// <summary>Decodes token ids to text.</summary>
    /// <param name="ids">The ids.</param>
    /// <param name="skipSpecialTokens">Whether to drop special tokens from the text.</param>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false) => Decode((IEnumerable<int>)ids.ToArray(), skipSpecialTokens);

    /// <summary>Whether <paramref name="id"/> is a special token.</summary>
    /// <param name="id">A token id.</param>
    public bool IsSpecial(int id) => _specialIds.Contains(id);

    /// <summary>The id of a special token by its content.</summary>
    /// <param name="specialToken">The content, e.g. <c>&lt;|eot_id|&gt;</c>.</param>
    /// <exception cref="KeyNotFoundException">The tokenizer has no such special token.</exception>
    public int GetSpecialTokenId(string specialToken) =>
        _specialTokens.TryGetValue(specialToken, out int id)
            ? id
            : throw new KeyNotFoundException($"The tokenizer has no special token '{specialToken}'. Known: {string.Join(", ", _specialTokens.Keys)}.");

    /// <summary>The id of a special token (same as <see cref="GetSpecialTokenId"/>).</summary>
    /// <param name="specialToken">The token text, e.g. <c>&lt;|eot_id|&gt;</c>.</param>
    /// <exception cref="KeyNotFoundException">The tokenizer has no such special token.</exception>
    public int GetTokenId(string specialToken) => GetSpecialTokenId(specialToken);

    /// <summary>Creates a decoder that turns a growing stream of ids into text without garbling multi-byte characters.</summary>
    /// <param name="skipSpecialTokens">Whether special tokens are left out of the text.</param>
    public StreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = true) => new(this, skipSpecialTokens);
}
