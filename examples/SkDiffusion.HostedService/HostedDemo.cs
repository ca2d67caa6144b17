using Microsoft.Extensions.AI;
using SkDiffusion.SemanticKernel.Infilling;

namespace SkDiffusion.Examples.HostedService;

/// <summary>What the hosted worker does: one chat answer and one infilling request on the shared model.</summary>
public static class HostedDemo
{
    /// <summary>The chat question (a fact of the embedded model's world).</summary>
    public const string Question = "What is the capital of Gebeivaith?";

    /// <summary>The document to fill.</summary>
    public const string Document = "Lina Varosk is 42 years old and works as a [[MASK:1]].";

    /// <summary>Asks <see cref="Question"/> and fills <see cref="Document"/>, printing both.</summary>
    /// <param name="chat">The chat client pipeline from dependency injection.</param>
    /// <param name="infilling">The infilling service (same loaded model).</param>
    /// <param name="output">Where the answers are printed.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <param name="question">The question (default <see cref="Question"/>).</param>
    /// <param name="answerLength">The answer's positions (default 24).</param>
    /// <returns>The chat answer's text.</returns>
    public static async Task<string> RunAsync(IChatClient chat, DiffusionInfillingService infilling, TextWriter output, CancellationToken cancellationToken, string question = Question, int answerLength = 24)
    {
        var answer = await chat.GetResponseAsync(question, new ChatOptions { MaxOutputTokens = answerLength }, cancellationToken);
        output.WriteLine($"chat:   {answer.Text.Trim()} ({answer.FinishReason}, {answer.Usage?.AdditionalCounts?["nfe"]} forward passes)");
        var filled = await infilling.InfillAsync(Document, cancellationToken: cancellationToken);
        output.WriteLine($"infill: {filled.Text}");
        return answer.Text.Trim();
    }
}
