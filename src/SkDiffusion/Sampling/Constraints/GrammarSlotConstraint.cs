using SkDiffusion.Grammars;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Sampling.Constraints;

/// <summary>
/// Keeps one grammar slot of one row feasible: <see cref="Refresh"/> recomputes the feasibility sets from the row's
/// tokens once per step, then <see cref="Process"/> masks every token that would leave no valid completion.
/// </summary>
internal sealed class GrammarSlotConstraint : ILogitProcessor
{
    private readonly long _maskId;

    public GrammarSlotConstraint(CanvasSlot slot, TokenGrammar grammar, long maskId, bool search)
    {
        Slot = slot;
        Grammar = grammar;
        Pass = grammar.CreateFeasibility(slot.Length);
        Search = search && GrammarPathSearch.Fits(Pass.Automaton, slot.Length) ? new GrammarPathSearch(Pass.Automaton, Pass) : null;
        _maskId = maskId;
    }

    public CanvasSlot Slot { get; }

    public TokenGrammar Grammar { get; }

    public GrammarFeasibility Pass { get; }

    /// <summary>The path search over the step's distributions (<see cref="GrammarSearch.Path"/>), or null.</summary>
    public GrammarPathSearch? Search { get; }

    /// <summary>Recomputes the sets from the row's tokens (padding excluded); false when nothing valid is left.</summary>
    public bool Refresh(ReadOnlySpan<long> rowTokens)
    {
        Search?.Clear();
        return Pass.Compute(rowTokens.Slice(Slot.Start, Slot.Length), _maskId);
    }

    /// <inheritdoc />
    public void Process(in LogitProcessorContext context, Span<float> logits) => Pass.MaskLogits(context.Position - Slot.Start, logits);
}
