using System.Globalization;
using System.Text.RegularExpressions;
using SkDiffusion.Templates;

namespace SkDiffusion.SemanticKernel.Infilling;

/// <summary>
/// Parses the hole syntax of documents to infill: <c>[[MASK]]</c> (up to <see cref="DefaultHoleTokens"/> tokens),
/// <c>[[MASK:5]]</c> (exactly 5 tokens), <c>[[MASK:&lt;=12]]</c> (up to 12 tokens), <c>[[MASK:2..8]]</c> (2 to 8
/// tokens). Exact lengths match how the models were trained; variable lengths end the hole with the EOS token.
/// </summary>
public static partial class InfillingDocument
{
    /// <summary>The most tokens of a <c>[[MASK]]</c> hole without a length.</summary>
    public const int DefaultHoleTokens = 16;

    /// <summary>Splits a document into fixed text and text slots named <c>hole0</c>, <c>hole1</c>…</summary>
    /// <param name="document">The document with holes.</param>
    /// <returns>The template.</returns>
    /// <exception cref="TemplateException">A hole's length is malformed, zero or too large, or the document has no hole.</exception>
    public static TextTemplate Parse(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var segments = new List<TemplateSegment>();
        int last = 0;
        int index = 0;
        foreach (Match m in HolePattern().Matches(document))
        {
            if (m.Index > last)
            {
                segments.Add(TemplateSegment.FromText(document[last..m.Index], last));
            }

            var (min, max) = ParseLength(m.Groups[1].Success ? m.Groups[1].Value : null, m.Index);
            segments.Add(TemplateSegment.FromSlot(new TemplateSlot { Name = $"hole{index++}", Kind = TemplateSlotKind.Text, MinLength = min, MaxLength = max }, m.Index));
            last = m.Index + m.Length;
        }

        if (index == 0)
        {
            throw new TemplateException("The document has no hole: mark the text to fill with [[MASK]], [[MASK:5]] (exactly 5 tokens) or [[MASK:<=12]] (up to 12).");
        }

        if (last < document.Length)
        {
            segments.Add(TemplateSegment.FromText(document[last..], last));
        }

        return TextTemplate.Create(segments);
    }

    /// <summary>A hole marker for <paramref name="maxTokens"/> tokens (<c>[[MASK:&lt;=n]]</c>) or exactly n (<c>[[MASK:n]]</c>).</summary>
    /// <param name="maxTokens">The token count.</param>
    /// <param name="exact">Whether the hole has exactly that many tokens.</param>
    public static string Hole(int maxTokens, bool exact = false) =>
        exact ? $"[[MASK:{maxTokens}]]" : $"[[MASK:<={maxTokens}]]";

    private static (int Min, int Max) ParseLength(string? spec, int position)
    {
        if (spec is null)
        {
            return (0, DefaultHoleTokens);
        }

        spec = spec.Trim();
        int min;
        int max;
        if (spec.StartsWith("<=", StringComparison.Ordinal))
        {
            min = 0;
            max = Number(spec[2..], position);
        }
        else if (spec.Contains("..", StringComparison.Ordinal))
        {
            int dots = spec.IndexOf("..", StringComparison.Ordinal);
            min = Number(spec[..dots], position, allowZero: true);
            max = Number(spec[(dots + 2)..], position);
            if (min > max)
            {
                throw new TemplateException($"The hole '{spec}' has a minimum above its maximum.", position);
            }
        }
        else
        {
            max = Number(spec, position);
            min = max;
        }

        return (min, max);
    }

    private static int Number(string text, int position, bool allowZero = false)
    {
        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
        {
            throw new TemplateException($"The hole length '{text}' is not a whole number: write [[MASK:5]], [[MASK:<=12]] or [[MASK:2..8]].", position);
        }

        if (n < (allowZero ? 0 : 1))
        {
            throw new TemplateException($"The hole length {n} is too small: a hole needs at least 1 token.", position);
        }

        if (n > TemplateSlot.MaxAllowedLength)
        {
            throw new TemplateException($"The hole length {n} is above the limit of {TemplateSlot.MaxAllowedLength} tokens.", position);
        }

        return (int)n;
    }

    [GeneratedRegex(@"\[\[MASK(?::([^\]]*))?\]\]", RegexOptions.CultureInvariant)]
    private static partial Regex HolePattern();
}
