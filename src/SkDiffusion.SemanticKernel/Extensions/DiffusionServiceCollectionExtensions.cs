using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.TextGeneration;
using SkDiffusion.SemanticKernel.Chat;
using SkDiffusion.SemanticKernel.Infilling;
using SkDiffusion.SemanticKernel.Models;

namespace SkDiffusion.SemanticKernel.Extensions;

/// <summary>
/// Registers the diffusion services on an <see cref="IServiceCollection"/>, keyed by service id (null = unkeyed).
/// The model of a folder is loaded once (on first use) and shared by every service registered for it.
/// </summary>
public static class DiffusionServiceCollectionExtensions
{
    /// <summary>Registers the shared <see cref="DiffusionModel"/> of <paramref name="modelPath"/> under <paramref name="serviceId"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="modelPath">The model package folder.</param>
    /// <param name="serviceId">The service key, or null.</param>
    /// <param name="options">Load options.</param>
    public static IServiceCollection AddDiffusionModel(this IServiceCollection services, string modelPath, string? serviceId = null, DiffusionModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        services.TryAddSingleton<DiffusionModelRegistry>();
        services.TryAddKeyedSingleton<DiffusionModel>(serviceId, (sp, _) => sp.GetRequiredService<DiffusionModelRegistry>().GetOrLoad(modelPath, options));
        return services;
    }

    /// <summary>
    /// Registers a <see cref="DiffusionChatCompletionService"/> (<see cref="IChatCompletionService"/>) and a
    /// <see cref="DiffusionChatClient"/> (<see cref="IChatClient"/>) over the model in <paramref name="modelPath"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="modelPath">The model package folder.</param>
    /// <param name="serviceId">The service key, or null.</param>
    /// <param name="options">Load options.</param>
    public static IServiceCollection AddDiffusionChatCompletion(this IServiceCollection services, string modelPath, string? serviceId = null, DiffusionModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        services.TryAddSingleton<DiffusionModelRegistry>();
        services.AddKeyedSingleton<IChatCompletionService>(serviceId, (sp, _) => DiffusionChatCompletionService.Create(Model(sp, modelPath, options)));
        services.AddKeyedSingleton<IChatClient>(serviceId, (sp, _) => DiffusionChatClient.Create(Model(sp, modelPath, options)));
        return services;
    }

    /// <summary>Registers a <see cref="DiffusionTextGenerationService"/> (<see cref="ITextGenerationService"/>).</summary>
    /// <param name="services">The services.</param>
    /// <param name="modelPath">The model package folder.</param>
    /// <param name="serviceId">The service key, or null.</param>
    /// <param name="options">Load options.</param>
    public static IServiceCollection AddDiffusionTextGeneration(this IServiceCollection services, string modelPath, string? serviceId = null, DiffusionModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        services.TryAddSingleton<DiffusionModelRegistry>();
        services.AddKeyedSingleton<ITextGenerationService>(serviceId, (sp, _) => DiffusionTextGenerationService.Create(Model(sp, modelPath, options)));
        return services;
    }

    /// <summary>Registers a <see cref="DiffusionInfillingService"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="modelPath">The model package folder.</param>
    /// <param name="serviceId">The service key, or null.</param>
    /// <param name="options">Load options.</param>
    public static IServiceCollection AddDiffusionInfilling(this IServiceCollection services, string modelPath, string? serviceId = null, DiffusionModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        services.TryAddSingleton<DiffusionModelRegistry>();
        services.AddKeyedSingleton(serviceId, (sp, _) => DiffusionInfillingService.Create(Model(sp, modelPath, options)));
        return services;
    }

    private static DiffusionModel Model(IServiceProvider sp, string path, DiffusionModelOptions? options) =>
        sp.GetRequiredService<DiffusionModelRegistry>().GetOrLoad(path, options);
}
