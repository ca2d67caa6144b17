namespace SkDiffusion.Remote;

/// <summary>The server does not serve the model (or version) named in <see cref="RemoteDenoiserOptions"/>, or it is not ready.</summary>
public sealed class RemoteModelNotFoundException : RemoteDenoiserException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The cause, if any.</param>
    public RemoteModelNotFoundException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
