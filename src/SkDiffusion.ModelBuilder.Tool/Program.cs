using SkDiffusion.ModelBuilder.Cli;

// Exit codes: 0 built, 1 the build failed, 2 the command line is unusable (see --help). Ctrl+C cancels the build
// (System.CommandLine turns the signal into the cancellation token of the build).
return await CommandLineApplication.RunAsync(args, Console.Out, Console.Error);
