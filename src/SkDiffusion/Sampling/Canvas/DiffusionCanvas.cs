namespace SkDiffusion.Sampling.Canvas;

/// <summary>
/// The sampler's input: one or more sequences, each a prompt followed by an answer region of fixed template tokens and
/// masked slots. Sequences of different lengths are left-padded to <see cref="SequenceLength"/> with the pad token,
/// and the denoiser receives an attention mask (1 real, 0 padding).
/// </summary>
public sealed class DiffusionCanvas
{
    internal DiffusionCanvas(IReadOnlyList<CanvasSequence> sequences)
    {
        Sequences = sequences;
        SequenceLength = sequences.Max(s => s.Length);
    }

    /// <summary>
    /// The longest sequence a canvas may hold (prompt plus answer): 1,048,576 positions, far above any model's context.
    /// Longer layouts (e.g. answer lengths near <see cref="int.MaxValue"/>) are refused before anything is allocated.
    /// </summary>
    public const int MaxSequenceLength = 1 << 20;

    /// <summary>The sequences (batch rows), in order.</summary>
    public IReadOnlyList<CanvasSequence> Sequences { get; }

    /// <summary>Rows in the batch.</summary>
    public int BatchSize => Sequences.Count;

    /// <summary>Positions per row after left padding (the longest sequence).</summary>
    public int SequenceLength { get; }

    /// <summary>Whether some row is left-padded (then the denoiser gets an attention mask).</summary>
    public bool HasPadding => Sequences.Any(s => s.Length != SequenceLength);

    /// <summary>A canvas of one sequence: <paramref name="prompt"/> followed by <paramref name="answerLength"/> masks.</summary>
    /// <param name="prompt">Prompt token ids.</param>
    /// <param name="answerLength">Masked answer positions.</param>
    public static DiffusionCanvas FromPrompt(IReadOnlyList<int> prompt, int answerLength) =>
        new DiffusionCanvasBuilder().Add(prompt, answerLength).Build();

    /// <summary>
    /// A canvas of one sequence: <paramref name="prompt"/> followed by <paramref name="answerLength"/> masks that must
    /// spell a word of <paramref name="grammar"/> followed by end tokens; the model chooses every value's length.
    /// </summary>
    /// <param name="prompt">Prompt token ids.</param>
    /// <param name="answerLength">Masked answer positions (at least <see cref="Grammars.TokenGrammar.MinimumTokens"/>; see <see cref="Grammars.TokenGrammar.SuggestAnswerLength"/>).</param>
    /// <param name="grammar">The grammar of the answer.</param>
    /// <exception cref="ArgumentException">The answer is shorter than the grammar's shortest word.</exception>
    public static DiffusionCanvas FromPrompt(IReadOnlyList<int> prompt, int answerLength, Grammars.TokenGrammar grammar) =>
        new DiffusionCanvasBuilder().Add(prompt, answerLength, grammar).Build();

    /// <summary>A canvas of one sequence: <paramref name="prompt"/> followed by a template's answer layout.</summary>
    /// <param name="prompt">Prompt token ids.</param>
    /// <param name="template">Fixed tokens and masked slots.</param>
    public static DiffusionCanvas FromTemplate(IReadOnlyList<int> prompt, CanvasTemplate template) =>
        new DiffusionCanvasBuilder().Add(prompt, template).Build();

    /// <summary>Starts a builder for a batch of sequences.</summary>
    public static DiffusionCanvasBuilder CreateBuilder() => new();
}
