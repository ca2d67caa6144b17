using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using SkDiffusion.SemanticKernel.Infilling;

namespace SkDiffusion.Examples.HostedService;

/// <summary>Runs <see cref="HostedDemo"/> once, then stops the host.</summary>
internal sealed class AnswerWorker(IChatClient chat, DiffusionInfillingService infilling, IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await HostedDemo.RunAsync(chat, infilling, Console.Out, stoppingToken);
        lifetime.StopApplication();
    }
}
