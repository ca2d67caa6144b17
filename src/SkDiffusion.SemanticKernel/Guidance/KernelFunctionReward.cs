using System.Globalization;
using System.Text.Json;
using Microsoft.SemanticKernel;
using SkDiffusion.Sampling.Guidance;

namespace SkDiffusion.SemanticKernel.Guidance;

/// <summary>
/// A kernel function as the verifier of reward guidance, so an agent's own tools can score answers. The function is
/// invoked with the arguments <c>prompt</c> (the decoded prompt), <c>answer</c> (the answer, masked runs shown as
/// <see cref="RewardText.Gap"/>) and <c>complete</c> (whether the answer holds no mask), and must return a number
/// (or text that parses as one); higher is better. Mid-decoding calls see partial answers: a function that can only
/// judge complete answers should return a neutral value when <c>complete</c> is false.
/// </summary>
public sealed class KernelFunctionReward : TextReward
{
    private readonly Kernel _kernel;
    private readonly KernelFunction _function;

    /// <summary>Creates the reward.</summary>
    /// <param name="kernel">The kernel the function runs in.</param>
    /// <param name="function">The function (e.g. <c>kernel.Plugins.GetFunction("checks", "score")</c>).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public KernelFunctionReward(Kernel kernel, KernelFunction function)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(function);
        _kernel = kernel;
        _function = function;
    }

    /// <inheritdoc />
    public override string Name => _function.PluginName is { } plugin ? $"{plugin}.{_function.Name}" : _function.Name;

    /// <inheritdoc />
    public override double Score(RewardText text) => ScoreAsync(text, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The function returned something that is not a finite number.</exception>
    public override async ValueTask<double> ScoreAsync(RewardText text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var arguments = new KernelArguments { ["prompt"] = text.Prompt, ["answer"] = text.Answer, ["complete"] = text.IsComplete };
        var result = await _function.InvokeAsync(_kernel, arguments, cancellationToken).ConfigureAwait(false);
        object? value = result.GetValue<object>();
        double? number = value switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            decimal m => (double)m,
            bool b => b ? 1 : 0,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
            _ => null,
        };

        if (number is not double n || !double.IsFinite(n))
        {
            throw new InvalidOperationException($"The reward function '{Name}' returned {(value is null ? "nothing" : $"'{value}' ({value.GetType().Name})")}; a reward function must return a finite number (higher is better).");
        }

        return n;
    }
}
