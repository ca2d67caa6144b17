using System.Globalization;
using System.Text.Json;

namespace SkDiffusion.Templates.Json;

/// <summary>One step of a JSON pointer (RFC 6901) through a JSON document, shared by the schema readers that follow <c>$ref</c>.</summary>
internal static class JsonPointer
{
    /// <summary>
    /// Steps from <paramref name="at"/> by one escaped pointer token: a member name (<c>~1</c> for '/', <c>~0</c> for
    /// '~') of an object, or an index (digits only) of an array. False when nothing stands there.
    /// </summary>
    public static bool TryStep(JsonElement at, string escapedToken, out JsonElement next)
    {
        string token = escapedToken.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
        if (at.ValueKind == JsonValueKind.Object && at.TryGetProperty(token, out next))
        {
            return true;
        }

        if (at.ValueKind == JsonValueKind.Array && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < at.GetArrayLength())
        {
            next = at[i];
            return true;
        }

        next = default;
        return false;
    }
}
