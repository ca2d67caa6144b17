namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// Lowers a set of Unicode scalar values to an alternation of UTF-8 byte-class sequences (surrogates are never
/// encoded). Each code point range is split until every piece is a product of per-byte ranges.
/// </summary>
internal static class Utf8Ranges
{
    public static RegexNode ToNode(CodepointSet set)
    {
        var ascii = ByteSet.Empty;
        var sequences = new List<RegexNode>();
        foreach (var (lo0, hi0) in set.Ranges)
        {
            foreach (var (lo, hi) in WithoutSurrogates(lo0, hi0))
            {
                foreach (var (a, b) in SplitByLength(lo, hi))
                {
                    if (b <= 0x7F)
                    {
                        ascii = ascii.Union(ByteSet.Range(a, b));
                    }
                    else
                    {
                        Split(a, b, sequences);
                    }
                }
            }
        }

        var options = new List<RegexNode>();
        if (!ascii.IsEmpty)
        {
            options.Add(RegexNode.Class(ascii));
        }

        options.AddRange(sequences);
        return RegexNode.Alternation(options);
    }

    public static int EncodedLength(int cp) => cp <= 0x7F ? 1 : cp <= 0x7FF ? 2 : cp <= 0xFFFF ? 3 : 4;

    private static IEnumerable<(int, int)> WithoutSurrogates(int lo, int hi)
    {
        if (hi < 0xD800 || lo > 0xDFFF)
        {
            yield return (lo, hi);
            yield break;
        }

        if (lo < 0xD800)
        {
            yield return (lo, 0xD7FF);
        }

        if (hi > 0xDFFF)
        {
            yield return (0xE000, hi);
        }
    }

    private static IEnumerable<(int, int)> SplitByLength(int lo, int hi)
    {
        foreach (int edge in new[] { 0x7F, 0x7FF, 0xFFFF })
        {
            if (lo <= edge && hi > edge)
            {
                yield return (lo, edge);
                lo = edge + 1;
            }
        }

        yield return (lo, hi);
    }

    private static void Split(int lo, int hi, List<RegexNode> output)
    {
        int n = EncodedLength(lo);
        for (int i = 1; i < n; i++)
        {
            int m = (1 << (6 * i)) - 1;
            if ((lo & ~m) != (hi & ~m))
            {
                if ((lo & m) != 0)
                {
                    Split(lo, lo | m, output);
                    Split((lo | m) + 1, hi, output);
                    return;
                }

                if ((hi & m) != m)
                {
                    Split(lo, (hi & ~m) - 1, output);
                    Split(hi & ~m, hi, output);
                    return;
                }
            }
        }

        Span<byte> a = stackalloc byte[4];
        Span<byte> b = stackalloc byte[4];
        Encode(lo, a);
        Encode(hi, b);
        var parts = new RegexNode[n];
        for (int k = 0; k < n; k++)
        {
            parts[k] = RegexNode.Class(ByteSet.Range(a[k], b[k]));
        }

        output.Add(RegexNode.Concat(parts));
    }

    private static void Encode(int cp, Span<byte> dst)
    {
        switch (EncodedLength(cp))
        {
            case 2:
                dst[0] = (byte)(0xC0 | (cp >> 6));
                dst[1] = (byte)(0x80 | (cp & 0x3F));
                break;
            case 3:
                dst[0] = (byte)(0xE0 | (cp >> 12));
                dst[1] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                dst[2] = (byte)(0x80 | (cp & 0x3F));
                break;
            default:
                dst[0] = (byte)(0xF0 | (cp >> 18));
                dst[1] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                dst[2] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                dst[3] = (byte)(0x80 | (cp & 0x3F));
                break;
        }
    }
}
