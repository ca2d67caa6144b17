using Microsoft.SemanticKernel;

namespace SkDiffusion.Examples.AgentWithPlugin;

/// <summary>Ends Semantic Kernel's function-calling loop once a function has run: its result is the answer.</summary>
public sealed class TerminateAfterCall : IAutoFunctionInvocationFilter
{
    /// <inheritdoc />
    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        await next(context);
        context.Terminate = true;
    }
}
