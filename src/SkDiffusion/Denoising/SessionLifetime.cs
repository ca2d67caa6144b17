using Microsoft.ML.OnnxRuntime;

namespace SkDiffusion.Denoising;

/// <summary>
/// Keeps an ONNX Runtime session (and the device allocator made from it) alive while anything still uses it: runs in
/// flight and the KV caches the session's allocator made. <see cref="Close"/> stops new runs, terminates the runs in
/// flight and waits for them to return; the native objects are released when the last cache is disposed as well.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The token source is disposed with the native objects, when the session is closed and its last run and cache have ended (Release); an IDisposable here would invite disposal while runs are still in flight.")]
internal sealed class SessionLifetime
{
    private readonly object _gate = new();
    private readonly InferenceSession _session;
    private readonly OrtAllocator? _allocator;
    private readonly CancellationTokenSource _closing = new();
    private int _runs;
    private int _caches;
    private bool _closed;
    private bool _released;

    public SessionLifetime(InferenceSession session, OrtAllocator? allocator)
    {
        _session = session;
        _allocator = allocator;
    }

    /// <summary>Caches made by this session that are not disposed yet.</summary>
    public int LiveCaches
    {
        get
        {
            lock (_gate)
            {
                return _caches;
            }
        }
    }

    /// <summary>Runs in flight.</summary>
    public int ActiveRuns
    {
        get
        {
            lock (_gate)
            {
                return _runs;
            }
        }
    }

    /// <summary>Whether <see cref="Close"/> was called.</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>Cancelled when <see cref="Close"/> starts: runs register it to terminate early.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>Registers a run; throws <see cref="ObjectDisposedException"/> naming <paramref name="objectName"/> once closed.</summary>
    public void EnterRun(string objectName)
    {
        lock (_gate)
        {
            if (_closed)
            {
                throw new ObjectDisposedException(objectName, $"{objectName} is disposed: create a new denoiser (or model) to run again.");
            }

            _runs++;
        }
    }

    /// <summary>Ends a run started with <see cref="EnterRun"/>.</summary>
    public void ExitRun()
    {
        lock (_gate)
        {
            _runs--;
            if (_runs == 0)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Counts a cache allocated from this session; the session outlives it.</summary>
    public void AddCache()
    {
        lock (_gate)
        {
            _caches++;
        }
    }

    /// <summary>A cache made by this session was disposed; releases the session when it was the last user.</summary>
    public void ReleaseCache()
    {
        bool release;
        lock (_gate)
        {
            _caches--;
            release = _closed && _runs == 0 && _caches == 0 && !_released;
            _released |= release;
        }

        if (release)
        {
            ReleaseNative();
        }
    }

    /// <summary>
    /// Refuses new runs, terminates the runs in flight (through <see cref="Closing"/>), waits until they have returned,
    /// then releases the session unless caches it made are still alive (then the last cache releases it).
    /// </summary>
    public void Close()
    {
        bool release;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        _closing.Cancel();
        lock (_gate)
        {
            while (_runs > 0)
            {
                Monitor.Wait(_gate);
            }

            release = _caches == 0 && !_released;
            _released |= release;
        }

        if (release)
        {
            ReleaseNative();
        }
    }

    private void ReleaseNative()
    {
        _allocator?.Dispose();
        _session.Dispose();
        _closing.Dispose();
    }
}
