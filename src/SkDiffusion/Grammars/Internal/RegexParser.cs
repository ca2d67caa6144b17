using System.Globalization;
using System.Text;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// Parses the supported regular-expression subset into a <see cref="RegexNode"/>: literals, escapes, <c>.</c>,
/// classes (<c>[a-z]</c>, <c>[^...]</c>, <c>\d \w \s</c> and their negations), groups (<c>(...)</c>, <c>(?:...)</c>,
/// named groups), alternation, quantifiers (<c>* + ? {n} {n,} {n,m}</c>, lazy forms read as greedy) and anchors
/// <c>^</c>/<c>$</c> at the ends only. Anything else throws a <see cref="GrammarException"/> with the offset.
/// </summary>
internal sealed class RegexParser
{
    /// <summary>The largest repetition count accepted in <c>{n,m}</c>.</summary>
    public const int MaxRepeat = 1000;

    private readonly string _s;
    private int _i;

    private RegexParser(string pattern) => _s = pattern;

    /// <summary>The parsed pattern and whether it was anchored at its start and end.</summary>
    public static (RegexNode Node, bool AnchoredStart, bool AnchoredEnd) Parse(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var p = new RegexParser(pattern);
        bool start = false, end = false;
        if (p.Peek('^'))
        {
            start = true;
            p._i++;
        }

        var node = p.ParseAlternation(topLevel: true);
        if (p._i < pattern.Length && pattern[p._i] == '$')
        {
            end = true;
            p._i++;
        }

        if (p._i < pattern.Length)
        {
            throw p.Error(pattern[p._i] == ')' ? "')' has no matching '('." : $"'{pattern[p._i]}' is not supported here.");
        }

        return (node, start, end);
    }

    private bool Peek(char c) => _i < _s.Length && _s[_i] == c;

    private GrammarException Error(string message, int? at = null) => new($"Regular expression '{_s}': {message}", offset: at ?? _i);

    private RegexNode ParseAlternation(bool topLevel)
    {
        var options = new List<RegexNode> { ParseConcat(topLevel) };
        while (Peek('|'))
        {
            _i++;
            options.Add(ParseConcat(topLevel));
        }

        return options.Count == 1 ? options[0] : RegexNode.Alternation(options);
    }

    private RegexNode ParseConcat(bool topLevel)
    {
        var parts = new List<RegexNode>();
        while (_i < _s.Length && _s[_i] != '|' && _s[_i] != ')')
        {
            if (_s[_i] == '$')
            {
                if (topLevel && _i == _s.Length - 1)
                {
                    break;
                }

                throw Error("'$' is only supported at the very end of the pattern.");
            }

            if (_s[_i] == '^')
            {
                throw Error("'^' is only supported at the very start of the pattern.");
            }

            parts.Add(ParseQuantified());
        }

        return RegexNode.Concat(parts);
    }

    private RegexNode ParseQuantified()
    {
        var atom = ParseAtom();
        while (_i < _s.Length)
        {
            int min, max;
            char c = _s[_i];
            if (c == '*')
            {
                (min, max) = (0, -1);
                _i++;
            }
            else if (c == '+')
            {
                (min, max) = (1, -1);
                _i++;
            }
            else if (c == '?')
            {
                (min, max) = (0, 1);
                _i++;
            }
            else if (c == '{' && TryParseBraces(out min, out max))
            {
            }
            else
            {
                break;
            }

            if (Peek('?'))
            {
                _i++; // lazy: the same language
            }
            else if (Peek('+'))
            {
                throw Error("possessive quantifiers are not supported.");
            }

            atom = RegexNode.Repeat(atom, min, max);
        }

        return atom;
    }

    private bool TryParseBraces(out int min, out int max)
    {
        min = max = 0;
        int close = _s.IndexOf('}', _i);
        if (close < 0)
        {
            throw Error("'{' is never closed: write {n}, {n,} or {n,m} (escape a literal brace as \\{).");
        }

        string body = _s[(_i + 1)..close];
        int comma = body.IndexOf(',');
        string a = comma < 0 ? body : body[..comma];
        string b = comma < 0 ? body : body[(comma + 1)..];
        if (!int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out min) || (b.Length > 0 && !int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out max)))
        {
            throw Error($"'{{{body}}}' is not a repetition: write {{n}}, {{n,}} or {{n,m}} with whole numbers (escape a literal brace as \\{{).");
        }

        if (comma >= 0 && b.Length == 0)
        {
            max = -1;
        }

        if (min > MaxRepeat || max > MaxRepeat)
        {
            throw Error($"the repetition count in '{{{body}}}' is above the limit of {MaxRepeat}.");
        }

        if (max >= 0 && min > max)
        {
            throw Error($"the repetition '{{{body}}}' has its minimum above its maximum.");
        }

        _i = close + 1;
        return true;
    }

    private RegexNode ParseAtom()
    {
        char c = _s[_i];
        switch (c)
        {
            case '(':
                return ParseGroup();
            case '[':
                return ParseClass().ToNode();
            case '.':
                _i++;
                return CodepointSet.Of(('\n', '\n')).Negate().ToNode();
            case '\\':
                return ParseEscape(inClass: false).ToNode();
            case '*' or '+' or '?':
                throw Error($"'{c}' has nothing to repeat.");
            case '{':
                throw Error("'{' has nothing to repeat (escape a literal brace as \\{).");
            default:
                int cp = char.ConvertToUtf32(_s, _i);
                _i += char.IsSurrogatePair(_s, _i) ? 2 : 1;
                return RegexNode.Literal(char.ConvertFromUtf32(cp));
        }
    }

    private RegexNode ParseGroup()
    {
        int open = _i;
        _i++;
        if (Peek('?'))
        {
            if (_i + 1 < _s.Length && _s[_i + 1] == ':')
            {
                _i += 2;
            }
            else if (_i + 2 < _s.Length && (_s[_i + 1] == '<' || (_s[_i + 1] == 'P' && _s[_i + 2] == '<')) && _s[_i + 2] != '=' && _s[_i + 2] != '!')
            {
                int close = _s.IndexOf('>', _i);
                if (close < 0)
                {
                    throw Error("a named group's name is never closed with '>'.");
                }

                _i = close + 1;
            }
            else
            {
                throw Error("lookarounds, inline flags and other '(?' constructs are not supported; use (?:...) for a group.", open);
            }
        }

        var inner = ParseAlternation(topLevel: false);
        if (!Peek(')'))
        {
            throw Error("'(' is never closed.", open);
        }

        _i++;
        return inner;
    }

    private CodepointSet ParseClass()
    {
        int open = _i;
        _i++;
        bool negate = Peek('^');
        if (negate)
        {
            _i++;
        }

        var set = new CodepointSet();
        bool first = true;
        while (true)
        {
            if (_i >= _s.Length)
            {
                throw Error("'[' is never closed with ']'.", open);
            }

            if (_s[_i] == ']' && !first)
            {
                _i++;
                break;
            }

            first = false;
            CodepointSet lo = ClassAtom(out int? loCp);
            if (loCp is int a && Peek('-') && _i + 1 < _s.Length && _s[_i + 1] != ']')
            {
                int dash = _i;
                _i++;
                ClassAtom(out int? hiCp);
                if (hiCp is not int b)
                {
                    throw Error("a range cannot end with a class such as \\d.", dash);
                }

                if (b < a)
                {
                    throw Error($"the range '{char.ConvertFromUtf32(a)}-{char.ConvertFromUtf32(b)}' is reversed.", dash);
                }

                set.Add(a, b);
            }
            else
            {
                set.AddSet(lo);
            }
        }

        return negate ? set.Negate() : set;
    }

    private CodepointSet ClassAtom(out int? single)
    {
        if (_s[_i] == '\\')
        {
            var set = ParseEscape(inClass: true);
            single = set.Ranges.Count == 1 && set.Ranges[0].Lo == set.Ranges[0].Hi ? set.Ranges[0].Lo : null;
            return set;
        }

        if (_s[_i] == '[' && _i + 1 < _s.Length && _s[_i + 1] == ':')
        {
            throw Error("POSIX classes such as [:alpha:] are not supported; write the ranges.");
        }

        int cp = char.ConvertToUtf32(_s, _i);
        _i += char.IsSurrogatePair(_s, _i) ? 2 : 1;
        single = cp;
        return CodepointSet.Of((cp, cp));
    }

    private CodepointSet ParseEscape(bool inClass)
    {
        int at = _i;
        _i++;
        if (_i >= _s.Length)
        {
            throw Error("the pattern ends with a lone '\\'.", at);
        }

        char c = _s[_i++];
        switch (c)
        {
            case 'd': return Digit();
            case 'D': return Digit().Negate();
            case 'w': return Word();
            case 'W': return Word().Negate();
            case 's': return Space();
            case 'S': return Space().Negate();
            case 'n': return One('\n');
            case 't': return One('\t');
            case 'r': return One('\r');
            case 'f': return One('\f');
            case 'v': return One('\v');
            case '0': return One('\0');
            case 'x': return One(Hex(2, at));
            case 'u': return One(Hex(4, at));
            case 'b' when inClass: return One('\b');
            default:
                if (char.IsAsciiLetterOrDigit(c))
                {
                    throw Error($"the escape '\\{c}' is not supported (no backreferences, word boundaries or Unicode categories).", at);
                }

                return One(c);
        }
    }

    private int Hex(int digits, int at)
    {
        if (_i + digits > _s.Length || !int.TryParse(_s.AsSpan(_i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int v))
        {
            throw Error($"the escape needs {digits} hexadecimal digits.", at);
        }

        _i += digits;
        return v;
    }

    private static CodepointSet One(int cp) => CodepointSet.Of((cp, cp));

    internal static CodepointSet Digit() => CodepointSet.Of(('0', '9'));

    internal static CodepointSet Word() => CodepointSet.Of(('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z'));

    internal static CodepointSet Space() => CodepointSet.Of(('\t', '\r'), (' ', ' '));

    /// <summary>The UTF-8 text of a literal, for messages.</summary>
    internal static string Describe(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
