// The diffusion model behind dependency injection in a generic host: an IChatClient pipeline with logging and
// OpenTelemetry middleware, the infilling service on the same loaded model, and the traces and metrics (gen_ai
// attributes plus forward passes, steps, tokens per step, step duration, cache refreshes) printed by the OpenTelemetry
// console exporter when the host stops.
// Usage: dotnet run --project examples/SkDiffusion.HostedService
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.SemanticKernel;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SkDiffusion.DefaultModel;
using SkDiffusion.Examples.HostedService;
using SkDiffusion.Extensions.AI;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddDiffusionChatClient(EmbeddedModel.PackageDirectory)
    .UseLogging()
    .UseOpenTelemetry(sourceName: "SkDiffusion.HostedService");
builder.Services.AddDiffusionInfilling(EmbeddedModel.PackageDirectory); // shares the same loaded model
builder.Services.AddOpenTelemetry()
    .WithTracing(tracing => tracing.AddSource(DiffusionChatClient.TelemetrySourceName, "SkDiffusion.HostedService").AddConsoleExporter())
    .WithMetrics(metrics => metrics.AddMeter(DiffusionChatClient.TelemetrySourceName, "SkDiffusion.HostedService").AddConsoleExporter());
builder.Services.AddHostedService<AnswerWorker>();
await builder.Build().RunAsync();
