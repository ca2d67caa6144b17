using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;
using SkDiffusion.SemanticKernel.Models;
using SkDiffusion.SemanticKernel.Settings;

namespace SkDiffusion.SemanticKernel.Chat;

/// <summary>
/// Semantic Kernel chat completion over a diffusion model (a thin layer over <see cref="DiffusionChatClient"/>): the
/// chat history, system prompt included, is rendered with the package's chat format; settings are read with
/// <see cref="DiffusionPromptExecutionSettings.FromExecutionSettings"/>.
/// </summary>
public sealed class DiffusionChatCompletionService : IChatCompletionService
{
    private readonly DiffusionChatClient _client;

    private DiffusionChatCompletionService(DiffusionChatClient client)
    {
        _client = client;
        Attributes = new Dictionary<string, object?> { [AIServiceExtensions.ModelIdKey] = client.Model.ModelId };
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, object?> Attributes { get; }

    /// <summary>The underlying chat client.</summary>
    public DiffusionChatClient ChatClient => _client;

    /// <summary>Creates the service over a shared model.</summary>
    /// <param name="model">The model.</param>
    public static DiffusionChatCompletionService Create(DiffusionModel model) => new(DiffusionChatClient.Create(model));

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        var settings = DiffusionPromptExecutionSettings.FromExecutionSettings(executionSettings);
        var response = await _client.GetResponseAsync(ToMessages(chatHistory), settings.ToChatOptions(), cancellationToken).ConfigureAwait(false);
        var metadata = new Dictionary<string, object?>
        {
            ["Usage"] = response.Usage,
            ["FinishReason"] = response.FinishReason?.Value,
        };
        return [new ChatMessageContent(AuthorRole.Assistant, response.Text, response.ModelId, metadata: metadata)];
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        var settings = DiffusionPromptExecutionSettings.FromExecutionSettings(executionSettings);
        await foreach (var update in _client.GetStreamingResponseAsync(ToMessages(chatHistory), settings.ToChatOptions(), cancellationToken).ConfigureAwait(false))
        {
            var metadata = update.FinishReason is { } finish ? new Dictionary<string, object?> { ["FinishReason"] = finish.Value, ["Usage"] = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details } : null;
            yield return new StreamingChatMessageContent(AuthorRole.Assistant, update.Text, modelId: update.ModelId, metadata: metadata);
        }
    }

    internal static List<ChatMessage> ToMessages(ChatHistory history)
    {
        var messages = new List<ChatMessage>(history.Count);
        foreach (var m in history)
        {
            var role = m.Role == AuthorRole.System || m.Role == AuthorRole.Developer ? ChatRole.System
                : m.Role == AuthorRole.Assistant ? ChatRole.Assistant
                : m.Role == AuthorRole.Tool ? ChatRole.Tool
                : ChatRole.User;
            string text = m.Content ?? string.Join("\n", m.Items.OfType<Microsoft.SemanticKernel.TextContent>().Select(t => t.Text));
            messages.Add(new ChatMessage(role, text));
        }

        return messages;
    }
}
