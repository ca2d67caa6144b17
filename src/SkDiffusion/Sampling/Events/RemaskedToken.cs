namespace SkDiffusion.Sampling.Events;

/// <summary>A committed token that remasking (ReMDM) turned back into a mask.</summary>
/// <param name="Row">The canvas row.</param>
/// <param name="Position">The position within the row's sequence (padding excluded).</param>
/// <param name="PreviousTokenId">The token that was there.</param>
public readonly record struct RemaskedToken(int Row, int Position, int PreviousTokenId);
