using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using SkDiffusion.Denoising;

namespace SkDiffusion.Tests.Denoising;

public sealed class OnnxDenoiserOptionsCloneTests
{
    [Fact]
    public void Clone_copies_every_setting_and_is_independent_of_the_original()
    {
        Action<SessionOptions, ExecutionProvider> configure = (_, _) => { };
        Action<string> warning = _ => { };
        var original = new OnnxDenoiserOptions
        {
            ExecutionProvider = ExecutionProvider.Cpu,
            DeviceId = 3,
            GpuMemoryLimitBytes = 1L << 32,
            ArenaExtendStrategy = CudaArenaExtendStrategy.SameAsRequested,
            UseTf32 = false,
            DeviceResidentCaches = false,
            IntraOpThreads = 2,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
            ConfigureSessionOptions = configure,
            Warning = warning,
        };

        var copy = original.Clone();

        Assert.NotSame(original, copy);
        var properties = typeof(OnnxDenoiserOptions).GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .ToList();
        Assert.True(properties.Count >= 10, $"expected the options' settings, found {properties.Count}");
        foreach (var property in properties)
        {
            Assert.Equal(property.GetValue(original), property.GetValue(copy));
        }

        copy.DeviceId = 0;
        copy.Warning = null;
        Assert.Equal(3, original.DeviceId);
        Assert.Same(warning, original.Warning);
    }
}
