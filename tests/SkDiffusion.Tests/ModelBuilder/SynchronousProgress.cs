using SkDiffusion.ModelBuilder;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread.</summary>
internal sealed class SynchronousProgress(Action<BuildProgress> report) : IProgress<BuildProgress>
{
    /// <inheritdoc />
    public void Report(BuildProgress value) => report(value);
}
