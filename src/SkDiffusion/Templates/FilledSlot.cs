namespace SkDiffusion.Templates;

/// <summary>One filled value of a <see cref="TemplateResult"/>.</summary>
public sealed class FilledSlot
{
    internal FilledSlot(string name, TemplateSlot slot, int? arrayIndex, string text, object? value, int start, int length, IReadOnlyList<int> tokens, bool repaired)
    {
        Name = name;
        Slot = slot;
        ArrayIndex = arrayIndex;
        Text = text;
        Value = value;
        Start = start;
        Length = length;
        Tokens = tokens;
        Repaired = repaired;
    }

    /// <summary>The element name (<c>name</c>, or <c>name[i]</c> for an array element).</summary>
    public string Name { get; }

    /// <summary>The template slot.</summary>
    public TemplateSlot Slot { get; }

    /// <summary>The array index, or <see langword="null"/>.</summary>
    public int? ArrayIndex { get; }

    /// <summary>The value's text as it appears in <see cref="TemplateResult.Text"/> (without an absorbed leading space).</summary>
    public string Text { get; }

    /// <summary>
    /// The typed value: <see cref="string"/> (text, string, enum), <see cref="long"/> (int; <see cref="double"/> when
    /// it does not fit), <see cref="double"/> (number), <see cref="bool"/> (bool), or <see langword="null"/> for an
    /// optional element that came back empty.
    /// </summary>
    public object? Value { get; }

    /// <summary>Where <see cref="Text"/> starts in <see cref="TemplateResult.Text"/>.</summary>
    public int Start { get; }

    /// <summary>The length of <see cref="Text"/>.</summary>
    public int Length { get; }

    /// <summary>The slot's decoded tokens (variable-length slots cut at their end token).</summary>
    public IReadOnlyList<int> Tokens { get; }

    /// <summary>
    /// Whether the decoded text had to be repaired to give a value of the slot's type (e.g. an empty or dangling
    /// number, an enum whose tokens mixed two options): the value is the nearest valid one.
    /// </summary>
    public bool Repaired { get; }
}
