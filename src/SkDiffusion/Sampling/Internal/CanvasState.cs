using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Constraints;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// The canvas being decoded: the tokens of every row in padded coordinates (left padding), what each position is,
/// which positions were committed by the sampler, and each row's block progress.
/// </summary>
internal sealed class CanvasState
{
    /// <summary>Left padding.</summary>
    public const byte KindPad = 0;

    /// <summary>A prompt token (masked in CFG's unconditional row).</summary>
    public const byte KindPrompt = 1;

    /// <summary>A fixed template token.</summary>
    public const byte KindFixed = 2;

    /// <summary>A slot position: masked or decoded.</summary>
    public const byte KindSlot = 3;

    /// <summary>A slot position filled with EOS by the early stop.</summary>
    public const byte KindFilled = 4;

    public CanvasState(DiffusionCanvas canvas, SpecialTokenIds ids, int vocabularySize, bool logitsShifted, SamplerOptions options, bool needsStepPerBlock)
    {
        Canvas = canvas;
        Ids = ids;
        Batch = canvas.BatchSize;
        Length = canvas.SequenceLength;
        Vocabulary = vocabularySize;
        RankBySlot = options.RankingScope == RankingScope.Slot;
        int n = Batch * Length;
        Tokens = new long[n];
        Kind = new byte[n];
        Slot = new int[n];
        Committed = new bool[n];
        CommitProbability = new double[n];
        Rows = new RowState[Batch];
        SlotAllowed = new ILogitProcessor?[Batch][];
        for (int r = 0; r < Batch; r++)
        {
            InitRow(r, logitsShifted, options, needsStepPerBlock);
        }

        MaxGroups = Rows.Length == 0 ? 1 : Math.Max(1, Rows.Max(row => row.GroupMasked.Length));
    }

    public DiffusionCanvas Canvas { get; }

    public SpecialTokenIds Ids { get; }

    /// <summary>Canvas rows (without CFG's unconditional copies).</summary>
    public int Batch { get; }

    /// <summary>Padded row length.</summary>
    public int Length { get; }

    public int Vocabulary { get; }

    /// <summary>Whether each slot ranks and schedules its own positions (<see cref="RankingScope.Slot"/>).</summary>
    public bool RankBySlot { get; }

    /// <summary>The most ranking groups of any row.</summary>
    public int MaxGroups { get; }

    /// <summary>Tokens, <c>[Batch, Length]</c>.</summary>
    public long[] Tokens { get; }

    /// <summary>Position kinds, <c>[Batch, Length]</c>.</summary>
    public byte[] Kind { get; }

    /// <summary>Slot index of each position, -1 outside slots.</summary>
    public int[] Slot { get; }

    /// <summary>Whether the sampler committed the position (remaskable).</summary>
    public bool[] Committed { get; }

    /// <summary>The model probability of each committed token (ReMDM's conf weights).</summary>
    public double[] CommitProbability { get; }

    public RowState[] Rows { get; }

    /// <summary>The allowed-token constraint of each slot (grammar slots get theirs from <see cref="GrammarGate"/>).</summary>
    public ILogitProcessor?[][] SlotAllowed { get; }

    /// <summary>The flat index of row <paramref name="r"/>'s first real position.</summary>
    public int RowBase(int r) => (r * Length) + Rows[r].Offset;

    /// <summary>The ranking group of a position: its slot with <see cref="RankingScope.Slot"/>, else 0.</summary>
    public int Group(int flat) => RankBySlot ? Math.Max(0, Slot[flat]) : 0;

    public bool IsMasked(int flat) => Kind[flat] == KindSlot && Tokens[flat] == Ids.Mask;

    /// <summary>The masks among real positions [start, end) of the row starting at <paramref name="baseFlat"/>.</summary>
    public int CountMasks(int baseFlat, int start, int end)
    {
        int n = 0;
        for (int p = start; p < end; p++)
        {
            if (IsMasked(baseFlat + p))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Whether the row's current block holds a token the sampler committed.</summary>
    public bool HasRemaskable(int r)
    {
        var row = Rows[r];
        int baseFlat = RowBase(r);
        for (int p = row.BlockStart; p < row.BlockEnd; p++)
        {
            if (Committed[baseFlat + p])
            {
                return true;
            }
        }

        return false;
    }

    public bool AllDone()
    {
        foreach (var row in Rows)
        {
            if (!row.Done)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Marks every unfinished row cancelled.</summary>
    public void Cancel()
    {
        foreach (var row in Rows)
        {
            if (!row.Done)
            {
                row.Done = true;
                row.Cancelled = true;
            }
        }
    }

    /// <summary>Writes <paramref name="token"/> at a masked position as the sampler's commit.</summary>
    public void Commit(int r, int p, int token, double probability)
    {
        int flat = RowBase(r) + p;
        Tokens[flat] = token;
        Committed[flat] = true;
        CommitProbability[flat] = probability;
        Rows[r].MasksLeft--;
    }

    /// <summary>Turns a committed token back into a mask; returns the token it held.</summary>
    public int Remask(int r, int p)
    {
        int flat = RowBase(r) + p;
        int token = (int)Tokens[flat];
        Tokens[flat] = Ids.Mask;
        Committed[flat] = false;
        Rows[r].MasksLeft++;
        return token;
    }

    private void InitRow(int r, bool logitsShifted, SamplerOptions options, bool needsStepPerBlock)
    {
        var seq = Canvas.Sequences[r];
        int offset = Length - seq.Length;
        var row = new RowState
        {
            Offset = offset,
            Length = seq.Length,
            PromptLength = seq.PromptLength,
            BlockLength = Math.Min(options.BlockLength ?? int.MaxValue, Math.Max(1, seq.AnswerLength)), // a longer block is one block; no overflow
        };
        row.BlockCount = seq.AnswerLength == 0 ? 0 : (int)(((long)seq.AnswerLength + row.BlockLength - 1) / row.BlockLength);
        int groups = RankBySlot ? Math.Max(1, seq.Slots.Count) : 1;
        row.GroupInitial = new int[groups];
        row.GroupMasked = new int[groups];
        Rows[r] = row;

        if (logitsShifted && seq.Length > 0 && seq.GetKind(0) == CanvasPositionKind.Slot)
        {
            throw new ArgumentException($"Row {r} starts with a masked position, but the model's logits are shifted (Dream): position i is predicted from position i-1, so position 0 must hold a real token. Start the sequence with a prompt token (e.g. BOS).", "canvas");
        }

        if (needsStepPerBlock && row.BlockCount > options.Steps)
        {
            throw new ArgumentException($"Steps ({options.Steps}) is less than the number of blocks ({row.BlockCount}) of row {r} (answer {seq.AnswerLength} positions, BlockLength {row.BlockLength}): every block needs at least one step. Raise Steps or BlockLength.", nameof(options));
        }

        SlotAllowed[r] = new ILogitProcessor?[seq.Slots.Count];
        foreach (var slot in seq.Slots)
        {
            if (slot.Options.AllowedTokens is { } allowed)
            {
                if (allowed.Any(t => t >= Vocabulary))
                {
                    throw new ArgumentException($"Slot {slot.Index} of row {r} allows a token id at or above the vocabulary size {Vocabulary}.", "canvas");
                }

                SlotAllowed[r][slot.Index] = new AllowedTokensProcessor(allowed);
            }
        }

        for (int i = 0; i < Length; i++)
        {
            int flat = (r * Length) + i;
            if (i < offset)
            {
                Kind[flat] = KindPad;
                Slot[flat] = -1;
                Tokens[flat] = Ids.Pad;
                continue;
            }

            int p = i - offset;
            Slot[flat] = seq.GetSlotIndex(p);
            if (seq.GetKind(p) == CanvasPositionKind.Slot)
            {
                Kind[flat] = KindSlot;
                Tokens[flat] = Ids.Mask;
                row.MasksLeft++;
                continue;
            }

            int t = seq.GetToken(p);
            if (t == Ids.Mask)
            {
                throw new ArgumentException($"Row {r} holds the mask id at fixed position {p}: mark positions to decode with a template slot (CanvasTemplate.AddSlot) instead.", "canvas");
            }

            if (t >= Vocabulary)
            {
                throw new ArgumentException($"Row {r} position {p} holds token {t}, at or above the vocabulary size {Vocabulary}.", "canvas");
            }

            Kind[flat] = seq.GetKind(p) == CanvasPositionKind.Prompt ? KindPrompt : KindFixed;
            Tokens[flat] = t;
        }

        row.Done = row.MasksLeft == 0;
    }
}
