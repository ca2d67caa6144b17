namespace SkDiffusion.ModelBuilder.Cli;

/// <summary>Runs the model builder from a command line: parses, builds, reports errors as one line.</summary>
internal static class CommandLineApplication
{
    /// <summary>Runs the tool and returns the process exit code: 0 on success, 1 on a user error, 2 on an internal failure.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        CommandLineArguments parsed;
        try
        {
            parsed = CommandLineParser.Parse(args);
        }
        catch (CommandLineException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return 1;
        }

        if (parsed.ShowHelp)
        {
            output.WriteLine(CommandLineParser.Usage);
            return 0;
        }

        try
        {
            var progress = parsed.Quiet ? null : new ConsoleProgress(output);
            var manifest = await PackageBuilder.BuildAsync(parsed.Options, progress, cancellationToken).ConfigureAwait(false);
            long total = manifest.FileSizes.Values.Sum();
            output.WriteLine($"Package '{manifest.Name}' ({manifest.Architecture}, {manifest.DType}, {manifest.FileSizes.Count} files, {ConsoleProgress.FormatBytes(total)}) written to {Path.GetFullPath(parsed.Options.OutputDirectory)}");
            if (parsed.TritonRepository is string triton)
            {
                string model = Triton.TritonRepositoryWriter.Write(parsed.Options.OutputDirectory, triton);
                output.WriteLine($"Triton model repository entry written to {Path.GetFullPath(model)}");
            }
            return 0;
        }
        catch (ModelBuildException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("error: cancelled.");
            return 1;
        }
        catch (IOException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }
}
