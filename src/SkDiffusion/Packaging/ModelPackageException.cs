namespace SkDiffusion.Packaging;

/// <summary>A model package is missing, malformed, corrupt or inconsistent. The message names the file and the problem.</summary>
public sealed class ModelPackageException : SkDiffusionException
{
    /// <summary>Creates an exception about one file of a package.</summary>
    /// <param name="filePath">The file (or folder) at fault.</param>
    /// <param name="problem">What is wrong with it and how to fix it.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ModelPackageException(string filePath, string problem, Exception? innerException = null)
        : base($"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file (or folder) at fault.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
