using Microsoft.Extensions.Logging.Abstractions;
using SkDiffusion.Denoising;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Denoising;

/// <summary>The CUDA provider options users tune: validation, the settings handed to ONNX Runtime, and pass-through.</summary>
[Collection(TinyPackageCollection.Name)]
public sealed class CudaProviderOptionsTests(TinyPackages packages)
{
    public static TheoryData<string, string> OutOfRange() => new()
    {
        { "DeviceId", "device id" },
        { "GpuMemoryLimitBytes", "positive number of bytes" },
        { "ArenaExtendStrategy", "NextPowerOfTwo" },
        { "IntraOpThreads", "1 or more" },
        { "ExecutionProvider", "Auto, Cpu or Cuda" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void AnOptionOutOfRangeIsRejectedByNameBeforeAnythingLoads(string option, string hint)
    {
        var options = new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu };
        switch (option)
        {
            case "DeviceId": options.DeviceId = -1; break;
            case "GpuMemoryLimitBytes": options.GpuMemoryLimitBytes = 0; break;
            case "ArenaExtendStrategy": options.ArenaExtendStrategy = (CudaArenaExtendStrategy)7; break;
            case "IntraOpThreads": options.IntraOpThreads = 0; break;
            case "ExecutionProvider": options.ExecutionProvider = (ExecutionProvider)9; break;
        }

        bool hookCalled = false;
        options.ConfigureSessionOptions = (_, _) => hookCalled = true;

        var error = Assert.Throws<ArgumentException>(() => OnnxDenoiser.Create(packages.Llada, options));

        Assert.Contains("OnnxDenoiserOptions." + option, error.Message, StringComparison.Ordinal);
        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
        Assert.False(hookCalled);
    }

    [Fact]
    public void DefaultsSendOnlyTheDeviceIdSoOnnxRuntimeKeepsItsOwnDefaults()
    {
        Dictionary<string, string> settings = CudaProviderSettings.From(new OnnxDenoiserOptions());

        Assert.Equal(new Dictionary<string, string> { ["device_id"] = "0" }, settings);
    }

    [Fact]
    public void EveryTunedOptionBecomesTheCudaProviderSettingOfTheSameMeaning()
    {
        Dictionary<string, string> settings = CudaProviderSettings.From(new OnnxDenoiserOptions
        {
            DeviceId = 3,
            GpuMemoryLimitBytes = 6L << 30,
            ArenaExtendStrategy = CudaArenaExtendStrategy.SameAsRequested,
            UseTf32 = false,
        });

        Assert.Equal("3", settings["device_id"]);
        Assert.Equal("6442450944", settings["gpu_mem_limit"]);
        Assert.Equal("kSameAsRequested", settings["arena_extend_strategy"]);
        Assert.Equal("0", settings["use_tf32"]);
        Assert.Equal(4, settings.Count);

        Dictionary<string, string> other = CudaProviderSettings.From(new OnnxDenoiserOptions { ArenaExtendStrategy = CudaArenaExtendStrategy.NextPowerOfTwo, UseTf32 = true });
        Assert.Equal("kNextPowerOfTwo", other["arena_extend_strategy"]);
        Assert.Equal("1", other["use_tf32"]);
    }

    [Fact]
    public void DiffusionModelHandsTheSessionHookToTheDenoiserWhenItAddsItsLogger()
    {
        var providers = new List<ExecutionProvider>();
        var options = new DiffusionModelOptions
        {
            Denoiser = new OnnxDenoiserOptions
            {
                ExecutionProvider = ExecutionProvider.Cpu,
                IntraOpThreads = 1,
                ConfigureSessionOptions = (_, provider) => providers.Add(provider),
            },
        };

        using DiffusionModel model = DiffusionModel.Load(packages.LladaDirectory, options, NullLogger.Instance);

        Assert.Equal([ExecutionProvider.Cpu], providers);
    }
}
