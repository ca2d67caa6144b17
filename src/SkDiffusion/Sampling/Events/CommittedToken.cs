namespace SkDiffusion.Sampling.Events;

/// <summary>A token the sampler committed at a masked position.</summary>
/// <param name="Row">The canvas row.</param>
/// <param name="Position">The position within the row's sequence (0 = its first token, padding excluded).</param>
/// <param name="TokenId">The committed token.</param>
/// <param name="Score">The ranking score (see <see cref="Scoring.ScoreKind"/>); negative infinity for an EOS whose confidence was suppressed.</param>
/// <param name="Probability">The token's probability under the noise-free model distribution.</param>
public readonly record struct CommittedToken(int Row, int Position, int TokenId, double Score, double Probability);
