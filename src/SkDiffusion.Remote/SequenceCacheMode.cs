namespace SkDiffusion.Remote;

/// <summary>
/// How a <see cref="RemoteDenoiser"/> runs the sampler's cached steps (<see cref="Sampling.SamplerOptions.CacheMode"/>
/// Prefix or Dual) against a server.
/// </summary>
public enum SequenceCacheMode
{
    /// <summary>
    /// <see cref="Server"/> when the server lists the <c>sequence_kv_cache</c> extension in its metadata (SkDiffusion's
    /// own host does), else <see cref="Stateless"/> (Triton's ONNX Runtime backend, KServe model servers). The default.
    /// </summary>
    Auto,

    /// <summary>
    /// The server keeps a request's keys and values between the steps of a block under a sequence id (the protocol's
    /// <c>sequence_id</c>, <c>sequence_start</c> and <c>sequence_end</c> parameters); each step ships only the block's
    /// tokens. Connecting fails when the server does not list the extension.
    /// </summary>
    Server,

    /// <summary>
    /// No state on the server: each cached step sends the whole canvas and asks only for the block's logits (exact
    /// attention, the cost of an uncached step). Works against every Open Inference Protocol server.
    /// </summary>
    Stateless,
}
