using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Google.Protobuf;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Remote;
using SkDiffusion.Remote.Protocol;
using SkDiffusion.Remote.Server;
using SkDiffusion.Tests.Equivalence;
using static SkDiffusion.Tests.Remote.RemoteTestSupport;

namespace SkDiffusion.Tests.Remote;

/// <summary>A stopped server, a missing model, another model and a malformed response each give a specific error.</summary>
public sealed class RemoteFailureTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    private DenoiserInput SmallInput()
    {
        long[] tokens = [.. model.Prompt("Hello").Select(t => (long)t)];
        return new DenoiserInput(tokens, 1, tokens.Length, default, new[] { tokens.Length - 1 });
    }

    [Fact]
    public async Task A_server_stopped_mid_request_gives_a_clear_error_within_the_deadline()
    {
        var slow = new PlainDenoiser(model.Denoiser, TimeSpan.FromSeconds(30));
        var host = await RemoteDenoiserHost.StartAsync(slow, model.Package.Manifest, new RemoteDenoiserHostOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(100) });
        var options = ClientOptions(host);
        options.Deadline = TimeSpan.FromSeconds(3);
        options.MaxRetries = 2;
        using var remote = await RemoteDenoiser.ConnectAsync(model.Package.Manifest, options);

        var watch = Stopwatch.StartNew();
        Task<DenoiserOutput> step = remote.DenoiseAsync(SmallInput()).AsTask();
        while (Volatile.Read(ref slow.Calls) == 0 && watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }

        await host.DisposeAsync();
        var ex = await Assert.ThrowsAsync<RemoteServerUnavailableException>(() => step);

        Assert.True(watch.Elapsed < options.Deadline + TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Contains(host.ModelName, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_server_gives_a_server_unavailable_error()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var options = new RemoteDenoiserOptions { Endpoint = new Uri($"http://127.0.0.1:{port}"), ModelName = "tiny-llada", MaxRetries = 1, Deadline = TimeSpan.FromSeconds(3) };

        var ex = await Assert.ThrowsAsync<RemoteServerUnavailableException>(() => RemoteDenoiser.ConnectAsync(model.Package.Manifest, options));

        Assert.Contains("2 attempt(s)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_model_gives_a_model_not_found_error()
    {
        await using var host = await RemoteDenoiserHost.StartAsync(model.Denoiser, model.Package.Manifest);
        var options = ClientOptions(host);
        options.ModelName = "no-such-model";

        var ex = await Assert.ThrowsAsync<RemoteModelNotFoundException>(() => RemoteDenoiser.ConnectAsync(model.Package.Manifest, options));

        Assert.Contains("no-such-model", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_vocabulary_gives_a_shape_mismatch_error()
    {
        await using var host = await RemoteDenoiserHost.StartAsync(model.Denoiser, model.Package.Manifest);
        ModelManifest other = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(Path.Combine(EmbeddedModel.PackageDirectory, "manifest.json")))!;
        other.VocabSize += 7;

        var ex = await Assert.ThrowsAsync<RemoteShapeMismatchException>(() => RemoteDenoiser.ConnectAsync(other, ClientOptions(host)));

        Assert.Contains("vocab_size", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("shape")]
    [InlineData("datatype")]
    [InlineData("missing")]
    public async Task A_malformed_response_is_refused(string corruption)
    {
        await using var host = await RemoteDenoiserHost.StartAsync(model.Denoiser, model.Package.Manifest);
        var options = ClientOptions(host);
        using var channel = GrpcChannel.ForAddress(host.Address);
        using var remote = await RemoteDenoiser.ConnectCoreAsync(null, channel.Intercept(new Corrupting(corruption)), model.Package.Manifest, options, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<RemoteDenoiserException>(async () => await remote.DenoiseAsync(SmallInput()));

        Assert.Contains("malformed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_stops_a_step()
    {
        var slow = new PlainDenoiser(model.Denoiser, TimeSpan.FromSeconds(30));
        await using var host = await RemoteDenoiserHost.StartAsync(slow, model.Package.Manifest, new RemoteDenoiserHostOptions { ShutdownTimeout = TimeSpan.Zero });
        using var remote = await RemoteDenoiser.ConnectAsync(model.Package.Manifest, ClientOptions(host));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await remote.DenoiseAsync(SmallInput(), cts.Token));
    }

    [Fact]
    public async Task Bad_options_are_named()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => RemoteDenoiser.ConnectAsync(model.Package.Manifest, new RemoteDenoiserOptions { Endpoint = new Uri("http://localhost:1") }));
        Assert.Contains("ModelName", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Breaks the logits of every ModelInfer response in one way.</summary>
    private sealed class Corrupting(string how) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            var call = continuation(request, context);
            return new AsyncUnaryCall<TResponse>(Corrupt(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
        }

        private async Task<TResponse> Corrupt<TResponse>(Task<TResponse> pending)
        {
            TResponse response = await pending;
            if (response is ModelInferResponse infer)
            {
                switch (how)
                {
                    case "truncated":
                        infer.RawOutputContents[0] = ByteString.CopyFrom(infer.RawOutputContents[0].Span[..^4]);
                        break;
                    case "shape":
                        infer.Outputs[0].Shape[1] += 1;
                        break;
                    case "datatype":
                        infer.Outputs[0].Datatype = "FP16";
                        break;
                    default:
                        infer.Outputs.Clear();
                        infer.RawOutputContents.Clear();
                        break;
                }
            }

            return response;
        }
    }
}
