using System.Text;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// The runs of whole words of a source text (<see cref="GrammarOptions.CopySource"/>): the values a copied JSON string
/// may take. A word is a maximal run of letters and digits, with an apostrophe, hyphen or period inside it kept when a
/// letter or digit follows ("O'Neil", "29-year-old", "St.Ives"); a run spans one to <c>maxWords</c> consecutive words
/// and keeps the source's own text between them ("New York", "Lee, Ann").
/// </summary>
internal static class CopySpans
{
    /// <summary>The longest span, in characters.</summary>
    public const int MaxSpanCharacters = 200;

    /// <summary>The distinct spans of <paramref name="source"/> whose length in characters lies in [min, max] (max &lt; 0: no bound).</summary>
    public static IReadOnlyList<string> Find(string source, int maxWords, int min = 0, int max = -1)
    {
        var words = Words(source);
        var spans = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++)
        {
            for (int j = i; j < words.Count && j - i < maxWords; j++)
            {
                int start = words[i].Start, end = words[j].End;
                if (end - start > MaxSpanCharacters)
                {
                    break;
                }

                string span = source[start..end];
                int length = RuneCount(span);
                if (length >= min && (max < 0 || length <= max) && seen.Add(span))
                {
                    spans.Add(span);
                }
            }
        }

        return spans;
    }

    /// <summary>The words of a text as [Start, End) character ranges.</summary>
    public static List<(int Start, int End)> Words(string text)
    {
        var words = new List<(int, int)>();
        int i = 0;
        while (i < text.Length)
        {
            if (!IsWordChar(text, i))
            {
                i++;
                continue;
            }

            int start = i;
            while (i < text.Length)
            {
                if (IsWordChar(text, i))
                {
                    i += char.IsSurrogatePair(text, i) ? 2 : 1;
                }
                else if (text[i] is '\'' or '-' or '.' or '\u2019' && i + 1 < text.Length && IsWordChar(text, i + 1))
                {
                    i++;
                }
                else
                {
                    break;
                }
            }

            words.Add((start, i));
        }

        return words;
    }

    private static bool IsWordChar(string text, int i) =>
        char.IsSurrogatePair(text, i) ? Rune.IsLetterOrDigit(Rune.GetRuneAt(text, i)) : char.IsLetterOrDigit(text[i]);

    /// <summary>A string's length in Unicode scalar values (what JSON Schema's minLength and maxLength count).</summary>
    private static int RuneCount(string s)
    {
        int n = 0;
        foreach (var _ in s.EnumerateRunes())
        {
            n++;
        }

        return n;
    }
}
