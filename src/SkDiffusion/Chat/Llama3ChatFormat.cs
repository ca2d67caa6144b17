using SkDiffusion.Tokenization;

namespace SkDiffusion.Chat;

/// <summary>
/// LLaDA's Llama-3 style format:
/// <c>&lt;BOS&gt;&lt;|start_header_id|&gt;user&lt;|end_header_id|&gt;\n\n…&lt;|eot_id|&gt;…&lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n</c>,
/// with each turn's content trimmed of leading and trailing white space as LLaDA's template does.
/// </summary>
internal sealed class Llama3ChatFormat : ChatFormat
{
    private readonly int _start;
    private readonly int _end;
    private readonly int _eot;

    /// <summary>Creates the format.</summary>
    /// <param name="tokenizer">A tokenizer with <c>&lt;|start_header_id|&gt;</c>, <c>&lt;|end_header_id|&gt;</c> and the EoT token.</param>
    public Llama3ChatFormat(DiffusionTokenizer tokenizer)
        : base(tokenizer)
    {
        _start = tokenizer.GetSpecialTokenId("<|start_header_id|>");
        _end = tokenizer.GetSpecialTokenId("<|end_header_id|>");
        _eot = tokenizer.EotId;
    }

    /// <inheritdoc />
    public override string Name => "llama3";

    /// <inheritdoc />
    protected override void Render(IReadOnlyList<DiffusionChatMessage> messages, List<int> ids)
    {
        if (Tokenizer.BosId is int bos)
        {
            ids.Add(bos);
        }

        foreach (DiffusionChatMessage m in messages)
        {
            // LLaDA's chat template trims each turn's content (Jinja "| trim"); the prompt must match what it was trained on.
            Header(m.Role, ids);
            AppendText("\n\n" + m.Content.Trim(), ids);
            ids.Add(_eot);
        }

        Header(DiffusionChatMessage.AssistantRole, ids);
        AppendText("\n\n", ids);
    }

    private void Header(string role, List<int> ids)
    {
        ids.Add(_start);
        AppendText(role, ids);
        ids.Add(_end);
    }
}
