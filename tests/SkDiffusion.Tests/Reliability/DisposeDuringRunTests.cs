using System.Diagnostics;
using SkDiffusion.Tests.TestSupport;
using Xunit.Abstractions;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Disposes the denoiser in the middle of sampling runs, 50 times, each in its own child process
/// (<c>tests/SkDiffusion.DisposeRace</c>), so that a native crash shows as a failed exit instead of killing the test host.
/// </summary>
public sealed class DisposeDuringRunTests(ITestOutputHelper output)
{
    private const int Runs = 50;

    [Fact]
    public async Task Disposing_mid_run_never_crashes()
    {
        string dll = FindRaceAssembly();
        string package = Path.Combine(Path.GetDirectoryName(TinyPackages.FindFixture("tiny-llada"))!, "..", "..", "models", "tiny-llada");
        int crashes = 0, completed = 0, disposed = 0, terminated = 0;
        var failures = new List<string>();
        using var gate = new SemaphoreSlim(4);
        var children = Enumerable.Range(0, Runs).Select(async seed =>
        {
            await gate.WaitAsync();
            try
            {
                var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
                start.ArgumentList.Add(dll);
                start.ArgumentList.Add(package);
                start.ArgumentList.Add(seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
                using var process = Process.Start(start)!;
                Task<string> stdout = process.StandardOutput.ReadToEndAsync();
                Task<string> stderr = process.StandardError.ReadToEndAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await process.WaitForExitAsync(timeout.Token);
                string text = await stdout;
                lock (failures)
                {
                    if (process.ExitCode != 0 || !text.StartsWith("OK", StringComparison.Ordinal))
                    {
                        crashes++;
                        failures.Add($"seed {seed}: exit {process.ExitCode}: {text} {stderr.Result}");
                        return;
                    }

                    // "OK completed=c disposed=d terminated=t"
                    string[] parts = text.Trim().Split(' ');
                    terminated += int.Parse(parts[3].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
                    completed += int.Parse(parts[1].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
                    disposed += int.Parse(parts[2].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(children);

        output.WriteLine($"{Runs} child processes: {crashes} crashes; runs completed {completed}, refused with ObjectDisposedException {disposed}, of which {terminated} were terminated inside a denoiser pass.");
        Assert.True(crashes == 0, string.Join(Environment.NewLine, failures));
        Assert.True(disposed > 0, "no run was in flight when the denoiser was disposed: the test did not exercise the race.");
    }

    private static string FindRaceAssembly()
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "SkDiffusion.DisposeRace", "bin", configuration, "net10.0", "SkDiffusion.DisposeRace.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("SkDiffusion.DisposeRace.dll not found; build tests/SkDiffusion.Tests (it builds the race program too).");
    }
}
