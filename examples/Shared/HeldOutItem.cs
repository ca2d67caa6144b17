using SkDiffusion.Chat;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Examples.Shared;

/// <summary>
/// A held-out example made ready to decode: its canvas, the number of answer positions, and its exact-match scorer.
/// Chat tasks (extract, facts) render the prompt in the package's chat format and compare the decoded answer;
/// infill masks the span's tokens inside the fixed text and compares the filled tokens.
/// </summary>
internal sealed record HeldOutItem(string Task, DiffusionCanvas Canvas, int Tokens, Func<SamplingResult, bool> IsCorrect)
{
    /// <summary>The answer length for extraction.</summary>
    public const int ExtractLength = 48;

    /// <summary>The answer length for fact answers.</summary>
    public const int FactsLength = 24;

    /// <summary>Positions of a hole beyond its span's tokens (the model pads holes with EOS).</summary>
    public const int HolePadding = 4;

    /// <summary>The tasks, in table order.</summary>
    public static readonly string[] Tasks = ["extract", "facts", "infill"];

    /// <summary>Builds the item for one example.</summary>
    public static HeldOutItem Create(ModelPackage package, HeldOutExample e) =>
        e.Task == "infill" ? Infill(package, e) : Chat(package, e, e.Task == "extract" ? ExtractLength : FactsLength);

    private static HeldOutItem Chat(ModelPackage package, HeldOutExample e, int length)
    {
        IReadOnlyList<int> prompt = package.ChatFormat.RenderPrompt([new DiffusionChatMessage(DiffusionChatMessage.UserRole, e.Prompt!)]);
        string expected = e.Answer!;
        return new(e.Task, DiffusionCanvas.FromPrompt(prompt, length), length, r => AnswerText(package, r) == expected);
    }

    /// <summary>A chat task's decoded answer, as it is compared with the expected one.</summary>
    public static string AnswerText(ModelPackage package, SamplingResult result) =>
        package.Tokenizer.Decode(result.AnswerTokens, skipSpecialTokens: true).Trim();

    private static HeldOutItem Infill(ModelPackage package, HeldOutExample e)
    {
        var tok = package.Tokenizer;
        var prefix = new List<int>();
        if (tok.BosId is int bos)
        {
            prefix.Add(bos);
        }

        // The layout the model was trained on: the text before the hole, the hole (the span then EOS padding), the text after.
        prefix.AddRange(tok.EncodeToIds(e.Before!, allowSpecialTokens: false));
        IReadOnlyList<int> span = tok.EncodeToIds(e.Span!, allowSpecialTokens: false);
        var template = new CanvasTemplate()
            .AddSlot(span.Count + HolePadding, new CanvasSlotOptions { Name = "span", VariableLength = true })
            .AddTokens(tok.EncodeToIds(e.After!, allowSpecialTokens: false));
        return new(e.Task, DiffusionCanvas.FromTemplate(prefix, template), span.Count + HolePadding, r => r.Sequences[0].Slots[0].Tokens.SequenceEqual(span));
    }
}
