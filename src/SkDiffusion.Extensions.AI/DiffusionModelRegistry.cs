using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// Loads each model package once per service provider and shares it: chat, text generation and infilling services
/// registered for the same folder use one <see cref="DiffusionModel"/>. Disposes the models with the provider.
/// </summary>
internal sealed class DiffusionModelRegistry(ILoggerFactory? loggerFactory = null) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<DiffusionModel>> _models = new(StringComparer.Ordinal);

    /// <summary>The model of a package folder, loaded on first use.</summary>
    /// <param name="packageDirectory">The package folder.</param>
    /// <param name="options">Load options (used by the first load of the folder).</param>
    public DiffusionModel GetOrLoad(string packageDirectory, DiffusionModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(packageDirectory);
        string key = Path.GetFullPath(packageDirectory);
        return _models.GetOrAdd(key, k => new Lazy<DiffusionModel>(() => DiffusionModel.Load(k, options, loggerFactory?.CreateLogger("SkDiffusion.Extensions.AI.DiffusionModel")))).Value;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var model in _models.Values.Where(m => m.IsValueCreated))
        {
            model.Value.Dispose();
        }

        _models.Clear();
    }
}
