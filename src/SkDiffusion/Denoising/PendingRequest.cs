namespace SkDiffusion.Denoising;

/// <summary>One caller's request waiting in a <see cref="BatchingDenoiser"/>.</summary>
internal sealed class PendingRequest(DenoiserInput input)
{
    private readonly TaskCompletionSource<DenoiserOutput> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DenoiserInput Input { get; } = input;

    public Task<DenoiserOutput> Task => _result.Task;

    /// <summary>Hands the output to the caller, or disposes it when the caller has gone (cancelled).</summary>
    public void Complete(DenoiserOutput output)
    {
        if (!_result.TrySetResult(output))
        {
            output.Dispose();
        }
    }

    public void Fail(Exception error) => _result.TrySetException(error);

    public void Cancel() => _result.TrySetCanceled();
}
