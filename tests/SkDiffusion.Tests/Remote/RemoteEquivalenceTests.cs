using SkDiffusion.Remote;
using SkDiffusion.Remote.Server;
using SkDiffusion.Sampling;
using SkDiffusion.Tests.Equivalence;
using static SkDiffusion.Tests.Remote.RemoteTestSupport;

namespace SkDiffusion.Tests.Remote;

/// <summary>Generation through a loopback Open Inference Protocol server gives the local tokens, cached and uncached.</summary>
public sealed class RemoteEquivalenceTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    private const string Question = "What is the capital of Gebeivaith?";

    [Theory]
    [InlineData(CacheMode.None)]
    [InlineData(CacheMode.Prefix)]
    [InlineData(CacheMode.Dual)]
    public async Task Remote_tokens_equal_local_tokens(CacheMode mode)
    {
        var canvas = Canvas(model, Question);
        IReadOnlyList<int> local = await DecodeAsync(model.Denoiser, model, canvas, mode);
        await using var host = await RemoteDenoiserHost.StartAsync(model.Denoiser, model.Package.Manifest);
        using var remote = await RemoteDenoiser.ConnectAsync(model.Package.Manifest, ClientOptions(host));

        IReadOnlyList<int> tokens = await DecodeAsync(remote, model, canvas, mode);

        Assert.Equal(SequenceCacheMode.Server, remote.ActiveSequenceCache);
        Assert.Equal(local, tokens);
    }

    [Fact]
    public async Task Sequences_are_held_during_a_block_and_released_after_the_run()
    {
        await using var host = await RemoteDenoiserHost.StartAsync(model.Denoiser, model.Package.Manifest);
        using var remote = await RemoteDenoiser.ConnectAsync(model.Package.Manifest, ClientOptions(host, SequenceCacheMode.Server));
        int heldMidRun = 0;
        var options = Options(CacheMode.Prefix);
        options.OnStep = _ => heldMidRun = Math.Max(heldMidRun, host.HeldSequences);

        await DiffusionSampler.Create(remote, model.Package.Manifest).SampleAsync(Canvas(model, Question), options);

        // One block's sequence at a time; the previous block's end travels in the background, so two may overlap briefly.
        Assert.InRange(heldMidRun, 1, 2);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (host.HeldSequences > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, host.HeldSequences);
    }

    [Theory]
    [InlineData(CacheMode.Prefix)]
    [InlineData(CacheMode.Dual)]
    public async Task Without_server_sequences_cached_steps_run_statelessly_and_exactly(CacheMode mode)
    {
        // A server that keeps no state (as Triton's ONNX Runtime backend): every cached step ships the whole canvas and
        // reads back only the window's logits, so the tokens are those of the exact, uncached local run.
        var canvas = Canvas(model, Question);
        IReadOnlyList<int> exact = await DecodeAsync(model.Denoiser, model, canvas, CacheMode.None);
        var plain = new PlainDenoiser(model.Denoiser);
        await using var host = await RemoteDenoiserHost.StartAsync(plain, model.Package.Manifest);
        using var remote = await RemoteDenoiser.ConnectAsync(model.Package.Manifest, ClientOptions(host));

        IReadOnlyList<int> tokens = await DecodeAsync(remote, model, canvas, mode);

        Assert.Equal(SequenceCacheMode.Stateless, remote.ActiveSequenceCache);
        Assert.Equal(exact, tokens);
        Assert.Equal(0, host.HeldSequences);
    }

    [Fact]
    public async Task Asking_for_server_sequences_of_a_stateless_server_fails_at_connect()
    {
        await using var host = await RemoteDenoiserHost.StartAsync(new PlainDenoiser(model.Denoiser), model.Package.Manifest);

        var ex = await Assert.ThrowsAsync<RemoteDenoiserException>(() => RemoteDenoiser.ConnectAsync(model.Package.Manifest, ClientOptions(host, SequenceCacheMode.Server)));

        Assert.Contains("sequence_kv_cache", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_asked_logits_cross_the_wire_and_match_local_ones()
    {
        await using var host = await RemoteDenoiserHost.StartAsync(model.Denoiser, model.Package.Manifest);
        using var remote = await RemoteDenoiser.ConnectAsync(model.Package.Manifest, ClientOptions(host));
        var sequence = Canvas(model, Question).Sequences[0];
        long[] tokens = Enumerable.Range(0, sequence.Length).Select(i => (long)(sequence.GetToken(i) is int t and >= 0 ? t : model.Package.Manifest.TokenIds.Mask)).ToArray();
        var input = new SkDiffusion.Denoising.DenoiserInput(tokens, 1, tokens.Length, default, new[] { tokens.Length - 2, tokens.Length - 1 });

        using var local = await model.Denoiser.DenoiseAsync(input);
        using var wire = await remote.DenoiseAsync(input);

        Assert.Equal(2, wire.PositionsPerRow);
        Assert.False(wire.HasLogits(0, 0));
        Assert.Equal(local.GetLogits(0, tokens.Length - 1).ToArray(), wire.GetLogits(0, tokens.Length - 1).ToArray());
    }
}
