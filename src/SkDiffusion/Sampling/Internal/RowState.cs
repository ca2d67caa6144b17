namespace SkDiffusion.Sampling.Internal;

/// <summary>The progress of one canvas row.</summary>
internal sealed class RowState
{
    /// <summary>Whether the current step is the block's last scheduled one.</summary>
    public bool IsLastStep => StepInBlock >= StepsInBlock - 1;

    public int Offset;          // left padding
    public int Length;          // real positions
    public int PromptLength;
    public int BlockLength;
    public int BlockCount;
    public int Block = -1;
    public int BlockStart;
    public int BlockEnd;
    public int StepInBlock;
    public int StepsInBlock;
    public int MasksLeft;
    public bool Done;
    public bool Cancelled;
    public int[] GroupInitial = [];
    public int[] GroupMasked = [];
    public int[] GroupCount = [];
    public int GroupCountTotal;

    /// <summary>A deep copy (block rollouts restore a row from it).</summary>
    public RowState Copy()
    {
        var copy = (RowState)MemberwiseClone();
        copy.GroupInitial = (int[])GroupInitial.Clone();
        copy.GroupMasked = (int[])GroupMasked.Clone();
        copy.GroupCount = (int[])GroupCount.Clone();
        return copy;
    }
}
