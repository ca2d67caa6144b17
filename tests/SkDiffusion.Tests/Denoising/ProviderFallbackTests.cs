using System.Text.Json;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Denoising;

/// <summary>
/// A provider that fails is told apart from a broken package: <see cref="ExecutionProvider.Auto"/> retries on the CPU
/// with a warning, an explicit <see cref="ExecutionProvider.Cuda"/> gets a provider error, and a package that fails on
/// the CPU as well is a package error. The provider failures are forced through the internal accelerator seam, so
/// these tests run without a GPU.
/// </summary>
[Collection(TinyPackageCollection.Name)]
public sealed class ProviderFallbackTests(TinyPackages packages)
{
    // Adds nothing, but makes the session fail at creation the way a provider failing there does (ONNX Runtime then
    // reads the graph as its own flatbuffer format, which it is not).
    private static readonly Action<Microsoft.ML.OnnxRuntime.SessionOptions> FailsAtSessionCreation =
        so => so.AddSessionConfigEntry("session.load_model_format", "ORT");

    private static readonly Action<Microsoft.ML.OnnxRuntime.SessionOptions> CannotLoad =
        _ => throw new DllNotFoundException("libcudnn.so.9: cannot open shared object file: No such file or directory");

    [Fact]
    public async Task AutoRetriesOnTheCpuWhenTheProviderFailsAtSessionCreation()
    {
        var warnings = new List<string>();
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, new OnnxDenoiserOptions
        {
            ExecutionProvider = ExecutionProvider.Auto,
            IntraOpThreads = 1,
            Warning = warnings.Add,
            AcceleratorSetup = FailsAtSessionCreation,
        });
        using OnnxDenoiser cpu = OnnxDenoiser.Create(packages.Llada, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 });

        Assert.Equal(ExecutionProvider.Cpu, denoiser.ActiveProvider);
        Assert.False(denoiser.DeviceResidentCaches);
        string warning = Assert.Single(warnings);
        Assert.Contains("CUDA failed while the session was created", warning, StringComparison.Ordinal);
        Assert.Contains("running on the CPU", warning, StringComparison.Ordinal);

        long[] ids = [1, 2, 3, 4, 5, 6];
        using DenoiserOutput expected = await cpu.DenoiseAsync(new DenoiserInput(ids, 1, ids.Length));
        using DenoiserOutput actual = await denoiser.DenoiseAsync(new DenoiserInput(ids, 1, ids.Length));
        Assert.True(expected.Logits.Span.SequenceEqual(actual.Logits.Span), "the fallback session must compute the CPU session's logits");
    }

    [Fact]
    public void ExplicitCudaThatFailsAtSessionCreationIsAProviderErrorNotAPackageError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => OnnxDenoiser.Create(packages.Llada, new OnnxDenoiserOptions
        {
            ExecutionProvider = ExecutionProvider.Cuda,
            IntraOpThreads = 1,
            AcceleratorSetup = FailsAtSessionCreation,
        }));

        Assert.Contains("CUDA execution provider failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("loads and runs on the CPU", error.Message, StringComparison.Ordinal);
        Assert.IsType<ModelPackageException>(error.InnerException);
    }

    [Fact]
    public void AProviderThatCannotLoadFallsBackUnderAutoAndNamesTheMissingLibraryUnderCuda()
    {
        var warnings = new List<string>();
        using (OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, new OnnxDenoiserOptions { IntraOpThreads = 1, Warning = warnings.Add, AcceleratorSetup = CannotLoad }))
        {
            Assert.Equal(ExecutionProvider.Cpu, denoiser.ActiveProvider);
        }

        string warning = Assert.Single(warnings);
        Assert.Contains("CUDA could not be loaded (libcudnn.so.9", warning, StringComparison.Ordinal);

        var error = Assert.Throws<InvalidOperationException>(() => OnnxDenoiser.Create(packages.Llada, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cuda, AcceleratorSetup = CannotLoad }));
        Assert.Contains("could not be loaded (libcudnn.so.9", error.Message, StringComparison.Ordinal);
        Assert.IsType<DllNotFoundException>(error.InnerException);
    }

    [Theory]
    [InlineData(ExecutionProvider.Auto)]
    [InlineData(ExecutionProvider.Cuda)]
    public void ABrokenPackageIsAPackageErrorWhicheverProviderWasAskedFor(ExecutionProvider provider)
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.ReplaceFileConsistently("model.onnx", []);
        ModelPackage broken = ModelPackage.Load(copy.Directory);
        var warnings = new List<string>();

        var error = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(broken, new OnnxDenoiserOptions
        {
            ExecutionProvider = provider,
            IntraOpThreads = 1,
            Warning = warnings.Add,
            AcceleratorSetup = _ => { },
        }));

        Assert.Contains("cannot load", error.Message, StringComparison.Ordinal);
        Assert.Empty(warnings);
    }

    [Fact]
    public void TheSessionHookSeesTheFailedProviderThenTheCpuRetry()
    {
        var seen = new List<ExecutionProvider>();
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, new OnnxDenoiserOptions
        {
            IntraOpThreads = 1,
            AcceleratorSetup = FailsAtSessionCreation,
            ConfigureSessionOptions = (_, provider) => seen.Add(provider),
        });

        Assert.Equal([ExecutionProvider.Cuda, ExecutionProvider.Cpu], seen);
    }

    [Fact]
    public async Task SettingsFromTheSessionHookReachTheSession()
    {
        // Profiling set through the hook writes the node placement that the CUDA check reads.
        string dir = Directory.CreateTempSubdirectory("skd-profile-").FullName;
        try
        {
            using (OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, new OnnxDenoiserOptions
            {
                ExecutionProvider = ExecutionProvider.Cpu,
                IntraOpThreads = 1,
                ConfigureSessionOptions = (so, _) =>
                {
                    so.ProfileOutputPathPrefix = Path.Combine(dir, "placement"); // before enabling: ONNX Runtime takes it then
                    so.EnableProfiling = true;
                },
            }))
            {
                (await denoiser.DenoiseAsync(new DenoiserInput(new long[] { 1, 2, 3 }, 1, 3))).Dispose();
            }

            string profile = Assert.Single(Directory.GetFiles(dir, "placement*.json"));
            using JsonDocument events = JsonDocument.Parse(File.ReadAllText(profile));
            var providers = events.RootElement.EnumerateArray()
                .Where(e => e.GetProperty("cat").GetString() == "Node" && e.TryGetProperty("args", out var a) && a.TryGetProperty("provider", out _))
                .Select(e => e.GetProperty("args").GetProperty("provider").GetString())
                .ToHashSet();
            Assert.Equal(["CPUExecutionProvider"], providers);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
