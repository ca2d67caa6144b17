using System.Text.Json;
using System.Text.RegularExpressions;

namespace SkDiffusion.ModelBuilder.Tokenizer;

/// <summary>
/// Reads a byte-level BPE tokenizer from a checkpoint folder: <c>tokenizer.json</c> (preferred), or
/// <c>vocab.json</c> + <c>merges.txt</c> with added tokens from <c>tokenizer_config.json</c> / <c>added_tokens.json</c>.
/// </summary>
internal static class TokenizerReader
{
    /// <summary>Reads the tokenizer of <paramref name="checkpointDirectory"/>.</summary>
    /// <exception cref="ModelBuildException">No tokenizer, or one the package format cannot express.</exception>
    public static BpeTokenizerData Read(string checkpointDirectory)
    {
        string json = Path.Combine(checkpointDirectory, "tokenizer.json");
        if (File.Exists(json))
        {
            return ReadTokenizerJson(json);
        }

        string vocab = Path.Combine(checkpointDirectory, "vocab.json");
        string merges = Path.Combine(checkpointDirectory, "merges.txt");
        if (File.Exists(vocab) && File.Exists(merges))
        {
            return ReadVocabAndMerges(checkpointDirectory, vocab, merges);
        }

        throw new ModelBuildException($"{checkpointDirectory}: no tokenizer found: expected tokenizer.json, or vocab.json and merges.txt.");
    }

    private static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new ModelBuildException($"{path}: not valid JSON ({ex.Message}).", ex);
        }
    }

    private static BpeTokenizerData ReadTokenizerJson(string path)
    {
        using var document = ParseJson(path);
        var root = document.RootElement;
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
        {
            throw new ModelBuildException($"{path}: missing 'model' object.");
        }

        string? type = model.TryGetProperty("type", out var typeElement) ? typeElement.GetString() : null;
        if (type is not null && type != "BPE")
        {
            throw new ModelBuildException($"{path}: model type '{type}' is not supported; only byte-level BPE is.");
        }

        if (!model.TryGetProperty("vocab", out var vocabElement) || vocabElement.ValueKind != JsonValueKind.Object)
        {
            throw new ModelBuildException($"{path}: missing 'model.vocab' object.");
        }

        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
        {
            foreach (var token in added.EnumerateArray())
            {
                if (!token.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String
                    || !token.TryGetProperty("id", out var id) || !id.TryGetInt32(out int idValue))
                {
                    throw new ModelBuildException($"{path}: every 'added_tokens' entry needs 'id' and 'content'.");
                }

                special[content.GetString()!] = idValue;
            }
        }

        var vocabulary = ReadVocabularyObject(path, vocabElement, special);
        var merges = new List<(string, string)>();
        if (model.TryGetProperty("merges", out var mergesElement) && mergesElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var merge in mergesElement.EnumerateArray())
            {
                merges.Add(merge.ValueKind switch
                {
                    JsonValueKind.String => SplitMerge(path, merge.GetString()!),
                    JsonValueKind.Array when merge.GetArrayLength() == 2 => (merge[0].GetString()!, merge[1].GetString()!),
                    _ => throw new ModelBuildException($"{path}: a merge must be \"a b\" or [\"a\", \"b\"], found {merge.GetRawText()}."),
                });
            }
        }

        root.TryGetProperty("pre_tokenizer", out var preTokenizer);
        root.TryGetProperty("decoder", out var decoder);
        string regex = ResolveRegex(path, preTokenizer, decoder);
        var warnings = new List<string>();
        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
        {
            warnings.Add($"{path}: normalizer '{TypeOf(normalizer) ?? normalizer.GetRawText()}' is not kept in the package (text is tokenized as given).");
        }

        if (model.TryGetProperty("ignore_merges", out var ignoreMerges) && ignoreMerges.ValueKind == JsonValueKind.True)
        {
            warnings.Add($"{path}: ignore_merges=true is not kept (words are always merged; the result differs only for rare words whose merges do not reach their vocabulary entry).");
        }

        return new BpeTokenizerData
        {
            Vocabulary = vocabulary,
            Merges = merges,
            SpecialTokens = special,
            PreTokenizerRegex = Validate(path, regex),
            SourceFile = path,
            Warnings = warnings,
        };
    }

    private static string ResolveRegex(string path, JsonElement preTokenizer, JsonElement decoder)
    {
        if (preTokenizer.ValueKind != JsonValueKind.Object)
        {
            throw new ModelBuildException($"{path}: no pre_tokenizer; a byte-level BPE tokenizer with a split regex is required.");
        }

        var steps = new List<JsonElement>();
        if (TypeOf(preTokenizer) == "Sequence")
        {
            if (!preTokenizer.TryGetProperty("pretokenizers", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new ModelBuildException($"{path}: pre_tokenizer Sequence without 'pretokenizers'.");
            }

            steps.AddRange(list.EnumerateArray());
        }
        else
        {
            steps.Add(preTokenizer);
        }

        string? splitRegex = null;
        bool byteLevel = false, byteLevelRegex = false;
        foreach (var step in steps)
        {
            switch (TypeOf(step))
            {
                case "Split":
                    if (splitRegex is not null)
                    {
                        throw new ModelBuildException($"{path}: more than one Split pre-tokenizer is not supported.");
                    }

                    if (step.TryGetProperty("invert", out var invert) && invert.ValueKind == JsonValueKind.True)
                    {
                        throw new ModelBuildException($"{path}: an inverted Split pre-tokenizer is not supported.");
                    }

                    if (!step.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.Object)
                    {
                        throw new ModelBuildException($"{path}: Split pre-tokenizer without a pattern.");
                    }

                    if (pattern.TryGetProperty("Regex", out var rx) && rx.ValueKind == JsonValueKind.String)
                    {
                        splitRegex = rx.GetString()!;
                    }
                    else if (pattern.TryGetProperty("String", out var literal) && literal.ValueKind == JsonValueKind.String)
                    {
                        splitRegex = Regex.Escape(literal.GetString()!);
                    }
                    else
                    {
                        throw new ModelBuildException($"{path}: Split pre-tokenizer pattern must be a Regex or String.");
                    }

                    break;
                case "ByteLevel":
                    byteLevel = true;
                    byteLevelRegex = !step.TryGetProperty("use_regex", out var useRegex) || useRegex.ValueKind != JsonValueKind.False;
                    if (step.TryGetProperty("add_prefix_space", out var prefix) && prefix.ValueKind == JsonValueKind.True)
                    {
                        throw new ModelBuildException($"{path}: ByteLevel add_prefix_space=true is not supported.");
                    }

                    break;
                default:
                    throw new ModelBuildException($"{path}: pre-tokenizer '{TypeOf(step)}' is not supported (only Split and ByteLevel).");
            }
        }

        if (!byteLevel && !(decoder.ValueKind == JsonValueKind.Object && TypeOf(decoder) == "ByteLevel"))
        {
            throw new ModelBuildException($"{path}: the tokenizer is not byte-level (no ByteLevel pre-tokenizer or decoder).");
        }

        return splitRegex
            ?? (byteLevelRegex ? PreTokenizerPatterns.Gpt2 : throw new ModelBuildException($"{path}: no split regex: a Split pre-tokenizer or ByteLevel use_regex=true is required."));
    }

    private static string? TypeOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("type", out var type) ? type.GetString() : null;

    private static BpeTokenizerData ReadVocabAndMerges(string directory, string vocabPath, string mergesPath)
    {
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        string config = Path.Combine(directory, "tokenizer_config.json");
        if (File.Exists(config))
        {
            using var document = ParseJson(config);
            if (document.RootElement.TryGetProperty("added_tokens_decoder", out var decoder) && decoder.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in decoder.EnumerateObject())
                {
                    if (!int.TryParse(entry.Name, out int id) || !entry.Value.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                    {
                        throw new ModelBuildException($"{config}: added_tokens_decoder entry '{entry.Name}' needs an integer key and a 'content'.");
                    }

                    special[content.GetString()!] = id;
                }
            }
        }

        string addedTokens = Path.Combine(directory, "added_tokens.json");
        if (File.Exists(addedTokens))
        {
            using var document = ParseJson(addedTokens);
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (!entry.Value.TryGetInt32(out int id))
                {
                    throw new ModelBuildException($"{addedTokens}: token '{entry.Name}' must map to an integer id.");
                }

                special.TryAdd(entry.Name, id);
            }
        }

        Dictionary<string, int> vocabulary;
        using (var document = ParseJson(vocabPath))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ModelBuildException($"{vocabPath}: must be a JSON object of token to id.");
            }

            vocabulary = ReadVocabularyObject(vocabPath, document.RootElement, special);
        }

        var merges = new List<(string, string)>();
        foreach (var line in File.ReadLines(mergesPath))
        {
            if (line.Length == 0 || line.StartsWith("#version", StringComparison.Ordinal))
            {
                continue;
            }

            merges.Add(SplitMerge(mergesPath, line));
        }

        return new BpeTokenizerData
        {
            Vocabulary = vocabulary,
            Merges = merges,
            SpecialTokens = special,
            PreTokenizerRegex = Validate(vocabPath, PreTokenizerPatterns.Qwen2),
            SourceFile = vocabPath,
        };
    }

    private static Dictionary<string, int> ReadVocabularyObject(string path, JsonElement vocabElement, Dictionary<string, int> special)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocabElement.EnumerateObject())
        {
            if (!entry.Value.TryGetInt32(out int id) || id < 0)
            {
                throw new ModelBuildException($"{path}: vocabulary entry '{entry.Name}' must map to a non-negative integer id.");
            }

            if (!special.ContainsKey(entry.Name))
            {
                vocabulary[entry.Name] = id;
            }
        }

        if (vocabulary.Count == 0)
        {
            throw new ModelBuildException($"{path}: the vocabulary is empty.");
        }

        return vocabulary;
    }

    private static (string, string) SplitMerge(string path, string merge)
    {
        int space = merge.IndexOf(' ');
        if (space <= 0 || space == merge.Length - 1 || merge.IndexOf(' ', space + 1) >= 0)
        {
            throw new ModelBuildException($"{path}: merge \"{merge}\" is not two tokens separated by one space.");
        }

        return (merge[..space], merge[(space + 1)..]);
    }

    private static string Validate(string path, string regex)
    {
        try
        {
            _ = new Regex(regex);
            return regex;
        }
        catch (ArgumentException ex)
        {
            throw new ModelBuildException($"{path}: the pre-tokenizer regex is not valid in .NET ({ex.Message}).", ex);
        }
    }
}
