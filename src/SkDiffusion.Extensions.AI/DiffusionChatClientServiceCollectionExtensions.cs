using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using SkDiffusion.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers diffusion chat clients on an <see cref="IServiceCollection"/>. The model of a package folder is loaded
/// once (on first use, with the host's <see cref="ILoggerFactory"/> for load warnings) and shared by every client and
/// service registered for that folder.
/// </summary>
public static class DiffusionChatClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="IChatClient"/> over the diffusion model in <paramref name="modelPath"/> and returns its
    /// <see cref="ChatClientBuilder"/>, so middleware composes: <c>.UseLogging()</c>, <c>.UseOpenTelemetry()</c>,
    /// <c>.UseFunctionInvocation()</c>, <c>.UseDistributedCache()</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="modelPath">The model package folder.</param>
    /// <param name="options">Load options (used by the first load of the folder).</param>
    /// <param name="lifetime">The client's lifetime (the model itself is always shared).</param>
    public static ChatClientBuilder AddDiffusionChatClient(this IServiceCollection services, string modelPath, DiffusionModelOptions? options = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        AddRegistry(services);
        return services.AddChatClient(sp => CreateClient(sp, modelPath, options), lifetime);
    }

    /// <summary>Registers a keyed <see cref="IChatClient"/> over the diffusion model in <paramref name="modelPath"/> (see <see cref="AddDiffusionChatClient"/>).</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The service key.</param>
    /// <param name="modelPath">The model package folder.</param>
    /// <param name="options">Load options (used by the first load of the folder).</param>
    /// <param name="lifetime">The client's lifetime (the model itself is always shared).</param>
    public static ChatClientBuilder AddKeyedDiffusionChatClient(this IServiceCollection services, object? serviceKey, string modelPath, DiffusionModelOptions? options = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        AddRegistry(services);
        return services.AddKeyedChatClient(serviceKey, sp => CreateClient(sp, modelPath, options), lifetime);
    }

    /// <summary>Registers the shared <see cref="DiffusionModel"/> of <paramref name="modelPath"/>, keyed by <paramref name="serviceKey"/> (null: unkeyed).</summary>
    /// <param name="services">The services.</param>
    /// <param name="modelPath">The model package folder.</param>
    /// <param name="serviceKey">The service key, or null.</param>
    /// <param name="options">Load options (used by the first load of the folder).</param>
    public static IServiceCollection AddDiffusionModel(this IServiceCollection services, string modelPath, object? serviceKey = null, DiffusionModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        AddRegistry(services);
        services.TryAddKeyedSingleton<DiffusionModel>(serviceKey, (sp, _) => GetModel(sp, modelPath, options));
        return services;
    }

    /// <summary>The shared model of a folder (loaded on first use).</summary>
    internal static DiffusionModel GetModel(IServiceProvider sp, string modelPath, DiffusionModelOptions? options) =>
        sp.GetRequiredService<DiffusionModelRegistry>().GetOrLoad(modelPath, options);

    /// <summary>Adds the registry that loads each folder once.</summary>
    internal static void AddRegistry(IServiceCollection services) =>
        services.TryAddSingleton(sp => new DiffusionModelRegistry(sp.GetService<ILoggerFactory>()));

    private static DiffusionChatClient CreateClient(IServiceProvider sp, string modelPath, DiffusionModelOptions? options) =>
        new(GetModel(sp, modelPath, options), sp.GetService<ILoggerFactory>()?.CreateLogger<DiffusionChatClient>());
}
