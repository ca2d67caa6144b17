using SkDiffusion.Sampling.Events;

namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// The early stop at EOS (dInfer's <c>BlockRunner</c>, <see cref="SamplerOptions.StopAtEos"/>): once the current block
/// holds no mask, an EOS or EoT the sampler committed in it fills the masks of its slot beyond the block with EOS. The
/// block is finished first, so its other positions are decoded against masks; the next step starts a new block, so a
/// cache window is refreshed over the filled tokens.
/// </summary>
internal sealed class EosStopPolicy(CanvasState state)
{
    /// <summary>Applies the stop to row <paramref name="r"/> after its commits; the filled positions go to <paramref name="filled"/>.</summary>
    public void Apply(int r, List<CommittedToken> filled)
    {
        var row = state.Rows[r];
        int baseFlat = state.RowBase(r);
        if (state.CountMasks(baseFlat, row.BlockStart, row.BlockEnd) != 0)
        {
            return;
        }

        var ids = state.Ids;
        var seq = state.Canvas.Sequences[r];
        for (int p = row.BlockStart; p < row.BlockEnd; p++)
        {
            int flat = baseFlat + p;
            if (state.Kind[flat] != CanvasState.KindSlot || !state.Committed[flat] || !ids.IsEnd(state.Tokens[flat]))
            {
                continue;
            }

            var slot = seq.Slots[state.Slot[flat]];
            for (int q = Math.Max(row.BlockEnd, slot.Start); q < slot.Start + slot.Length; q++)
            {
                int f = baseFlat + q;
                if (state.IsMasked(f))
                {
                    state.Tokens[f] = ids.Eos;
                    state.Kind[f] = CanvasState.KindFilled;
                    row.MasksLeft--;
                    filled.Add(new CommittedToken(r, q, ids.Eos, 0, 0));
                }
            }
        }
    }
}
