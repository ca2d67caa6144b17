namespace SkDiffusion.Extensions.AI;

/// <summary>The figures of one chat request, for usage, telemetry and logs.</summary>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Answer tokens kept (after stop-sequence cuts).</param>
/// <param name="Nfe">Denoiser forward passes.</param>
/// <param name="Steps">Sampling steps.</param>
/// <param name="DecodedPositions">Answer positions decoded (canvas positions filled by the runs).</param>
/// <param name="CacheRefreshes">Denoiser calls that rebuilt the key/value cache (<see cref="Sampling.SamplingResult.CacheRefreshes"/>).</param>
internal readonly record struct DiffusionRunFigures(int InputTokens, int OutputTokens, int Nfe, int Steps, int DecodedPositions, int CacheRefreshes);
