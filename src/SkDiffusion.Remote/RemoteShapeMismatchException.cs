namespace SkDiffusion.Remote;

/// <summary>
/// The served model's tensors disagree with the local model manifest (a missing input, another vocabulary size), or
/// the server rejected a tensor's shape.
/// </summary>
public sealed class RemoteShapeMismatchException : RemoteDenoiserException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The cause, if any.</param>
    public RemoteShapeMismatchException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
