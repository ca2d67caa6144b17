namespace SkDiffusion.Chat;

/// <summary>One turn of a conversation, as the runtime sees it.</summary>
/// <param name="Role">The role: <c>system</c>, <c>user</c> or <c>assistant</c>.</param>
/// <param name="Content">The text of the turn.</param>
public sealed record DiffusionChatMessage(string Role, string Content)
{
    /// <summary>The system role.</summary>
    public const string SystemRole = "system";

    /// <summary>The user role.</summary>
    public const string UserRole = "user";

    /// <summary>The assistant role.</summary>
    public const string AssistantRole = "assistant";
}
