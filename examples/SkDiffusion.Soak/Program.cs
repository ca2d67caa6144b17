using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Extensions.AI;

// Soak test: N generations through one DiffusionChatClient in one process, watching memory, handles and threads.
//   dotnet run -c Release --project examples/SkDiffusion.Soak [-- --count 2000 --every 100 --threshold 10]
// Every --every generations it prints a row; at the end the growth from row 2 (after warm-up) to the last row.
// Exit code 1 when managed or native memory grew by more than --threshold percent from row 2 to the last row, or the
// handle count grew in the second half of the run (from the middle row to the last row: a leak keeps growing, while a
// descriptor or two opened once by a lazily started runtime service does not). Descriptors that appeared after row 2
// are listed (Linux) so a one-off can be told from a leak.
Option<int> countOption = ExampleCommandLine.Integer("--count", 2000, 3, "Generations to run.");
Option<int> everyOption = ExampleCommandLine.Integer("--every", 100, 1, "Generations between two rows.");
Option<int> thresholdOption = ExampleCommandLine.Integer("--threshold", 10, 0, "Allowed memory growth in percent from row 2 to the last row.");
ParseResult parsed = new RootCommand("Soak test: many generations through one DiffusionChatClient, watching memory, handles and threads.") { countOption, everyOption, thresholdOption }.Parse(args);
if (ExampleCommandLine.Handle(parsed) is int exit)
{
    return exit;
}

int count = parsed.GetValue(countOption);
int every = parsed.GetValue(everyOption);
double threshold = parsed.GetValue(thresholdOption);
if (count < 3 * every)
{
    Console.Error.WriteLine($"--count must be at least 3 x --every ({3 * every}) to compare row 2 with a later row.");
    return 2;
}

using var client = new DiffusionChatClient(EmbeddedModel.PackageDirectory, new DiffusionModelOptions
{
    Denoiser = new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, Warning = w => Console.Error.WriteLine("warning: " + w) },
});
string[] questions =
[
    "What is the capital of France?", "Tell me about the sea.", "Extract JSON: Lina Varosk is 42 years old and lives in Tolbreth.",
    "Write a short greeting.", "What is two plus three?", "Name a colour.", "Describe a cat in a few words.",
];
JsonElement schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string","maxLength":6},"age":{"type":"integer","minimum":0,"maximum":120}}}""").RootElement;

Console.WriteLine($"Soak: {count} generations on {client.Model.ModelId} ({client.Model.Denoiser.GetType().Name}), a row every {every}; threshold {threshold}%.");
Console.WriteLine("| generations | elapsed s | managed heap bytes | working set bytes | private bytes | handles | threads |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
var rows = new List<Row>();
var watch = Stopwatch.StartNew();
long outputTokens = 0;
Dictionary<string, string> descriptorsAtRow2 = [];
for (int i = 1; i <= count; i++)
{
    var options = new ChatOptions
    {
        MaxOutputTokens = 16,
        Seed = i,
        Temperature = i % 2 == 0 ? 0f : 0.7f,
        AdditionalProperties = new() { ["steps"] = 8, ["block_length"] = 8 },
    };
    string question = questions[i % questions.Length];
    if (i % 10 == 0)
    {
        // Streaming path.
        await foreach (var update in client.GetStreamingResponseAsync(question, options))
        {
            outputTokens += update.Contents.OfType<UsageContent>().Sum(u => u.Details.OutputTokenCount ?? 0);
        }
    }
    else
    {
        if (i % 7 == 0)
        {
            // Template (JSON schema) path.
            options.ResponseFormat = ChatResponseFormat.ForJsonSchema(schema);
        }

        var response = await client.GetResponseAsync(question, options);
        outputTokens += response.Usage?.OutputTokenCount ?? 0;
    }

    if (i % every == 0)
    {
        var row = Row.Measure(i, watch.Elapsed.TotalSeconds);
        rows.Add(row);
        Console.WriteLine(row.ToMarkdown());
        if (rows.Count == 2)
        {
            descriptorsAtRow2 = Descriptors();
        }
    }
}

Row first = rows[1], middle = rows[rows.Count / 2], last = rows[^1];
double managedGrowth = Percent(first.ManagedBytes, last.ManagedBytes);
double privateGrowth = Percent(first.PrivateBytes, last.PrivateBytes);
double workingGrowth = Percent(first.WorkingSetBytes, last.WorkingSetBytes);
long handleGrowth = last.Handles - first.Handles;
long lateHandleGrowth = last.Handles - middle.Handles;
Console.WriteLine();
Console.WriteLine($"Growth from row 2 ({first.Generations} generations) to row {rows.Count} ({last.Generations}):");
Console.WriteLine($"  managed heap  {managedGrowth,8:+0.0;-0.0}%  ({first.ManagedBytes:N0} -> {last.ManagedBytes:N0})");
Console.WriteLine($"  private bytes {privateGrowth,8:+0.0;-0.0}%  ({first.PrivateBytes:N0} -> {last.PrivateBytes:N0})");
Console.WriteLine($"  working set   {workingGrowth,8:+0.0;-0.0}%  ({first.WorkingSetBytes:N0} -> {last.WorkingSetBytes:N0})");
Console.WriteLine($"  handles       {handleGrowth,8:+0;-0}   ({first.Handles} -> {last.Handles}); second half ({middle.Generations} -> {last.Generations}): {lateHandleGrowth:+0;-0}");
foreach (var (fd, target) in Descriptors().Where(d => !descriptorsAtRow2.ContainsKey(d.Key)))
{
    Console.WriteLine($"    new descriptor {fd} -> {target}");
}

Console.WriteLine($"  threads       {last.Threads - first.Threads,8:+0;-0}   ({first.Threads} -> {last.Threads})");
Console.WriteLine($"  {count / watch.Elapsed.TotalSeconds:F1} generations/s, {outputTokens:N0} output tokens");

var failures = new List<string>();
if (managedGrowth > threshold)
{
    failures.Add($"managed heap grew {managedGrowth:F1}% (> {threshold}%)");
}

if (privateGrowth > threshold)
{
    failures.Add($"private (native) bytes grew {privateGrowth:F1}% (> {threshold}%)");
}

if (lateHandleGrowth > 0)
{
    failures.Add($"handles grew by {lateHandleGrowth} in the second half of the run");
}

Console.WriteLine(failures.Count == 0 ? "PASS: no growth beyond the threshold." : "FAIL: " + string.Join("; ", failures));
return failures.Count == 0 ? 0 : 1;

static Dictionary<string, string> Descriptors()
{
    var result = new Dictionary<string, string>();
    if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/fd"))
    {
        return result;
    }

    foreach (string fd in Directory.GetFileSystemEntries("/proc/self/fd"))
    {
        try
        {
            result[Path.GetFileName(fd)] = new FileInfo(fd).LinkTarget ?? "?";
        }
        catch (IOException)
        {
            // Closed while listing.
        }
    }

    return result;
}

static double Percent(long from, long to) => from == 0 ? 0 : 100.0 * (to - from) / from;

/// <summary>One measurement of the process.</summary>
internal sealed record Row(int Generations, double ElapsedSeconds, long ManagedBytes, long WorkingSetBytes, long PrivateBytes, long Handles, int Threads)
{
    /// <summary>Measures the process now (after a full garbage collection).</summary>
    public static Row Measure(int generations, double elapsedSeconds)
    {
        long managed = GC.GetTotalMemory(forceFullCollection: true);
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long handles = OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd") ? Directory.GetFileSystemEntries("/proc/self/fd").Length : process.HandleCount;
        return new Row(generations, elapsedSeconds, managed, process.WorkingSet64, process.PrivateMemorySize64, handles, process.Threads.Count);
    }

    /// <summary>The row as a markdown table line.</summary>
    public string ToMarkdown() => string.Create(CultureInfo.InvariantCulture, $"| {Generations} | {ElapsedSeconds:F1} | {ManagedBytes:N0} | {WorkingSetBytes:N0} | {PrivateBytes:N0} | {Handles} | {Threads} |");
}
