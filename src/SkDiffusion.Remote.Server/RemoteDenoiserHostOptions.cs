using System.Net;

namespace SkDiffusion.Remote.Server;

/// <summary>Options for <see cref="RemoteDenoiserHost.StartAsync"/>.</summary>
public sealed class RemoteDenoiserHostOptions
{
    /// <summary>The address to listen on. Default <see cref="IPAddress.Loopback"/>; use <see cref="IPAddress.Any"/> to serve other machines.</summary>
    public IPAddress ListenAddress { get; set; } = IPAddress.Loopback;

    /// <summary>The TCP port (plain HTTP/2). Default 0: a free port, reported by <see cref="RemoteDenoiserHost.Address"/>.</summary>
    public int Port { get; set; }

    /// <summary>The name the model is served under, or <see langword="null"/> for the last segment of the manifest's name.</summary>
    public string? ModelName { get; set; }

    /// <summary>The served version. Default "1".</summary>
    public string ModelVersion { get; set; } = "1";

    /// <summary>Sequences (cached blocks) held at once; past it the least recently used idle one is dropped. Default 1024.</summary>
    public int MaxSequences { get; set; } = 1024;

    /// <summary>A sequence unused for this long is dropped (its client has gone). Default 2 minutes.</summary>
    public TimeSpan SequenceIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long stopping waits for requests in flight before it aborts them. Default 5 seconds.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest message received or sent, in bytes. Default 512 MiB.</summary>
    public int MaxMessageBytes { get; set; } = 512 * 1024 * 1024;

    /// <summary>Throws when an option is out of range.</summary>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(ListenAddress, nameof(ListenAddress));
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "RemoteDenoiserHostOptions.Port must be 0 (a free port) to 65535.");
        }

        if (ModelName is not null && (ModelName.Length == 0 || ModelName.Contains('/')))
        {
            throw new ArgumentException($"RemoteDenoiserHostOptions.ModelName '{ModelName}' must be non-empty and contain no '/'.", nameof(ModelName));
        }

        if (string.IsNullOrWhiteSpace(ModelVersion))
        {
            throw new ArgumentException("RemoteDenoiserHostOptions.ModelVersion is empty; the protocol names versions with non-empty strings (e.g. \"1\").", nameof(ModelVersion));
        }

        if (MaxSequences < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSequences), MaxSequences, "RemoteDenoiserHostOptions.MaxSequences must be at least 1.");
        }

        if (SequenceIdleTimeout <= TimeSpan.Zero || ShutdownTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SequenceIdleTimeout), "RemoteDenoiserHostOptions.SequenceIdleTimeout must be positive and ShutdownTimeout not negative.");
        }

        if (MaxMessageBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMessageBytes), MaxMessageBytes, "RemoteDenoiserHostOptions.MaxMessageBytes must be at least 1024.");
        }
    }
}
