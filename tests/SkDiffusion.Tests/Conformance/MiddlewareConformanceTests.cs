using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkDiffusion.Denoising;
using SkDiffusion.Extensions.AI;

namespace SkDiffusion.Tests.Conformance;

/// <summary>The client in Microsoft.Extensions.AI pipelines: dependency injection, caching, logging, OpenTelemetry, and its own telemetry.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class MiddlewareConformanceTests(EmbeddedChatFixture fixture)
{
    private static ChatOptions Small() => new() { MaxOutputTokens = 4, Seed = 1, AdditionalProperties = new() { ["steps"] = 2 } };

    [Fact]
    public async Task Add_diffusion_chat_client_returns_a_builder_that_composes_middleware()
    {
        var logs = new ListLoggerProvider();
        var cache = new DictionaryDistributedCache();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(logs);
        services.AddSingleton<IDistributedCache>(cache);
        var functionCalls = 0;
        services.AddDiffusionChatClient(EmbeddedChatFixture.PackageDirectory, new DiffusionModelOptions { Denoiser = new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 } })
            .UseLogging()
            .UseOpenTelemetry()
            .UseFunctionInvocation(configure: f => f.FunctionInvoker = (ctx, ct) => { functionCalls++; return ValueTask.FromResult<object?>(null); })
            .UseDistributedCache();
        services.AddKeyedDiffusionChatClient("other", EmbeddedChatFixture.PackageDirectory);
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IChatClient>();
        Assert.NotNull(client.GetService<DiffusionChatClient>());
        Assert.NotNull(client.GetService<FunctionInvokingChatClient>());
        Assert.NotNull(client.GetService<DistributedCachingChatClient>());
        Assert.Same(client.GetService<DiffusionModel>(), provider.GetRequiredKeyedService<IChatClient>("other").GetService<DiffusionModel>());

        var first = await client.GetResponseAsync("Hello!", Small());
        var second = await client.GetResponseAsync("Hello!", Small());
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.ResponseId, second.ResponseId);
        Assert.True(cache.Hits >= 1);
        Assert.Equal(0, functionCalls);
        Assert.Contains(logs.Entries, e => e.Category.Contains("LoggingChatClient") || e.Message.Contains("GetResponseAsync"));
    }

    [Fact]
    public void Load_warnings_go_to_the_logger_when_no_warning_sink_is_set()
    {
        var logs = new ListLoggerProvider();
        using var model = DiffusionModel.Load(EmbeddedChatFixture.PackageDirectory, new DiffusionModelOptions { Denoiser = new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Auto, IntraOpThreads = 1 } }, logs.CreateLogger("test"));
        var provider = ((OnnxDenoiser)model.Denoiser).ActiveProvider;
        if (provider == ExecutionProvider.Cpu)
        {
            // Auto fell back from CUDA: the warning must reach the logger rather than vanish.
            Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("CUDA"));
        }
        else
        {
            Assert.DoesNotContain(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("running on the CPU"));
        }

        var sink = new List<string>();
        using var explicitSink = DiffusionModel.Load(EmbeddedChatFixture.PackageDirectory, new DiffusionModelOptions { Denoiser = new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Auto, IntraOpThreads = 1, Warning = sink.Add } }, logs.CreateLogger("test"));
        Assert.Equal(provider == ExecutionProvider.Cpu, sink.Count > 0);
    }

    [Fact]
    public async Task The_client_logs_each_request_at_debug_level()
    {
        var logs = new ListLoggerProvider();
        using var client = new DiffusionChatClient(fixture.Observed().Model, logs.CreateLogger<DiffusionChatClient>());
        var response = await client.GetResponseAsync("Hello!", Small());
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Debug && e.Message.Contains(response.ResponseId!) && e.Message.Contains("forward passes"));
    }

    [Fact]
    public async Task An_activity_and_metrics_carry_gen_ai_attributes_and_diffusion_figures()
    {
        var activities = new List<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == DiffusionChatClient.TelemetrySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(activityListener);
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DiffusionChatClient.TelemetrySourceName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
            lock (measurements)
            {
                measurements.Add((instrument.Name, value, copy));
            }
        }

        meterListener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        meterListener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        meterListener.Start();

        using var client = fixture.Client();
        var response = await client.GetResponseAsync("Hello!", Small());

        Activity activity;
        lock (activities)
        {
            activity = Assert.Single(activities, a => (string?)a.GetTagItem("gen_ai.response.id") == response.ResponseId);
        }

        Assert.Equal("chat", activity.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(fixture.Package.Manifest.Name, activity.GetTagItem("gen_ai.request.model"));
        Assert.Equal((int)response.Usage!.InputTokenCount!, activity.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal((int)response.Usage.OutputTokenCount!, activity.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal((int)response.Usage.AdditionalCounts!["nfe"], activity.GetTagItem("skdiffusion.nfe"));
        Assert.NotNull(activity.GetTagItem("skdiffusion.tokens_per_step"));
        Assert.NotNull(activity.GetTagItem("skdiffusion.step.duration_ms"));
        Assert.NotNull(activity.GetTagItem("skdiffusion.cache.refreshes"));

        lock (measurements)
        {
            var names = measurements.Select(m => m.Instrument).ToHashSet();
            foreach (string name in new[] { "gen_ai.client.token.usage", "gen_ai.client.operation.duration", "skdiffusion.nfe", "skdiffusion.steps", "skdiffusion.tokens_per_step", "skdiffusion.step.duration", "skdiffusion.cache.refreshes" })
            {
                Assert.Contains(name, names);
            }

            Assert.Contains(measurements, m => m.Instrument == "gen_ai.client.token.usage" && (string?)m.Tags["gen_ai.token.type"] == "output" && m.Value == response.Usage.OutputTokenCount);
            Assert.Contains(measurements, m => m.Instrument == "skdiffusion.nfe" && m.Value == response.Usage.AdditionalCounts["nfe"]);
        }
    }
}
