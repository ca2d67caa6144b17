namespace SkDiffusion.ModelBuilder.Cli;

/// <summary>The parsed command line.</summary>
internal sealed class CommandLineArguments
{
    /// <summary>Whether <c>--help</c> was given.</summary>
    public bool ShowHelp { get; init; }

    /// <summary>Whether progress lines are suppressed (<c>--quiet</c>).</summary>
    public bool Quiet { get; init; }

    /// <summary>A Triton model repository to write the built graph into (<c>--triton-repository</c>), or null.</summary>
    public string? TritonRepository { get; init; }

    /// <summary>The build options (meaningless when <see cref="ShowHelp"/> is set).</summary>
    public PackageBuildOptions Options { get; init; } = new();
}
