namespace SkDiffusion.Templates;

/// <summary>One piece of a <see cref="TextTemplate"/>: fixed text or a slot.</summary>
public sealed class TemplateSegment
{
    private TemplateSegment(string? text, TemplateSlot? slot, int position)
    {
        Text = text;
        Slot = slot;
        Position = position;
    }

    /// <summary>The fixed text, or <see langword="null"/> for a slot.</summary>
    public string? Text { get; }

    /// <summary>The slot, or <see langword="null"/> for fixed text.</summary>
    public TemplateSlot? Slot { get; }

    /// <summary>Where the segment starts in the template text (-1 for templates built in code).</summary>
    public int Position { get; }

    /// <summary>Whether this segment is fixed text.</summary>
    public bool IsText => Text is not null;

    /// <summary>A fixed-text segment.</summary>
    /// <param name="text">The text (not empty).</param>
    /// <param name="position">The position in the template text, or -1.</param>
    public static TemplateSegment FromText(string text, int position = -1)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return new TemplateSegment(text, null, position);
    }

    /// <summary>A slot segment.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="position">The position in the template text, or -1.</param>
    public static TemplateSegment FromSlot(TemplateSlot slot, int position = -1)
    {
        ArgumentNullException.ThrowIfNull(slot);
        return new TemplateSegment(null, slot, position);
    }
}
