namespace SkDiffusion.ModelBuilder.Cli;

/// <summary>A command line the tool cannot understand; the message is shown to the user.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
