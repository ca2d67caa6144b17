using Microsoft.Extensions.AI;
using SkDiffusion.Extensions.AI;

namespace SkDiffusion.Tests.Conformance;

/// <summary>Real async: generation runs off the caller's thread, concurrent calls overlap, cancellation after the call lands within a step.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class AsyncConformanceTests(EmbeddedChatFixture fixture)
{
    [ThreadStatic]
    private static bool s_insideCall;

    [Fact]
    public async Task The_returned_task_is_pending_while_the_model_works()
    {
        var (model, denoiser) = fixture.Observed();
        denoiser.Delay = TimeSpan.FromMilliseconds(50);
        using var client = new DiffusionChatClient(model);
        // Whether a denoiser call ran inside GetResponseAsync's synchronous part, on the caller's thread (a thread-static
        // flag: a later call on a pool thread that happens to be the same thread sees it cleared).
        bool? ranInsideTheCall = null;
        denoiser.BeforeCall = _ => ranInsideTheCall ??= s_insideCall;
        s_insideCall = true;
        Task<ChatResponse> task;
        try
        {
            task = client.GetResponseAsync("Hello!", new ChatOptions { MaxOutputTokens = 8, Seed = 1, AdditionalProperties = new() { ["steps"] = 4 } });
        }
        finally
        {
            s_insideCall = false;
        }

        Assert.False(task.IsCompleted, "GetResponseAsync returned a completed task: the work ran on the caller's thread");
        var response = await task;
        Assert.NotNull(response.Text);
        Assert.False(ranInsideTheCall, "the first denoiser call ran synchronously inside GetResponseAsync on the caller's thread");
    }

    [Fact]
    public async Task Thirty_two_concurrent_calls_overlap_and_all_complete()
    {
        var (model, denoiser) = fixture.Observed(maxConcurrentRequests: 4);
        denoiser.Delay = TimeSpan.FromMilliseconds(20);
        using var client = new DiffusionChatClient(model);
        var tasks = Enumerable.Range(0, 32).Select(i => client.GetResponseAsync("Hello!", new ChatOptions { MaxOutputTokens = 2, Seed = i, AdditionalProperties = new() { ["steps"] = 2 } })).ToList();
        Assert.True(tasks.Count(t => !t.IsCompleted) >= 28, "the calls ran one after another on the caller's thread");
        var responses = await Task.WhenAll(tasks);
        Assert.Equal(32, responses.Length);
        Assert.All(responses, r => Assert.Equal(2, r.Usage!.AdditionalCounts!["nfe"]));
        Assert.True(denoiser.MaxInFlight > 1, $"at most {denoiser.MaxInFlight} denoiser call ran at a time");
        Assert.InRange(denoiser.MaxInFlight, 2, 4);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancel_after_the_call_stops_within_a_step(bool streaming)
    {
        var (model, denoiser) = fixture.Observed();
        denoiser.Delay = TimeSpan.FromMilliseconds(30);
        using var client = new DiffusionChatClient(model);
        var options = new ChatOptions { MaxOutputTokens = 32, Seed = 1, AdditionalProperties = new() { ["steps"] = 32, ["stop_at_eos"] = false } };
        using var cts = new CancellationTokenSource();
        int atCancel = -1;
        cts.Token.Register(() => atCancel = denoiser.Calls);

        // Cancel while the third denoiser call is in flight: deterministic, and independent of timer threads, which a
        // busy two-core machine may not run for a while.
        denoiser.BeforeCall = call =>
        {
            if (call == 3)
            {
                cts.Cancel();
            }
        };
        Task run = streaming
            ? Task.Run(async () => { await foreach (var _ in client.GetStreamingResponseAsync("Who are you?", options, cts.Token)) { } })
            : client.GetResponseAsync("Who are you?", options, cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(atCancel >= 3);
        Assert.InRange(denoiser.Calls - atCancel, 0, 1);
        Assert.True(denoiser.Calls < 32);
    }

    [Fact]
    public async Task Cancel_after_before_the_work_starts_cancels_a_queued_call()
    {
        var (model, denoiser) = fixture.Observed(maxConcurrentRequests: 1);
        using var release = new ManualResetEventSlim(false);
        denoiser.BeforeCall = call =>
        {
            if (call == 1)
            {
                // The first request holds the only generation slot until the queued one has been cancelled.
                release.Wait(TimeSpan.FromSeconds(60));
            }
        };
        using var client = new DiffusionChatClient(model);
        var first = client.GetResponseAsync("Hello!", new ChatOptions { MaxOutputTokens = 4, Seed = 1, AdditionalProperties = new() { ["steps"] = 2 } });
        using var cts = new CancellationTokenSource();
        var queued = client.GetResponseAsync("Hello!", new ChatOptions { MaxOutputTokens = 4, Seed = 2 }, cts.Token);
        Assert.False(queued.IsCompleted);
        cts.CancelAfter(TimeSpan.FromMilliseconds(10));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        release.Set();
        Assert.NotNull((await first).Text);
        Assert.Equal(2, denoiser.Calls);
    }
}
