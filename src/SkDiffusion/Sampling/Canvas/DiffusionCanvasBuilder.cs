namespace SkDiffusion.Sampling.Canvas;

/// <summary>Builds a <see cref="DiffusionCanvas"/> of one or more sequences (a batch, left-padded to a common length).</summary>
public sealed class DiffusionCanvasBuilder
{
    private readonly List<CanvasSequence> _sequences = [];

    /// <summary>Adds a sequence: <paramref name="prompt"/> followed by <paramref name="answerLength"/> masks.</summary>
    /// <param name="prompt">Prompt token ids (may be empty for models whose logits are not shifted).</param>
    /// <param name="answerLength">Masked answer positions (at least 1). The slot is variable-length: the answer may end with EOS.</param>
    /// <returns>This builder.</returns>
    public DiffusionCanvasBuilder Add(IReadOnlyList<int> prompt, int answerLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(answerLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(answerLength, DiffusionCanvas.MaxSequenceLength);
        return Add(prompt, new CanvasTemplate().AddSlot(answerLength, new CanvasSlotOptions { Name = "answer", VariableLength = true }));
    }

    /// <summary>Adds a sequence: <paramref name="prompt"/> followed by <paramref name="answerLength"/> masks constrained by <paramref name="grammar"/>.</summary>
    /// <param name="prompt">Prompt token ids.</param>
    /// <param name="answerLength">Masked answer positions (at least the grammar's <see cref="Grammars.TokenGrammar.MinimumTokens"/>).</param>
    /// <param name="grammar">The grammar the answer must spell, followed by end tokens.</param>
    /// <returns>This builder.</returns>
    public DiffusionCanvasBuilder Add(IReadOnlyList<int> prompt, int answerLength, Grammars.TokenGrammar grammar)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentOutOfRangeException.ThrowIfLessThan(answerLength, 1);
        return Add(prompt, new CanvasTemplate().AddSlot(answerLength, new CanvasSlotOptions { Name = "answer", VariableLength = true, Grammar = grammar }));
    }

    /// <summary>Adds a sequence: <paramref name="prompt"/> followed by the answer layout of <paramref name="template"/>.</summary>
    /// <param name="prompt">Prompt token ids.</param>
    /// <param name="template">Fixed tokens and masked slots of the answer region (at least one slot).</param>
    /// <returns>This builder.</returns>
    public DiffusionCanvasBuilder Add(IReadOnlyList<int> prompt, CanvasTemplate template)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(template);
        if (template.SlotCount == 0)
        {
            throw new ArgumentException("The template has no slot: add at least one masked slot with AddSlot.", nameof(template));
        }

        if ((long)prompt.Count + template.Length > DiffusionCanvas.MaxSequenceLength)
        {
            throw new ArgumentOutOfRangeException(nameof(template), $"The prompt ({prompt.Count} tokens) and the answer ({template.Length} positions) total {(long)prompt.Count + template.Length} positions, over DiffusionCanvas.MaxSequenceLength ({DiffusionCanvas.MaxSequenceLength}). Shorten the prompt or the answer.");
        }

        int length = prompt.Count + template.Length;
        var tokens = new int[length];
        var kinds = new CanvasPositionKind[length];
        var slotOf = new int[length];
        for (int i = 0; i < prompt.Count; i++)
        {
            if (prompt[i] < 0)
            {
                throw new ArgumentException($"Prompt token {i} is negative ({prompt[i]}).", nameof(prompt));
            }

            tokens[i] = prompt[i];
            kinds[i] = CanvasPositionKind.Prompt;
            slotOf[i] = -1;
        }

        var slots = new List<CanvasSlot>(template.SlotCount);
        int p = prompt.Count;
        foreach (var (fixedTokens, slotLength, options) in template.Parts)
        {
            if (fixedTokens is not null)
            {
                foreach (int t in fixedTokens)
                {
                    tokens[p] = t;
                    kinds[p] = CanvasPositionKind.Fixed;
                    slotOf[p] = -1;
                    p++;
                }
            }
            else
            {
                var slot = new CanvasSlot(slots.Count, p, slotLength, options!);
                for (int i = 0; i < slotLength; i++)
                {
                    tokens[p] = -1;
                    kinds[p] = CanvasPositionKind.Slot;
                    slotOf[p] = slot.Index;
                    p++;
                }

                slots.Add(slot);
            }
        }

        _sequences.Add(new CanvasSequence(tokens, kinds, slotOf, prompt.Count, slots));
        return this;
    }

    /// <summary>Builds the canvas.</summary>
    /// <returns>The canvas.</returns>
    public DiffusionCanvas Build()
    {
        if (_sequences.Count == 0)
        {
            throw new InvalidOperationException("The canvas has no sequence: call Add at least once.");
        }

        return new DiffusionCanvas([.. _sequences]);
    }
}
