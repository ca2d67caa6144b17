namespace SkDiffusion.ModelBuilder;

/// <summary>One progress report of a package build.</summary>
public sealed class BuildProgress
{
    /// <summary>The phase of the build.</summary>
    public BuildStage Stage { get; init; }

    /// <summary>A short human-readable description of what is happening.</summary>
    public string Message { get; init; } = "";

    /// <summary>The 1-based index of the tensor just written (during <see cref="BuildStage.WritingWeights"/>), otherwise 0.</summary>
    public int TensorIndex { get; init; }

    /// <summary>The number of tensors the package holds.</summary>
    public int TensorCount { get; init; }

    /// <summary>The name of the tensor just written, if any.</summary>
    public string? TensorName { get; init; }

    /// <summary>Weight bytes written so far.</summary>
    public long BytesWritten { get; init; }

    /// <summary>Weight bytes the package will hold in all.</summary>
    public long TotalBytes { get; init; }
}
