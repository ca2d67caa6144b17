using Microsoft.ML.OnnxRuntime;
using SkDiffusion.Denoising;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Denoising;

/// <summary>
/// The libraries reference only the managed ONNX Runtime API; the application brings the native build. A missing native
/// library becomes an error naming the packages to add.
/// </summary>
public sealed class OnnxRuntimeNativeTests
{
    public static TheoryData<Exception> MissingLibraryFailures() => new()
    {
        new DllNotFoundException("Unable to load shared library 'onnxruntime'"),
        new TypeInitializationException("Microsoft.ML.OnnxRuntime.NativeMethods", new DllNotFoundException("Unable to load shared library 'onnxruntime'")),
        new TypeInitializationException("Microsoft.ML.OnnxRuntime.NativeMethods", new EntryPointNotFoundException("OrtGetApiBase")),
    };

    public static TheoryData<Exception> OtherFailures() => new()
    {
        new InvalidOperationException("something else"),
        new TypeInitializationException("Some.Type", new InvalidOperationException("a bug in a static constructor")),
        new TypeInitializationException("Some.Type", null),
    };

    [Theory]
    [MemberData(nameof(MissingLibraryFailures))]
    public void A_missing_native_library_is_recognised_through_type_initialisation(Exception failure)
    {
        Assert.True(OnnxRuntimeNative.IsMissingLibrary(failure));
    }

    [Theory]
    [MemberData(nameof(OtherFailures))]
    public void Other_failures_pass_through(Exception failure)
    {
        Assert.False(OnnxRuntimeNative.IsMissingLibrary(failure));
    }

    [Fact]
    public void The_error_names_both_native_packages_and_keeps_the_cause()
    {
        var cause = new TypeInitializationException("Microsoft.ML.OnnxRuntime.NativeMethods", new DllNotFoundException("libonnxruntime.so: cannot open shared object file"));

        DllNotFoundException error = OnnxRuntimeNative.MissingLibrary(cause);

        Assert.Same(cause, error.InnerException);
        Assert.Contains("'Microsoft.ML.OnnxRuntime'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Microsoft.ML.OnnxRuntime.Gpu'", error.Message, StringComparison.Ordinal);
        Assert.Contains("dotnet add package Microsoft.ML.OnnxRuntime", error.Message, StringComparison.Ordinal);
        Assert.Contains("libonnxruntime.so: cannot open shared object file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_runtime_library_references_the_managed_package_only()
    {
        // The application chooses the native build; the library must not drag CUDA into every app.
        string[] references = typeof(OnnxDenoiser).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.Contains("Microsoft.ML.OnnxRuntime", references);
        string csproj = File.ReadAllText(Path.Combine(RepositoryPaths.Root(), "src", "SkDiffusion", "SkDiffusion.csproj"));
        Assert.Contains("<PackageReference Include=\"Microsoft.ML.OnnxRuntime.Managed\" />", csproj, StringComparison.Ordinal);
        Assert.DoesNotContain("<PackageReference Include=\"Microsoft.ML.OnnxRuntime.Gpu\"", csproj, StringComparison.Ordinal);
        Assert.DoesNotContain("<PackageReference Include=\"Microsoft.ML.OnnxRuntime\"", csproj, StringComparison.Ordinal);
    }

    [Fact]
    public void With_the_gpu_package_of_the_tests_the_cuda_provider_is_compiled_in_and_options_are_created()
    {
        using SessionOptions options = OnnxRuntimeNative.CreateSessionOptions();
        Assert.NotNull(options);
        Assert.True(OnnxRuntimeNative.HasCudaProvider(), "The tests reference Microsoft.ML.OnnxRuntime.Gpu, whose build lists the CUDA provider.");
    }
}
