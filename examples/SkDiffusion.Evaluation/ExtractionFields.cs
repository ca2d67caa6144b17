using System.Globalization;
using System.Text.Json;

namespace SkDiffusion.Evaluation;

/// <summary>
/// Per-field exact match of extraction answers: which fields of the expected JSON object the decoded answer got right,
/// so progress shows before whole objects match (a whole object needs every field).
/// </summary>
internal sealed class ExtractionFields
{
    private readonly Dictionary<string, int> _correct = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private int _total;
    private int _validJson;

    /// <summary>Scores one answer against the expected JSON object.</summary>
    public void Add(string expected, string actual)
    {
        using JsonDocument want = JsonDocument.Parse(expected);
        _total++;
        JsonDocument? got = null;
        try
        {
            got = JsonDocument.Parse(actual);
            _validJson += got.RootElement.ValueKind == JsonValueKind.Object ? 1 : 0;
        }
        catch (JsonException)
        {
        }

        using (got)
        {
            foreach (JsonProperty field in want.RootElement.EnumerateObject())
            {
                if (!_correct.ContainsKey(field.Name))
                {
                    _correct[field.Name] = 0;
                    _order.Add(field.Name);
                }

                if (got is not null && got.RootElement.ValueKind == JsonValueKind.Object &&
                    got.RootElement.TryGetProperty(field.Name, out JsonElement value) &&
                    value.ValueKind == field.Value.ValueKind && value.GetRawText() == field.Value.GetRawText())
                {
                    _correct[field.Name]++;
                }
            }
        }
    }

    /// <summary>One line: the share of answers that parse as a JSON object, then each field's exact-match share.</summary>
    public override string ToString()
    {
        string Pct(int n) => _total == 0 ? "-" : (100.0 * n / _total).ToString("F1", CultureInfo.InvariantCulture) + "%";
        return $"valid JSON {Pct(_validJson)}, " + string.Join(", ", _order.Select(f => $"{f} {Pct(_correct[f])}"));
    }
}
