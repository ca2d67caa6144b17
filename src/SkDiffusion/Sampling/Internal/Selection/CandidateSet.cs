namespace SkDiffusion.Sampling.Internal.Selection;

/// <summary>
/// The eligible masked positions of one row in one step, with the token each would take, its score and the chosen
/// flags a selection rule sets. Buffers are allocated once per run.
/// </summary>
internal sealed class CandidateSet(int capacity)
{
    /// <summary>Candidates in use.</summary>
    public int Count { get; set; }

    /// <summary>Real (unpadded) position of each candidate.</summary>
    public int[] Position { get; } = new int[capacity];

    /// <summary>Ranking group of each candidate (its slot with per-slot ranking, else 0).</summary>
    public int[] Group { get; } = new int[capacity];

    public int[] Token { get; } = new int[capacity];

    public double[] Score { get; } = new double[capacity];

    /// <summary>The model probability of the token.</summary>
    public double[] Probability { get; } = new double[capacity];

    /// <summary>The entropy (nats) of the position's score distribution, when a rule needs it.</summary>
    public double[] Entropy { get; } = new double[capacity];

    /// <summary>The key candidates are ranked by (the score, or the score with Gumbel noise).</summary>
    public double[] RankKey { get; } = new double[capacity];

    /// <summary>The ranking: candidate indices, grouped, best first.</summary>
    public int[] Order { get; } = new int[capacity];

    public bool[] Chosen { get; } = new bool[capacity];

    /// <summary>Clears the choice and resets the order to the identity.</summary>
    public void ResetChoice()
    {
        for (int i = 0; i < Count; i++)
        {
            Order[i] = i;
            Chosen[i] = false;
        }
    }
}
