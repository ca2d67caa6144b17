using SkDiffusion.Extensions.AI;

namespace Microsoft.SemanticKernel;

/// <summary>Registers the diffusion services on an <see cref="IKernelBuilder"/> (see <see cref="DiffusionServiceCollectionExtensions"/>).</summary>
public static class DiffusionKernelBuilderExtensions
{
    /// <summary>
    /// Adds diffusion chat completion for the model in <paramref name="modelPath"/>: <c>AsChatCompletionService()</c> over
    /// an <c>IChatClient</c> pipeline with kernel function invocation (see <see cref="DiffusionServiceCollectionExtensions.AddDiffusionChatCompletion"/>).
    /// </summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="modelPath">The model package folder.</param>
    /// <param name="serviceId">The service key, or null.</param>
    /// <param name="options">Load options.</param>
    public static IKernelBuilder AddDiffusionChatCompletion(this IKernelBuilder builder, string modelPath, string? serviceId = null, DiffusionModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDiffusionChatCompletion(modelPath, serviceId, options);
        return builder;
    }

    /// <summary>Adds diffusion text generation for the model in <paramref name="modelPath"/>.</summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="modelPath">The model package folder.</param>
    /// <param name="serviceId">The service key, or null.</param>
    /// <param name="options">Load options.</param>
    public static IKernelBuilder AddDiffusionTextGeneration(this IKernelBuilder builder, string modelPath, string? serviceId = null, DiffusionModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDiffusionTextGeneration(modelPath, serviceId, options);
        return builder;
    }

    /// <summary>Adds the diffusion infilling service for the model in <paramref name="modelPath"/>.</summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="modelPath">The model package folder.</param>
    /// <param name="serviceId">The service key, or null.</param>
    /// <param name="options">Load options.</param>
    public static IKernelBuilder AddDiffusionInfilling(this IKernelBuilder builder, string modelPath, string? serviceId = null, DiffusionModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDiffusionInfilling(modelPath, serviceId, options);
        return builder;
    }
}
