namespace SkDiffusion.Sampling.Canvas;

/// <summary>One sequence of a <see cref="DiffusionCanvas"/>: the prompt followed by the answer region.</summary>
public sealed class CanvasSequence
{
    private readonly int[] _tokens;
    private readonly CanvasPositionKind[] _kinds;
    private readonly int[] _slotOfPosition;

    internal CanvasSequence(int[] tokens, CanvasPositionKind[] kinds, int[] slotOfPosition, int promptLength, IReadOnlyList<CanvasSlot> slots)
    {
        _tokens = tokens;
        _kinds = kinds;
        _slotOfPosition = slotOfPosition;
        PromptLength = promptLength;
        Slots = slots;
    }

    /// <summary>Positions in the sequence (prompt and answer region; padding excluded).</summary>
    public int Length => _tokens.Length;

    /// <summary>Prompt positions; the answer region starts here.</summary>
    public int PromptLength { get; }

    /// <summary>Positions of the answer region (fixed template tokens and slots).</summary>
    public int AnswerLength => _tokens.Length - PromptLength;

    /// <summary>The masked slots, in order.</summary>
    public IReadOnlyList<CanvasSlot> Slots { get; }

    /// <summary>Positions the sampler decodes (the total length of the slots).</summary>
    public int MaskedCount => Slots.Sum(s => s.Length);

    /// <summary>The token at a prompt or fixed position; -1 at slot positions (they start as the mask token).</summary>
    /// <param name="position">A position of this sequence.</param>
    public int GetToken(int position) => _tokens[position];

    /// <summary>What a position holds.</summary>
    /// <param name="position">A position of this sequence.</param>
    public CanvasPositionKind GetKind(int position) => _kinds[position];

    /// <summary>The index of the slot that holds a position, or -1.</summary>
    /// <param name="position">A position of this sequence.</param>
    public int GetSlotIndex(int position) => _slotOfPosition[position];
}
