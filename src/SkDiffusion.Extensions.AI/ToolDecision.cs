using Microsoft.Extensions.AI;
using SkDiffusion.Sampling;

namespace SkDiffusion.Extensions.AI;

/// <summary>The outcome of <see cref="ToolCallDecoder.DecideAsync"/>.</summary>
/// <param name="Call">The function call, or null when the model answers in text.</param>
/// <param name="Nfe">Forward passes spent on the decision and the arguments.</param>
/// <param name="Steps">Sampling steps spent.</param>
/// <param name="OutputTokens">Answer tokens of the arguments.</param>
/// <param name="Result">The last sampling run, if any.</param>
internal sealed record ToolDecision(FunctionCallContent? Call, int Nfe, int Steps, int OutputTokens, SamplingResult? Result)
{
    /// <summary>Answer in text; nothing was decoded.</summary>
    public static readonly ToolDecision Answer = new(null, 0, 0, 0, null);
}
