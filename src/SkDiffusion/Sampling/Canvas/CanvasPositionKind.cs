namespace SkDiffusion.Sampling.Canvas;

/// <summary>What a canvas position holds.</summary>
public enum CanvasPositionKind : byte
{
    /// <summary>A prompt token: fixed, and replaced by a mask in the classifier-free guidance row.</summary>
    Prompt,

    /// <summary>A fixed template token inside the answer region: never changed by the sampler.</summary>
    Fixed,

    /// <summary>A position of a masked slot, decoded by the sampler.</summary>
    Slot,
}
