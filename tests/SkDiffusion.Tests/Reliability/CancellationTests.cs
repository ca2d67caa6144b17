using Microsoft.Extensions.AI;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Tests.Equivalence;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// A token cancelled mid-generation (after denoiser step k) makes the chat client throw
/// <see cref="OperationCanceledException"/> with at most one more denoiser step, and the same client then gives the same
/// answer as a fresh one.
/// </summary>
public sealed class CancellationTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    private static readonly ChatOptions Options = new()
    {
        MaxOutputTokens = 16,
        Seed = 42,
        Temperature = 0.7f,
        // No early stop at EOS and no trailing-EOS commit, so every run takes all 16 steps and each cancellation point is
        // mid-generation.
        AdditionalProperties = new() { ["steps"] = 16, ["block_length"] = 8, ["stop_at_eos"] = false, ["trailing_eos_threshold"] = 0 },
    };

    /// <summary>(step after which the token is cancelled, streaming or not).</summary>
    /// <remarks>Streaming stops at the first EOS once its block (8 steps) is complete, so its points lie in the first block.</remarks>
    public static TheoryData<int, bool> Points => new() { { 1, false }, { 5, false }, { 9, false }, { 14, false }, { 2, true }, { 6, true } };

    [Theory]
    [MemberData(nameof(Points))]
    public async Task Cancelling_after_step_k_throws_promptly_and_leaves_the_client_usable(int k, bool streaming)
    {
        var counting = new CountingDenoiser(model.Denoiser);
        using var client = new DiffusionChatClient(DiffusionModel.Create(model.Package, counting));
        using var cts = new CancellationTokenSource();
        int cancelledAt = -1;
        counting.BeforeCall = call =>
        {
            if (call == k + 1)
            {
                // Step k has finished: cancel before step k + 1 runs (as a progress callback after step k would).
                cancelledAt = k;
                cts.Cancel();
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            if (streaming)
            {
                await foreach (var _ in client.GetStreamingResponseAsync("Tell me about the sea.", Options, cts.Token))
                {
                }
            }
            else
            {
                await client.GetResponseAsync("Tell me about the sea.", Options, cts.Token);
            }
        });

        Assert.Equal(k, cancelledAt);
        Assert.InRange(counting.Calls - k, 0, 1);

        counting.BeforeCall = null;
        var again = await client.GetResponseAsync("Tell me about the sea.", Options);
        using var fresh = new DiffusionChatClient(DiffusionModel.Create(model.Package, model.Denoiser));
        var expected = await fresh.GetResponseAsync("Tell me about the sea.", Options);

        Assert.Equal(expected.Text, again.Text);
        Assert.Equal(expected.Usage!.AdditionalCounts!["nfe"], again.Usage!.AdditionalCounts!["nfe"]);
        Assert.True(expected.Usage.AdditionalCounts["nfe"] > k, "the generation must be longer than the cancellation point");
    }

    [Fact]
    public async Task A_token_cancelled_before_the_call_runs_no_step()
    {
        var counting = new CountingDenoiser(model.Denoiser);
        using var client = new DiffusionChatClient(DiffusionModel.Create(model.Package, counting));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("Hi", Options, new CancellationToken(canceled: true)));

        Assert.Equal(0, counting.Calls);
    }
}
