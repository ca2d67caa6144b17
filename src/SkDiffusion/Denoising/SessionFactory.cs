using Microsoft.ML.OnnxRuntime;
using SkDiffusion.Packaging;

namespace SkDiffusion.Denoising;

/// <summary>
/// Opens a package's ONNX Runtime session on the requested provider and checks it (graph contract and a one-token
/// probe run). A failure under CUDA is told apart from a broken package by opening the same package on the CPU: when
/// that works, CUDA is at fault (<see cref="ExecutionProvider.Auto"/> keeps the CPU session with a warning, an explicit
/// <see cref="ExecutionProvider.Cuda"/> gets an <see cref="InvalidOperationException"/>); when it fails too, the
/// package is, and the CPU's <see cref="ModelPackageException"/> is thrown.
/// </summary>
internal static class SessionFactory
{
    /// <summary>Opens and checks the session; returns it with the provider it runs on.</summary>
    /// <exception cref="DllNotFoundException">The application references no native ONNX Runtime package (the message names the one to add).</exception>
    public static (InferenceSession Session, ExecutionProvider Provider) Open(ModelPackage package, OnnxDenoiserOptions options)
    {
        // The first call into the native library: a missing native package is named here, before any provider logic.
        OnnxRuntimeNative.CreateSessionOptions().Dispose();

        // Auto tries CUDA only when the application's ONNX Runtime build has it (the GPU package), so the CPU package
        // runs quietly on the CPU.
        if (options.ExecutionProvider == ExecutionProvider.Cpu
            || (options.ExecutionProvider == ExecutionProvider.Auto && options.AcceleratorSetup is null && !OnnxRuntimeNative.HasCudaProvider()))
        {
            return (OpenOn(package, options, ExecutionProvider.Cpu, out _), ExecutionProvider.Cpu);
        }

        Exception failure;
        bool providerAdded = false;
        try
        {
            return (OpenOn(package, options, ExecutionProvider.Cuda, out providerAdded), ExecutionProvider.Cuda);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or ModelPackageException)
        {
            // providerAdded tells a provider that did not load from a session that failed with it.
            failure = ex;
        }

        string reason = Describe(failure);
        if (options.ExecutionProvider == ExecutionProvider.Cuda && !providerAdded)
        {
            throw Unavailable($"The CUDA execution provider could not be loaded ({reason})", failure);
        }

        // The package is opened on the CPU: if that fails too, its exception names the package's problem.
        InferenceSession cpu = OpenOn(package, options, ExecutionProvider.Cpu, out _);
        if (options.ExecutionProvider == ExecutionProvider.Cuda)
        {
            cpu.Dispose();
            throw Unavailable($"The CUDA execution provider failed while the session was created or probed ({reason}); the same package loads and runs on the CPU, so the CUDA setup is at fault, not the package", failure);
        }

        options.Warning?.Invoke(providerAdded
            ? $"CUDA failed while the session was created or probed ({reason}); the package works on the CPU, so running on the CPU instead."
            : $"CUDA could not be loaded ({reason}); running on the CPU instead.");
        return (cpu, ExecutionProvider.Cpu);
    }

    private static InvalidOperationException Unavailable(string what, Exception inner) =>
        new($"{what}. Reference the {OnnxRuntimeNative.GpuPackage} package, install CUDA 13 and cuDNN 9 (libcudart, libcublas, libcudnn on the loader path), check the GPU with nvidia-smi and OnnxDenoiserOptions.DeviceId, or use ExecutionProvider.Auto or Cpu.", inner);

    /// <summary>
    /// Creates the session on <paramref name="provider"/> and checks it. Failures of the graph or of its checks are
    /// <see cref="ModelPackageException"/>s; failures to add the provider propagate as ONNX Runtime raised them.
    /// </summary>
    private static InferenceSession OpenOn(ModelPackage package, OnnxDenoiserOptions options, ExecutionProvider provider, out bool providerAdded)
    {
        providerAdded = false;
        using var sessionOptions = OnnxRuntimeNative.CreateSessionOptions();
        sessionOptions.GraphOptimizationLevel = options.GraphOptimizationLevel;
        if (options.IntraOpThreads is int threads)
        {
            sessionOptions.IntraOpNumThreads = threads;
        }

        if (provider == ExecutionProvider.Cuda)
        {
            if (options.AcceleratorSetup is { } setup)
            {
                setup(sessionOptions);
            }
            else
            {
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(CudaProviderSettings.From(options));
                sessionOptions.AppendExecutionProvider_CUDA(cuda);
            }

            providerAdded = true;
        }

        options.ConfigureSessionOptions?.Invoke(sessionOptions, provider);
        InferenceSession session;
        try
        {
            session = new InferenceSession(package.ModelPath, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelPackageException(package.ModelPath, $"ONNX Runtime cannot load the graph ({ex.Message}). Rebuild the package with SkDiffusion.ModelBuilder.", ex);
        }

        try
        {
            GraphContract.Check(session, package.Manifest, package.ModelPath);
            GraphProbe.Run(session, package.Manifest, package.ModelPath);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        return session;
    }

    /// <summary>ONNX Runtime's reason, without its "... with error:" preamble, and the inner cause of a package failure.</summary>
    private static string Describe(Exception failure)
    {
        Exception cause = failure is ModelPackageException { InnerException: { } inner } ? inner : failure;
        string reason = cause.Message;
        int at = reason.IndexOf("with error:", StringComparison.Ordinal);
        return (at >= 0 ? reason[(at + "with error:".Length)..] : reason).Trim();
    }
}
