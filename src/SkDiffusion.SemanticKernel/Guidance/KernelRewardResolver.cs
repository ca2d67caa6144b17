using Microsoft.SemanticKernel;
using SkDiffusion.Sampling.Guidance;

namespace SkDiffusion.SemanticKernel.Guidance;

/// <summary>Resolves a <c>reward</c> name of the form <c>plugin.function</c> (or <c>plugin-function</c>) among a kernel's plugins.</summary>
internal static class KernelRewardResolver
{
    /// <summary>The function's reward, or null when the name is not <c>plugin.function</c> of a function of the kernel.</summary>
    public static TextReward? Resolve(Kernel kernel, string name)
    {
        int cut = name.IndexOfAny(['.', '-']);
        if (cut <= 0 || cut == name.Length - 1)
        {
            return null;
        }

        return kernel.Plugins.TryGetFunction(name[..cut], name[(cut + 1)..], out var function) ? new KernelFunctionReward(kernel, function) : null;
    }

    /// <summary>A resolver over the kernel of a service provider (the one registered, else one over its plugins).</summary>
    public static Func<string, TextReward?> ForServices(IServiceProvider services)
    {
        var kernel = new Lazy<Kernel>(() => (Kernel?)services.GetService(typeof(Kernel)) ?? new Kernel(services));
        return name => Resolve(kernel.Value, name);
    }
}
