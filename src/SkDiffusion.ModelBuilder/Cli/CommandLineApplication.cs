using System.CommandLine;
using System.CommandLine.Invocation;

namespace SkDiffusion.ModelBuilder.Cli;

/// <summary>Runs the model builder from a command line: parses, builds, reports errors as one line.</summary>
internal static class CommandLineApplication
{
    /// <summary>The exit code of a successful run (and of <c>--help</c>).</summary>
    public const int Success = 0;

    /// <summary>The exit code of a build that failed (missing checkpoint, unsupported model, I/O error, cancellation).</summary>
    public const int BuildFailed = 1;

    /// <summary>The exit code of a command line that cannot be used (unknown option, bad or missing value).</summary>
    public const int UsageError = 2;

    /// <summary>
    /// Runs the tool and returns the process exit code: <see cref="Success"/>, <see cref="BuildFailed"/> or
    /// <see cref="UsageError"/>. Errors are single lines starting with <c>error: </c> on <paramref name="error"/>.
    /// </summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        RootCommand command = CommandLineParser.CreateCommand();
        command.SetAction((result, ct) => BuildAsync(result, output, error, ct));
        ParseResult parsed = command.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            error.WriteLine($"error: {string.Join(" ", parsed.Errors.Select(e => e.Message))} (see --help)");
            return UsageError;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> BuildAsync(ParseResult parsed, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        PackageBuildOptions options = CommandLineParser.ToOptions(parsed);
        try
        {
            var progress = parsed.GetValue(CommandLineParser.Quiet) ? null : new ConsoleProgress(output);
            var manifest = await PackageBuilder.BuildAsync(options, progress, cancellationToken).ConfigureAwait(false);
            long total = manifest.FileSizes.Values.Sum();
            output.WriteLine($"Package '{manifest.Name}' ({manifest.Architecture}, {manifest.DType}, {manifest.FileSizes.Count} files, {ConsoleProgress.FormatBytes(total)}) written to {Path.GetFullPath(options.OutputDirectory)}");
            if (parsed.GetValue(CommandLineParser.TritonRepository) is string triton)
            {
                string model = Triton.TritonRepositoryWriter.Write(options.OutputDirectory, triton);
                output.WriteLine($"Triton model repository entry written to {Path.GetFullPath(model)}");
            }

            return Success;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("error: cancelled.");
            return BuildFailed;
        }
        catch (Exception ex) when (ex is ModelBuildException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {ex.Message}");
            return BuildFailed;
        }
    }
}
