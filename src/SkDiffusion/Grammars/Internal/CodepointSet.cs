namespace SkDiffusion.Grammars.Internal;

/// <summary>A set of Unicode scalar values as sorted, disjoint ranges; lowered to UTF-8 byte sequences by <see cref="Utf8Ranges"/>.</summary>
internal sealed class CodepointSet
{
    public const int MaxCodepoint = 0x10FFFF;

    private readonly List<(int Lo, int Hi)> _ranges = [];

    public IReadOnlyList<(int Lo, int Hi)> Ranges => _ranges;

    /// <summary>Any Unicode scalar value.</summary>
    public static CodepointSet Any() => new CodepointSet().Add(0, MaxCodepoint);

    public static CodepointSet Of(params (int Lo, int Hi)[] ranges)
    {
        var set = new CodepointSet();
        foreach (var (lo, hi) in ranges)
        {
            set.Add(lo, hi);
        }

        return set;
    }

    public CodepointSet Add(int lo, int hi)
    {
        if (lo > hi)
        {
            return this;
        }

        _ranges.Add((lo, hi));
        Normalize();
        return this;
    }

    public CodepointSet AddSet(CodepointSet other)
    {
        _ranges.AddRange(other._ranges);
        Normalize();
        return this;
    }

    public bool Contains(int cp) => _ranges.Any(r => r.Lo <= cp && cp <= r.Hi);

    /// <summary>The complement within the scalar values.</summary>
    public CodepointSet Negate()
    {
        var result = new CodepointSet();
        int next = 0;
        foreach (var (lo, hi) in _ranges)
        {
            if (lo > next)
            {
                result._ranges.Add((next, lo - 1));
            }

            next = hi + 1;
        }

        if (next <= MaxCodepoint)
        {
            result._ranges.Add((next, MaxCodepoint));
        }

        return result;
    }

    /// <summary>This set minus <paramref name="other"/>.</summary>
    public CodepointSet Except(CodepointSet other)
    {
        var neg = other.Negate();
        var result = new CodepointSet();
        foreach (var (a, b) in _ranges)
        {
            foreach (var (c, d) in neg._ranges)
            {
                int lo = Math.Max(a, c), hi = Math.Min(b, d);
                if (lo <= hi)
                {
                    result._ranges.Add((lo, hi));
                }
            }
        }

        result.Normalize();
        return result;
    }

    /// <summary>Adds the other case of every ASCII letter in the set.</summary>
    public CodepointSet WithAsciiCaseFolded()
    {
        var extra = new List<(int, int)>();
        foreach (var (lo, hi) in _ranges)
        {
            for (int c = Math.Max(lo, 'A'); c <= Math.Min(hi, 'z'); c++)
            {
                if (char.IsAsciiLetter((char)c))
                {
                    int o = char.IsAsciiLetterUpper((char)c) ? c + 32 : c - 32;
                    extra.Add((o, o));
                }
            }
        }

        foreach (var r in extra)
        {
            _ranges.Add(r);
        }

        Normalize();
        return this;
    }

    public RegexNode ToNode() => Utf8Ranges.ToNode(this);

    private void Normalize()
    {
        _ranges.Sort();
        int w = 0;
        for (int i = 0; i < _ranges.Count; i++)
        {
            var r = _ranges[i];
            if (w > 0 && r.Lo <= _ranges[w - 1].Hi + 1)
            {
                _ranges[w - 1] = (_ranges[w - 1].Lo, Math.Max(_ranges[w - 1].Hi, r.Hi));
            }
            else
            {
                _ranges[w++] = r;
            }
        }

        _ranges.RemoveRange(w, _ranges.Count - w);
    }
}
