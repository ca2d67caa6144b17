using System.Text;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Templates.Holes;

/// <summary>
/// A compiled <see cref="HoleDocument"/>: the <see cref="CanvasTemplate"/> to decode after a prefix (BOS) and the
/// reader of the filled row. The canvas template must close its row (the hole constraints count from the end).
/// </summary>
public sealed class CompiledDocument
{
    private readonly ITemplateTokenizer _tokenizer;
    private readonly SpecialTokenIds _ids;

    internal CompiledDocument(HoleDocument document, CanvasTemplate canvas, IReadOnlyList<int> offsets, IReadOnlyList<int> budgets, IReadOnlyList<string> leads, ITemplateTokenizer tokenizer, SpecialTokenIds ids)
    {
        Document = document;
        Canvas = canvas;
        HoleOffsets = offsets;
        HoleBudgets = budgets;
        Leads = leads;
        _tokenizer = tokenizer;
        _ids = ids;
    }

    /// <summary>The source document.</summary>
    public HoleDocument Document { get; }

    /// <summary>The layout to decode (use with <see cref="DiffusionCanvas.FromTemplate"/>).</summary>
    public CanvasTemplate Canvas { get; }

    /// <summary>Each hole's first position within <see cref="Canvas"/>.</summary>
    public IReadOnlyList<int> HoleOffsets { get; }

    /// <summary>Each hole's masked positions (its token budget).</summary>
    public IReadOnlyList<int> HoleBudgets { get; }

    /// <summary>The text before each hole that the tokenizer merges into the hole's first token (often empty).</summary>
    internal IReadOnlyList<string> Leads { get; }

    /// <summary>Reads a decoded row back.</summary>
    /// <param name="sequence">The sampler's result for the row built from <see cref="Canvas"/>.</param>
    /// <returns>The filled document: the fixed text unchanged, each hole's text in <see cref="TemplateResult.Slots"/> (<c>hole0</c>, <c>hole1</c>…).</returns>
    /// <exception cref="TemplateException">The row does not hold this document.</exception>
    public TemplateResult Read(SequenceResult sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (sequence.Slots.Count != HoleOffsets.Count)
        {
            throw new TemplateException($"The decoded row has {sequence.Slots.Count} slots; this document has {HoleOffsets.Count} holes. Read the row that was built from this document.");
        }

        return Read(i => sequence.Slots[i].Tokens);
    }

    /// <summary>Reads a filled document given each hole's decoded tokens.</summary>
    /// <param name="tokensOfHole">The tokens of hole i; everything from its first EOS on is padding and dropped.</param>
    /// <returns>The filled document. A hole whose text ran past its word or character count is cut there and marked <see cref="FilledSlot.Repaired"/>.</returns>
    public TemplateResult Read(Func<int, IReadOnlyList<int>> tokensOfHole)
    {
        ArgumentNullException.ThrowIfNull(tokensOfHole);
        var text = new StringBuilder();
        var slots = new List<FilledSlot>(HoleOffsets.Count);
        for (int i = 0; i < HoleOffsets.Count; i++)
        {
            text.Append(Document.Texts[i]);
            int[] tokens = [.. tokensOfHole(i).TakeWhile(t => !_ids.IsEndOrPad(t)).Where(t => t != _ids.Mask && !_tokenizer.SpecialTokenIds.Contains(t))];
            string raw = _tokenizer.Decode(tokens);
            if (Leads[i].Length > 0 && raw.StartsWith(Leads[i], StringComparison.Ordinal))
            {
                raw = raw[Leads[i].Length..];
            }

            var length = Document.Holes[i];
            var (shown, cut) = HoleContent.Limit(raw, length, Document.Texts[i + 1]);
            var slot = new TemplateSlot { Name = $"hole{i}", Kind = TemplateSlotKind.Text, MinLength = 0, MaxLength = HoleBudgets[i] };
            slots.Add(new FilledSlot(slot.Name, slot, null, shown, shown, text.Length, shown.Length, tokens, cut));
            text.Append(shown);
        }

        text.Append(Document.Texts[^1]);
        return new TemplateResult(text.ToString(), slots);
    }
}
