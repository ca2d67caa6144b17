namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// Finds the string values of a JSON-like answer that may still hold gaps: complete values (keys excluded), and the
/// pieces of values a gap cuts (a prefix before the gap, a suffix after it) whose value role is certain. After a gap
/// the scanner does not know whether it is inside a string; it resynchronises at the next quote, which opens a string
/// when the text before it in the fragment ends with <c>{ [ , :</c> and closes one otherwise.
/// </summary>
internal static class JsonStringPieces
{
    /// <summary>One string value or a piece of one.</summary>
    /// <param name="Text">The value's known characters, unescaped.</param>
    /// <param name="Complete">Whether the whole value is known (both quotes seen).</param>
    /// <param name="StartKnown">Whether <paramref name="Text"/> begins where the value begins (its opening quote was seen).</param>
    /// <param name="EndKnown">Whether <paramref name="Text"/> ends where the value ends (its closing quote was seen).</param>
    public readonly record struct Piece(string Text, bool Complete, bool StartKnown, bool EndKnown);

    private enum State
    {
        Outside,
        InString,
        AfterString,
        Unknown,
    }

    public static List<Piece> Find(RewardText text)
    {
        var pieces = new List<Piece>();
        for (int f = 0; f < text.Fragments.Count; f++)
        {
            bool afterGap = f > 0 || text.LeadingGap;
            bool beforeGap = f < text.Fragments.Count - 1 || text.TrailingGap;
            Scan(text.Fragments[f], afterGap, beforeGap, pieces);
        }

        return pieces;
    }

    private static void Scan(string s, bool afterGap, bool beforeGap, List<Piece> pieces)
    {
        var state = afterGap ? State.Unknown : State.Outside;
        var buffer = new System.Text.StringBuilder();
        bool bufferComplete = false;   // the buffer holds a whole string (its opening quote was seen)
        char opener = '\0';            // the structural character before the opening quote
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (state)
            {
                case State.Outside:
                    if (c == '"')
                    {
                        opener = PreviousStructural(s, i);
                        buffer.Clear();
                        bufferComplete = true;
                        state = State.InString;
                    }

                    break;
                case State.Unknown:
                    if (c == '"')
                    {
                        char before = PreviousStructural(s, i);
                        if (before is '{' or '[' or ',' or ':')
                        {
                            opener = before;
                            buffer.Clear();
                            bufferComplete = true;
                            state = State.InString;
                        }
                        else
                        {
                            // A closing quote: the text before it ends a string the gap began.
                            buffer.Clear();
                            buffer.Append(s, 0, i);
                            bufferComplete = false;
                            opener = '\0';
                            state = State.AfterString;
                        }
                    }

                    break;
                case State.InString:
                    if (c == '\\' && i + 1 < s.Length)
                    {
                        i++;
                        buffer.Append(s[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => s[i] });
                    }
                    else if (c == '"')
                    {
                        state = State.AfterString;
                    }
                    else
                    {
                        buffer.Append(c);
                    }

                    break;
                case State.AfterString:
                    if (char.IsWhiteSpace(c))
                    {
                        break;
                    }

                    if (c != ':' && buffer.Length > 0)
                    {
                        pieces.Add(new Piece(buffer.ToString(), bufferComplete, StartKnown: bufferComplete, EndKnown: true));
                    }

                    state = State.Outside;
                    if (c == '"')
                    {
                        i--; // reread as an opening quote
                    }

                    break;
            }
        }

        if (!beforeGap && state == State.AfterString && buffer.Length > 0)
        {
            pieces.Add(new Piece(buffer.ToString(), bufferComplete, StartKnown: bufferComplete, EndKnown: true));
        }
        else if (beforeGap && buffer.Length > 0 && opener == ':' && state is State.InString or State.AfterString)
        {
            // Cut by the gap (or its role decided after it): a value's prefix, certain because ':' opened it.
            bool closed = state == State.AfterString;
            pieces.Add(new Piece(buffer.ToString(), Complete: closed && bufferComplete, StartKnown: bufferComplete, EndKnown: closed));
        }
    }

    private static char PreviousStructural(string s, int i)
    {
        for (int j = i - 1; j >= 0; j--)
        {
            if (!char.IsWhiteSpace(s[j]))
            {
                return s[j];
            }
        }

        return '\0';
    }
}
