using System.Net.Http;
using Grpc.Core;

namespace SkDiffusion.Remote.Internal;

/// <summary>
/// Runs one unary call under a deadline shared by all its attempts, retries transient failures with doubling backoff,
/// and turns gRPC errors into the remote denoiser's exceptions.
/// </summary>
internal sealed class CallPolicy(RemoteDenoiserOptions options)
{
    private readonly string _target = $"'{options.ModelName}' at {options.Endpoint}";

    /// <summary>Calls <paramref name="call"/> until it succeeds, fails for good, or the deadline passes.</summary>
    /// <param name="what">Names the call in error messages.</param>
    /// <param name="call">Starts one attempt with the given call options.</param>
    /// <param name="cancellationToken">Cancels the call and its retries.</param>
    public async Task<T> RunAsync<T>(string what, Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + options.Deadline;
        TimeSpan backoff = options.InitialBackoff;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using AsyncUnaryCall<T> pending = call(new CallOptions(deadline: deadline, cancellationToken: cancellationToken));
                return await pending.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException ex) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException($"The remote {what} was cancelled.", ex, cancellationToken);
            }
            catch (RpcException ex) when (IsTransient(ex) && attempt <= options.MaxRetries && DateTime.UtcNow + backoff < deadline)
            {
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff *= 2;
            }
            catch (RpcException ex)
            {
                throw Translate(ex, what, attempt);
            }
        }
    }

    /// <summary>
    /// Whether a retry can help: the server unreachable, or the connection lost mid-call (a stopped or restarting
    /// server), which gRPC reports as Unavailable, or as Internal/Unknown/Cancelled over an I/O error.
    /// </summary>
    internal static bool IsTransient(RpcException ex) =>
        ex.StatusCode == StatusCode.Unavailable
        || (ex.StatusCode is StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled && ex.InnerException is IOException or HttpRequestException or OperationCanceledException);

    private RemoteDenoiserException Translate(RpcException ex, string what, int attempts)
    {
        string detail = ex.Status.Detail;
        bool mentionsModel = detail.Contains("model", StringComparison.OrdinalIgnoreCase) && (detail.Contains("unknown", StringComparison.OrdinalIgnoreCase) || detail.Contains("not found", StringComparison.OrdinalIgnoreCase));
        return ex.StatusCode switch
        {
            StatusCode.DeadlineExceeded => new RemoteServerUnavailableException($"The {what} on {_target} did not finish within the deadline of {options.Deadline.TotalMilliseconds:0} ms ({attempts} attempt(s)). Raise RemoteDenoiserOptions.Deadline or add server capacity.", ex),
            _ when IsTransient(ex) => new RemoteServerUnavailableException($"The server {_target} is unavailable: the {what} failed after {attempts} attempt(s) ({ex.StatusCode}: {detail}). Check that the server is running and reachable; RemoteDenoiserOptions.MaxRetries and Deadline bound the retries.", ex),
            StatusCode.NotFound => new RemoteModelNotFoundException($"The server at {options.Endpoint} does not serve model '{options.ModelName}'{(options.ModelVersion is null ? string.Empty : $" version {options.ModelVersion}")} ({detail}). Check RemoteDenoiserOptions.ModelName/ModelVersion against the server's model repository.", ex),
            StatusCode.InvalidArgument when mentionsModel => new RemoteModelNotFoundException($"The server at {options.Endpoint} does not serve model '{options.ModelName}' ({detail}). Check RemoteDenoiserOptions.ModelName against the server's model repository.", ex),
            StatusCode.InvalidArgument when detail.Contains("shape", StringComparison.OrdinalIgnoreCase) => new RemoteShapeMismatchException($"The server {_target} rejected a tensor shape in the {what} ({detail}). The served model and the local manifest probably differ; serve the package the application loads.", ex),
            StatusCode.Unimplemented => new RemoteDenoiserException($"The server at {options.Endpoint} does not implement the Open Inference Protocol's {what} ({detail}). Point RemoteDenoiserOptions.Endpoint at the gRPC port of Triton, KServe or SkDiffusion.Remote.Server.", ex),
            _ => new RemoteDenoiserException($"The {what} on {_target} failed ({ex.StatusCode}: {detail}).", ex),
        };
    }
}
