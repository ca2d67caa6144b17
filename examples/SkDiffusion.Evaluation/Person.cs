using System.Text.Json;

namespace SkDiffusion.Evaluation;

/// <summary>The record the typed extraction path fills (its JSON schema comes from this type).</summary>
/// <param name="Name">Full name.</param>
/// <param name="Age">Age in years.</param>
/// <param name="City">Home city.</param>
/// <param name="Job">Occupation.</param>
/// <param name="Married">Whether the person is married.</param>
internal sealed record Person(string Name, int Age, string City, string Job, bool Married)
{
    /// <summary>The options the held-out answers are read with (camelCase, as the schema's property names).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static readonly (string Name, JsonValueKind[] Kinds)[] Properties =
    [
        ("name", [JsonValueKind.String]),
        ("age", [JsonValueKind.Number]),
        ("city", [JsonValueKind.String]),
        ("job", [JsonValueKind.String]),
        ("married", [JsonValueKind.True, JsonValueKind.False]),
    ];

    /// <summary>Whether <paramref name="json"/> validates against the record's schema: an object with exactly these
    /// properties, each of its JSON type, the age an integer.</summary>
    public static bool IsValid(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.EnumerateObject().Count() != Properties.Length)
            {
                return false;
            }

            foreach (var (name, kinds) in Properties)
            {
                if (!root.TryGetProperty(name, out var value) || !kinds.Contains(value.ValueKind))
                {
                    return false;
                }
            }

            return root.GetProperty("age").TryGetInt32(out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
