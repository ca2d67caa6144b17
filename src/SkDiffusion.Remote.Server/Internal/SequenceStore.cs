using System.Collections.Concurrent;
using SkDiffusion.Denoising;

namespace SkDiffusion.Remote.Server.Internal;

/// <summary>
/// Keys and values kept between the steps of a block, under the protocol's sequence id. Bounded in count and idle
/// time; one step of a sequence runs at a time.
/// </summary>
internal sealed class SequenceStore(int capacity, TimeSpan idleTimeout) : IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Sequences held now.</summary>
    public int Count => _entries.Count;

    /// <summary>Keeps <paramref name="cache"/> under <paramref name="id"/>, replacing (and freeing) an earlier one.</summary>
    public void Put(string id, KvCache cache)
    {
        Evict();
        var entry = new Entry(cache);
        _entries.AddOrUpdate(id, entry, (_, old) =>
        {
            old.Drop();
            return entry;
        });
    }

    /// <summary>Runs <paramref name="step"/> with the sequence's cache; false when the sequence is not held.</summary>
    public async Task<(bool Found, T Result)> UseAsync<T>(string id, Func<KvCache, Task<T>> step, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(id, out Entry? entry))
        {
            return (false, default!);
        }

        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Cache is not KvCache cache)
            {
                return (false, default!);
            }

            entry.Touched = Environment.TickCount64;
            return (true, await step(cache).ConfigureAwait(false));
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Drops a sequence (its <c>sequence_end</c>); nothing happens when it is not held.</summary>
    public void End(string id)
    {
        if (_entries.TryRemove(id, out Entry? entry))
        {
            entry.Drop();
        }
    }

    /// <summary>Drops sequences idle past the timeout, then the least recently used ones above the capacity.</summary>
    private void Evict()
    {
        long now = Environment.TickCount64;
        foreach (var (id, entry) in _entries)
        {
            if (now - entry.Touched > (long)idleTimeout.TotalMilliseconds)
            {
                End(id);
            }
        }

        while (_entries.Count >= capacity)
        {
            var oldest = _entries.MinBy(e => e.Value.Touched);
            if (oldest.Value is null)
            {
                break;
            }

            End(oldest.Key);
        }
    }

    /// <summary>Frees every sequence.</summary>
    public void Dispose()
    {
        foreach (string id in _entries.Keys)
        {
            End(id);
        }
    }

    private sealed class Entry(KvCache cache)
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public KvCache? Cache { get; private set; } = cache;

        public long Touched { get; set; } = Environment.TickCount64;

        /// <summary>Frees the cache once no step uses it (a step in flight frees it when it ends).</summary>
        public void Drop()
        {
            _ = Task.Run(async () =>
            {
                await Gate.WaitAsync().ConfigureAwait(false);
                try
                {
                    Cache?.Dispose();
                    Cache = null;
                }
                finally
                {
                    Gate.Release();
                }
            });
        }
    }
}
