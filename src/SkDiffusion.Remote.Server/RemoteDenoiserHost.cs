using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Remote.Server.Internal;

namespace SkDiffusion.Remote.Server;

/// <summary>
/// Serves one denoiser over the Open Inference Protocol's gRPC API (KServe v2) on ASP.NET Core Kestrel, plain HTTP/2.
/// When the denoiser can cache (an <see cref="OnnxDenoiser"/> over a package with <c>has_cache</c>), the server keeps
/// each block's keys and values under the request's <c>sequence_id</c> and lists the <c>sequence_kv_cache</c>
/// extension. Meant for tests and small deployments; production serving belongs to Triton Inference Server or KServe
/// (see <c>docs/remote.md</c>).
/// </summary>
public sealed class RemoteDenoiserHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SequenceStore _sequences;
    private readonly TimeSpan _shutdownTimeout;
    private int _stopped;

    private RemoteDenoiserHost(WebApplication app, SequenceStore sequences, Uri address, string modelName, TimeSpan shutdownTimeout)
    {
        _app = app;
        _sequences = sequences;
        Address = address;
        ModelName = modelName;
        _shutdownTimeout = shutdownTimeout;
    }

    /// <summary>The address clients connect to, e.g. <c>http://127.0.0.1:50051</c>.</summary>
    public Uri Address { get; }

    /// <summary>The name the model is served under.</summary>
    public string ModelName { get; }

    /// <summary>Sequences (cached blocks) held now.</summary>
    public int HeldSequences => _sequences.Count;

    /// <summary>Starts serving <paramref name="denoiser"/>; the caller keeps owning it and disposes it after stopping the host.</summary>
    /// <param name="denoiser">The denoiser whose forward pass is served.</param>
    /// <param name="manifest">The package's manifest (vocabulary, model name).</param>
    /// <param name="options">Address, port, model name and version, sequence limits.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="IOException">The port is taken.</exception>
    public static async Task<RemoteDenoiserHost> StartAsync(IDenoiser denoiser, ModelManifest manifest, RemoteDenoiserHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(manifest);
        options ??= new RemoteDenoiserHostOptions();
        options.Validate();
        string name = options.ModelName ?? manifest.Name[(manifest.Name.LastIndexOf('/') + 1)..];
        var sequences = new SequenceStore(options.MaxSequences, options.SequenceIdleTimeout);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Socket reads and writes continue on the thread that completed them instead of hopping through Kestrel's I/O
        // queues: fewer thread hand-offs per step (docs/remote.md measures it). Application code is not affected: each
        // HTTP/2 request, and so each denoiser call, still runs on its own thread-pool work item.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.ListenAddress, options.Port, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.MaxRequestBodySize = options.MaxMessageBytes;
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
            grpc.MaxSendMessageSize = options.MaxMessageBytes;
            grpc.EnableDetailedErrors = true;
        });
        builder.Services.AddSingleton(new ServedModel(denoiser, manifest, name, options.ModelVersion, sequences));
        WebApplication app = builder.Build();
        app.MapGrpcService<InferenceService>();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            sequences.Dispose();
            throw;
        }

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RemoteDenoiserHost(app, sequences, new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal)), name, options.ShutdownTimeout);
    }

    /// <summary>
    /// Stops serving: waits up to <see cref="RemoteDenoiserHostOptions.ShutdownTimeout"/> for requests in flight, then
    /// aborts them (their clients see the server as unavailable), and frees the held sequences.
    /// </summary>
    /// <param name="cancellationToken">Aborts requests in flight at once.</param>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_shutdownTimeout);
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Requests still in flight were aborted.
        }

        _sequences.Dispose();
    }

    /// <summary>Stops the host (see <see cref="StopAsync"/>) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
