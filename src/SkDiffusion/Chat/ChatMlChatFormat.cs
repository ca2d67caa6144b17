using SkDiffusion.Tokenization;

namespace SkDiffusion.Chat;

/// <summary>
/// Dream's ChatML format: <c>&lt;|im_start|&gt;role\n…&lt;|im_end|&gt;\n</c> per turn, a default system turn when none
/// is given, ending with <c>&lt;|im_start|&gt;assistant\n</c>.
/// </summary>
internal sealed class ChatMlChatFormat : ChatFormat
{
    private readonly int _start;
    private readonly int _end;
    private readonly string? _defaultSystemPrompt;

    /// <summary>Creates the format.</summary>
    /// <param name="tokenizer">A tokenizer with <c>&lt;|im_start|&gt;</c> and <c>&lt;|im_end|&gt;</c>.</param>
    /// <param name="defaultSystemPrompt">The system turn added when the conversation has none, or <see langword="null"/>.</param>
    public ChatMlChatFormat(DiffusionTokenizer tokenizer, string? defaultSystemPrompt)
        : base(tokenizer)
    {
        _start = tokenizer.GetSpecialTokenId("<|im_start|>");
        _end = tokenizer.GetSpecialTokenId("<|im_end|>");
        _defaultSystemPrompt = defaultSystemPrompt;
    }

    /// <inheritdoc />
    public override string Name => "chatml";

    /// <inheritdoc />
    protected override void Render(IReadOnlyList<DiffusionChatMessage> messages, List<int> ids)
    {
        if (_defaultSystemPrompt is not null && messages[0].Role != DiffusionChatMessage.SystemRole)
        {
            Turn(DiffusionChatMessage.SystemRole, _defaultSystemPrompt, ids);
        }

        foreach (DiffusionChatMessage m in messages)
        {
            Turn(m.Role, m.Content, ids);
        }

        ids.Add(_start);
        AppendText(DiffusionChatMessage.AssistantRole + "\n", ids);
    }

    private void Turn(string role, string content, List<int> ids)
    {
        ids.Add(_start);
        AppendText(role + "\n" + content, ids);
        ids.Add(_end);
        AppendText("\n", ids);
    }
}
