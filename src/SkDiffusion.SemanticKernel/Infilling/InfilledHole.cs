namespace SkDiffusion.SemanticKernel.Infilling;

/// <summary>One filled hole of an <see cref="InfillingResult"/>.</summary>
/// <param name="Index">The hole's index (0 = first hole of the document).</param>
/// <param name="Start">Where the filled text starts in <see cref="InfillingResult.Text"/>.</param>
/// <param name="Length">The length of the filled text.</param>
/// <param name="Text">The filled text.</param>
/// <param name="TokenCount">The tokens the hole received before its EOS padding (text past the hole's word or character count is cut from <paramref name="Text"/>).</param>
public sealed record InfilledHole(int Index, int Start, int Length, string Text, int TokenCount);
