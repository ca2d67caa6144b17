namespace SkDiffusion.Remote;

/// <summary>
/// The server could not be reached, went away mid-request, or did not answer within
/// <see cref="RemoteDenoiserOptions.Deadline"/>, after the retries allowed by <see cref="RemoteDenoiserOptions.MaxRetries"/>.
/// </summary>
public sealed class RemoteServerUnavailableException : RemoteDenoiserException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The cause, if any.</param>
    public RemoteServerUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
