// Registers the diffusion services in a generic host (dependency injection) and answers from a hosted service.
// Usage: dotnet run --project examples/SkDiffusion.HostedService
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SkDiffusion.DefaultModel;
using SkDiffusion.SemanticKernel.Extensions;
using SkDiffusion.SemanticKernel.Infilling;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddDiffusionChatCompletion(EmbeddedModel.PackageDirectory); // IChatClient + IChatCompletionService
builder.Services.AddDiffusionInfilling(EmbeddedModel.PackageDirectory);      // shares the same loaded model
builder.Services.AddHostedService<AnswerWorker>();
await builder.Build().RunAsync();

/// <summary>Answers one question and one infilling request, then stops the host.</summary>
internal sealed class AnswerWorker(IChatClient chat, DiffusionInfillingService infilling, IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var answer = await chat.GetResponseAsync("What is the currency of Japan?", new ChatOptions { MaxOutputTokens = 32 }, stoppingToken);
        Console.WriteLine($"chat:   {answer.Text} ({answer.FinishReason})");
        var filled = await infilling.InfillAsync("The capital of Italy is [[MASK:1]].", cancellationToken: stoppingToken);
        Console.WriteLine($"infill: {filled.Text}");
        lifetime.StopApplication();
    }
}
