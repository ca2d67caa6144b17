using SkDiffusion.Sampling;

namespace SkDiffusion.Extensions.AI;

/// <summary>A decoded JSON answer.</summary>
/// <param name="Json">The JSON text.</param>
/// <param name="Result">The sampling run that produced it.</param>
/// <param name="Nfe">Forward passes in all (a rejected free-form attempt included).</param>
/// <param name="OutputTokens">The answer tokens kept.</param>
internal sealed record JsonAnswer(string Json, SamplingResult Result, int Nfe, int OutputTokens);
