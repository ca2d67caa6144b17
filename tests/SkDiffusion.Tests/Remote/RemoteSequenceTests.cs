using SkDiffusion.Denoising;
using SkDiffusion.Remote;
using SkDiffusion.Remote.Server;
using SkDiffusion.Tests.Equivalence;
using static SkDiffusion.Tests.Remote.RemoteTestSupport;

namespace SkDiffusion.Tests.Remote;

/// <summary>A block whose sequence the server dropped finishes statelessly, with exact logits.</summary>
public sealed class RemoteSequenceTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    [Fact]
    public async Task A_sequence_the_server_evicted_finishes_statelessly_with_exact_logits()
    {
        await using var host = await RemoteDenoiserHost.StartAsync(model.Denoiser, model.Package.Manifest, new RemoteDenoiserHostOptions { MaxSequences = 1 });
        using var remote = await RemoteDenoiser.ConnectAsync(model.Package.Manifest, ClientOptions(host, SequenceCacheMode.Server));
        ICachingDenoiser caching = remote;
        var sequence = Canvas(model, "Who founded Dunmarrow?", 8).Sequences[0];
        int length = sequence.Length, start = length - 4, n = 4;
        long[] tokens = Enumerable.Range(0, length).Select(i => (long)(sequence.GetToken(i) is int t and >= 0 ? t : model.Package.Manifest.TokenIds.Mask)).ToArray();
        long[] positions = Enumerable.Range(0, length).Select(i => (long)i).ToArray();
        long[] ones = Enumerable.Repeat(1L, length).ToArray();
        var open = new CachedDenoiserInput(tokens, positions, ones, 1, length, null, returnPresent: true);

        using CachedDenoiserOutput first = await caching.DenoiseWithCacheAsync(open);
        using CachedDenoiserOutput second = await caching.DenoiseWithCacheAsync(open); // holds the only slot: the first is evicted
        Assert.Equal(1, host.HeldSequences);
        long[] runMask = Enumerable.Repeat(1L, length + n).ToArray();
        Array.Clear(runMask, start, n);
        using CachedDenoiserOutput step = await caching.DenoiseWithCacheAsync(new CachedDenoiserInput(tokens[start..], positions[start..], runMask, 1, n, first.Present, returnPresent: false));

        using DenoiserOutput exact = await model.Denoiser.DenoiseAsync(new DenoiserInput(tokens, 1, length, default, Enumerable.Range(start, n).ToArray()));
        for (int j = 0; j < n; j++)
        {
            Assert.Equal(exact.GetLogits(0, start + j).ToArray(), step.Logits.GetLogits(0, j).ToArray());
        }

        first.Present!.Dispose();
        second.Present!.Dispose();
    }

    [Fact]
    public async Task A_past_from_elsewhere_is_refused_with_a_clear_error()
    {
        await using var host = await RemoteDenoiserHost.StartAsync(model.Denoiser, model.Package.Manifest);
        using var remote = await RemoteDenoiser.ConnectAsync(model.Package.Manifest, ClientOptions(host));
        using var foreign = KvCache.CreateEmpty(model.Package.Manifest.NumLayers, 1, model.Package.Manifest.NumKvHeads, model.Package.Manifest.HeadDim, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float);

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await ((ICachingDenoiser)remote).DenoiseWithCacheAsync(new CachedDenoiserInput(new long[] { 1 }, new long[] { 0 }, new long[] { 1 }, 1, 1, foreign, returnPresent: false)));

        Assert.Contains("not returned by this RemoteDenoiser", ex.Message, StringComparison.Ordinal);
    }
}
