using System.Text.Json;

namespace SkDiffusion.Tests.Equivalence;

/// <summary>
/// The embedded package's tokenizer (Microsoft.ML.Tokenizers over the converted files) encodes like the recipe's Python
/// tokenizer that the model was trained with (<c>models/eval/tokenized.json</c>, written by
/// <c>models/recipe/tokenizer_golden.py</c>), and decodes back to the text.
/// </summary>
public sealed class EmbeddedTokenizerTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    private sealed record Row(string Text, int[] Ids);

    [Fact]
    public void EncodesHeldOutTextsAsTheTrainingTokenizerDid()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "tokenized.json");
        var rows = JsonSerializer.Deserialize<List<Row>>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        Assert.True(rows.Count >= 40, $"{rows.Count} rows");
        foreach (Row row in rows)
        {
            IReadOnlyList<int> ids = model.Package.Tokenizer.EncodeToIds(row.Text, allowSpecialTokens: false);
            Assert.True(row.Ids.SequenceEqual(ids), $"'{row.Text}': expected [{string.Join(", ", row.Ids)}], got [{string.Join(", ", ids)}]");
            Assert.Equal(row.Text, model.Package.Tokenizer.Decode(ids));
        }
    }

    [Fact]
    public void ANameIsTheSameTokensInASentenceAndInJson()
    {
        var tok = model.Package.Tokenizer;
        IReadOnlyList<int> inSentence = tok.EncodeToIds("Meet Kutaim Goubroum, a pilot.", allowSpecialTokens: false);
        IReadOnlyList<int> inJson = tok.EncodeToIds("{\"name\": \"Kutaim Goubroum\"}", allowSpecialTokens: false);
        IReadOnlyList<int> name = tok.EncodeToIds("Kutaim", allowSpecialTokens: false);
        Assert.True(Contains(inSentence, name), "sentence");
        Assert.True(Contains(inJson, name), "JSON");
    }

    private static bool Contains(IReadOnlyList<int> haystack, IReadOnlyList<int> needle)
    {
        for (int i = 0; i + needle.Count <= haystack.Count; i++)
        {
            if (Enumerable.Range(0, needle.Count).All(k => haystack[i + k] == needle[k]))
            {
                return true;
            }
        }

        return false;
    }
}
