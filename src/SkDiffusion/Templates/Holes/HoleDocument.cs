using System.Globalization;
using System.Text;

namespace SkDiffusion.Templates.Holes;

/// <summary>
/// A document with holes to fill: fixed text around hole markers. <c>[[MASK]]</c> holds up to
/// <see cref="DefaultWords"/> words; <c>[[MASK:2]]</c> two words; <c>[[MASK:&lt;=12]]</c> at most 12 words;
/// <c>[[MASK:20c]]</c> / <c>[[MASK:&lt;=20c]]</c> characters; <c>[[MASK:8t]]</c> / <c>[[MASK:&lt;=8t]]</c> tokens.
/// Markers have no spaces inside; <c>\[[MASK</c> writes a literal <c>[[MASK</c>.
/// </summary>
public sealed class HoleDocument
{
    /// <summary>The most words of a <c>[[MASK]]</c> hole without a length.</summary>
    public const int DefaultWords = 8;

    private const string Open = "[[MASK";
    private const string Close = "]]";
    private const string Forms = "write [[MASK]], [[MASK:2]] (2 words), [[MASK:<=12]] (at most 12 words), [[MASK:20c]] or [[MASK:<=20c]] (characters), [[MASK:8t]] or [[MASK:<=8t]] (tokens), with no spaces inside the marker";

    private HoleDocument(IReadOnlyList<string> texts, IReadOnlyList<HoleLength> holes, IReadOnlyList<int> offsets)
    {
        Texts = texts;
        Holes = holes;
        HoleOffsets = offsets;
    }

    /// <summary>The fixed text before each hole, then the text after the last one (one more entry than <see cref="Holes"/>).</summary>
    public IReadOnlyList<string> Texts { get; }

    /// <summary>Each hole's length, in document order.</summary>
    public IReadOnlyList<HoleLength> Holes { get; }

    /// <summary>Where each hole's marker starts in the parsed document (or, for <see cref="Create"/>, in the joined text).</summary>
    public IReadOnlyList<int> HoleOffsets { get; }

    /// <summary>Parses a document with hole markers.</summary>
    /// <param name="document">The document.</param>
    /// <returns>The fixed texts and holes.</returns>
    /// <exception cref="TemplateException">A marker is malformed (the exception's position is its first character) or the document has no hole.</exception>
    public static HoleDocument Parse(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var texts = new List<string>();
        var holes = new List<HoleLength>();
        var offsets = new List<int>();
        var text = new StringBuilder();
        int p = 0;
        while (p < document.Length)
        {
            if (document[p] == '\\' && string.CompareOrdinal(document, p + 1, Open, 0, Open.Length) == 0)
            {
                text.Append(Open);
                p += 1 + Open.Length;
                continue;
            }

            if (string.CompareOrdinal(document, p, Open, 0, Open.Length) != 0)
            {
                text.Append(document[p++]);
                continue;
            }

            int close = document.IndexOf(Close, p + Open.Length, StringComparison.Ordinal);
            int nextOpen = document.IndexOf("[[", p + Open.Length, StringComparison.Ordinal);
            if (close < 0 || (nextOpen >= 0 && nextOpen < close))
            {
                throw new TemplateException($"The hole marker '{Excerpt(document, p)}' is never closed with ']]': {Forms}.", p);
            }

            holes.Add(ParseSpec(document[(p + Open.Length)..close], document[p..(close + Close.Length)], p));
            texts.Add(text.ToString());
            offsets.Add(p);
            text.Clear();
            p = close + Close.Length;
        }

        texts.Add(text.ToString());
        if (holes.Count == 0)
        {
            throw new TemplateException($"The document has no hole: mark the text to fill with a hole marker; {Forms}.");
        }

        return new HoleDocument(texts, holes, offsets);
    }

    /// <summary>Builds a document from its pieces (no marker syntax: the texts are taken literally).</summary>
    /// <param name="texts">The fixed text before each hole, then the text after the last hole.</param>
    /// <param name="holes">The holes (at least one).</param>
    /// <exception cref="ArgumentException">The counts do not match, or there is no hole.</exception>
    public static HoleDocument Create(IReadOnlyList<string> texts, IReadOnlyList<HoleLength> holes)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(holes);
        if (holes.Count == 0)
        {
            throw new ArgumentException("A document needs at least one hole.", nameof(holes));
        }

        if (texts.Count != holes.Count + 1 || texts.Any(t => t is null))
        {
            throw new ArgumentException($"Give one text before each hole and one after the last: {holes.Count + 1} non-null texts for {holes.Count} holes (got {texts.Count}).", nameof(texts));
        }

        if (holes.Any(h => h.Count < 1))
        {
            throw new ArgumentException("A hole length is the default value; create each with new HoleLength(count, unit, atMost).", nameof(holes));
        }

        var offsets = new int[holes.Count];
        int at = 0;
        for (int i = 0; i < holes.Count; i++)
        {
            at += texts[i].Length;
            offsets[i] = at;
        }

        return new HoleDocument([.. texts], [.. holes], offsets);
    }

    /// <summary>Escapes text so that <see cref="Parse"/> reads it literally (every <c>[[MASK</c> becomes <c>\[[MASK</c>).</summary>
    /// <param name="text">The text.</param>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace(Open, "\\" + Open, StringComparison.Ordinal);
    }

    private static HoleLength ParseSpec(string spec, string marker, int position)
    {
        if (spec.Length == 0)
        {
            return HoleLength.AtMostWords(DefaultWords);
        }

        if (spec[0] != ':' || spec.Any(char.IsWhiteSpace))
        {
            throw new TemplateException($"The hole marker '{marker}' is malformed: {Forms}.", position);
        }

        string body = spec[1..];
        bool atMost = body.StartsWith("<=", StringComparison.Ordinal);
        if (atMost)
        {
            body = body[2..];
        }

        var unit = HoleUnit.Words;
        if (body.EndsWith('c'))
        {
            unit = HoleUnit.Characters;
            body = body[..^1];
        }
        else if (body.EndsWith('t'))
        {
            unit = HoleUnit.Tokens;
            body = body[..^1];
        }
        else if (body.EndsWith('w'))
        {
            body = body[..^1];
        }

        if (body.StartsWith('-') && body.Length > 1 && body[1..].All(char.IsAsciiDigit))
        {
            throw new TemplateException($"The hole marker '{marker}' has a negative length: a hole holds at least 1 {HoleLength.Name(unit)[..^1]}.", position);
        }

        if (body.Length == 0 || !body.All(char.IsAsciiDigit))
        {
            throw new TemplateException($"The hole marker '{marker}' has no whole-number length: {Forms}.", position);
        }

        int max = HoleLength.Limit(unit);
        if (body.TrimStart('0').Length > 9 || long.Parse(body, CultureInfo.InvariantCulture) > max)
        {
            throw new TemplateException($"The hole marker '{marker}' is above the limit of {max} {HoleLength.Name(unit)}: split the text into several holes.", position);
        }

        int count = int.Parse(body, CultureInfo.InvariantCulture);
        if (count == 0)
        {
            throw new TemplateException($"The hole marker '{marker}' has length 0: a hole holds at least 1 {HoleLength.Name(unit)[..^1]}; remove the marker to leave nothing there.", position);
        }

        return new HoleLength(count, unit, atMost);
    }

    private static string Excerpt(string document, int position) =>
        document.Length - position <= 16 ? document[position..] : string.Concat(document.AsSpan(position, 16), "…");
}
