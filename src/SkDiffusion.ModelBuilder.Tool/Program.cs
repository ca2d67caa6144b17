using SkDiffusion.ModelBuilder.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await CommandLineApplication.RunAsync(args, Console.Out, Console.Error, cancellation.Token);
