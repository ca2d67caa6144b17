using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Remote;
using SkDiffusion.Remote.Server;

namespace SkDiffusion.Benchmarks;

/// <summary>
/// Per-step cost of the denoiser in process and over a loopback Open Inference Protocol server (SkDiffusion.Remote.Server),
/// at a full canvas on the embedded model: uncached steps, a block's opening pass, cached steps with the keys and values
/// held on the server, and stateless cached steps; then steps/s against concurrent clients. The inputs of the scaling
/// model in docs/remote.md.
/// </summary>
internal static class RemoteBenchmark
{
    public static async Task RunAsync(ParseResult parsed)
    {
        int iterations = parsed.GetValue(BenchmarkCommandLine.Iterations);
        int threads = parsed.GetValue(BenchmarkCommandLine.Threads);
        var package = ModelPackage.Load(parsed.GetValue(BenchmarkCommandLine.Package) ?? EmbeddedModel.PackageDirectory);
        ModelManifest m = package.Manifest;
        using var onnx = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = threads > 0 ? threads : null });
        // The served denoiser is timed, so that each remote step's time around the model (the round trip less the model's own
        // run on the server) is known, apart from the model's run-to-run variation.
        var served = new ServedClock(onnx);
        await using var host = await RemoteDenoiserHost.StartAsync(served, m);
        var client = new RemoteDenoiserOptions { Endpoint = host.Address, ModelName = host.ModelName };
        using var remote = await RemoteDenoiser.ConnectAsync(m, client);
        client.SequenceCache = SequenceCacheMode.Stateless;
        using var stateless = await RemoteDenoiser.ConnectAsync(m, client);

        // Uncached steps at the full canvas; cached steps at the largest canvas whose past (the whole canvas, as the server
        // holds it) plus the block fits the context (a longer one runs statelessly).
        int s = m.ContextLength, block = 32, v = m.VocabSize, start = s - (2 * block);
        var random = new Random(7);
        long[] tokens = Enumerable.Range(0, s).Select(i => i < start ? (long)random.Next(0, Math.Min(1000, v)) : m.TokenIds.Mask).ToArray();
        long[] positions = Enumerable.Range(0, s).Select(i => (long)i).ToArray();
        long[] ones = Enumerable.Repeat(1L, s).ToArray();
        int[] window = Enumerable.Range(start, block).ToArray();
        var step = new DenoiserInput(tokens, 1, s, ones, window);
        var open = new CachedDenoiserInput(tokens, positions, ones, 1, s, null, returnPresent: true);

        // A cached step as the sampler runs it on a whole (device or server) cache: the block's positions are masked in
        // the past and supplied afresh.
        int cc = s - block, cstart = cc - (2 * block);
        long[] ctokens = tokens[(s - cc)..], cpositions = positions[..cc];
        var copen = new CachedDenoiserInput(ctokens, cpositions, ones[..cc], 1, cc, null, returnPresent: true);
        long[] runTokens = ctokens[cstart..(cstart + block)], runPositions = cpositions[cstart..(cstart + block)];
        long[] runMask = Enumerable.Repeat(1L, cc + block).ToArray();
        Array.Clear(runMask, cstart, block);

        using CachedDenoiserOutput localOpen = await ((ICachingDenoiser)onnx).DenoiseWithCacheAsync(copen);
        using KvCache localPast = localOpen.Present!.Detach(hostResident: true);
        using CachedDenoiserOutput remoteOpen = await ((ICachingDenoiser)remote).DenoiseWithCacheAsync(copen);
        using CachedDenoiserOutput statelessOpen = await ((ICachingDenoiser)stateless).DenoiseWithCacheAsync(copen);
        var zero = new ZeroDenoiser(v, s);
        var servedZero = new ServedClock(zero);
        await using var wireHost = await RemoteDenoiserHost.StartAsync(servedZero, m);
        using var wire = await RemoteDenoiser.ConnectAsync(m, new RemoteDenoiserOptions { Endpoint = wireHost.Address, ModelName = wireHost.ModelName });
        var all = new DenoiserInput(tokens, 1, s, ones);
        CachedDenoiserInput Cached(KvCache past) => new(runTokens, runPositions, runMask, 1, block, past, returnPresent: false);

        // Process-wide warm-up before any row is timed: without it the first row that runs the served model came out
        // 0.5-0.7 ms slower around the model than the same step timed later in the run (the runtime's tiered compilation
        // and the thread pool settling), whichever step that row held.
        for (int i = 0; i < 200; i++)
        {
            (await onnx.DenoiseAsync(step)).Dispose();
            (await remote.DenoiseAsync(step)).Dispose();
            (await wire.DenoiseAsync(step)).Dispose();
            (await ((ICachingDenoiser)remote).DenoiseWithCacheAsync(Cached(remoteOpen.Present!))).Dispose();
        }

        Console.WriteLine($"model {m.Name}: canvas {s}, block {block}, vocabulary {v}, {m.NumLayers} layers; CPU, {Environment.ProcessorCount} cores, {threads} ONNX thread(s); server {host.Address}; median of {iterations} steps after a warm-up of 200 steps");
        Console.WriteLine();
        Console.WriteLine($"| {"step",-58} | {"canvas",6} | {"local ms",8} | {"remote ms",9} | {"overhead ms",11} | {"min overhead",12} | {"around model ms",15} | {"min around",10} | {"to model",8} | {"from model",10} | {"KB alloc",8} | {"request B",9} | {"response B",10} |");
        Console.WriteLine($"|{new string('-', 60)}|{new string('-', 8)}|{new string('-', 10)}|{new string('-', 11)}|{new string('-', 13)}|{new string('-', 14)}|{new string('-', 17)}|{new string('-', 12)}|{new string('-', 10)}|{new string('-', 12)}|{new string('-', 10)}|{new string('-', 11)}|{new string('-', 12)}|");
        long canvasBytes = 3L * s * 8;
        await Row("wire only: uncached step (server model returns zeros)", s, servedZero, () => zero.DenoiseAsync(step), () => wire.DenoiseAsync(step), canvasBytes + (block * 8), (long)block * v * 4, iterations);
        await Row("wire only: every position's logits (zeros)", s, servedZero, () => zero.DenoiseAsync(all), () => wire.DenoiseAsync(all), canvasBytes + (s * 8), (long)s * v * 4, iterations);
        await Row("uncached step (whole canvas, logits of the block)", s, served, () => onnx.DenoiseAsync(step), () => remote.DenoiseAsync(step), canvasBytes + (block * 8), (long)block * v * 4, iterations);
        await Row("block opening pass (whole canvas, all logits, cache kept)", s, served, async () => (await ((ICachingDenoiser)onnx).DenoiseWithCacheAsync(open)).Dispose(), async () => (await ((ICachingDenoiser)remote).DenoiseWithCacheAsync(open)).Dispose(), canvasBytes + (s * 8), (long)s * v * 4, Math.Max(10, iterations / 4));
        await Row("cached step, keys/values held on the server", cc, served, async () => (await ((ICachingDenoiser)onnx).DenoiseWithCacheAsync(Cached(localPast))).Dispose(), async () => (await ((ICachingDenoiser)remote).DenoiseWithCacheAsync(Cached(remoteOpen.Present!))).Dispose(), (2L * block * 8) + ((cc + block) * 8), (long)block * v * 4, iterations);
        await Row("cached step, stateless server (whole canvas again)", cc, served, async () => (await ((ICachingDenoiser)onnx).DenoiseWithCacheAsync(Cached(localPast))).Dispose(), async () => (await ((ICachingDenoiser)stateless).DenoiseWithCacheAsync(Cached(statelessOpen.Present!))).Dispose(), (3L * cc * 8) + (block * 8), (long)block * v * 4, iterations);

        Console.WriteLine();
        Console.WriteLine("local: the same call in process (the wire-only rows: a denoiser that returns zero logits at once; the cached rows: the");
        Console.WriteLine("       OnnxDenoiser on a whole host cache with the block masked, as the server runs it);");
        Console.WriteLine("remote: RemoteDenoiser -> gRPC over loopback -> SkDiffusion.Remote.Server -> the same OnnxDenoiser; overhead = remote - local;");
        Console.WriteLine("overhead: median(remote) - median(local); min overhead: min(remote) - min(local), the least contended pair of samples;");
        Console.WriteLine("around model: median (min) over steps of the remote round trip less the served denoiser's own time in that step, timed");
        Console.WriteLine("       on the server: the protocol, both gRPC stacks and the thread hand-offs, without the model's run-to-run variation;");
        Console.WriteLine("to model / from model: median ms from the client's call to the served denoiser's start, and from its end back to the caller;");
        Console.WriteLine("KB alloc: managed bytes allocated per remote step, client and server together (both in this process);");
        Console.WriteLine("request/response B: tensor payload bytes (INT64 inputs, FP32 logits), without protobuf and HTTP/2 framing.");
        Console.WriteLine();
        Console.WriteLine($"| {"concurrent clients",18} | {"local steps/s",13} | {"remote steps/s",14} |");
        Console.WriteLine($"|{new string('-', 20)}|{new string('-', 15)}|{new string('-', 16)}|");
        foreach (int clients in new[] { 1, 4, 16 })
        {
            double local = await Throughput(clients, _ => onnx, iterations);
            var remotes = new RemoteDenoiser[clients];
            for (int c = 0; c < clients; c++)
            {
                remotes[c] = await RemoteDenoiser.ConnectAsync(m, new RemoteDenoiserOptions { Endpoint = host.Address, ModelName = host.ModelName });
            }

            double over = await Throughput(clients, c => remotes[c], iterations);
            foreach (var r in remotes)
            {
                r.Dispose();
            }

            Console.WriteLine($"| {clients,18} | {local,13:F0} | {over,14:F0} |");
        }

        Console.WriteLine();
        Console.WriteLine("steps/s: uncached steps (as above) completed per second by that many concurrent callers, each with its own client.");

        async Task<double> Throughput(int clients, Func<int, IDenoiser> denoiser, int count)
        {
            int each = Math.Max(5, count / clients);
            long t0 = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                for (int i = 0; i < each; i++)
                {
                    (await denoiser(c).DenoiseAsync(step)).Dispose();
                }
            })));
            return clients * each / Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
    }

    private static async Task Row(string name, int canvas, ServedClock served, Func<ValueTask<DenoiserOutput>> local, Func<ValueTask<DenoiserOutput>> remote, long requestBytes, long responseBytes, int iterations) =>
        await Row(name, canvas, served, async () => (await local()).Dispose(), async () => (await remote()).Dispose(), requestBytes, responseBytes, iterations);

    private static async Task Row(string name, int canvas, ServedClock served, Func<Task> local, Func<Task> remote, long requestBytes, long responseBytes, int iterations)
    {
        // Interleaved, so that both sides see the same machine load.
        var localMs = new List<double>();
        var remoteMs = new List<double>();
        var aroundMs = new List<double>();
        var toMs = new List<double>();
        var fromMs = new List<double>();
        long allocated = 0;
        for (int i = 0; i < iterations + 5; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            await local();
            double a = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            long bytes0 = GC.GetTotalAllocatedBytes(precise: true);
            t0 = Stopwatch.GetTimestamp();
            await remote();
            long t1 = Stopwatch.GetTimestamp();
            double b = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            double to = Stopwatch.GetElapsedTime(t0, served.LastStart).TotalMilliseconds, back = Stopwatch.GetElapsedTime(served.LastEnd, t1).TotalMilliseconds;
            if (i >= 5)
            {
                localMs.Add(a);
                remoteMs.Add(b);
                aroundMs.Add(to + back);
                toMs.Add(to);
                fromMs.Add(back);
                allocated += GC.GetTotalAllocatedBytes(precise: true) - bytes0;
            }
        }

        double l = Median(localMs), r = Median(remoteMs);
        Console.WriteLine($"| {name,-58} | {canvas,6} | {l,8:F2} | {r,9:F2} | {r - l,11:F2} | {remoteMs.Min() - localMs.Min(),12:F2} | {Median(aroundMs),15:F2} | {aroundMs.Min(),10:F2} | {Median(toMs),8:F2} | {Median(fromMs),10:F2} | {allocated / 1024.0 / iterations,8:F0} | {requestBytes,9} | {responseBytes,10} |");
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }
}
