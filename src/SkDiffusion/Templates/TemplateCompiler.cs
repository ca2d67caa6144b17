using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Templates.Internal;

namespace SkDiffusion.Templates;

/// <summary>
/// Turns a <see cref="TextTemplate"/> into a <see cref="CanvasTemplate"/> for <see cref="DiffusionSampler"/>: fixed text
/// becomes fixed tokens, every slot a masked slot whose positions only accept tokens of its kind (digits for int,
/// JSON-safe text for string, each option's tokens for enum and bool, consistent with what is already committed).
/// Variable-length slots end with the EOS token (cut by the sampler); fixed-length slots never hold it.
/// </summary>
/// <example>
/// <code>
/// var compiler = TemplateCompiler.Create(TokenVocabulary.Create(tokenizer), SpecialTokenIds.LLaDA);
/// var compiled = compiler.Compile(TextTemplate.Parse("Name: {{name:string(8)}}, age {{age:int(3)}}"));
/// var result = await sampler.SampleAsync(DiffusionCanvas.FromTemplate(promptIds, compiled.Canvas), options);
/// TemplateResult filled = compiled.Read(result.Sequences[0]);
/// long age = (long)filled["age"].Value!;
/// </code>
/// </example>
public sealed class TemplateCompiler
{
    private readonly TokenVocabulary _vocabulary;
    private readonly SpecialTokenIds _ids;
    private readonly TemplateCompilerOptions _options;

    private TemplateCompiler(TokenVocabulary vocabulary, SpecialTokenIds ids, TemplateCompilerOptions options)
    {
        _vocabulary = vocabulary;
        _ids = ids;
        _options = options;
    }

    /// <summary>The vocabulary view.</summary>
    public TokenVocabulary Vocabulary => _vocabulary;

    /// <summary>The special ids (mask, EOS ends variable-length slots).</summary>
    public SpecialTokenIds TokenIds => _ids;

    /// <summary>Creates a compiler.</summary>
    /// <param name="vocabulary">The vocabulary view (share one per tokenizer).</param>
    /// <param name="tokenIds">The model's special ids.</param>
    /// <param name="options">Options; null for the defaults.</param>
    public static TemplateCompiler Create(TokenVocabulary vocabulary, SpecialTokenIds tokenIds, TemplateCompilerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(tokenIds);
        return new TemplateCompiler(vocabulary, tokenIds, options ?? new TemplateCompilerOptions());
    }

    /// <summary>Parses and compiles template text.</summary>
    /// <param name="template">The template text.</param>
    /// <exception cref="TemplateException">The template is malformed or a slot cannot be expressed with this vocabulary.</exception>
    public CompiledTemplate Compile(string template) => Compile(TextTemplate.Parse(template));

    /// <summary>Compiles a template.</summary>
    /// <param name="template">The template.</param>
    /// <returns>The canvas template and what is needed to read the result back.</returns>
    /// <exception cref="TemplateException">A slot cannot be expressed with this vocabulary (e.g. no digit tokens).</exception>
    public CompiledTemplate Compile(TextTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);

        // First pass: expand arrays into (literal | element) pieces.
        var pieces = new List<(string? Text, TemplateSlot? Slot, int? Index)>();
        foreach (var segment in template.Segments)
        {
            if (segment.Text is { } text)
            {
                pieces.Add((text, null, null));
            }
            else if (segment.Slot!.Count is int count)
            {
                for (int i = 0; i < count; i++)
                {
                    if (i > 0 && segment.Slot.Separator.Length > 0)
                    {
                        pieces.Add((segment.Slot.Separator, null, null));
                    }

                    pieces.Add((null, segment.Slot, i));
                }
            }
            else
            {
                pieces.Add((null, segment.Slot, null));
            }
        }

        // Second pass: decide absorption, tokenize literals, size slots.
        var plans = new List<SlotPlan>();
        for (int i = 0; i < pieces.Count; i++)
        {
            var (text, slot, index) = pieces[i];
            if (slot is null)
            {
                plans.Add(new SlotPlan { Text = text });
                continue;
            }

            bool absorb = false;
            if (_options.AbsorbSpaces && i > 0 && plans[^1].Text is { } before && before.EndsWith(' ') && SpaceJoinsValue(before, slot) && CanAbsorb(slot))
            {
                absorb = true;
                plans[^1].Text = before[..^1];
            }

            plans.Add(new SlotPlan { Slot = slot, Index = index, Absorb = absorb });
        }

        int regionLength = 0;
        foreach (var plan in plans)
        {
            if (plan.Text is { Length: > 0 } t)
            {
                plan.Tokens = [.. _vocabulary.Tokenizer.Encode(t)];
                regionLength += plan.Tokens.Length;
            }
            else if (plan.Slot is { } slot)
            {
                if (slot.Kind is TemplateSlotKind.Enum or TemplateSlotKind.Boolean)
                {
                    plan.Choices = [.. slot.Choices.Select(c => _vocabulary.Tokenizer.Encode((plan.Absorb ? " " : "") + c).ToArray())];
                    if (plan.Choices.Any(c => c.Length == 0))
                    {
                        throw new TemplateException($"Slot '{slot.Name}': an option encodes to no tokens.");
                    }

                    plan.Length = plan.Choices.Max(c => c.Length);
                }
                else
                {
                    plan.Length = slot.MaxLength + (slot.Kind == TemplateSlotKind.Integer && slot.Signed ? 1 : 0);
                }

                regionLength += plan.Length;
            }
        }

        regionLength += _options.TrailingTokens.Count;

        var canvas = new CanvasTemplate();
        var elements = new List<CompiledElement>();
        var layout = new List<(string? Text, int Element)>();
        int offset = 0;
        foreach (var plan in plans)
        {
            if (plan.Slot is null)
            {
                if (plan.Tokens is { Length: > 0 })
                {
                    canvas.AddTokens(plan.Tokens);
                    offset += plan.Tokens.Length;
                }

                if (plan.Text is { Length: > 0 })
                {
                    layout.Add((plan.Text, -1));
                }

                continue;
            }

            var slot = plan.Slot;
            string name = plan.Index is int ix ? $"{slot.Name}[{ix}]" : slot.Name;
            var (processor, variable) = BuildProcessor(slot, plan, regionLength, offset);
            canvas.AddSlot(plan.Length, new CanvasSlotOptions { Name = name, LogitProcessor = processor, VariableLength = variable });
            elements.Add(new CompiledElement(slot, name, plan.Index, elements.Count, offset, plan.Length, plan.Absorb, plan.Choices));
            layout.Add((null, elements.Count - 1));
            offset += plan.Length;
        }

        if (_options.TrailingTokens.Count > 0)
        {
            canvas.AddTokens(_options.TrailingTokens);
        }

        return new CompiledTemplate(template, canvas, elements, layout, _vocabulary.Tokenizer, _ids);
    }

    private bool CanAbsorb(TemplateSlot slot) => slot.Kind switch
    {
        TemplateSlotKind.Integer or TemplateSlotKind.Number => Mask("space-digit", t => t.Length == 2 && t[0] == ' ' && char.IsAsciiDigit(t[1])).Contains(true),
        TemplateSlotKind.Enum or TemplateSlotKind.Boolean => true,
        _ => Mask("space-json", t => t[0] == ' ' && t.Length > 1 && TokenVocabulary.IsJsonSafe(t)).Contains(true),
    };

    // The space moves into the slot only when this tokenizer merges it with a value of the slot's kind
    // (Ġword tokenizers); a tokenizer that emits spaces as their own tokens keeps it in the fixed text.
    private bool SpaceJoinsValue(string before, TemplateSlot slot)
    {
        var probes = slot.Kind switch
        {
            TemplateSlotKind.Integer or TemplateSlotKind.Number => TokenBoundaryProbe.DigitProbes,
            TemplateSlotKind.Enum or TemplateSlotKind.Boolean => slot.Choices,
            _ => TokenBoundaryProbe.WordProbes,
        };
        return TokenBoundaryProbe.Before(_vocabulary.Tokenizer, before, probes).Lead.Length > 0;
    }

    private bool[] Mask(string key, Func<string, bool> predicate) => _vocabulary.GetMask(key, predicate);

    private (SlotConstraintProcessor Processor, bool Variable) BuildProcessor(TemplateSlot slot, SlotPlan plan, int regionLength, int offset)
    {
        int end = _ids.Eos;
        Func<long, bool> isEnd = _ids.IsEndOrPad;
        switch (slot.Kind)
        {
            case TemplateSlotKind.Enum:
            case TemplateSlotKind.Boolean:
            {
                bool variable = slot.Optional || plan.Choices!.Select(c => c.Length).Distinct().Count() > 1;
                int min = slot.Optional ? 0 : plan.Choices!.Min(c => c.Length);
                return (new SlotConstraintProcessor(regionLength, offset, plan.Length, min, variable, null, null, _ids.Mask, end, isEnd, choices: plan.Choices), variable);
            }

            case TemplateSlotKind.Integer:
            case TemplateSlotKind.Number:
            {
                var digits = Mask("digit", t => t.Length == 1 && char.IsAsciiDigit(t[0]));
                if (!digits.Contains(true))
                {
                    throw new TemplateException($"Slot '{slot.Name}': the vocabulary has no single-digit tokens, so {slot.Kind} slots cannot be constrained.");
                }

                bool number = slot.Kind == TemplateSlotKind.Number;
                bool signed = slot.Signed;
                var rest = Mask(number ? "number-rest" : "digit", t => t.Length == 1 && (char.IsAsciiDigit(t[0]) || (number && t[0] == '.')));
                string firstKey = $"{(plan.Absorb ? "space-" : "")}{(number ? "number" : "int")}-first-{signed}";
                var first = Mask(firstKey, t =>
                {
                    string s = plan.Absorb ? (t.Length > 1 && t[0] == ' ' ? t[1..] : "") : t;
                    return s.Length == 1 && (char.IsAsciiDigit(s[0]) || (signed && s[0] == '-'));
                });
                int min = slot.Optional ? 0 : Math.Max(1, slot.MinLength);
                bool variable = min < plan.Length;
                var once = number ? new HashSet<int>(_vocabulary.Where(t => t == ".")) : null;
                int budget = slot.MaxLength;
                var budgetTokens = number ? null : Mask(plan.Absorb ? "any-digit-space" : "digit", t => t.Length == 1 ? char.IsAsciiDigit(t[0]) : t.Length == 2 && t[0] == ' ' && char.IsAsciiDigit(t[1]));
                return (new SlotConstraintProcessor(regionLength, offset, plan.Length, min, variable, first, rest, _ids.Mask, end, isEnd, budget, budgetTokens, once), variable);
            }

            default:
            {
                bool json = slot.Kind == TemplateSlotKind.String;
                var rest = json ? Mask("json", TokenVocabulary.IsJsonSafe) : Mask("text", _ => true);
                var first = plan.Absorb
                    ? (json ? Mask("space-json", t => t[0] == ' ' && t.Length > 1 && TokenVocabulary.IsJsonSafe(t)) : Mask("space-text", t => t[0] == ' ' && t.Length > 1))
                    : rest;
                int min = slot.Optional ? 0 : slot.MinLength;
                bool variable = min < plan.Length;
                return (new SlotConstraintProcessor(regionLength, offset, plan.Length, min, variable, first, rest, _ids.Mask, end, isEnd), variable);
            }
        }
    }
}
