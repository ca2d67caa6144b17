using SkDiffusion.Packaging;
using SkDiffusion.Tokenization;

namespace SkDiffusion.Chat;

/// <summary>Turns a conversation into the prompt token ids a chat model was trained on, ending with the assistant's header.</summary>
public abstract class ChatFormat
{
    /// <summary>Creates a format over a tokenizer.</summary>
    /// <param name="tokenizer">The package's tokenizer.</param>
    protected ChatFormat(DiffusionTokenizer tokenizer)
    {
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
    }

    /// <summary>The name used in manifests (<c>llama3</c>, <c>chatml</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The tokenizer.</summary>
    protected DiffusionTokenizer Tokenizer { get; }

    /// <summary>Creates the format a manifest names.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <param name="tokenizer">The package's tokenizer.</param>
    /// <exception cref="ModelPackageException">The format is unknown or the tokenizer lacks its header tokens.</exception>
    public static ChatFormat Create(ModelManifest manifest, DiffusionTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        try
        {
            return manifest.ChatFormat switch
            {
                "llama3" => new Llama3ChatFormat(tokenizer),
                "chatml" => new ChatMlChatFormat(tokenizer, manifest.DefaultSystemPrompt),
                _ => throw new ModelPackageException(ModelPackage.ManifestFileName, $"chat_format '{manifest.ChatFormat}' is not one of llama3, chatml."),
            };
        }
        catch (KeyNotFoundException ex)
        {
            throw new ModelPackageException(manifest.Files.TokenizerConfig, $"the tokenizer lacks a header token of the '{manifest.ChatFormat}' chat format ({ex.Message}).", ex);
        }
    }

    /// <summary>Renders the conversation and the opening of the assistant's answer as token ids.</summary>
    /// <param name="messages">The turns, oldest first; must contain at least one non-system turn.</param>
    /// <exception cref="ArgumentException">The conversation is empty or has an unknown role.</exception>
    public IReadOnlyList<int> RenderPrompt(IReadOnlyList<DiffusionChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        for (int i = 0; i < messages.Count; i++)
        {
            DiffusionChatMessage m = messages[i];
            if (m is null)
            {
                throw new ArgumentException($"Message {i} is null.", nameof(messages));
            }

            if (m.Role is not (DiffusionChatMessage.SystemRole or DiffusionChatMessage.UserRole or DiffusionChatMessage.AssistantRole))
            {
                throw new ArgumentException($"Unknown chat role '{m.Role}' in message {i}; use system, user or assistant.", nameof(messages));
            }

            ArgumentNullException.ThrowIfNull(m.Content, nameof(messages));
        }

        if (!messages.Any(m => m.Role != DiffusionChatMessage.SystemRole))
        {
            throw new ArgumentException("The conversation has no user or assistant turn; add at least one user message.", nameof(messages));
        }

        var ids = new List<int>();
        Render(messages, ids);
        return ids;
    }

    /// <summary>Appends the rendering of <paramref name="messages"/> and the assistant header to <paramref name="ids"/>.</summary>
    /// <param name="messages">Validated turns.</param>
    /// <param name="ids">The output.</param>
    protected abstract void Render(IReadOnlyList<DiffusionChatMessage> messages, List<int> ids);

    /// <summary>Appends user text, never interpreting special-token text inside it.</summary>
    /// <param name="text">The text.</param>
    /// <param name="ids">The output.</param>
    protected void AppendText(string text, List<int> ids) => ids.AddRange(Tokenizer.EncodeToIds(text, allowSpecialTokens: false));
}
