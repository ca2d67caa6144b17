using SkDiffusion.Denoising;

namespace SkDiffusion.CudaCheck;

/// <summary>Compares two denoisers' logits over the same canvases.</summary>
internal static class LogitsComparison
{
    /// <summary>Runs both denoisers on <paramref name="canvases"/> (one row each) and compares every position.</summary>
    public static async Task<LogitsDifference> CompareAsync(IDenoiser expected, IDenoiser actual, IReadOnlyList<long[]> canvases)
    {
        var accumulator = new Accumulator();
        foreach (long[] ids in canvases)
        {
            using DenoiserOutput a = await expected.DenoiseAsync(new DenoiserInput(ids, 1, ids.Length));
            using DenoiserOutput b = await actual.DenoiseAsync(new DenoiserInput(ids, 1, ids.Length));
            accumulator.Add(a, b);
        }

        return accumulator.Result();
    }

    /// <summary>Compares outputs already computed, pairwise.</summary>
    public static LogitsDifference Compare(IReadOnlyList<DenoiserOutput> expected, IReadOnlyList<DenoiserOutput> actual)
    {
        var accumulator = new Accumulator();
        for (int i = 0; i < expected.Count; i++)
        {
            accumulator.Add(expected[i], actual[i]);
        }

        return accumulator.Result();
    }

    private sealed class Accumulator
    {
        private double _maxAbs, _sumAbs, _maxLogit;
        private long _count;
        private int _positions, _agreements;

        public void Add(DenoiserOutput a, DenoiserOutput b)
        {
            if (a.BatchSize != b.BatchSize || a.SequenceLength != b.SequenceLength || a.VocabularySize != b.VocabularySize)
            {
                throw new InvalidOperationException($"Outputs of different shapes: [{a.BatchSize}, {a.SequenceLength}, {a.VocabularySize}] and [{b.BatchSize}, {b.SequenceLength}, {b.VocabularySize}].");
            }

            for (int r = 0; r < a.BatchSize; r++)
            {
                for (int p = 0; p < a.SequenceLength; p++)
                {
                    Span<float> x = a.GetLogits(r, p), y = b.GetLogits(r, p);
                    int bestX = 0, bestY = 0;
                    for (int k = 0; k < x.Length; k++)
                    {
                        double d = Math.Abs(x[k] - y[k]);
                        _maxAbs = Math.Max(_maxAbs, d);
                        _sumAbs += d;
                        _maxLogit = Math.Max(_maxLogit, Math.Abs(x[k]));
                        bestX = x[k] > x[bestX] ? k : bestX;
                        bestY = y[k] > y[bestY] ? k : bestY;
                    }

                    _count += x.Length;
                    _positions++;
                    _agreements += bestX == bestY ? 1 : 0;
                }
            }
        }

        public LogitsDifference Result() => new(_maxAbs, _count == 0 ? 0 : _sumAbs / _count, _maxLogit, _positions, _agreements);
    }
}
