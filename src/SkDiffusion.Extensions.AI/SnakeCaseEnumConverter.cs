using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// Reads and writes an optional enum setting by its snake_case name (<c>NegativeEntropy</c> ↔ <c>negative_entropy</c>), the
/// wire format of the diffusion settings. Reading ignores case and surrounding spaces; a number or an unknown name
/// is refused with a <see cref="SettingValueException"/> that lists the names. Needs no reflection (trimming and
/// native AOT safe).
/// </summary>
/// <typeparam name="TEnum">The enum.</typeparam>
internal sealed class SnakeCaseEnumConverter<TEnum> : JsonConverter<TEnum?>
    where TEnum : struct, Enum
{
    private static readonly (string Name, TEnum Value)[] Members =
        [.. Enum.GetValues<TEnum>().Select(v => (JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()), v))];

    /// <summary>The snake_case names, in declaration order, comma-separated (for error messages).</summary>
    public static string Choices { get; } = string.Join(", ", Members.Select(m => m.Name));

    /// <summary>The snake_case name of <paramref name="value"/>.</summary>
    public static string NameOf(TEnum value)
    {
        foreach (var (name, member) in Members)
        {
            if (EqualityComparer<TEnum>.Default.Equals(member, value))
            {
                return name;
            }
        }

        return value.ToString();
    }

    /// <summary>Finds the member named <paramref name="text"/> (case-insensitive, trimmed).</summary>
    public static bool TryParse(string? text, out TEnum value)
    {
        string key = text?.Trim() ?? "";
        foreach (var (name, member) in Members)
        {
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                value = member;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <inheritdoc />
    public override TEnum? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new SettingValueException($"a JSON {reader.TokenType}", Choices);
        }

        string? text = reader.GetString();
        return TryParse(text, out TEnum value) ? value : throw new SettingValueException($"'{text}'", Choices);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TEnum? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is TEnum member)
        {
            writer.WriteStringValue(NameOf(member));
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
