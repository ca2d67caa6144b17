namespace SkDiffusion.Remote;

/// <summary>
/// A remote denoiser call failed: the server answered with an error, or with a response that breaks the protocol (a
/// malformed response is refused, never read). The derived types name the common causes.
/// </summary>
public class RemoteDenoiserException : SkDiffusionException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public RemoteDenoiserException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with its cause.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The cause (often a <c>Grpc.Core.RpcException</c>).</param>
    public RemoteDenoiserException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
