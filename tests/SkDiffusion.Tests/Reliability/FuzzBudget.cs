using System.Diagnostics;

namespace SkDiffusion.Tests.Reliability;

/// <summary>Iteration counts and the wall-clock guard shared by the fuzz properties (bounded for CI on 2 cores).</summary>
internal static class FuzzBudget
{
    /// <summary>Random and mutated template strings.</summary>
    public const int TemplateIterations = 4000;

    /// <summary>Mutated manifests (each is written and loaded).</summary>
    public const int ManifestIterations = 400;

    /// <summary>Mutated tokenizer file sets (each is written and loaded).</summary>
    public const int TokenizerIterations = 250;

    /// <summary>The seed of every property's first case; CsCheck draws the later cases afresh each run and prints a failing case's own seed, which reproduces it when put here.</summary>
    public const string Seed = "0N0XIzNsQ0O2";

    /// <summary>A property that has not finished after this long is reported as a hang.</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="property"/> on a worker and fails if it does not finish within <see cref="HangLimit"/>.</summary>
    public static void RunBounded(Action property)
    {
        var watch = Stopwatch.StartNew();
        Task task = Task.Run(property);
        Assert.True(task.Wait(HangLimit), $"The property did not finish within {HangLimit.TotalSeconds} s: a case hangs.");
        task.GetAwaiter().GetResult();
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, HangLimit);
    }

    /// <summary>Whether <paramref name="ex"/> is one of the crash types no input may ever cause.</summary>
    public static bool IsCrash(Exception ex) =>
        ex is NullReferenceException or IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidCastException
            or KeyNotFoundException or OverflowException or DivideByZeroException or InvalidOperationException or FormatException
            or OutOfMemoryException or StackOverflowException;
}
