using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.Services;
using Microsoft.SemanticKernel.TextGeneration;
using SkDiffusion.Extensions.AI;
using SkDiffusion.SemanticKernel.Settings;

namespace SkDiffusion.SemanticKernel.Chat;

/// <summary>
/// Semantic Kernel text generation over a diffusion model: the prompt is sent as one user turn of the package's chat
/// format (the models are instruction-tuned) and the answer is returned as text.
/// </summary>
public sealed class DiffusionTextGenerationService : ITextGenerationService
{
    private readonly DiffusionChatClient _client;

    private DiffusionTextGenerationService(DiffusionChatClient client)
    {
        _client = client;
        Attributes = new Dictionary<string, object?> { [AIServiceExtensions.ModelIdKey] = client.Model.ModelId };
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, object?> Attributes { get; }

    /// <summary>Creates the service over a shared model.</summary>
    /// <param name="model">The model.</param>
    public static DiffusionTextGenerationService Create(DiffusionModel model) => new(new DiffusionChatClient(model ?? throw new ArgumentNullException(nameof(model))));

    /// <inheritdoc />
    public async Task<IReadOnlyList<Microsoft.SemanticKernel.TextContent>> GetTextContentsAsync(string prompt, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var settings = DiffusionPromptExecutionSettings.FromExecutionSettings(executionSettings);
        var response = await _client.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)], settings.ToChatOptions(), cancellationToken).ConfigureAwait(false);
        var metadata = new Dictionary<string, object?> { ["Usage"] = response.Usage, ["FinishReason"] = response.FinishReason?.Value };
        return [new Microsoft.SemanticKernel.TextContent(response.Text, response.ModelId, metadata: metadata)];
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StreamingTextContent> GetStreamingTextContentsAsync(string prompt, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var settings = DiffusionPromptExecutionSettings.FromExecutionSettings(executionSettings);
        await foreach (var update in _client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, prompt)], settings.ToChatOptions(), cancellationToken).ConfigureAwait(false))
        {
            yield return new StreamingTextContent(update.Text, modelId: update.ModelId);
        }
    }
}
