using SkDiffusion.Templates;
using SkDiffusion.Templates.Internal;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// The language of a <see cref="TextTemplate"/> text (<c>{{name:type}}</c> slots between fixed text): fixed text is
/// literal, <c>int(n)</c> is up to n digits (no leading zeros), <c>number</c> digits with an optional fraction,
/// <c>bool</c> and <c>enum</c> one of their options; <c>string</c> and <c>text</c> keep their minimum and drop their
/// token budget (the canvas bounds them). Array slots repeat their element with the separator.
/// </summary>
internal static class TemplateLanguage
{
    public static RegexNode Compile(string template)
    {
        List<TemplateSegment> segments;
        try
        {
            segments = TemplateParser.Parse(template);
        }
        catch (TemplateException ex)
        {
            throw new GrammarException(ex.Message, offset: ex.Position);
        }

        var parts = new List<RegexNode>();
        foreach (var segment in segments)
        {
            parts.Add(segment.Text is { } text ? RegexNode.Literal(text) : Slot(segment.Slot!));
        }

        return RegexNode.Concat(parts);
    }

    private static RegexNode Slot(TemplateSlot slot)
    {
        var element = Element(slot);
        if (slot.Optional)
        {
            element = RegexNode.Optional(element);
        }

        return slot.Count is int n ? RegexNode.SeparatedList(element, RegexNode.Literal(slot.Separator), n, n) : element;
    }

    private static RegexNode Element(TemplateSlot slot)
    {
        var digit = RegexNode.Class(ByteSet.Range('0', '9'));
        var sign = slot.Signed ? RegexNode.Optional(RegexNode.Byte((byte)'-')) : RegexNode.Empty;
        switch (slot.Kind)
        {
            case TemplateSlotKind.Integer:
                {
                    int max = Math.Max(1, slot.MaxLength);
                    var unsigned = RegexNode.Alternation(
                        RegexNode.Byte((byte)'0'),
                        RegexNode.Concat(RegexNode.Class(ByteSet.Range('1', '9')), RegexNode.Repeat(digit, Math.Max(0, slot.MinLength - 1), max - 1)));
                    return RegexNode.Concat(sign, unsigned);
                }

            case TemplateSlotKind.Number:
                {
                    var digits = RegexNode.Plus(digit);
                    var body = RegexNode.Concat(digits, RegexNode.Optional(RegexNode.Concat(RegexNode.Byte((byte)'.'), digits)));
                    return RegexNode.Concat(sign, body);
                }

            case TemplateSlotKind.String:
                return RegexNode.Repeat(JsonLexicon.StringCharacter, slot.MinLength, -1);

            case TemplateSlotKind.Text:
                return RegexNode.Repeat(CodepointSet.Of((0x20, CodepointSet.MaxCodepoint), ('\t', '\n')).ToNode(), slot.MinLength, -1);

            default:
                return RegexNode.Alternation(slot.Choices.Select(RegexNode.Literal).ToList());
        }
    }
}
