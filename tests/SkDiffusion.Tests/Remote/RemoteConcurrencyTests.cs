using SkDiffusion.Remote;
using SkDiffusion.Remote.Server;
using SkDiffusion.Sampling;
using SkDiffusion.Tests.Equivalence;
using static SkDiffusion.Tests.Remote.RemoteTestSupport;

namespace SkDiffusion.Tests.Remote;

/// <summary>Many clients at once against one loopback server get what they get one at a time.</summary>
public sealed class RemoteConcurrencyTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    private static readonly string[] Questions =
    [
        "What is the capital of Gebeivaith?",
        "Who founded Dunmarrow?",
        "Name a river in Ostrevane.",
        "What does Keld Varun sell?",
    ];

    [Fact]
    public async Task Thirty_two_concurrent_clients_get_the_sequential_results()
    {
        await using var host = await RemoteDenoiserHost.StartAsync(model.Denoiser, model.Package.Manifest);
        var modes = new[] { CacheMode.None, CacheMode.Prefix, CacheMode.Dual };
        (string Question, CacheMode Mode)[] jobs = Enumerable.Range(0, 32).Select(i => (Questions[i % Questions.Length], modes[i % modes.Length])).ToArray();

        var sequential = new Dictionary<(string, CacheMode), IReadOnlyList<int>>();
        using (var one = await RemoteDenoiser.ConnectAsync(model.Package.Manifest, ClientOptions(host)))
        {
            foreach (var job in jobs.Distinct())
            {
                sequential[job] = await DecodeAsync(one, model, Canvas(model, job.Question, 8), job.Mode, steps: 8);
            }
        }

        using var start = new SemaphoreSlim(0);
        Task<IReadOnlyList<int>>[] runs = jobs.Select(job => Task.Run(async () =>
        {
            using var client = await RemoteDenoiser.ConnectAsync(model.Package.Manifest, ClientOptions(host));
            await start.WaitAsync();
            return await DecodeAsync(client, model, Canvas(model, job.Question, 8), job.Mode, steps: 8);
        })).ToArray();
        start.Release(jobs.Length);
        IReadOnlyList<int>[] concurrent = await Task.WhenAll(runs);

        for (int i = 0; i < jobs.Length; i++)
        {
            Assert.Equal(sequential[jobs[i]], concurrent[i]);
        }
    }
}
