namespace SkDiffusion.Sampling.Constraints;

/// <summary>Where an <see cref="ILogitProcessor"/> is being applied.</summary>
/// <param name="Row">The canvas row (batch index).</param>
/// <param name="Position">The position within the row's sequence (0 = its first token, padding excluded).</param>
/// <param name="SlotIndex">The index of the template slot holding the position.</param>
/// <param name="Step">The sampler step (0-based).</param>
/// <param name="Tokens">The row's current tokens (mask id where still masked), padding excluded.</param>
public readonly record struct LogitProcessorContext(int Row, int Position, int SlotIndex, int Step, ReadOnlyMemory<long> Tokens);
