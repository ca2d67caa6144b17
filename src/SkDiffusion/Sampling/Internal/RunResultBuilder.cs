namespace SkDiffusion.Sampling.Internal;

/// <summary>Reads a finished (or cancelled) canvas into a <see cref="SamplingResult"/>: rows, slots, answers, finish reasons.</summary>
internal static class RunResultBuilder
{
    /// <summary>Builds the result of a run from its final canvas.</summary>
    public static SamplingResult Build(CanvasState state, SamplerOptions options, int nfe, int steps, int cacheRefreshes)
    {
        var rowStates = state.Rows;
        var ids = state.Ids;
        int batch = state.Batch;
        int length = state.Length;
        var canvas = state.Canvas;
        var canvasTokens = state.Tokens;
        var kinds = state.Kind;
        bool cancelled = rowStates.Any(r => r.Cancelled);
        var sequences = new SequenceResult[batch];
        bool anyEos = false;
        for (int r = 0; r < batch; r++)
        {
            var row = rowStates[r];
            var seq = canvas.Sequences[r];
            int baseFlat = (r * length) + row.Offset;
            var tokens = new int[row.Length];
            bool hasEnd = false;
            for (int p = 0; p < row.Length; p++)
            {
                tokens[p] = (int)canvasTokens[baseFlat + p];
                byte kind = kinds[baseFlat + p];
                if ((kind == CanvasState.KindSlot || kind == CanvasState.KindFilled) && ids.IsEnd(tokens[p]))
                {
                    hasEnd = true;
                }
            }

            var slots = new SlotResult[seq.Slots.Count];
            var slotCut = new int[seq.Slots.Count];
            foreach (var slot in seq.Slots)
            {
                int n = slot.Length;
                if (slot.Options.VariableLength)
                {
                    for (int i = 0; i < slot.Length; i++)
                    {
                        if (ids.IsEndOrPad(tokens[slot.Start + i]))
                        {
                            n = i;
                            break;
                        }
                    }
                }

                slotCut[slot.Index] = n;
                slots[slot.Index] = new SlotResult(slot.Index, slot.Options.Name, slot.Start, slot.Length, tokens.AsSpan(slot.Start, n).ToArray());
            }

            var answer = new List<int>(row.Length - row.PromptLength);
            for (int p = row.PromptLength; p < row.Length; p++)
            {
                int s = seq.GetSlotIndex(p);
                if (s >= 0 && p - seq.Slots[s].Start >= slotCut[s])
                {
                    continue;
                }

                if (options.TruncateAtEos && ids.IsEnd(tokens[p]))
                {
                    break;
                }

                answer.Add(tokens[p]);
            }

            var reason = row.Cancelled ? FinishReason.Cancelled : hasEnd ? FinishReason.Eos : FinishReason.Completed;
            anyEos |= reason == FinishReason.Eos;
            sequences[r] = new SequenceResult(r, row.PromptLength, tokens, answer, slots, reason);
        }

        var overall = cancelled ? FinishReason.Cancelled : anyEos ? FinishReason.Eos : FinishReason.Completed;
        return new SamplingResult(sequences, nfe, steps, overall) { CacheRefreshes = cacheRefreshes };
    }
}
