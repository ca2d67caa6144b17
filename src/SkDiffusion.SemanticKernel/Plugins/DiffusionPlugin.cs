using System.ComponentModel;
using System.Text.Json;
using Microsoft.SemanticKernel;
using SkDiffusion.SemanticKernel.Guidance;
using SkDiffusion.SemanticKernel.Infilling;
using SkDiffusion.SemanticKernel.Settings;
using SkDiffusion.Templates;

namespace SkDiffusion.SemanticKernel.Plugins;

/// <summary>
/// Kernel functions over <see cref="DiffusionInfillingService"/>: <c>infill</c>, <c>fill_template</c> and
/// <c>rewrite_span</c>. Add it with <c>kernel.Plugins.AddFromObject(DiffusionPlugin.Create(service), "diffusion")</c>.
/// </summary>
public sealed class DiffusionPlugin
{
    private readonly DiffusionInfillingService _service;

    private DiffusionPlugin(DiffusionInfillingService service)
    {
        _service = service;
    }

    /// <summary>Creates the plugin.</summary>
    /// <param name="service">The infilling service.</param>
    public static DiffusionPlugin Create(DiffusionInfillingService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new DiffusionPlugin(service);
    }

    /// <summary>Fills the holes of a document.</summary>
    /// <param name="document">Text with [[MASK]], [[MASK:2]] (2 words), [[MASK:&lt;=12]] (at most 12 words) or [[MASK:&lt;=20c]] (characters) holes.</param>
    /// <param name="reward">An optional verifier: <c>copy</c>, <c>regex</c> (with <paramref name="pattern"/>), or a kernel function <c>plugin.function</c> that returns a number.</param>
    /// <param name="pattern">The pattern of the <c>regex</c> verifier.</param>
    /// <param name="kernel">The kernel (supplied by Semantic Kernel when invoked as a function), which resolves <c>plugin.function</c>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The filled document.</returns>
    [KernelFunction("infill")]
    [Description("Fills the holes of a text from the context on both sides. Mark holes with [[MASK]] (up to 8 words), [[MASK:2]] (2 words), [[MASK:<=12]] (at most 12 words) or [[MASK:<=20c]] (at most 20 characters).")]
    public async Task<string> InfillAsync(
        [Description("The text with holes.")] string document,
        [Description("Optional verifier that steers the filling: copy, regex (with pattern), or a kernel function plugin.function that returns a number.")] string? reward = null,
        [Description("The pattern of the regex verifier.")] string? pattern = null,
        Kernel? kernel = null,
        CancellationToken cancellationToken = default) =>
        (await _service.InfillAsync(document, RewardSettings(reward, pattern, kernel), cancellationToken).ConfigureAwait(false)).Text;

    /// <summary>Fills a typed template after an instruction and returns the values as JSON.</summary>
    /// <param name="instruction">What to fill in.</param>
    /// <param name="template">The template, e.g. <c>Name: {{name:string(8)}}, age {{age:int(3)}}</c>.</param>
    /// <param name="reward">An optional verifier: <c>copy</c>, <c>regex</c> (with <paramref name="pattern"/>), or a kernel function <c>plugin.function</c> that returns a number.</param>
    /// <param name="pattern">The pattern of the <c>regex</c> verifier.</param>
    /// <param name="kernel">The kernel (supplied by Semantic Kernel when invoked as a function), which resolves <c>plugin.function</c>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A JSON object: <c>text</c> (the filled template) and <c>values</c> (by slot name).</returns>
    [KernelFunction("fill_template")]
    [Description("Fills a template of fixed text and typed slots ({{name:string(8)}}, {{age:int(3)}}, {{ok:bool}}, {{pet:enum(cat|dog)}}) following an instruction. Returns JSON with the filled text and the typed values.")]
    public async Task<string> FillTemplateAsync(
        [Description("The instruction, e.g. the text to extract from.")] string instruction,
        [Description("The template.")] string template,
        [Description("Optional verifier that steers the filling: copy (JSON string values must appear in the prompt), regex (with pattern), or a kernel function plugin.function that returns a number.")] string? reward = null,
        [Description("The pattern of the regex verifier.")] string? pattern = null,
        Kernel? kernel = null,
        CancellationToken cancellationToken = default)
    {
        var result = await _service.FillTemplateAsync(instruction, TextTemplate.Parse(template), RewardSettings(reward, pattern, kernel), cancellationToken).ConfigureAwait(false);
        var values = result.Slots.ToDictionary(s => s.Name, s => s.Value);
        return JsonSerializer.Serialize(new Dictionary<string, object?> { ["text"] = result.Text, ["values"] = values });
    }

    /// <summary>Rewrites a span of a document from the text around it.</summary>
    /// <param name="document">The document.</param>
    /// <param name="start">The span's first character.</param>
    /// <param name="length">The span's length.</param>
    /// <param name="maxWords">The most words of the new span.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The edited document.</returns>
    [KernelFunction("rewrite_span")]
    [Description("Rewrites the characters [start, start+length) of a document so that they fit the surrounding text.")]
    public async Task<string> RewriteSpanAsync(
        [Description("The document.")] string document,
        [Description("The first character of the span (0-based).")] int start,
        [Description("The number of characters to replace.")] int length,
        [Description("The most words the new span may have.")] int maxWords = 8,
        CancellationToken cancellationToken = default) =>
        (await _service.RewriteSpanAsync(document, start, length, maxWords, cancellationToken: cancellationToken).ConfigureAwait(false)).Text;

    /// <summary>
    /// Settings that carry a verifier: a shipped one by name (resolved by the service), or a kernel function
    /// <c>plugin.function</c> of <paramref name="kernel"/>. Null when no verifier is asked for.
    /// </summary>
    /// <exception cref="ArgumentException">The name is neither a shipped verifier nor a function of the kernel.</exception>
    private static DiffusionPromptExecutionSettings? RewardSettings(string? reward, string? pattern, Kernel? kernel)
    {
        if (string.IsNullOrWhiteSpace(reward))
        {
            return null;
        }

        var settings = new DiffusionPromptExecutionSettings { RewardPattern = pattern };
        if (kernel is not null && KernelRewardResolver.Resolve(kernel, reward.Trim()) is { } function)
        {
            settings.RewardObject = function;
        }
        else
        {
            settings.Reward = reward;
        }

        return settings;
    }
}
