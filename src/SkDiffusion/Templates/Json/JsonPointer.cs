using System.Globalization;
using System.Text.Json;

namespace SkDiffusion.Templates.Json;

/// <summary>
/// JSON pointers (RFC 6901) as the schema readers use them: escaping a member name into a pointer token, and one step
/// through a JSON document (following <c>$ref</c>).
/// </summary>
internal static class JsonPointer
{
    /// <summary>The pointer token of a member name: '~' written as <c>~0</c>, then '/' as <c>~1</c>.</summary>
    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>The pointer of member or keyword <paramref name="name"/> under <paramref name="pointer"/>.</summary>
    public static string Child(string pointer, string name) => pointer + "/" + Escape(name);

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
