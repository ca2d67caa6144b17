using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace SkDiffusion.ModelBuilder.Tokenizer;

/// <summary>Loads the written tokenizer files with Microsoft.ML.Tokenizers, the way the runtime does, and checks special tokens.</summary>
internal static class TokenizerVerifier
{
    /// <summary>Creates a <see cref="BpeTokenizer"/> from package tokenizer files.</summary>
    public static BpeTokenizer Load(string vocabPath, string mergesPath, string configPath)
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(configPath));
        string regex = config.RootElement.GetProperty("pre_tokenizer_regex").GetString()!;
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in config.RootElement.GetProperty("special_tokens").EnumerateObject())
        {
            special[entry.Name] = entry.Value.GetInt32();
        }

        var vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllBytes(vocabPath))!;
        var merges = File.ReadLines(mergesPath).Where(l => l.Length > 0 && !l.StartsWith("#version", StringComparison.Ordinal)).ToList();
        var options = new BpeOptions(vocabulary)
        {
            Merges = merges,
            SpecialTokens = special,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(regex, RegexOptions.Compiled), special),
        };
        return BpeTokenizer.Create(options);
    }

    /// <summary>Loads the files and checks that every special token encodes to its own id.</summary>
    /// <exception cref="ModelBuildException">The files do not load or a special token maps to a different id.</exception>
    public static void Verify(string vocabPath, string mergesPath, string configPath, IReadOnlyDictionary<string, int> specialTokens)
    {
        BpeTokenizer tokenizer;
        try
        {
            tokenizer = Load(vocabPath, mergesPath, configPath);
        }
        catch (Exception ex) when (ex is not ModelBuildException)
        {
            throw new ModelBuildException($"{vocabPath}: the converted tokenizer does not load in Microsoft.ML.Tokenizers ({ex.Message}).", ex);
        }

        foreach (var (content, id) in specialTokens)
        {
            var ids = tokenizer.EncodeToIds(content);
            if (ids.Count != 1 || ids[0] != id)
            {
                throw new ModelBuildException(
                    $"{configPath}: special token '{content}' encodes to [{string.Join(", ", ids)}] instead of [{id}] after conversion.");
            }
        }
    }
}
