using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace SkDiffusion.SemanticKernel.Plugins;

/// <summary>
/// Tool calling without tool-call training: the arguments of a chosen <see cref="KernelFunction"/> are generated as a
/// JSON-schema template of its parameters (names and punctuation fixed, typed value slots), so they always parse and
/// have the right types. The caller (or an agent loop) decides which function to call.
/// </summary>
public static class DiffusionToolArguments
{
    /// <summary>The JSON schema of a function's parameters (an object with one property per parameter).</summary>
    /// <param name="function">The function.</param>
    public static JsonElement CreateSchema(KernelFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var parameter in function.Metadata.Parameters)
        {
            JsonNode schema = parameter.Schema is { } s ? JsonNode.Parse(s.RootElement.GetRawText())! : new JsonObject { ["type"] = "string" };
            properties[parameter.Name] = schema;
            if (parameter.IsRequired)
            {
                required.Add(parameter.Name);
            }
        }

        var root = new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required };
        using var doc = JsonDocument.Parse(root.ToJsonString());
        return doc.RootElement.Clone();
    }

    /// <summary>Generates arguments for <paramref name="function"/> that answer <paramref name="request"/>.</summary>
    /// <param name="client">The diffusion chat client.</param>
    /// <param name="function">The function to call.</param>
    /// <param name="request">What the user wants (the function's description is added).</param>
    /// <param name="options">Chat options (e.g. <c>json_string_tokens</c> in AdditionalProperties).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public static async Task<KernelArguments> GenerateAsync(IChatClient client, KernelFunction function, string request, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(request);
        options = options?.Clone() ?? new ChatOptions();
        options.ResponseFormat = ChatResponseFormat.ForJsonSchema(CreateSchema(function), function.Name, function.Description);
        string prompt = string.IsNullOrWhiteSpace(function.Description) ? request : $"{request}\n({function.Name}: {function.Description})";
        var response = await client.GetResponseAsync(prompt, options, cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(response.Text);
        var arguments = new KernelArguments();
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            arguments[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number when property.Value.TryGetInt64(out long l) => l,
                JsonValueKind.Number => property.Value.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => property.Value.GetRawText(),
            };
        }

        return arguments;
    }

    /// <summary>Generates arguments for <paramref name="function"/> and invokes it.</summary>
    /// <param name="kernel">The kernel.</param>
    /// <param name="client">The diffusion chat client.</param>
    /// <param name="function">The function to call.</param>
    /// <param name="request">What the user wants.</param>
    /// <param name="options">Chat options.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public static async Task<FunctionResult> InvokeAsync(Kernel kernel, IChatClient client, KernelFunction function, string request, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var arguments = await GenerateAsync(client, function, request, options, cancellationToken).ConfigureAwait(false);
        return await function.InvokeAsync(kernel, arguments, cancellationToken).ConfigureAwait(false);
    }
}
