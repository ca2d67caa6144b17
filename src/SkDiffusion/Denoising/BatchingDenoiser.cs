using System.Buffers;

namespace SkDiffusion.Denoising;

/// <summary>
/// Batches concurrent <see cref="IDenoiser.DenoiseAsync"/> calls into one run of the inner denoiser: requests that
/// arrive while a run is in flight are left-padded to a common length (padding is masked out of attention, and the
/// inner denoiser numbers positions from the first real token) and run together, then each caller gets its own rows
/// back. On an accelerator one run of many rows costs little more than one row. Cached runs
/// (<see cref="ICachingDenoiser.DenoiseWithCacheAsync"/>) pass straight through unbatched.
/// </summary>
/// <remarks>
/// Results equal unbatched runs up to floating-point rounding: a matrix product over more rows may sum in another
/// order on some execution providers. A failing combined run is retried request by request, so one bad request fails
/// alone; a cancelled request returns at once while the run it joined completes for the others.
/// </remarks>
public sealed class BatchingDenoiser : ICachingDenoiser
{
    private readonly IDenoiser _inner;
    private readonly BatchingDenoiserOptions _options;
    private readonly object _lock = new();
    private readonly List<PendingRequest> _queue = [];
    private bool _draining;
    private int _disposed;
    private long _runs;

    private BatchingDenoiser(IDenoiser inner, BatchingDenoiserOptions options)
    {
        _inner = inner;
        _options = options;
    }

    /// <inheritdoc />
    public int VocabularySize => _inner.VocabularySize;

    /// <inheritdoc />
    public int MaxSequenceLength => _inner.MaxSequenceLength;

    /// <summary>
    /// Whether the inner denoiser supports key/value caching (e.g. an <see cref="OnnxDenoiser"/> whose
    /// <see cref="OnnxDenoiser.SupportsCache"/> is <see langword="true"/>); cached runs pass through unbatched.
    /// </summary>
    public bool SupportsCache => _inner is ICachingDenoiser { SupportsCache: true };

    /// <summary>The inner runs made so far (each serves one or more requests).</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The denoiser that runs the combined batches.</param>
    /// <param name="options">Batch size and wait.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="BatchingDenoiserOptions.MaxBatchRows"/> is below 1 or <see cref="BatchingDenoiserOptions.MaxWait"/> is negative.</exception>
    public static BatchingDenoiser Create(IDenoiser inner, BatchingDenoiserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        options ??= new BatchingDenoiserOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchRows, 1, nameof(options.MaxBatchRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxWait, TimeSpan.Zero, nameof(options.MaxWait));
        return new BatchingDenoiser(inner, options);
    }

    /// <inheritdoc />
    public async ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (input.SequenceLength > MaxSequenceLength)
        {
            throw new ArgumentException($"The canvas has {input.SequenceLength} positions but the model accepts at most {MaxSequenceLength}; shorten the prompt or the answer.", nameof(input));
        }

        var request = new PendingRequest(input);
        bool start;
        lock (_lock)
        {
            _queue.Add(request);
            start = !_draining;
            _draining = true;
        }

        if (start)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        using (cancellationToken.Register(static r => ((PendingRequest)r!).Cancel(), request))
        {
            try
            {
                return await request.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The denoiser request was cancelled.", cancellationToken);
            }
        }
    }

    /// <inheritdoc />
    ValueTask<CachedDenoiserOutput> ICachingDenoiser.DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken)
        => DenoiseWithCacheAsync(input, cancellationToken);

    /// <summary>Runs part of a canvas against cached keys and values (see <see cref="ICachingDenoiser"/>).</summary>
    /// <param name="input">Tokens, positions, mask over past and current, and the past.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Logits for the positions run and, when asked for, the present keys and values.</returns>
    internal ValueTask<CachedDenoiserOutput> DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_inner is not ICachingDenoiser { SupportsCache: true } caching)
        {
            throw new NotSupportedException($"The inner denoiser ({_inner.GetType().Name}) cannot run with a cache; use CacheMode.None.");
        }

        return caching.DenoiseWithCacheAsync(input, cancellationToken);
    }

    /// <summary>Disposes the inner denoiser when <see cref="BatchingDenoiserOptions.OwnsInner"/> is set.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _options.OwnsInner)
        {
            _inner.Dispose();
        }
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            if (_options.MaxWait > TimeSpan.Zero)
            {
                await Task.Delay(_options.MaxWait).ConfigureAwait(false);
            }

            List<PendingRequest> batch = [];
            lock (_lock)
            {
                int rows = 0;
                while (_queue.Count > 0 && (batch.Count == 0 || rows + _queue[0].Input.BatchSize <= _options.MaxBatchRows))
                {
                    rows += _queue[0].Input.BatchSize;
                    batch.Add(_queue[0]);
                    _queue.RemoveAt(0);
                }

                if (batch.Count == 0)
                {
                    _draining = false;
                    return;
                }
            }

            batch.RemoveAll(r => r.Task.IsCompleted);
            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await RunAsync(batch).ConfigureAwait(false);
            }
            catch (Exception) when (batch.Count > 1)
            {
                // One request may have failed the combined run: run each alone, so only the faulty one fails.
                foreach (PendingRequest request in batch)
                {
                    if (request.Task.IsCompleted)
                    {
                        continue;
                    }

                    try
                    {
                        await RunAsync([request]).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        request.Fail(ex);
                    }
                }
            }
            catch (Exception ex)
            {
                batch[0].Fail(ex);
            }
        }
    }

    private async Task RunAsync(List<PendingRequest> batch)
    {
        Interlocked.Increment(ref _runs);
        if (batch.Count == 1)
        {
            batch[0].Complete(await _inner.DenoiseAsync(batch[0].Input, CancellationToken.None).ConfigureAwait(false));
            return;
        }

        int length = 0, rows = 0, perRow = 0;
        bool gather = true;
        foreach (PendingRequest r in batch)
        {
            length = Math.Max(length, r.Input.SequenceLength);
            rows += r.Input.BatchSize;
            gather &= !r.Input.LogitsPositions.IsEmpty;
            perRow = Math.Max(perRow, r.Input.LogitsPerRow);
        }

        long[] tokens = new long[rows * length];
        long[] mask = new long[rows * length];
        int[]? positions = gather ? new int[rows * perRow] : null;
        int row = 0;
        foreach (PendingRequest r in batch)
        {
            DenoiserInput input = r.Input;
            int s = input.SequenceLength, pad = length - s, k = input.LogitsPerRow;
            ReadOnlySpan<long> ids = input.TokenIds.Span;
            ReadOnlySpan<long> ownMask = input.AttentionMask.Span;
            for (int b = 0; b < input.BatchSize; b++, row++)
            {
                ids.Slice(b * s, s).CopyTo(tokens.AsSpan((row * length) + pad, s));
                Span<long> m = mask.AsSpan((row * length) + pad, s);
                if (ownMask.IsEmpty)
                {
                    m.Fill(1);
                }
                else
                {
                    ownMask.Slice(b * s, s).CopyTo(m);
                }

                if (positions is not null)
                {
                    ReadOnlySpan<int> asked = input.LogitsPositions.Span.Slice(b * k, k);
                    for (int j = 0; j < perRow; j++)
                    {
                        positions[(row * perRow) + j] = pad + asked[Math.Min(j, k - 1)];
                    }
                }
            }
        }

        var combined = new DenoiserInput(tokens, rows, length, mask, positions ?? default(ReadOnlyMemory<int>));
        using DenoiserOutput output = await _inner.DenoiseAsync(combined, CancellationToken.None).ConfigureAwait(false);
        int v = output.VocabularySize;
        row = 0;
        foreach (PendingRequest r in batch)
        {
            DenoiserInput input = r.Input;
            int s = input.SequenceLength, pad = length - s, k = input.LogitsPerRow;
            bool partial = !input.LogitsPositions.IsEmpty;
            float[] buffer = ArrayPool<float>.Shared.Rent(input.BatchSize * k * v);
            for (int b = 0; b < input.BatchSize; b++)
            {
                for (int j = 0; j < k; j++)
                {
                    int p = partial ? input.LogitsPositions.Span[(b * k) + j] : j;
                    output.GetLogits(row + b, pad + p).CopyTo(buffer.AsSpan(((b * k) + j) * v, v));
                }
            }

            row += input.BatchSize;
            r.Complete(partial
                ? new PooledDenoiserOutput(buffer, input.BatchSize, s, v, input.LogitsPositions.Span)
                : new PooledDenoiserOutput(buffer, input.BatchSize, s, v));
        }
    }
}
