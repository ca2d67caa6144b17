using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SkDiffusion.ModelBuilder.Tokenizer;

/// <summary>Writes the package's <c>vocab.json</c>, <c>merges.txt</c> and <c>tokenizer_config.json</c>.</summary>
internal static class TokenizerWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the three tokenizer files into <paramref name="directory"/> under the given names.</summary>
    public static void Write(BpeTokenizerData data, string directory, string vocabFile, string mergesFile, string configFile)
    {
        using (var stream = File.Create(Path.Combine(directory, vocabFile)))
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            writer.WriteStartObject();
            foreach (var (token, id) in data.Vocabulary.OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(token, id);
            }

            writer.WriteEndObject();
        }

        using (var merges = new StreamWriter(Path.Combine(directory, mergesFile), false, new UTF8Encoding(false)))
        {
            merges.NewLine = "\n";
            merges.WriteLine("#version: 0.2");
            foreach (var (left, right) in data.Merges)
            {
                merges.Write(left);
                merges.Write(' ');
                merges.WriteLine(right);
            }
        }

        using (var stream = File.Create(Path.Combine(directory, configFile)))
        using (var writer = new Utf8JsonWriter(stream, Options with { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("pre_tokenizer_regex", data.PreTokenizerRegex);
            writer.WriteBoolean("byte_level", true);
            writer.WriteStartObject("special_tokens");
            foreach (var (content, id) in data.SpecialTokens.OrderBy(p => p.Value))
            {
                writer.WriteNumber(content, id);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }
}
