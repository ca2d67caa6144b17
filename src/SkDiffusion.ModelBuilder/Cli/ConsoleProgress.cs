using System.Globalization;

namespace SkDiffusion.ModelBuilder.Cli;

/// <summary>Prints build progress synchronously, one line per report.</summary>
internal sealed class ConsoleProgress(TextWriter output) : IProgress<BuildProgress>
{
    /// <inheritdoc />
    public void Report(BuildProgress value)
    {
        if (value.Stage == BuildStage.WritingWeights)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{value.TensorIndex}/{value.TensorCount}] {value.TensorName}  {FormatBytes(value.BytesWritten)} / {FormatBytes(value.TotalBytes)}"));
        }
        else if (value.Stage == BuildStage.Warning)
        {
            output.WriteLine($"warning: {value.Message}");
        }
        else
        {
            output.WriteLine(value.Message);
        }
    }

    /// <summary>Formats a byte count with a binary unit.</summary>
    public static string FormatBytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}
