namespace SkDiffusion;

/// <summary>The base type of the exceptions SkDiffusion throws for bad models, packages, templates and settings.</summary>
public class SkDiffusionException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public SkDiffusionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public SkDiffusionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
