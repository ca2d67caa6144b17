using SkDiffusion.Sampling.Internal.Selection;

namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// The parallel commit of a slot's trailing EOS run (<see cref="SamplerOptions.TrailingEosThreshold"/>): after a step's
/// selection, every masked position at the end of a slot whose candidate is EOS or EoT with at least the threshold's
/// probability is chosen too, walking back from the slot's end over positions that are already end tokens and
/// stopping at the first that is neither. A padded answer spends one step on its padding instead of one per token;
/// the schedule's plan then commits nothing until it is back on track, so those steps run no forward pass. Only
/// positions of the current block are candidates. With <see cref="SamplerOptions.StopAtEos"/> the walk passes over
/// the slot's masked positions in later blocks, since an end token committed in this block fills them with EOS
/// anyway; without it, a slot whose end lies in a later block gains nothing until that block.
/// </summary>
internal sealed class TrailingEosCommit(CanvasState state, double threshold, bool stopAtEos)
{
    private int[] _index = [];

    /// <summary>Marks the trailing-run candidates of row <paramref name="r"/> as chosen.</summary>
    /// <param name="r">The row.</param>
    /// <param name="set">The step's candidates (masked positions of the current block, in ascending order).</param>
    public void Choose(int r, CandidateSet set)
    {
        var row = state.Rows[r];
        int baseFlat = state.RowBase(r);
        if (_index.Length < row.Length)
        {
            _index = new int[row.Length];
        }

        Array.Fill(_index, -1, 0, row.Length);
        for (int i = 0; i < set.Count; i++)
        {
            _index[set.Position[i]] = i;
        }

        foreach (var slot in state.Canvas.Sequences[r].Slots)
        {
            for (int p = slot.Start + slot.Length - 1; p >= slot.Start; p--)
            {
                int flat = baseFlat + p;
                if (p >= row.BlockEnd && stopAtEos && state.IsMasked(flat))
                {
                    continue;
                }

                if (!state.IsMasked(flat))
                {
                    if (state.Ids.IsEnd(state.Tokens[flat]))
                    {
                        continue;
                    }

                    break;
                }

                int i = _index[p];
                if (i < 0 || !state.Ids.IsEnd(set.Token[i]) || !(set.Probability[i] >= threshold))
                {
                    break;
                }

                set.Chosen[i] = true;
            }
        }
    }
}
