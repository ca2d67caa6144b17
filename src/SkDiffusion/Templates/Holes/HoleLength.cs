using System.Globalization;

namespace SkDiffusion.Templates.Holes;

/// <summary>
/// How much text a hole may receive: a count of words, characters or tokens, either "about exactly" (the text is cut
/// at the bound and never left empty) or "at most" (the hole may also stay empty).
/// </summary>
public readonly record struct HoleLength
{
    /// <summary>The largest word count of a hole.</summary>
    public const int MaxWords = 256;

    /// <summary>The largest character or token count of a hole.</summary>
    public const int MaxUnits = TemplateSlot.MaxAllowedLength;

    /// <summary>Creates a length.</summary>
    /// <param name="count">The count, from 1 to <see cref="MaxWords"/> words or <see cref="MaxUnits"/> characters or tokens.</param>
    /// <param name="unit">What <paramref name="count"/> measures.</param>
    /// <param name="atMost">Whether the count is an upper bound (the hole may hold less, or nothing).</param>
    /// <exception cref="ArgumentOutOfRangeException">The count is out of range for the unit, or the unit is unknown.</exception>
    public HoleLength(int count, HoleUnit unit, bool atMost)
    {
        if (!Enum.IsDefined(unit))
        {
            throw new ArgumentOutOfRangeException(nameof(unit), unit, "Use HoleUnit.Words, HoleUnit.Characters or HoleUnit.Tokens.");
        }

        int max = Limit(unit);
        if (count < 1 || count > max)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"A hole holds 1 to {max} {Name(unit)}.");
        }

        Count = count;
        Unit = unit;
        AtMost = atMost;
    }

    /// <summary>The count.</summary>
    public int Count { get; }

    /// <summary>What <see cref="Count"/> measures.</summary>
    public HoleUnit Unit { get; }

    /// <summary>Whether <see cref="Count"/> is an upper bound (the hole may also stay empty).</summary>
    public bool AtMost { get; }

    /// <summary>Up to <paramref name="count"/> words (<c>[[MASK:&lt;=n]]</c>).</summary>
    /// <param name="count">The most words.</param>
    public static HoleLength AtMostWords(int count) => new(count, HoleUnit.Words, atMost: true);

    /// <summary><paramref name="count"/> words (<c>[[MASK:n]]</c>).</summary>
    /// <param name="count">The words.</param>
    public static HoleLength Words(int count) => new(count, HoleUnit.Words, atMost: false);

    /// <summary>The hole marker that stands for this length in a document (e.g. <c>[[MASK:&lt;=20c]]</c>).</summary>
    public override string ToString() =>
        $"[[MASK:{(AtMost ? "<=" : "")}{Count.ToString(CultureInfo.InvariantCulture)}{Unit switch { HoleUnit.Characters => "c", HoleUnit.Tokens => "t", _ => "" }}]]";

    internal static int Limit(HoleUnit unit) => unit == HoleUnit.Words ? MaxWords : MaxUnits;

    internal static string Name(HoleUnit unit) => unit switch
    {
        HoleUnit.Characters => "characters",
        HoleUnit.Tokens => "tokens",
        _ => "words",
    };
}
