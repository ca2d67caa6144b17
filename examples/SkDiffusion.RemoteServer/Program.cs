using System.CommandLine;
using System.Net;
using Microsoft.Extensions.AI;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Packaging;
using SkDiffusion.Remote;
using SkDiffusion.Remote.Server;

// Serves a model package's denoiser over the Open Inference Protocol (KServe v2 gRPC) for small deployments and trials;
// production serving belongs to Triton Inference Server or KServe (docs/remote.md).
//   dotnet run -c Release --project examples/SkDiffusion.RemoteServer -- [--package DIR] [--port 8001] [--any] [--name NAME]
//   ... -- --ask "What is the capital of Gebeivaith?"   serves, answers the question through a remote client, stops
// Clients: RemoteDenoiser.ConnectAsync(manifest, new RemoteDenoiserOptions { Endpoint = new("http://host:8001"), ModelName = NAME }).
Option<string?> packageOption = ExampleCommandLine.ExistingDirectory("--package", "Model package folder (default: the embedded model).");
Option<int> portOption = ExampleCommandLine.Integer("--port", 8001, 0, "TCP port of the gRPC endpoint (0 = any free port).");
Option<bool> anyOption = new("--any") { Description = "Listen on every network interface instead of loopback only." };
Option<string?> nameOption = new("--name") { Description = "Model name the server publishes (default: from the manifest).", HelpName = "name" };
Option<string?> askOption = new("--ask") { Description = "Answer this question through a chat client whose denoiser is this server, then stop.", HelpName = "question" };
ParseResult parsed = new RootCommand("Serves a model package's denoiser over the Open Inference Protocol (gRPC).") { packageOption, portOption, anyOption, nameOption, askOption }.Parse(args);
if (ExampleCommandLine.Handle(parsed) is int exit)
{
    return exit;
}

var package = ModelPackage.Load(parsed.GetValue(packageOption) ?? EmbeddedModel.PackageDirectory);
using var denoiser = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { Warning = Console.Error.WriteLine });
var options = new RemoteDenoiserHostOptions
{
    ListenAddress = parsed.GetValue(anyOption) ? IPAddress.Any : IPAddress.Loopback,
    Port = parsed.GetValue(portOption),
    ModelName = parsed.GetValue(nameOption),
};
await using var host = await RemoteDenoiserHost.StartAsync(denoiser, package.Manifest, options);
Console.WriteLine($"Serving '{host.ModelName}' ({package.Manifest.Name}, {denoiser.ActiveProvider}, sequence cache {(denoiser.SupportsCache ? "on" : "off")}) at {host.Address}.");

if (parsed.GetValue(askOption) is string question)
{
    // The application side: the sampler runs here, only the forward passes cross the wire.
    using var remote = await RemoteDenoiser.ConnectAsync(package.Manifest, new RemoteDenoiserOptions { Endpoint = host.Address, ModelName = host.ModelName });
    using var model = DiffusionModel.Create(package, remote);
    using IChatClient client = new DiffusionChatClient(model);
    var answer = await client.GetResponseAsync(question);
    Console.WriteLine($"> {question}");
    Console.WriteLine($"Remote answer ({remote.ActiveSequenceCache} sequence cache): {answer.Text}");
    return 0;
}

Console.WriteLine("Ctrl+C stops.");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
await stop.Task;
return 0;
