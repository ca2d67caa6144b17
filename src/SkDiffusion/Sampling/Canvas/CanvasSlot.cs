namespace SkDiffusion.Sampling.Canvas;

/// <summary>A run of masked positions of one canvas sequence, decoded by the sampler.</summary>
public sealed class CanvasSlot
{
    internal CanvasSlot(int index, int start, int length, CanvasSlotOptions options)
    {
        Index = index;
        Start = start;
        Length = length;
        Options = options;
    }

    /// <summary>The slot's index within its sequence (0 = first slot).</summary>
    public int Index { get; }

    /// <summary>The slot's first position within its sequence (0 = the sequence's first token, padding excluded).</summary>
    public int Start { get; }

    /// <summary>The number of masked positions.</summary>
    public int Length { get; }

    /// <summary>The slot's options.</summary>
    public CanvasSlotOptions Options { get; }
}
