using System.Globalization;
using System.Text;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Templates;

/// <summary>
/// A compiled template: the <see cref="CanvasTemplate"/> to decode and the map from canvas slots back to template
/// values. The canvas template must be the whole answer region of its canvas row (its constraints locate their
/// positions from the end of the row).
/// </summary>
public sealed class CompiledTemplate
{
    private readonly IReadOnlyList<(string? Text, int Element)> _layout;
    private readonly ITemplateTokenizer _tokenizer;
    private readonly SpecialTokenIds _ids;

    internal CompiledTemplate(TextTemplate template, CanvasTemplate canvas, IReadOnlyList<CompiledElement> elements, IReadOnlyList<(string? Text, int Element)> layout, ITemplateTokenizer tokenizer, SpecialTokenIds ids)
    {
        Template = template;
        Canvas = canvas;
        Elements = elements;
        _layout = layout;
        _tokenizer = tokenizer;
        _ids = ids;
    }

    /// <summary>The source template.</summary>
    public TextTemplate Template { get; }

    /// <summary>The answer layout to decode (use with <see cref="DiffusionCanvas.FromTemplate"/>).</summary>
    public CanvasTemplate Canvas { get; }

    /// <summary>The values, in order; <see cref="CompiledElement.CanvasSlotIndex"/> indexes <see cref="SequenceResult.Slots"/>.</summary>
    public IReadOnlyList<CompiledElement> Elements { get; }

    /// <summary>Reads a decoded row back: the filled text and each typed value.</summary>
    /// <param name="sequence">The sampler's result for the row that held this template.</param>
    /// <returns>The filled template.</returns>
    /// <exception cref="TemplateException">The row does not hold this template (slot count differs).</exception>
    public TemplateResult Read(SequenceResult sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (sequence.Slots.Count != Elements.Count)
        {
            throw new TemplateException($"The decoded row has {sequence.Slots.Count} slots; this template has {Elements.Count}. Read the row that was built from this template.");
        }

        return Read(i => sequence.Slots[i].Tokens);
    }

    /// <summary>Reads values given each element's decoded tokens (for callers that decode without the sampler's result).</summary>
    /// <param name="tokensOfElement">The tokens of element i, cut at its end token.</param>
    /// <returns>The filled template.</returns>
    public TemplateResult Read(Func<int, IReadOnlyList<int>> tokensOfElement)
    {
        ArgumentNullException.ThrowIfNull(tokensOfElement);
        var text = new StringBuilder();
        var slots = new List<FilledSlot>(Elements.Count);
        foreach (var (literal, index) in _layout)
        {
            if (literal is not null)
            {
                text.Append(literal);
                continue;
            }

            var element = Elements[index];
            var tokens = tokensOfElement(index).Where(t => t != _ids.Mask && !_ids.IsEndOrPad(t)).ToArray();
            string raw = _tokenizer.Decode(tokens);
            if (element.AbsorbedSpace)
            {
                text.Append(' ');
                if (raw.StartsWith(' '))
                {
                    raw = raw[1..];
                }
            }

            var (value, shown, repaired) = Interpret(element, raw, tokens);
            slots.Add(new FilledSlot(element.Name, element.Slot, element.ArrayIndex, shown, value, text.Length, shown.Length, tokens, repaired));
            text.Append(shown);
        }

        return new TemplateResult(text.ToString(), slots);
    }

    private static (object? Value, string Shown, bool Repaired) Interpret(CompiledElement element, string raw, int[] tokens)
    {
        var slot = element.Slot;
        if (slot.Optional && raw.Length == 0)
        {
            return (null, "", false);
        }

        switch (slot.Kind)
        {
            case TemplateSlotKind.Integer:
            {
                string s = raw.Trim();
                bool neg = s.StartsWith('-');
                string digits = new([.. s.Where(char.IsAsciiDigit)]);
                bool repaired = digits.Length == 0 || digits.Length + (neg ? 1 : 0) != s.Length;
                if (digits.Length == 0)
                {
                    return (0L, "0", true);
                }

                string canonical = (neg ? "-" : "") + digits;
                if (long.TryParse(canonical, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
                {
                    string shown = l.ToString(CultureInfo.InvariantCulture);
                    return (l, shown, repaired || shown != s);
                }

                double d = double.Parse(canonical, CultureInfo.InvariantCulture);
                return (d, d.ToString("R", CultureInfo.InvariantCulture), true);
            }

            case TemplateSlotKind.Number:
            {
                string s = raw.Trim();
                string fixedUp = s.TrimEnd('.');
                if (fixedUp is "" or "-")
                {
                    return (0.0, "0", true);
                }

                if (fixedUp.StartsWith("-.", StringComparison.Ordinal))
                {
                    fixedUp = "-0" + fixedUp[1..];
                }
                else if (fixedUp.StartsWith('.'))
                {
                    fixedUp = "0" + fixedUp;
                }

                if (double.TryParse(fixedUp, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double d))
                {
                    string shown = d.ToString("R", CultureInfo.InvariantCulture);
                    return (d, shown, fixedUp != s || shown != s && !IsJsonNumber(s));
                }

                return (0.0, "0", true);
            }

            case TemplateSlotKind.Boolean:
            case TemplateSlotKind.Enum:
            {
                int best = 0;
                int bestScore = int.MinValue;
                for (int i = 0; i < slot.Choices.Count; i++)
                {
                    if (string.Equals(slot.Choices[i], raw.Trim(), StringComparison.Ordinal))
                    {
                        best = i;
                        bestScore = int.MaxValue;
                        break;
                    }

                    int[] choice = element.ChoiceTokens![i];
                    int score = 0;
                    for (int j = 0; j < Math.Min(choice.Length, tokens.Length); j++)
                    {
                        score += choice[j] == tokens[j] ? 2 : 0;
                    }

                    score -= Math.Abs(choice.Length - tokens.Length);
                    if (score > bestScore)
                    {
                        best = i;
                        bestScore = score;
                    }
                }

                string option = slot.Choices[best];
                object value = slot.Kind == TemplateSlotKind.Boolean ? option == "true" : option;
                return (value, option, bestScore != int.MaxValue);
            }

            default:
            {
                string s = raw.TrimEnd('\uFFFD');
                return (s, s, s.Length != raw.Length);
            }
        }
    }

    private static bool IsJsonNumber(string s) =>
        s.Length > 0 && !s.StartsWith('.') && !s.EndsWith('.') && !(s.Length > 1 && s[0] == '0' && s[1] != '.');
}
