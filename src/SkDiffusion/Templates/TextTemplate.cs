using System.Text;
using SkDiffusion.Templates.Internal;

namespace SkDiffusion.Templates;

/// <summary>
/// A template of fixed text and typed slots, e.g.
/// <c>Name: {{name:string(8)}}, age {{age:int(3)}}, likes {{pet:enum(cat|dog)}}, ok {{ok:bool}}</c>.
/// </summary>
/// <remarks>
/// <para>Syntax (see <c>docs/templates.md</c>): a slot is <c>{{name:type}}</c> or <c>{{name:type[count]}}</c>; everything
/// else is fixed text. <c>\{{</c> writes a literal <c>{{</c>. Whitespace inside the braces is ignored.</para>
/// <list type="bullet">
/// <item><c>text(n)</c> any tokens, <c>string(n)</c> tokens safe inside a JSON string (no quote, backslash or newline):
/// up to n tokens.</item>
/// <item><c>int(n)</c> up to n digits (a leading minus allowed; <c>int(n, unsigned)</c> forbids it);
/// <c>number(n)</c> up to n characters of a decimal number.</item>
/// <item><c>bool</c> is <c>true</c> or <c>false</c>; <c>enum(a|b|c)</c> one of the options (<c>\|</c>, <c>\)</c> and
/// <c>\\</c> escape).</item>
/// <item>Lengths: <c>(n)</c> up to n (variable; at least 1 for int and number), <c>(=n)</c> exactly n,
/// <c>(m..n)</c> between m and n. Without a length: text 32, string 16, int 6, number 10.</item>
/// <item><c>[k]</c> after the type makes a fixed-count array of k values joined by <c>", "</c>, named
/// <c>name[0]</c>…<c>name[k-1]</c>.</item>
/// </list>
/// </remarks>
public sealed class TextTemplate
{
    private readonly TemplateSegment[] _segments;

    internal TextTemplate(IEnumerable<TemplateSegment> segments)
    {
        _segments = [.. segments];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < _segments.Length; i++)
        {
            if (_segments[i] is null)
            {
                throw new ArgumentNullException(nameof(segments), $"Segment {i} of the template is null: pass TemplateSegment.FromText or TemplateSegment.FromSlot values only.");
            }
        }

        foreach (var segment in _segments)
        {
            if (segment.Slot is { } slot)
            {
                int? position = segment.Position >= 0 ? segment.Position : null;
                slot.Validate(position);
                if (!names.Add(slot.Name))
                {
                    throw new TemplateException($"The slot name '{slot.Name}' is used twice: slot names must be unique.", position);
                }
            }
        }

        if (names.Count == 0)
        {
            throw new TemplateException("The template has no slot: add at least one {{name:type}}.");
        }
    }

    /// <summary>The segments, in order.</summary>
    public IReadOnlyList<TemplateSegment> Segments => _segments;

    /// <summary>The slots, in order.</summary>
    public IEnumerable<TemplateSlot> Slots => _segments.Where(s => s.Slot is not null).Select(s => s.Slot!);

    /// <summary>Parses a template.</summary>
    /// <param name="template">The template text.</param>
    /// <returns>The parsed template.</returns>
    /// <exception cref="TemplateException">The template is malformed; <see cref="TemplateException.Position"/> says where.</exception>
    public static TextTemplate Parse(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        return new TextTemplate(TemplateParser.Parse(template));
    }

    /// <summary>Builds a template from segments made in code.</summary>
    /// <param name="segments">Fixed text and slots.</param>
    /// <returns>The template.</returns>
    /// <exception cref="TemplateException">A slot is invalid or a name repeats.</exception>
    public static TextTemplate Create(IEnumerable<TemplateSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        return new TextTemplate(segments);
    }

    /// <summary>The template in its text syntax (parsing it gives an equivalent template).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var segment in _segments)
        {
            sb.Append(segment.Text is { } text ? text.Replace("{{", "\\{{") : segment.Slot!.ToString());
        }

        return sb.ToString();
    }
}
