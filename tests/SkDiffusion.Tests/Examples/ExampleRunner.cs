using System.Diagnostics;
using System.Text;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Examples;

/// <summary>
/// Runs a built example (<c>examples/NAME/bin/CONFIGURATION/TFM/NAME.dll</c>, the same configuration and target
/// framework as this test assembly) as a child process and returns what it printed.
/// </summary>
internal static class ExampleRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string project, IReadOnlyList<string> args, TimeSpan timeout)
    {
        string dll = Locate(project);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{project} did not finish within {timeout.TotalSeconds:F0} s. Output so far:\n{await stdout}");
        }

        var output = new StringBuilder(await stdout);
        string err = await stderr;
        if (err.Length > 0)
        {
            output.AppendLine().Append("[stderr] ").Append(err);
        }

        return (process.ExitCode, output.ToString());
    }

    private static string Locate(string project)
    {
        // This assembly runs from tests/SkDiffusion.Tests/bin/<configuration>/<tfm>/.
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = baseDir.Name;
        string configuration = baseDir.Parent!.Name;
        string dll = Path.Combine(RepositoryPaths.Root(), "examples", project, "bin", configuration, tfm, project + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The example {project} is not built at {dll}: build the solution (dotnet build SkDiffusion.sln) before the tests.", dll);
    }
}
