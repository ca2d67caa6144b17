using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkDiffusion.Denoising;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// A caching denoiser whose "keys" are exact: each cached position stores its token, position id and mask bit, so a
/// cached run rebuilds the whole canvas and evaluates <see cref="LogitsFunction"/> on it. As long as the cached
/// positions did not change, cached runs give exactly the logits of a full pass. With <paramref name="shifted"/>,
/// <paramref name="function"/> gives raw Dream-layout logits (position i predicts i + 1) and each run realigns them as
/// <see cref="OnnxDenoiser"/> does: run position k gets raw k - 1, the run's first real position keeps its own.
/// </summary>
internal sealed class CachingFakeDenoiser(int vocabularySize, LogitsFunction function, bool shifted = false) : ICachingDenoiser
{
    private const int Width = 3;

    public int VocabularySize { get; } = vocabularySize;

    public int MaxSequenceLength => 4096;

    public bool SupportsCache => true;

    /// <summary>(past length, run length, returned present) of every call.</summary>
    public List<(int Past, int Length, bool Present)> Calls { get; } = [];

    public ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("A cached run was expected.");

    public ValueTask<CachedDenoiserOutput> DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int b = input.BatchSize, s = input.SequenceLength, p = input.PastLength, total = p + s;
        Calls.Add((p, s, input.ReturnPresent));
        var all = new float[b * total * Width];
        ReadOnlySpan<long> ids = input.TokenIds.Span, pos = input.PositionIds.Span, mask = input.AttentionMask.Span;
        for (int r = 0; r < b; r++)
        {
            if (input.Past is { } past)
            {
                ReadOnlySpan<float> k = MemoryMarshal.Cast<byte, float>(past.GetKey(0).GetTensorDataAsSpan<byte>());
                k.Slice(r * p * Width, p * Width).CopyTo(all.AsSpan(r * total * Width));
            }

            for (int i = 0; i < s; i++)
            {
                int at = ((r * total) + p + i) * Width;
                all[at] = ids[(r * s) + i];
                all[at + 1] = pos[(r * s) + i];
                all[at + 2] = mask[(r * total) + p + i];
            }
        }

        var logits = new float[b * s * VocabularySize];
        var canvas = new long[total];
        for (int r = 0; r < b; r++)
        {
            // Rebuild the padded canvas: padding first, then the real positions in position-id order.
            int pads = 0;
            for (int j = 0; j < total; j++)
            {
                pads += all[(((r * total) + j) * Width) + 2] == 0 ? 1 : 0;
            }

            canvas.AsSpan().Fill(SamplingTestIds.Pad);
            for (int j = 0; j < total; j++)
            {
                int at = ((r * total) + j) * Width;
                if (all[at + 2] != 0)
                {
                    canvas[pads + (int)all[at + 1]] = (long)all[at];
                }
            }

            for (int i = 0; i < s; i++)
            {
                int index = mask[(r * total) + p + i] != 0 ? pads + (int)pos[(r * s) + i] : PaddedIndex(mask.Slice(r * total, total), p + i);
                function(r, canvas, index, logits.AsSpan(((r * s) + i) * VocabularySize, VocabularySize));
            }

            if (shifted)
            {
                bool realPast = mask.Slice(r * total, p).IndexOfAnyExcept(0L) >= 0;
                int first = realPast ? 0 : Math.Max(0, mask.Slice((r * total) + p, s).IndexOfAnyExcept(0L));
                for (int i = s - 1; i > first; i--)
                {
                    logits.AsSpan(((r * s) + i - 1) * VocabularySize, VocabularySize).CopyTo(logits.AsSpan(((r * s) + i) * VocabularySize, VocabularySize));
                }
            }
        }

        KvCache? present = null;
        if (input.ReturnPresent)
        {
            present = KvCache.Allocate(1, b, 1, total, Width, TensorElementType.Float);
            MemoryMarshal.AsBytes(all.AsSpan()).CopyTo(present.GetKey(0).GetTensorMutableRawData());
            present.GetValue(0).GetTensorMutableRawData().Clear(); // no values: every cached position looks alike
        }

        return ValueTask.FromResult(new CachedDenoiserOutput(new DenoiserOutput(logits, b, s, VocabularySize), present));
    }

    public void Dispose()
    {
    }

    private static int PaddedIndex(ReadOnlySpan<long> rowMask, int j)
    {
        // A padding position: its index among the padding entries (padding is on the left).
        int n = 0;
        for (int i = 0; i < j; i++)
        {
            n += rowMask[i] == 0 ? 1 : 0;
        }

        return n;
    }
}
