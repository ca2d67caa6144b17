namespace SkDiffusion.SemanticKernel.Infilling;

/// <summary>The result of <see cref="DiffusionInfillingService"/> infilling: the document with every hole filled.</summary>
/// <param name="Text">The filled document (the text around the holes is unchanged).</param>
/// <param name="Holes">Each hole's span in <paramref name="Text"/>, in document order.</param>
/// <param name="Nfe">Denoiser passes used.</param>
public sealed record InfillingResult(string Text, IReadOnlyList<InfilledHole> Holes, int Nfe);
