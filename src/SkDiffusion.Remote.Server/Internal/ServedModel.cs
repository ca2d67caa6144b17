using Grpc.Core;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;

namespace SkDiffusion.Remote.Server.Internal;

/// <summary>The one model a host serves: its denoiser, name, version and held sequences.</summary>
internal sealed class ServedModel(IDenoiser denoiser, ModelManifest manifest, string name, string version, SequenceStore sequences)
{
    /// <summary>The extension listed in the server metadata when sequences are kept.</summary>
    public const string SequenceCacheExtension = "sequence_kv_cache";

    public IDenoiser Denoiser { get; } = denoiser;

    /// <summary>The denoiser's cached runs, or null when it has none (then sequences are refused).</summary>
    public ICachingDenoiser? Caching { get; } = denoiser is ICachingDenoiser { SupportsCache: true } caching ? caching : null;

    public ModelManifest Manifest { get; } = manifest;

    public string Name { get; } = name;

    public string Version { get; } = version;

    public SequenceStore Sequences { get; } = sequences;

    public bool Matches(string name, string version) => name == Name && (version.Length == 0 || version == Version);

    public void ThrowIfNotServed(string name, string version)
    {
        if (!Matches(name, version))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Unknown model '{name}'{(version.Length == 0 ? string.Empty : $" version {version}")}: this server serves '{Name}' version {Version}."));
        }
    }
}
