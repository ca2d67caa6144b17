namespace SkDiffusion.Templates.Internal;

/// <summary>One piece of a template while it is compiled: fixed text (and its tokens) or a slot (and its size).</summary>
internal sealed class SlotPlan
{
    public string? Text { get; set; }

    public int[]? Tokens { get; set; }

    public TemplateSlot? Slot { get; init; }

    public int? Index { get; init; }

    public bool Absorb { get; init; }

    public int Length { get; set; }

    public int[][]? Choices { get; set; }
}
