namespace SkDiffusion.ModelBuilder;

/// <summary>
/// A problem with the user's input (checkpoint, tokenizer, options or output folder) that stops a package build.
/// The message names the file and the problem and is meant to be shown to the user as is.
/// </summary>
public sealed class ModelBuildException : Exception
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    /// <param name="message">What went wrong, naming the file and the problem.</param>
    public ModelBuildException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a user-facing message and the error that caused it.</summary>
    /// <param name="message">What went wrong, naming the file and the problem.</param>
    /// <param name="innerException">The underlying error.</param>
    public ModelBuildException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
