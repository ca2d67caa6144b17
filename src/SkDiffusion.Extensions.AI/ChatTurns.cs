using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.Chat;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// Converts Microsoft.Extensions.AI messages to the turns of the package's chat format. Text is kept; a
/// <see cref="FunctionCallContent"/> becomes an assistant line <c>call name({"arg": …})</c> and a
/// <see cref="FunctionResultContent"/> a user line <c>result of name: …</c>, so tool calls and results reach the model
/// as text; media (images, audio, files) are refused.
/// </summary>
internal static class ChatTurns
{
    /// <summary>Compact JSON (one line) for call arguments and results.</summary>
    private static readonly JsonSerializerOptions Compact = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    /// <summary>Refuses a null entry in the message list, naming its index.</summary>
    /// <exception cref="ArgumentException">An entry is null.</exception>
    public static void EnsureNoNull(IReadOnlyList<ChatMessage> messages)
    {
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i] is null)
            {
                throw NullEntry(i);
            }
        }
    }

    /// <summary>Converts the conversation to chat-format turns (null entries are refused with their index).</summary>
    public static List<DiffusionChatMessage> From(IEnumerable<ChatMessage> messages, string? instructions)
    {
        var turns = new List<DiffusionChatMessage>();
        var callNames = new Dictionary<string, string>(StringComparer.Ordinal);
        int index = 0;
        foreach (var m in messages)
        {
            if (m is null)
            {
                throw NullEntry(index);
            }

            index++;
            string role = m.Role == ChatRole.System ? DiffusionChatMessage.SystemRole
                : m.Role == ChatRole.Assistant ? DiffusionChatMessage.AssistantRole
                : DiffusionChatMessage.UserRole;
            var text = new StringBuilder();
            foreach (var content in m.Contents)
            {
                string? line = Render(content, callNames);
                if (!string.IsNullOrEmpty(line))
                {
                    text.Append(text.Length > 0 ? "\n" : "").Append(line);
                }
            }

            turns.Add(new DiffusionChatMessage(role, text.ToString()));
        }

        if (turns.Count == 0)
        {
            throw new ArgumentException("The conversation is empty: add at least one user message.", nameof(messages));
        }

        if (instructions is { Length: > 0 })
        {
            // Per-request instructions join the system turn (or become one).
            if (turns[0].Role == DiffusionChatMessage.SystemRole)
            {
                turns[0] = turns[0] with { Content = turns[0].Content + "\n" + instructions };
            }
            else
            {
                turns.Insert(0, new DiffusionChatMessage(DiffusionChatMessage.SystemRole, instructions));
            }
        }

        return turns;
    }

    /// <summary>Whether the conversation ends with tool results (the model then answers from them).</summary>
    public static bool EndsWithToolResult(IReadOnlyList<ChatMessage> messages) =>
        messages.Count > 0 && messages[^1].Contents.OfType<FunctionResultContent>().Any();

    /// <summary>The text of a value for a prompt: strings as they are, anything else as JSON.</summary>
    public static string ValueText(object? value) => value switch
    {
        null => "null",
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(value, Compact.GetTypeInfo(value.GetType())),
    };

    private static ArgumentException NullEntry(int index) =>
        new($"messages[{index}] is null: every entry of the conversation must be a ChatMessage; remove the null entry.", "messages");

    private static string? Render(AIContent content, Dictionary<string, string> callNames)
    {
        switch (content)
        {
            case TextContent t:
                return t.Text;
            case FunctionCallContent call:
                callNames[call.CallId] = call.Name;
                string args = call.Arguments is null ? "{}" : JsonSerializer.Serialize(call.Arguments, Compact.GetTypeInfo(typeof(IDictionary<string, object?>)));
                return $"call {call.Name}({args})";
            case FunctionResultContent result:
                string name = callNames.GetValueOrDefault(result.CallId, result.CallId);
                return result.Exception is { } ex ? $"result of {name}: error: {ex.Message}" : $"result of {name}: {ValueText(result.Result)}";
            case DataContent data:
                throw new NotSupportedException($"The message holds {nameof(DataContent)} of media type '{data.MediaType}': this diffusion model reads text only. Send the content as text, or remove it.");
            case UriContent uri:
                throw new NotSupportedException($"The message holds {nameof(UriContent)} of media type '{uri.MediaType}' ({uri.Uri}): this diffusion model reads text only. Send the content as text, or remove it.");
            case HostedFileContent file:
                throw new NotSupportedException($"The message holds {nameof(HostedFileContent)} '{file.FileId}': this diffusion model reads text only. Send the content as text, or remove it.");
            default:
                // Usage, reasoning and other annotations carry nothing the model reads.
                return null;
        }
    }
}
