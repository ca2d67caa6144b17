using SkDiffusion.Sampling.Events;

namespace SkDiffusion.Sampling.Guidance;

/// <summary>One candidate commit of one row, offered to an <see cref="IRewardScorer"/>.</summary>
public sealed class RewardCandidate
{
    internal RewardCandidate(int row, int step, int index, ReadOnlyMemory<long> tokens, IReadOnlyList<CommittedToken> commits, int promptLength)
    {
        Row = row;
        Step = step;
        CandidateIndex = index;
        Tokens = tokens;
        Commits = commits;
        PromptLength = promptLength;
    }

    /// <summary>The canvas row.</summary>
    public int Row { get; }

    /// <summary>The sampler step.</summary>
    public int Step { get; }

    /// <summary>The candidate's index among the step's candidates (0-based).</summary>
    public int CandidateIndex { get; }

    /// <summary>The row's tokens with this candidate's commits applied (mask id where still masked; padding excluded).</summary>
    public ReadOnlyMemory<long> Tokens { get; }

    /// <summary>The prompt length: the answer region starts here in <see cref="Tokens"/>.</summary>
    public int PromptLength { get; }

    /// <summary>The positions and tokens this candidate commits.</summary>
    public IReadOnlyList<CommittedToken> Commits { get; }
}
