using System.Globalization;
using System.Net;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Remote.Server;

// Serves a model package's denoiser over the Open Inference Protocol (KServe v2 gRPC) for small deployments and trials;
// production serving belongs to Triton Inference Server or KServe (docs/remote.md).
//   dotnet run -c Release --project examples/SkDiffusion.RemoteServer -- [--package DIR] [--port 8001] [--any] [--name NAME]
// Clients: RemoteDenoiser.ConnectAsync(manifest, new RemoteDenoiserOptions { Endpoint = new("http://host:8001"), ModelName = NAME }).
string? Arg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

var package = ModelPackage.Load(Arg("--package") ?? EmbeddedModel.PackageDirectory);
using var denoiser = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { Warning = Console.Error.WriteLine });
var options = new RemoteDenoiserHostOptions
{
    ListenAddress = args.Contains("--any") ? IPAddress.Any : IPAddress.Loopback,
    Port = int.Parse(Arg("--port") ?? "8001", CultureInfo.InvariantCulture),
    ModelName = Arg("--name"),
};
await using var host = await RemoteDenoiserHost.StartAsync(denoiser, package.Manifest, options);
Console.WriteLine($"Serving '{host.ModelName}' ({package.Manifest.Name}, {denoiser.ActiveProvider}, sequence cache {(denoiser.SupportsCache ? "on" : "off")}) at {host.Address}. Ctrl+C stops.");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
await stop.Task;
