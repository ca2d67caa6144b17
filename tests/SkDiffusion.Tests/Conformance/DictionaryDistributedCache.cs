using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;

namespace SkDiffusion.Tests.Conformance;

/// <summary>An in-memory <see cref="IDistributedCache"/> that counts hits.</summary>
internal sealed class DictionaryDistributedCache : IDistributedCache
{
    private readonly ConcurrentDictionary<string, byte[]> _entries = new();

    public int Hits;

    public byte[]? Get(string key)
    {
        if (_entries.TryGetValue(key, out var value))
        {
            Interlocked.Increment(ref Hits);
            return value;
        }

        return null;
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

    public void Refresh(string key)
    {
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => _entries.TryRemove(key, out _);

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        Remove(key);
        return Task.CompletedTask;
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _entries[key] = value;

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Set(key, value, options);
        return Task.CompletedTask;
    }
}
