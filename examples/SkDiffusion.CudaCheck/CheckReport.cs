using System.Diagnostics;
using System.Text;

namespace SkDiffusion.CudaCheck;

/// <summary>
/// The results of the check, written to <c>cuda-check.md</c> after every section, when the check ends however it ends,
/// and when its time runs out; so one failure or a hang loses nothing already measured.
/// </summary>
internal sealed class CheckReport
{
    private readonly object _gate = new();
    private readonly StringBuilder _text = new();
    private readonly List<(string Name, string Outcome, double Seconds)> _sections = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _failures;
    private string _current = "start";

    public CheckReport(string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        Path = System.IO.Path.Combine(outputDirectory, "cuda-check.md");
    }

    /// <summary>The results file.</summary>
    public string Path { get; }

    /// <summary>Whether no check has failed so far.</summary>
    public bool Passed
    {
        get
        {
            lock (_gate)
            {
                return _failures == 0;
            }
        }
    }

    /// <summary>Adds a line to the report and the console.</summary>
    public void Line(string text = "")
    {
        lock (_gate)
        {
            Console.WriteLine(text);
            _text.AppendLine(text);
        }
    }

    /// <summary>Counts a failed check unless <paramref name="passed"/>; returns <paramref name="passed"/>.</summary>
    public bool Expect(bool passed)
    {
        if (!passed)
        {
            Interlocked.Increment(ref _failures);
        }

        return passed;
    }

    /// <summary>Runs one section: its exception fails the section (and is reported) without stopping the others.</summary>
    public async Task SectionAsync(string name, Func<Task> body)
    {
        int before = Volatile.Read(ref _failures);
        double start = _clock.Elapsed.TotalSeconds;
        lock (_gate)
        {
            _current = name;
        }

        Line();
        Line($"## {name}");
        Line();
        string outcome;
        try
        {
            await body();
            outcome = Volatile.Read(ref _failures) == before ? "pass" : "FAIL";
        }
        catch (SkippedException skipped)
        {
            Line($"Skipped: {skipped.Message}");
            outcome = "skipped";
        }
        catch (Exception ex)
        {
            Expect(false);
            Line();
            Line($"**SECTION FAILED** with {ex.GetType().Name}: {ex.Message}");
            Console.Error.WriteLine(ex);
            outcome = "ERROR";
        }

        lock (_gate)
        {
            _sections.Add((name, outcome, _clock.Elapsed.TotalSeconds - start));
        }

        Write();
    }

    /// <summary>Writes the report with a summary of the sections; <paramref name="ending"/> is its last line.</summary>
    public void Write(string? ending = null)
    {
        lock (_gate)
        {
            var all = new StringBuilder(_text.ToString());
            all.AppendLine();
            all.AppendLine("## Summary");
            all.AppendLine();
            all.AppendLine("| section | outcome | seconds |");
            all.AppendLine("|---|---|---:|");
            foreach (var (name, outcome, seconds) in _sections)
            {
                all.AppendLine($"| {name} | {outcome} | {seconds:F1} |");
            }

            all.AppendLine();
            all.AppendLine(ending ?? (_failures == 0 ? "No check has failed so far." : $"{_failures} check(s) failed so far."));
            File.WriteAllText(Path, all.ToString());
        }
    }

    /// <summary>Writes the report as it stands, naming the section that ran out of time.</summary>
    public void WriteTimedOut(double minutes)
    {
        string section;
        lock (_gate)
        {
            section = _current;
        }

        Line();
        Line($"**TIMED OUT** after {minutes:F1} minutes, during section \"{section}\"; the sections above are complete.");
        Write("TIMED OUT: the check did not finish.");
    }
}
