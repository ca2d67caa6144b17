using SkDiffusion.Denoising;

namespace SkDiffusion.Sampling.Internal.Forward;

/// <summary>
/// The logits of a run over scattered positions, addressed by canvas position (the run's positions repeated for every
/// batch row); disposing it disposes the run's output.
/// </summary>
internal sealed class RemappedOutput(DenoiserOutput run, int length, ReadOnlySpan<int> positions)
    : DenoiserOutput(run.Logits, run.BatchSize, length, run.VocabularySize, positions)
{
    /// <summary>Wraps <paramref name="run"/>, whose row k holds the logits of <paramref name="runPositions"/>[k].</summary>
    public static RemappedOutput Create(DenoiserOutput run, int length, ReadOnlySpan<int> runPositions, int[] scratch)
    {
        int n = runPositions.Length;
        for (int r = 0; r < run.BatchSize; r++)
        {
            runPositions.CopyTo(scratch.AsSpan(r * n, n));
        }

        return new RemappedOutput(run, length, scratch.AsSpan(0, run.BatchSize * n));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            run.Dispose();
        }

        base.Dispose(disposing);
    }
}
