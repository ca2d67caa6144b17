namespace SkDiffusion.Remote;

/// <summary>Options for <see cref="RemoteDenoiser.ConnectAsync"/>.</summary>
public sealed class RemoteDenoiserOptions
{
    /// <summary>The server's gRPC address, e.g. <c>http://triton:8001</c> (plain HTTP/2) or an <c>https://</c> address. Required.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The served model's name (Triton: the model repository folder). Required.</summary>
    public string ModelName { get; set; } = string.Empty;

    /// <summary>The model version, or <see langword="null"/> for the server's choice.</summary>
    public string? ModelVersion { get; set; }

    /// <summary>
    /// The time one denoiser step may take, all retries included; past it the step fails with
    /// <see cref="RemoteServerUnavailableException"/>. Default 30 seconds.
    /// </summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a call that failed with a transient error (the server unreachable or gone mid-call). Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The wait before the first retry; it doubles on each further retry. Default 50 ms.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How cached sampler steps run against the server. Default <see cref="SequenceCacheMode.Auto"/>.</summary>
    public SequenceCacheMode SequenceCache { get; set; } = SequenceCacheMode.Auto;

    /// <summary>The largest message sent or received, in bytes (a full-canvas step returns batch x canvas x vocabulary x 4). Default 512 MiB.</summary>
    public int MaxMessageBytes { get; set; } = 512 * 1024 * 1024;

    /// <summary>Throws when an option is missing or out of range.</summary>
    internal void Validate()
    {
        if (Endpoint is null || !Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"RemoteDenoiserOptions.Endpoint must be an absolute http:// or https:// address of the server's gRPC port (e.g. http://localhost:8001); it is '{Endpoint}'.", nameof(Endpoint));
        }

        if (string.IsNullOrWhiteSpace(ModelName))
        {
            throw new ArgumentException("RemoteDenoiserOptions.ModelName is empty; set it to the name the server serves the model under (Triton: its folder in the model repository).", nameof(ModelName));
        }

        if (Deadline <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Deadline), Deadline, "RemoteDenoiserOptions.Deadline must be positive.");
        }

        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "RemoteDenoiserOptions.MaxRetries cannot be negative (0 means no retry).");
        }

        if (InitialBackoff < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialBackoff), InitialBackoff, "RemoteDenoiserOptions.InitialBackoff cannot be negative.");
        }

        if (MaxMessageBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMessageBytes), MaxMessageBytes, "RemoteDenoiserOptions.MaxMessageBytes must be at least 1024.");
        }
    }
}
