namespace SkDiffusion.Sampling;

/// <summary>The decoded result of one canvas row.</summary>
public sealed class SequenceResult
{
    internal SequenceResult(int row, int promptLength, IReadOnlyList<int> tokens, IReadOnlyList<int> answerTokens, IReadOnlyList<SlotResult> slots, FinishReason finishReason)
    {
        Row = row;
        PromptLength = promptLength;
        Tokens = tokens;
        AnswerTokens = answerTokens;
        Slots = slots;
        FinishReason = finishReason;
    }

    /// <summary>The canvas row.</summary>
    public int Row { get; }

    /// <summary>The prompt length (the answer region starts here in <see cref="Tokens"/>).</summary>
    public int PromptLength { get; }

    /// <summary>The whole final sequence (prompt and answer region, padding excluded; mask id where left masked).</summary>
    public IReadOnlyList<int> Tokens { get; }

    /// <summary>
    /// The answer: the answer region with each variable-length slot cut at its first EOS/EoT/pad and, when
    /// <see cref="SamplerOptions.TruncateAtEos"/> is set, everything from the first EOS/EoT on removed.
    /// </summary>
    public IReadOnlyList<int> AnswerTokens { get; }

    /// <summary>The decoded slots, in order.</summary>
    public IReadOnlyList<SlotResult> Slots { get; }

    /// <summary>Why the row ended.</summary>
    public FinishReason FinishReason { get; }
}
