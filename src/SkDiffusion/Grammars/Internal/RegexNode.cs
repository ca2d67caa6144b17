using System.Text;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// A node of the regular-language syntax tree over UTF-8 bytes: literals, byte classes, concatenation, alternation and
/// bounded or unbounded repetition (optional and star are repetitions). Characters are lowered to byte sequences by
/// <see cref="Utf8Ranges"/>.
/// </summary>
internal sealed class RegexNode
{
    private RegexNode(RegexNodeKind kind, ByteSet bytes, RegexNode[] children, int min, int max, ByteGraph? graph = null)
    {
        Graph = graph;
        Kind = kind;
        Bytes = bytes;
        Children = children;
        Min = min;
        Max = max;
    }

    public static RegexNode Empty { get; } = new(RegexNodeKind.Empty, default, [], 0, 0);

    public static RegexNode Nothing { get; } = new(RegexNodeKind.Nothing, default, [], 0, 0);

    public RegexNodeKind Kind { get; }

    public ByteSet Bytes { get; }

    public RegexNode[] Children { get; }

    public int Min { get; }

    /// <summary>The most repetitions; -1 for unbounded.</summary>
    public int Max { get; }

    /// <summary>The embedded automaton of a <see cref="RegexNodeKind.Graph"/> node; null for every other kind.</summary>
    public ByteGraph? Graph { get; }

    /// <summary>A node whose language is that of a finished automaton.</summary>
    public static RegexNode FromGraph(ByteGraph graph) => new(RegexNodeKind.Graph, default, [], 0, 0, graph);

    public static RegexNode Class(ByteSet set) => set.IsEmpty ? Nothing : new(RegexNodeKind.Bytes, set, [], 0, 0);

    public static RegexNode Byte(byte b) => Class(ByteSet.Of(b));

    public static RegexNode Literal(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            return Empty;
        }

        var parts = new RegexNode[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            parts[i] = Byte(bytes[i]);
        }

        return parts.Length == 1 ? parts[0] : new(RegexNodeKind.Concat, default, parts, 0, 0);
    }

    public static RegexNode Literal(string text) => Literal(Encoding.UTF8.GetBytes(text));

    public static RegexNode Concat(params IEnumerable<RegexNode> parts)
    {
        var list = new List<RegexNode>();
        foreach (var p in parts)
        {
            if (p.Kind == RegexNodeKind.Nothing)
            {
                return Nothing;
            }

            if (p.Kind == RegexNodeKind.Concat)
            {
                list.AddRange(p.Children);
            }
            else if (p.Kind != RegexNodeKind.Empty)
            {
                list.Add(p);
            }
        }

        return list.Count switch
        {
            0 => Empty,
            1 => list[0],
            _ => new(RegexNodeKind.Concat, default, [.. list], 0, 0),
        };
    }

    public static RegexNode Alternation(params IEnumerable<RegexNode> options)
    {
        var list = new List<RegexNode>();
        foreach (var o in options)
        {
            if (o.Kind == RegexNodeKind.Alternation)
            {
                list.AddRange(o.Children);
            }
            else if (o.Kind != RegexNodeKind.Nothing)
            {
                list.Add(o);
            }
        }

        return list.Count switch
        {
            0 => Nothing,
            1 => list[0],
            _ => new(RegexNodeKind.Alternation, default, [.. list], 0, 0),
        };
    }

    /// <summary>The child repeated <paramref name="min"/> to <paramref name="max"/> times (-1 = unbounded).</summary>
    public static RegexNode Repeat(RegexNode child, int min, int max)
    {
        if (max == 0 || child.Kind == RegexNodeKind.Empty)
        {
            return Empty;
        }

        if (child.Kind == RegexNodeKind.Nothing)
        {
            return min == 0 ? Empty : Nothing;
        }

        if (min == 1 && max == 1)
        {
            return child;
        }

        return new(RegexNodeKind.Repeat, default, [child], min, max);
    }

    public static RegexNode Optional(RegexNode child) => Repeat(child, 0, 1);

    public static RegexNode Star(RegexNode child) => Repeat(child, 0, -1);

    public static RegexNode Plus(RegexNode child) => Repeat(child, 1, -1);

    /// <summary>
    /// Items separated by <paramref name="separator"/>, between <paramref name="min"/> and <paramref name="max"/> of them
    /// (-1 = unbounded).
    /// </summary>
    public static RegexNode SeparatedList(RegexNode item, RegexNode separator, int min, int max)
    {
        if (max == 0)
        {
            return Empty;
        }

        var nonEmpty = Concat(item, Repeat(Concat(separator, item), Math.Max(0, min - 1), max < 0 ? -1 : max - 1));
        return min == 0 ? Optional(nonEmpty) : nonEmpty;
    }

    /// <summary>Rewrites every byte class bottom-up.</summary>
    public RegexNode MapClasses(Func<ByteSet, RegexNode> map) => Kind switch
    {
        RegexNodeKind.Bytes => map(Bytes),
        RegexNodeKind.Concat => Concat(Children.Select(c => c.MapClasses(map))),
        RegexNodeKind.Alternation => Alternation(Children.Select(c => c.MapClasses(map))),
        RegexNodeKind.Repeat => Repeat(Children[0].MapClasses(map), Min, Max),
        RegexNodeKind.Graph => throw new InvalidOperationException("An embedded automaton's byte classes cannot be rewritten."),
        _ => this,
    };
}
