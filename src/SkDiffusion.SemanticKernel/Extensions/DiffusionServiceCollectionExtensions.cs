using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.TextGeneration;
using SkDiffusion.Extensions.AI;
using SkDiffusion.SemanticKernel.Chat;
using SkDiffusion.SemanticKernel.Guidance;
using SkDiffusion.SemanticKernel.Infilling;

namespace Microsoft.SemanticKernel;

/// <summary>
/// Registers the diffusion services for Semantic Kernel on an <see cref="IServiceCollection"/>, keyed by service id
/// (null = unkeyed). The model of a folder is loaded once (on first use) and shared by every service registered for it.
/// </summary>
public static class DiffusionServiceCollectionExtensions
{
    /// <summary>
    /// Registers chat completion through Semantic Kernel's own bridge: an <see cref="IChatClient"/> pipeline
    /// (<see cref="DiffusionChatClient"/> with kernel function invocation) and, over it,
    /// <c>AsChatCompletionService()</c> as the <see cref="IChatCompletionService"/>. <see cref="FunctionChoiceBehavior"/>
    /// in the execution settings advertises kernel functions to the model, which calls them with arguments that follow
    /// their parameter schemas; the kernel invokes them and the results go back to the model as chat turns. The
    /// <c>reward</c> setting may name a kernel function (<c>plugin.function</c>) that returns a number: it is resolved
    /// among the plugins of the kernel registered in these services (or of the plugins registered here) and scores the
    /// candidates of reward guidance.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="modelPath">The model package folder.</param>
    /// <param name="serviceId">The service key, or null.</param>
    /// <param name="options">Load options.</param>
    public static IServiceCollection AddDiffusionChatCompletion(this IServiceCollection services, string modelPath, string? serviceId = null, DiffusionModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        DiffusionChatClientServiceCollectionExtensions.AddRegistry(services);
        services.AddKeyedSingleton<IChatClient>(serviceId, (sp, _) =>
        {
            var loggers = sp.GetService<ILoggerFactory>();
            var client = new DiffusionChatClient(DiffusionChatClientServiceCollectionExtensions.GetModel(sp, modelPath, options), loggers?.CreateLogger<DiffusionChatClient>())
            {
                RewardResolver = KernelRewardResolver.ForServices(sp),
            };
            return client.AsBuilder().UseKernelFunctionInvocation(loggers).Build(sp);
        });
        services.AddKeyedSingleton<IChatCompletionService>(serviceId, (sp, _) => sp.GetRequiredKeyedService<IChatClient>(serviceId).AsChatCompletionService(sp));
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
        DiffusionChatClientServiceCollectionExtensions.AddRegistry(services);
        services.AddKeyedSingleton<ITextGenerationService>(serviceId, (sp, _) => DiffusionTextGenerationService.Create(DiffusionChatClientServiceCollectionExtensions.GetModel(sp, modelPath, options)));
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
        DiffusionChatClientServiceCollectionExtensions.AddRegistry(services);
        services.AddKeyedSingleton(serviceId, (sp, _) => DiffusionInfillingService.Create(DiffusionChatClientServiceCollectionExtensions.GetModel(sp, modelPath, options)));
        return services;
    }
}
