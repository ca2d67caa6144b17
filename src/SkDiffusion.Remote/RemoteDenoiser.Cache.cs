using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkDiffusion.Denoising;
using SkDiffusion.Remote.Internal;
using SkDiffusion.Remote.Protocol;

namespace SkDiffusion.Remote;

/// <summary>The sampler's cached steps over the wire: server-held sequences, or stateless full-canvas steps.</summary>
public sealed partial class RemoteDenoiser
{
    // The handle the sampler holds for a block, mapped to the block's sequence.
    private readonly ConditionalWeakTable<KvCache, RemoteSequence> _sequences = new();

    /// <inheritdoc />
    ValueTask<CachedDenoiserOutput> ICachingDenoiser.DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken)
        => DenoiseWithCacheAsync(input, cancellationToken);

    /// <summary>
    /// A cached step. The block's opening pass (no past, present asked for) runs the whole canvas and returns a handle
    /// to keys and values held on the server (or, statelessly, nowhere); the block's other steps pass the handle back
    /// with the sampler's mask over the whole canvas followed by the window.
    /// </summary>
    internal async ValueTask<CachedDenoiserOutput> DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        int b = input.BatchSize, s = input.SequenceLength, v = VocabularySize;
        CheckCanvas(input.TokenIds.Span, b, s);
        int[] every = new int[b * s];
        for (int i = 0; i < every.Length; i++)
        {
            every[i] = i % s;
        }

        if (input.Past is null)
        {
            long[] tokens = input.TokenIds.ToArray(), positions = input.PositionIds.ToArray(), mask = input.AttentionMask.ToArray();
            bool onServer = input.ReturnPresent && ActiveSequenceCache == SequenceCacheMode.Server;
            ulong id = onServer ? NewSequenceId() : 0;
            var request = NewRequest();
            if (onServer)
            {
                request.Parameters["sequence_id"] = new InferParameter { Uint64Param = id };
                request.Parameters["sequence_start"] = new InferParameter { BoolParam = true };
            }

            float[] logits = await InferAsync(request, tokens, positions, mask, b, s, every, s, cancellationToken).ConfigureAwait(false);
            var output = TensorWire.ToOutput(logits, b, s, v, default);
            if (!input.ReturnPresent)
            {
                return new CachedDenoiserOutput(output, null);
            }

            var sequence = new RemoteSequence(id, onServer, tokens, positions, mask, b, s);
            TensorElementType kvType = _manifest.KvDType == "float16" ? TensorElementType.Float16 : TensorElementType.Float;
            KvCache handle = KvCache.CreateHandle(b, _manifest.NumKvHeads, s, _manifest.HeadDim, kvType, () => EndSequence(sequence));
            _sequences.Add(handle, sequence);
            return new CachedDenoiserOutput(output, handle);
        }

        if (!_sequences.TryGetValue(input.Past, out RemoteSequence? seq))
        {
            throw new ArgumentException("The past keys and values were not returned by this RemoteDenoiser; pass the cache its opening pass returned.", nameof(input));
        }

        if (input.ReturnPresent)
        {
            throw new NotSupportedException("A RemoteDenoiser step against a past cannot return the grown keys and values; open a new block with a full pass instead.");
        }

        // The server runs the block against the whole held canvas (past + block positions); past the model's context
        // length that run is refused, so such a step runs statelessly.
        if (seq.OnServer && input.PastLength + s <= MaxSequenceLength)
        {
            var request = NewRequest();
            request.Parameters["sequence_id"] = new InferParameter { Uint64Param = seq.Id };
            try
            {
                float[] logits = await InferAsync(request, input.TokenIds.ToArray(), input.PositionIds.ToArray(), input.AttentionMask.ToArray(), b, s, every, s, cancellationToken).ConfigureAwait(false);
                return new CachedDenoiserOutput(TensorWire.ToOutput(logits, b, s, v, default), null);
            }
            catch (RemoteDenoiserException ex) when (ex.InnerException is RpcException { StatusCode: StatusCode.FailedPrecondition })
            {
                // The server no longer holds the sequence (evicted, or restarted): finish the block statelessly.
                seq.Lose();
            }
        }

        // Stateless: the opening canvas with this step's window written in, and only the window's logits back.
        int start = seq.FindWindowStart(input.PositionIds.Span, input.AttentionMask.Span, s, input.PastLength);
        long[] canvas = (long[])seq.Tokens.Clone();
        int[] gather = new int[b * s];
        for (int r = 0; r < b; r++)
        {
            input.TokenIds.Span.Slice(r * s, s).CopyTo(canvas.AsSpan((r * seq.Length) + start, s));
            for (int j = 0; j < s; j++)
            {
                gather[(r * s) + j] = start + j;
            }
        }

        float[] window = await InferAsync(NewRequest(), canvas, seq.Positions, seq.Mask, b, seq.Length, gather, s, cancellationToken).ConfigureAwait(false);
        return new CachedDenoiserOutput(TensorWire.ToOutput(window, b, s, v, default), null);
    }

    private static ulong NewSequenceId()
    {
        // Non-zero: Triton's sequence batcher reserves 0 for "no sequence".
        ulong id;
        do
        {
            id = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) >> 1;
        }
        while (id == 0);
        return id;
    }

    /// <summary>Tells the server it may drop a block's keys and values (best effort: the server also expires idle sequences).</summary>
    private void EndSequence(RemoteSequence sequence)
    {
        if (!sequence.OnServer || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var request = NewRequest();
        request.Parameters["sequence_id"] = new InferParameter { Uint64Param = sequence.Id };
        request.Parameters["sequence_end"] = new InferParameter { BoolParam = true };
        _ = Task.Run(async () =>
        {
            try
            {
                using var call = _client.ModelInferAsync(request, new CallOptions(deadline: DateTime.UtcNow + _options.Deadline));
                await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RpcException or ObjectDisposedException or InvalidOperationException)
            {
                // Best effort: an unreachable server has dropped the sequence already or will expire it.
            }
        });
    }
}
