using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using SkDiffusion.Denoising;
using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;

namespace SkDiffusion.Benchmarks;

/// <summary>
/// One forward pass of the 155M-parameter random LLaDA-shaped model (the --scaling model, float32) at several canvas
/// lengths: the fused graph against the plain one, at 1 and 2 ONNX threads; the same pass in the recipe's PyTorch
/// reference; and the FLOP floor (the pass's matmul FLOPs / the peak matmul throughput ONNX Runtime reaches here,
/// measured with one large MatMul graph in the same run), and the time to load each graph.
/// </summary>
internal static class GraphBenchmark
{
    private const int Hidden = 1024, Layers = 12, Heads = 16, Mlp = 2816, Context = 1024, Prompt = 16;

    public static async Task RunAsync(ParseResult parsed)
    {
        int[] canvases = parsed.GetValue(BenchmarkCommandLine.Canvases) ?? [];
        int[] threadCounts = parsed.GetValue(BenchmarkCommandLine.ThreadCounts) ?? [];
        int repeats = parsed.GetValue(BenchmarkCommandLine.Repeats) ?? 3;
        int longRepeats = parsed.GetValue(BenchmarkCommandLine.LongRepeats);

        // PyTorch's reference forward is several times slower here: by default it is timed once per canvas up to 512.
        int[] torchCanvases = parsed.GetValue(BenchmarkCommandLine.NoTorch) ? [] : parsed.GetValue(BenchmarkCommandLine.TorchCanvases) ?? [];
        int profileCanvas = parsed.GetValue(BenchmarkCommandLine.ProfileCanvas);
        int torchRepeats = parsed.GetValue(BenchmarkCommandLine.TorchRepeats);
        string work = parsed.GetValue(BenchmarkCommandLine.Work) ?? Path.Combine(Path.GetTempPath(), "skdiffusion-graph");
        var total = Stopwatch.StartNew();

        string checkpoint = Path.Combine(work, "checkpoint");
        if (!File.Exists(Path.Combine(checkpoint, "model.safetensors")))
        {
            RandomCheckpoint.Write(checkpoint, Hidden, Layers, Heads, Mlp, Context, Path.Combine(AppContext.BaseDirectory, "scaling-tokenizer.json"));
        }

        var packages = new Dictionary<bool, ModelPackage>();
        foreach (bool fused in new[] { false, true })
        {
            string dir = Path.Combine(work, fused ? "fused" : "unfused");
            if (!File.Exists(Path.Combine(dir, "manifest.json")))
            {
                var clock = Stopwatch.StartNew();
                await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = checkpoint, OutputDirectory = dir, Overwrite = true, Name = "random-llada", FusedGraph = fused });
                Console.Error.WriteLine($"built the {(fused ? "fused" : "unfused")} package in {clock.Elapsed.TotalSeconds:F0} s");
            }

            packages[fused] = ModelPackage.Load(dir);
        }

        var m = packages[true].Manifest;
        long parameters = (2L * m.VocabSize * m.HiddenSize) + ((long)m.NumLayers * ((4L * m.HiddenSize * m.HiddenSize) + (3L * m.HiddenSize * m.IntermediateSize)));
        var peak = threadCounts.ToDictionary(t => t, PeakMatMulGflops);
        var onnx = new Dictionary<(bool Fused, int Threads, int Canvas), double>();
        var best = new Dictionary<(bool Fused, int Threads, int Canvas), double>();
        var loads = new Dictionary<(bool Fused, int Threads), double>();
        bool[] graphs = [false, true];
        foreach (int threads in threadCounts)
        {
            var denoisers = new Dictionary<bool, OnnxDenoiser>();
            try
            {
                foreach (bool fused in graphs)
                {
                    var clock = Stopwatch.StartNew();
                    denoisers[fused] = OnnxDenoiser.Create(packages[fused], new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = threads });
                    loads[(fused, threads)] = clock.Elapsed.TotalMilliseconds;
                }

                foreach (int canvas in canvases)
                {
                    // One warm-up pass each, then the timed passes alternate between the graphs, so that a change in the
                    // load of a shared machine falls on both alike.
                    var times = graphs.ToDictionary(f => f, _ => new List<double>());
                    foreach (bool fused in graphs)
                    {
                        await PassMsAsync(denoisers[fused], m.TokenIds.Mask, canvas);
                    }

                    for (int i = 0; i < (canvas >= 1024 ? longRepeats : repeats); i++)
                    {
                        foreach (bool fused in graphs)
                        {
                            times[fused].Add(await PassMsAsync(denoisers[fused], m.TokenIds.Mask, canvas));
                        }
                    }

                    foreach (bool fused in graphs)
                    {
                        onnx[(fused, threads, canvas)] = Median(times[fused]);
                        best[(fused, threads, canvas)] = times[fused].Min();
                    }

                    Console.Error.WriteLine($"  onnx {threads} thread(s) canvas {canvas}: unfused {string.Join(", ", times[false].Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} ms; fused {string.Join(", ", times[true].Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} ms ({total.Elapsed.TotalSeconds:F0} s elapsed)");
                }
            }
            finally
            {
                foreach (var denoiser in denoisers.Values)
                {
                    denoiser.Dispose();
                }
            }
        }

        // The machine may be shared: measure the peak again after the passes and keep the better of the two measurements.
        foreach (int threads in threadCounts)
        {
            peak[threads] = Math.Max(peak[threads], PeakMatMulGflops(threads));
        }

        var torch = new Dictionary<(int Threads, int Canvas), double>();
        string? torchNote = null;
        foreach (int threads in threadCounts.Where(_ => torchCanvases.Length > 0))
        {
            torchNote ??= TorchForward(checkpoint, threads, torchRepeats, torchCanvases, torch);
        }

        torchNote ??= torchCanvases.Length == 0 ? "PyTorch not timed (--no-torch)." : null;

        Console.WriteLine($"random LLaDA-shaped model, {parameters / 1e6:F0}M parameters ({Layers} layers, hidden {Hidden}, {Heads} heads, MLP {Mlp}, vocab {m.VocabSize}), float32, batch 1;");
        Console.WriteLine($"prompt {Prompt} tokens + masks, logits at the masked positions. ONNX Runtime {OrtEnv.Instance().GetVersionString()}, CPU, {Environment.ProcessorCount} cores.");
        Console.WriteLine($"peak MatMul throughput (one [1024 x 1024] x [1024 x 2816] MatMul graph, best of 10 runs before and 10 after the passes): {string.Join(", ", threadCounts.Select(t => $"{peak[t]:F1} GFLOP/s at {t} thread(s)"))}");
        Console.WriteLine();
        Console.WriteLine($"| {"canvas",6} | {"threads",7} | {"unfused ms",10} | {"fused ms",8} | {"fused speed-up",14} | {"best-of speed-up",16} | {"PyTorch ms",10} | {"fused vs PyTorch",16} | {"FLOP floor ms",13} | {"fused / floor",13} |");
        Console.WriteLine($"|{new string('-', 8)}|{new string('-', 9)}|{new string('-', 12)}|{new string('-', 10)}|{new string('-', 16)}|{new string('-', 18)}|{new string('-', 12)}|{new string('-', 18)}|{new string('-', 15)}|{new string('-', 15)}|");
        foreach (int threads in threadCounts)
        {
            foreach (int canvas in canvases)
            {
                double plain = onnx[(false, threads, canvas)], fused = onnx[(true, threads, canvas)];
                double floor = MatMulFlops(m, canvas) / (peak[threads] * 1e9) * 1e3;
                string pt = torch.TryGetValue((threads, canvas), out double t) ? t.ToString("F0", CultureInfo.InvariantCulture) : "n/a";
                string vsTorch = torch.TryGetValue((threads, canvas), out t) ? (t / fused).ToString("F2", CultureInfo.InvariantCulture) + "x" : "n/a";
                Console.WriteLine($"| {canvas,6} | {threads,7} | {plain,10:F0} | {fused,8:F0} | {plain / fused,13:F2}x | {best[(false, threads, canvas)] / best[(true, threads, canvas)],15:F2}x | {pt,10} | {vsTorch,16} | {floor,13:F0} | {fused / floor,12:F2}x |");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"load (OnnxDenoiser.Create) ms: {string.Join(", ", loads.Select(l => $"{(l.Key.Fused ? "fused" : "unfused")} {l.Key.Threads} thread(s) {l.Value:F0}"))}");
        Console.WriteLine();
        Console.WriteLine($"ONNX ms: median of {repeats} timed passes ({longRepeats} at canvas 1024) after one warm-up pass per canvas, alternating unfused and");
        Console.WriteLine("fused passes; best-of speed-up: the fastest unfused pass over the fastest fused one. FLOP floor: the pass's");
        Console.WriteLine("matmul FLOPs (projections, MLP, QK^T and PV, head at the masked positions) / the peak MatMul throughput above.");
        Console.WriteLine($"PyTorch: models/recipe/model.py's reference forward on the same weights (float32, logits everywhere), torch.set_num_threads and");
        Console.WriteLine($"OPENBLAS_NUM_THREADS = threads; one warm-up pass, then median of {torchRepeats} pass(es) at canvas {string.Join(", ", torchCanvases)} (n/a: not timed)." + (torchNote is null ? "" : " " + torchNote));
        if (profileCanvas > 0)
        {
            GraphProfile.Print(packages, profileCanvas, threadCounts.FirstOrDefault(1), work);
        }

        Console.WriteLine($"total benchmark time {total.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>Matmul FLOPs of one pass over <paramref name="canvas"/> positions with logits at the masked ones.</summary>
    private static double MatMulFlops(ModelManifest m, int canvas)
    {
        double d = m.HiddenSize, kv = m.NumKvHeads * m.HeadDim, n = canvas;
        double perLayer = (2 * n * d * (d + kv + kv + d)) + (2 * n * d * 3 * m.IntermediateSize) + (4 * n * n * m.NumHeads * m.HeadDim);
        return (m.NumLayers * perLayer) + (2.0 * (canvas - Prompt) * d * m.VocabSize);
    }

    /// <summary>Median ms of <paramref name="repeats"/> passes over a canvas of 16 prompt tokens and masks, after one warm-up pass.</summary>
    internal static async Task<double> ForwardMsAsync(IDenoiser denoiser, int mask, int canvas, int repeats)
    {
        await PassMsAsync(denoiser, mask, canvas);
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            times.Add(await PassMsAsync(denoiser, mask, canvas));
        }

        return Median(times);
    }

    /// <summary>Ms of one pass over a canvas of 16 prompt tokens and masks, with logits at the masked positions.</summary>
    private static async Task<double> PassMsAsync(IDenoiser denoiser, int mask, int canvas)
    {
        var tokens = Enumerable.Range(0, canvas).Select(i => i < Prompt ? 10L + i : mask).ToArray();
        var positions = Enumerable.Range(Prompt, canvas - Prompt).ToArray();
        long start = Stopwatch.GetTimestamp();
        using (await denoiser.DenoiseAsync(new DenoiserInput(tokens, 1, canvas, logitsPositions: positions)))
        {
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static double Median(List<double> times)
    {
        var sorted = times.Order().ToList();
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>GFLOP/s of one [1024 x 1024] x [1024 x 2816] float32 MatMul (the MLP's shape at canvas 1024), best of 10.</summary>
    private static double PeakMatMulGflops(int threads)
    {
        const int M = 1024, K = Hidden, N = Mlp;
        var random = new Random(7);
        var weights = new float[K * N];
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = random.NextSingle() - 0.5f;
        }

        var b = new TensorProto { Name = "b", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.AsSpan())) };
        b.Dims.AddRange([K, N]);
        var graph = new GraphProto { Name = "matmul" };
        graph.Initializer.Add(b);
        graph.Node.Add(new NodeProto { OpType = "MatMul", Input = { "a", "b" }, Output = { "y" } });
        graph.Input.Add(Value("a", M, K));
        graph.Output.Add(Value("y", M, N));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });

        using var options = new SessionOptions { IntraOpNumThreads = threads };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var a = new float[M * K];
        Array.Fill(a, 0.01f);
        using var input = OrtValue.CreateTensorValueFromMemory(a, [M, K]);
        using var runOptions = new RunOptions();
        double best = double.MaxValue;
        for (int i = 0; i < 11; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using var outputs = session.Run(runOptions, ["a"], [input], ["y"]);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = i > 0 ? Math.Min(best, seconds) : best;
        }

        return 2.0 * M * K * N / best / 1e9;

        static ValueInfoProto Value(string name, long rows, long cols)
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = rows });
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = cols });
            return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
        }
    }

    /// <summary>Runs torch_forward.py; returns a note when PyTorch could not be timed, else null.</summary>
    private static string? TorchForward(string checkpoint, int threads, int repeats, int[] canvases, Dictionary<(int, int), double> results)
    {
        string? recipe = FindUp(Path.Combine("models", "recipe", "model.py"));
        string script = Path.Combine(AppContext.BaseDirectory, "torch_forward.py");
        if (recipe is null || !File.Exists("/usr/bin/python3"))
        {
            return "PyTorch skipped: /usr/bin/python3 or models/recipe/model.py not found.";
        }

        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { script, Path.GetDirectoryName(recipe)!, checkpoint, threads.ToString(CultureInfo.InvariantCulture), repeats.ToString(CultureInfo.InvariantCulture), string.Join(",", canvases) })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            Console.Error.WriteLine($"  pytorch {threads} thread(s): {line}");
            string[] parts = line.Split(' ');
            if (parts.Length == 4 && parts[0] == "canvas")
            {
                results[(threads, int.Parse(parts[1], CultureInfo.InvariantCulture))] = double.Parse(parts[3], CultureInfo.InvariantCulture);
            }
        }

        process.WaitForExit();
        return process.ExitCode switch
        {
            0 => null,
            3 => "PyTorch skipped: torch is not installed for /usr/bin/python3.",
            _ => $"PyTorch failed ({errors.Result.Trim().Split('\n')[^1]}).",
        };
    }

    private static string? FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
