namespace SkDiffusion.Extensions.AI;

/// <summary>A held generation slot of a <see cref="DiffusionModel"/>; disposing it (once) releases the slot.</summary>
internal sealed class GenerationLease(SemaphoreSlim gate) : IDisposable
{
    private int _done;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            try
            {
                gate.Release();
            }
            catch (ObjectDisposedException)
            {
                // The model was disposed while this generation ran: there is no slot left to give back.
            }
        }
    }
}
