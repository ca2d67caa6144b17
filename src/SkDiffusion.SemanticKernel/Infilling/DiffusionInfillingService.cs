using SkDiffusion.Chat;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Extensions.AI;
using SkDiffusion.SemanticKernel.Settings;
using SkDiffusion.Templates;
using SkDiffusion.Templates.Holes;

namespace SkDiffusion.SemanticKernel.Infilling;

/// <summary>
/// Fills holes in text from the context on both sides (a diffusion model sees the whole canvas at once), rewrites a
/// span of a document, and fills typed templates after an instruction.
/// </summary>
/// <remarks>
/// Documents are decoded as plain text after BOS (no chat format): BOS, the text before a hole as the tokenizer
/// splits it, the hole's masked positions, the text after. A hole ends where the model puts EOS padding; the padding
/// is dropped. Holes use the syntax of <see cref="HoleDocument"/>: <c>[[MASK:2]]</c> (2 words), <c>[[MASK:&lt;=12]]</c>,
/// <c>[[MASK:20c]]</c> (characters), <c>[[MASK:8t]]</c> (tokens).
/// </remarks>
public sealed class DiffusionInfillingService
{
    private readonly Lazy<HoleCompiler> _holes;

    private DiffusionInfillingService(DiffusionModel model)
    {
        Model = model;
        _holes = new Lazy<HoleCompiler>(() => HoleCompiler.Create(model.DocumentCompiler.Vocabulary, model.DocumentCompiler.TokenIds));
    }

    /// <summary>The shared model.</summary>
    public DiffusionModel Model { get; }

    /// <summary>The layout of documents with holes for this model's tokenizer (built on first use).</summary>
    public HoleCompiler Holes => _holes.Value;

    /// <summary>Creates the service over a shared model.</summary>
    /// <param name="model">The model.</param>
    public static DiffusionInfillingService Create(DiffusionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new DiffusionInfillingService(model);
    }

    /// <summary>Template sampler options with the settings' reward (a name, or <see cref="DiffusionPromptExecutionSettings.RewardObject"/>) bound to the model.</summary>
    private SamplerOptions Options(DiffusionPromptExecutionSettings? settings, int masked)
    {
        settings ??= new DiffusionPromptExecutionSettings();
        return settings.ToSamplerOptions(masked, Model.Package.Tokenizer, settings.RewardObject, null, template: true);
    }

    /// <summary>Fills every hole of <paramref name="document"/>.</summary>
    /// <param name="document">
    /// Text with holes: <c>[[MASK]]</c> (up to <see cref="HoleDocument.DefaultWords"/> words), <c>[[MASK:2]]</c> (2
    /// words), <c>[[MASK:&lt;=12]]</c> (at most 12 words), <c>[[MASK:20c]]</c> / <c>[[MASK:&lt;=20c]]</c>
    /// (characters), <c>[[MASK:8t]]</c> / <c>[[MASK:&lt;=8t]]</c> (tokens); <c>\[[MASK</c> is a literal.
    /// </param>
    /// <param name="settings">Sampling settings (steps default to the number of masked positions).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The filled document (the text around the holes unchanged) and each hole's span.</returns>
    /// <exception cref="TemplateException">A hole marker is malformed (<see cref="TemplateException.Position"/> is its offset) or there is no hole.</exception>
    /// <exception cref="ArgumentException">The document does not fit the context, or a setting is invalid.</exception>
    public Task<InfillingResult> InfillAsync(string document, DiffusionPromptExecutionSettings? settings = null, CancellationToken cancellationToken = default) =>
        InfillAsync(HoleDocument.Parse(document), settings, cancellationToken);

    /// <summary>Fills every hole of a parsed or built document.</summary>
    /// <param name="document">The document.</param>
    /// <param name="settings">Sampling settings (steps default to the number of masked positions).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The filled document and each hole's span.</returns>
    /// <exception cref="ArgumentException">The document does not fit the context, or a setting is invalid.</exception>
    public async Task<InfillingResult> InfillAsync(HoleDocument document, DiffusionPromptExecutionSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var compiled = Holes.Compile(document);
        var prefix = Prefix(compiled);
        Model.EnsureFits(prefix.Count, compiled.Canvas.Length);
        var options = Options(settings, compiled.HoleBudgets.Sum());
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
    /// <param name="document">The document (taken literally: hole markers in it are plain text).</param>
    /// <param name="start">The span's first character.</param>
    /// <param name="length">The span's length (may be 0 to insert).</param>
    /// <param name="maxWords">The most words the new span may have (1 to <see cref="HoleLength.MaxWords"/>).</param>
    /// <param name="settings">Sampling settings.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The edited document; <see cref="InfillingResult.Holes"/> holds the new span.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The span is negative or runs past the end of the document, or <paramref name="maxWords"/> is out of range.</exception>
    public Task<InfillingResult> RewriteSpanAsync(string document, int start, int length, int maxWords, DiffusionPromptExecutionSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long end = (long)start + length;
        if (end > document.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"The span [{start}, {end}) runs past the end of the document ({document.Length} characters): start + length must be at most the length.");
        }

        if (maxWords < 1 || maxWords > HoleLength.MaxWords)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWords), maxWords, $"The new span holds 1 to {HoleLength.MaxWords} words.");
        }

        var edit = HoleDocument.Create([document[..start], document[(int)end..]], [HoleLength.AtMostWords(maxWords)]);
        return InfillAsync(edit, settings, cancellationToken);
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
        var options = Options(settings, compiled.Elements.Sum(e => e.Length));
        SamplingResult result;
        using (await Model.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            result = await Model.Sampler.SampleAsync(DiffusionCanvas.FromTemplate(prompt, compiled.Canvas), options, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return compiled.Read(result.Sequences[0]);
    }

    private IReadOnlyList<int> Prefix(CompiledDocument compiled)
    {
        var ids = Model.Package.Manifest.TokenIds;
        if (ids.Bos is int bos)
        {
            return [bos];
        }

        // Shifted-logit models cannot predict position 0: keep a real token there when the document starts with a hole.
        return Model.Sampler.LogitsShifted && compiled.HoleOffsets[0] == 0 ? [ids.Eos] : [];
    }
}
