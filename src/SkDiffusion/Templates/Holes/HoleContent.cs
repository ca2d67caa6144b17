namespace SkDiffusion.Templates.Holes;

/// <summary>
/// What a hole may contain, decided in one place: which tokens each position accepts, how short a hole may be and
/// how the decoded text is cut to the requested length. The compiler's constraint and the reader both ask this type,
/// so a grammar over the hole (exact word counts, a pattern) replaces it without touching the canvas layout.
/// </summary>
internal sealed class HoleContent
{
    private readonly TokenVocabulary _vocabulary;

    public HoleContent(TokenVocabulary vocabulary)
    {
        _vocabulary = vocabulary;
    }

    /// <summary>Ordinary tokens (never special tokens) after the first position.</summary>
    public bool[] Rest => _vocabulary.GetMask("hole-rest", _ => true);

    /// <summary>
    /// The first position: a token that starts with <paramref name="lead"/> (the text before the hole that the
    /// tokenizer merges into the value) and goes on past it; after a space, a token that does not start with another;
    /// never a token that starts with the punctuation the text after the hole starts with (that ends the hole).
    /// </summary>
    /// <param name="lead">The lead text (often empty; " " for Ġword tokenizers after a space).</param>
    /// <param name="afterSpace">Whether the fixed text before the hole ends with whitespace (no double spaces).</param>
    /// <param name="after">The fixed text after the hole.</param>
    public bool[] First(string lead, bool afterSpace, string after = "")
    {
        bool noSpace = lead.Length > 0 ? char.IsWhiteSpace(lead[^1]) : afterSpace;
        char stop = after.Length > 0 && char.IsPunctuation(after[0]) ? after[0] : '\0';
        return _vocabulary.GetMask($"hole-first:{noSpace}:{(int)stop}:{lead}", t =>
            t.Length > lead.Length && t.StartsWith(lead, StringComparison.Ordinal)
            && !(noSpace && char.IsWhiteSpace(t[lead.Length])) && t[lead.Length] != stop);
    }

    /// <summary>
    /// The lead as a token of its own, when the tokenizer has one (<c>Ġ</c> for a space): a hole may start with it
    /// only when the next token is one that the tokenizer keeps apart from it (<see cref="AfterBareLead"/>), as a
    /// space before digits that Qwen2/LLaDA tokenizers split.
    /// </summary>
    /// <param name="lead">The lead text.</param>
    public int? BareLead(string lead)
    {
        if (lead.Length == 0)
        {
            return null;
        }

        var tokens = _vocabulary.Tokenizer.Encode(lead);
        return tokens.Count == 1 && _vocabulary.GetText(tokens[0]) == lead ? tokens[0] : null;
    }

    /// <summary>The tokens that may follow the bare lead token: those the tokenizer itself splits after it.</summary>
    /// <param name="lead">The lead text.</param>
    /// <param name="bare">The lead's token.</param>
    public bool[] AfterBareLead(string lead, int bare) => _vocabulary.GetMask($"hole-after-bare:{lead}", t =>
    {
        if (char.IsWhiteSpace(t[0]))
        {
            return false;
        }

        var split = _vocabulary.Tokenizer.Encode(lead + t);
        return split.Count == 2 && split[0] == bare && _vocabulary.GetText(split[1]) == t;
    });

    /// <summary>Whether some token can start a hole with <paramref name="lead"/>.</summary>
    /// <param name="lead">The lead text.</param>
    public bool CanLead(string lead) => Array.IndexOf(First(lead, afterSpace: false), true) >= 0;

    /// <summary>The fewest tokens of a hole: an exact token count is kept, "at most" holes may be empty, others hold something.</summary>
    /// <param name="length">The hole's length.</param>
    public static int MinTokens(HoleLength length) =>
        length.AtMost ? 0 : length.Unit == HoleUnit.Tokens ? length.Count : 1;

    /// <summary>
    /// Cuts decoded text to the hole's length: words are runs of non-space characters and the text ends after the
    /// last allowed word; characters cut at the count. When the text after the hole starts with punctuation (".",
    /// ",", ")"…) and the model writes that punctuation followed by a space or the end of the hole, the hole ends
    /// before it (the model went on past the hole's own text). Punctuation the document already carries is dropped from
    /// the hole's end (<see cref="TrimDocumentPunctuation"/>), and so are trailing whitespace and a broken trailing
    /// character.
    /// </summary>
    /// <param name="decoded">The hole's decoded text (lead removed).</param>
    /// <param name="length">The hole's length.</param>
    /// <param name="after">The fixed text after the hole.</param>
    /// <returns>The text and whether it was cut.</returns>
    public static (string Text, bool Cut) Limit(string decoded, HoleLength length, string after)
    {
        string text = decoded.TrimEnd('\uFFFD').TrimEnd();
        bool ended = false;
        if (after.Length > 0 && char.IsPunctuation(after[0]))
        {
            // The model wrote the punctuation the text after the hole starts with: the hole's own text ended there.
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] == after[0] && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])))
                {
                    ended = i + 1 < text.Length;
                    text = text[..i].TrimEnd();
                    break;
                }
            }
        }

        var (limited, cut) = Cut(text, length);
        if (length.Unit != HoleUnit.Tokens)
        {
            string kept = TrimDocumentPunctuation(limited, after);
            cut |= kept.Length != limited.Length;
            limited = kept;
        }

        return (limited, cut || ended);
    }

    /// <summary>Clause and sentence punctuation, ASCII and full-width.</summary>
    private const string ClauseMarks = ".,;:!?\u3002\uFF0C\uFF1B\uFF1A\uFF01\uFF1F\u3001";

    /// <summary>The marks that end a sentence.</summary>
    private const string SentenceEnds = ".!?\u3002\uFF01\uFF1F";

    /// <summary>
    /// Punctuation at the end of a hole that belongs to the document, not to the hole: when the text after the hole
    /// starts with a clause mark (<c>"is [[MASK:1]], a city"</c>), the hole does not end with another one; when it goes on
    /// with a lower-case word (<c>"speak [[MASK:1]] at home"</c>), the hole does not end its sentence. Words and
    /// characters only: a token hole keeps what the model wrote.
    /// </summary>
    /// <param name="text">The hole's text, already cut.</param>
    /// <param name="after">The fixed text after the hole.</param>
    internal static string TrimDocumentPunctuation(string text, string after)
    {
        if (after.Length == 0)
        {
            return text;
        }

        string marks;
        if (ClauseMarks.Contains(after[0], StringComparison.Ordinal))
        {
            marks = ClauseMarks;
        }
        else
        {
            string rest = after.TrimStart();
            if (rest.Length == after.Length || rest.Length == 0 || !char.IsLower(rest[0]))
            {
                return text;
            }

            marks = SentenceEnds;
        }

        int end = text.Length;
        while (end > 0 && marks.Contains(text[end - 1], StringComparison.Ordinal))
        {
            end--;
        }

        return end == text.Length ? text : text[..end].TrimEnd();
    }

    private static (string Text, bool Cut) Cut(string text, HoleLength length)
    {
        switch (length.Unit)
        {
            case HoleUnit.Words:
            {
                int words = 0;
                for (int i = 0; i < text.Length; i++)
                {
                    if (!char.IsWhiteSpace(text[i]) && (i == 0 || char.IsWhiteSpace(text[i - 1])) && ++words > length.Count)
                    {
                        return (text[..i].TrimEnd(), true);
                    }
                }

                return (text, false);
            }

            case HoleUnit.Characters when text.Length > length.Count:
            {
                int n = length.Count;
                if (char.IsHighSurrogate(text[n - 1]))
                {
                    n--;
                }

                return (text[..n].TrimEnd(), true);
            }

            default:
                return (text, false);
        }
    }
}
