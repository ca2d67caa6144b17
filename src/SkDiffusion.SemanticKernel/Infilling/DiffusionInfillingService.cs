using SkDiffusion.Chat;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Extensions.AI;
using SkDiffusion.SemanticKernel.Settings;
using SkDiffusion.Templates;

namespace SkDiffusion.SemanticKernel.Infilling;

/// <summary>
/// Fills holes in text from the context on both sides (a diffusion model sees the whole canvas at once), rewrites a
/// span of a document, and fills typed templates after an instruction.
/// </summary>
/// <remarks>
/// Documents are decoded as plain text after BOS (no chat format), the layout the models saw for text. Holes use the
/// syntax of <see cref="InfillingDocument"/>.
/// </remarks>
public sealed class DiffusionInfillingService
{
    private DiffusionInfillingService(DiffusionModel model)
    {
        Model = model;
    }

    /// <summary>The shared model.</summary>
    public DiffusionModel Model { get; }

    /// <summary>Creates the service over a shared model.</summary>
    /// <param name="model">The model.</param>
    public static DiffusionInfillingService Create(DiffusionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new DiffusionInfillingService(model);
    }

    /// <summary>Fills every hole of <paramref name="document"/>.</summary>
    /// <param name="document">Text with holes: <c>[[MASK]]</c>, <c>[[MASK:5]]</c>, <c>[[MASK:&lt;=12]]</c>.</param>
    /// <param name="settings">Sampling settings (steps default to the number of masked positions).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The filled document and each hole's span.</returns>
    /// <exception cref="TemplateException">The hole syntax is wrong.</exception>
    /// <exception cref="ArgumentException">The document does not fit the context, or a setting is invalid.</exception>
    public async Task<InfillingResult> InfillAsync(string document, DiffusionPromptExecutionSettings? settings = null, CancellationToken cancellationToken = default)
    {
        var template = InfillingDocument.Parse(document);
        var compiled = Model.DocumentCompiler.Compile(template);
        var prefix = Prefix(compiled);
        Model.EnsureFits(prefix.Count, compiled.Canvas.Length);
        var options = (settings ?? new DiffusionPromptExecutionSettings()).ToSamplerOptions(compiled.Elements.Sum(e => e.Length), template: true);
        SamplingResult result;
        using (await Model.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            result = await Model.Sampler.SampleAsync(DiffusionCanvas.FromTemplate(prefix, compiled.Canvas), options, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var filled = compiled.Read(result.Sequences[0]);
        var holes = filled.Slots.Select((s, i) => new InfilledHole(i, s.Start, s.Length, s.Text, s.Tokens.Count)).ToArray();
        return new InfillingResult(filled.Text, holes, result.Nfe);
    }

    /// <summary>Regenerates <c>document[start..start+length)</c> from the text around it.</summary>
    /// <param name="document">The document.</param>
    /// <param name="start">The span's first character.</param>
    /// <param name="length">The span's length (may be 0 to insert).</param>
    /// <param name="maxTokens">The most tokens the new span may have.</param>
    /// <param name="settings">Sampling settings.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The edited document; <see cref="InfillingResult.Holes"/> holds the new span.</returns>
    public Task<InfillingResult> RewriteSpanAsync(string document, int start, int length, int maxTokens, DiffusionPromptExecutionSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (start + length > document.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"The span [{start}, {start + length}) runs past the end of the document ({document.Length} characters).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxTokens, TemplateSlot.MaxAllowedLength);
        string escaped = document[..start].Replace("[[MASK", "[ [MASK", StringComparison.Ordinal)
            + InfillingDocument.Hole(maxTokens)
            + document[(start + length)..].Replace("[[MASK", "[ [MASK", StringComparison.Ordinal);
        if (escaped.Length - InfillingDocument.Hole(maxTokens).Length != document.Length - length)
        {
            throw new ArgumentException("The document itself contains '[[MASK'; remove it before rewriting a span.", nameof(document));
        }

        return InfillAsync(escaped, settings, cancellationToken);
    }

    /// <summary>Fills a typed template as the answer to an instruction (chat format: the instruction is the user turn).</summary>
    /// <param name="instruction">What to fill in (e.g. "Extract the person: …").</param>
    /// <param name="template">The template, e.g. <c>Name: {{name:string(8)}}, age {{age:int(3)}}</c>.</param>
    /// <param name="settings">Sampling settings.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The filled template with typed values.</returns>
    /// <exception cref="TemplateException">The template is malformed.</exception>
    public async Task<TemplateResult> FillTemplateAsync(string instruction, TextTemplate template, DiffusionPromptExecutionSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        ArgumentNullException.ThrowIfNull(template);
        var compiled = Model.TemplateCompiler.Compile(template);
        var prompt = Model.RenderChat([new DiffusionChatMessage(DiffusionChatMessage.UserRole, instruction)]);
        Model.EnsureFits(prompt.Count, compiled.Canvas.Length);
        var options = (settings ?? new DiffusionPromptExecutionSettings()).ToSamplerOptions(compiled.Elements.Sum(e => e.Length), template: true);
        SamplingResult result;
        using (await Model.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            result = await Model.Sampler.SampleAsync(DiffusionCanvas.FromTemplate(prompt, compiled.Canvas), options, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return compiled.Read(result.Sequences[0]);
    }

    private IReadOnlyList<int> Prefix(CompiledTemplate compiled)
    {
        var ids = Model.Package.Manifest.TokenIds;
        if (ids.Bos is int bos)
        {
            return [bos];
        }

        // Shifted-logit models cannot predict position 0: keep a real token there when the document starts with a hole.
        return Model.Sampler.LogitsShifted && compiled.Elements.Count > 0 && compiled.Elements[0].Offset == 0 ? [ids.Eos] : [];
    }
}
