using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// The <see cref="ActivitySource"/> and <see cref="Meter"/> of the chat client, both named
/// <see cref="DiffusionChatClient.TelemetrySourceName"/>: one <c>chat {model}</c> activity per request with the
/// OpenTelemetry gen_ai attributes, the gen_ai client metrics, and the diffusion figures (forward passes, steps,
/// tokens per step, step duration, cache refreshes).
/// </summary>
internal static class DiffusionTelemetry
{
    public static readonly ActivitySource Source = new(DiffusionChatClient.TelemetrySourceName);

    public static readonly Meter Meter = new(DiffusionChatClient.TelemetrySourceName);

    private static readonly Histogram<long> TokenUsage = Meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Tokens used per request (gen_ai.token.type: input or output).");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s", "Duration of a chat request.");

    private static readonly Histogram<long> Nfe = Meter.CreateHistogram<long>("skdiffusion.nfe", "{forward_pass}", "Denoiser forward passes per request.");

    private static readonly Histogram<long> Steps = Meter.CreateHistogram<long>("skdiffusion.steps", "{step}", "Sampling steps per request.");

    private static readonly Histogram<double> TokensPerStep = Meter.CreateHistogram<double>("skdiffusion.tokens_per_step", "{token}", "Answer positions decoded per forward pass.");

    private static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("skdiffusion.step.duration", "s", "Mean duration of a sampling step of a request.");

    private static readonly Histogram<long> CacheRefreshes = Meter.CreateHistogram<long>("skdiffusion.cache.refreshes", "{refresh}", "Key/value cache refreshes per request: denoiser calls that rebuilt the cache from the whole canvas.");

    /// <summary>Starts the request's activity (null when nobody listens).</summary>
    public static Activity? Start(string modelId, ChatOptions? options, bool streaming)
    {
        var activity = Source.StartActivity($"chat {modelId}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", "chat");
            activity.SetTag("gen_ai.provider.name", DiffusionChatClient.ProviderName);
            activity.SetTag("gen_ai.request.model", modelId);
            activity.SetTag("gen_ai.request.streaming", streaming);
            if (options?.Temperature is float t)
            {
                activity.SetTag("gen_ai.request.temperature", t);
            }

            if (options?.MaxOutputTokens is int max)
            {
                activity.SetTag("gen_ai.request.max_tokens", max);
            }

            if (options?.Seed is long seed)
            {
                activity.SetTag("gen_ai.request.seed", seed);
            }
        }

        return activity;
    }

    /// <summary>Records a finished request on its activity and the meter.</summary>
    public static void Record(Activity? activity, string modelId, DiffusionRunFigures figures, string? responseId, ChatFinishReason? finish, TimeSpan elapsed)
    {
        var tags = new TagList { { "gen_ai.operation.name", "chat" }, { "gen_ai.provider.name", DiffusionChatClient.ProviderName }, { "gen_ai.request.model", modelId } };
        Duration.Record(elapsed.TotalSeconds, tags);
        var input = tags;
        input.Add("gen_ai.token.type", "input");
        TokenUsage.Record(figures.InputTokens, input);
        var output = tags;
        output.Add("gen_ai.token.type", "output");
        TokenUsage.Record(figures.OutputTokens, output);
        Nfe.Record(figures.Nfe, tags);
        Steps.Record(figures.Steps, tags);
        double perStep = figures.Nfe == 0 ? 0 : (double)figures.DecodedPositions / figures.Nfe;
        TokensPerStep.Record(perStep, tags);
        double stepSeconds = figures.Steps == 0 ? 0 : elapsed.TotalSeconds / figures.Steps;
        StepDuration.Record(stepSeconds, tags);
        CacheRefreshes.Record(figures.CacheRefreshes, tags);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.response.model", modelId);
            activity.SetTag("gen_ai.response.id", responseId);
            if (finish is { } f)
            {
                activity.SetTag("gen_ai.response.finish_reasons", new[] { f.Value });
            }

            activity.SetTag("gen_ai.usage.input_tokens", figures.InputTokens);
            activity.SetTag("gen_ai.usage.output_tokens", figures.OutputTokens);
            activity.SetTag("skdiffusion.nfe", figures.Nfe);
            activity.SetTag("skdiffusion.steps", figures.Steps);
            activity.SetTag("skdiffusion.tokens_per_step", perStep);
            activity.SetTag("skdiffusion.step.duration_ms", stepSeconds * 1000);
            activity.SetTag("skdiffusion.cache.refreshes", figures.CacheRefreshes);
        }
    }

    /// <summary>Marks the activity failed.</summary>
    public static void Fail(Activity? activity, Exception ex)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity.SetTag("error.type", ex.GetType().FullName);
        }
    }
}
