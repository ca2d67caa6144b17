namespace SkDiffusion.Templates;

/// <summary>One value position of a <see cref="CompiledTemplate"/>: a slot, or one element of an array slot.</summary>
public sealed class CompiledElement
{
    internal CompiledElement(TemplateSlot slot, string name, int? arrayIndex, int canvasSlotIndex, int offset, int length, bool absorbedSpace, IReadOnlyList<int[]>? choiceTokens)
    {
        Slot = slot;
        Name = name;
        ArrayIndex = arrayIndex;
        CanvasSlotIndex = canvasSlotIndex;
        Offset = offset;
        Length = length;
        AbsorbedSpace = absorbedSpace;
        ChoiceTokens = choiceTokens;
    }

    /// <summary>The template slot.</summary>
    public TemplateSlot Slot { get; }

    /// <summary>The element name: the slot name, or <c>name[i]</c> for an array element.</summary>
    public string Name { get; }

    /// <summary>The array index, or <see langword="null"/> for a single value.</summary>
    public int? ArrayIndex { get; }

    /// <summary>The index of the canvas slot that holds the element.</summary>
    public int CanvasSlotIndex { get; }

    /// <summary>The element's first position within the answer layout.</summary>
    public int Offset { get; }

    /// <summary>The element's positions in the canvas.</summary>
    public int Length { get; }

    /// <summary>Whether the space before the slot was moved into it (its first token starts with a space).</summary>
    public bool AbsorbedSpace { get; }

    /// <summary>For enum and boolean slots: each option's tokens, in the order of <see cref="TemplateSlot.Choices"/>.</summary>
    public IReadOnlyList<int[]>? ChoiceTokens { get; }
}
