using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SkDiffusion.Chat;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Grammars;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Benchmarks;

/// <summary>
/// Cost of grammar-constrained decoding: automaton build, per-step feasibility pass and path search for a 10-field
/// schema on a synthetic LLaDA-sized vocabulary (126,464 tokens) at L = 256, and the step time without the constraint,
/// with it choosing locally and with the path search on the embedded model.
/// </summary>
internal static class GrammarBenchmark
{
    private const int LladaVocabulary = 126_464;
    private const int Region = 256;

    internal const string TenFieldSchema = """
        {"type":"object","properties":{
          "name":{"type":"string","maxLength":40},
          "age":{"type":"integer","minimum":0,"maximum":130},
          "email":{"type":"string","format":"email"},
          "city":{"type":"string"},
          "country":{"enum":["France","Germany","Japan","Brazil","Kenya"]},
          "zip":{"type":"string","pattern":"^\\d{5}$"},
          "married":{"type":"boolean"},
          "score":{"type":"number"},
          "tags":{"type":"array","items":{"type":"string","maxLength":16},"maxItems":5},
          "birthday":{"type":"string","format":"date"}},
         "required":["name","age","email","city","country","zip","married","score","tags","birthday"]}
        """;

    private const string PersonSchema = """
        {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":130},"city":{"type":"string"},"job":{"type":"string"},"married":{"type":"boolean"}},"required":["name","age","city","job","married"]}
        """;

    public static async Task RunAsync(ParseResult parsed)
    {
        var rows = new List<(string What, string Value)>();

        // 1. Synthetic LLaDA-sized vocabulary.
        var synthetic = SyntheticVocabulary(LladaVocabulary, seed: 7);
        var schema = JsonDocument.Parse(TenFieldSchema).RootElement;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var grammar = TokenGrammar.FromJsonSchema(schema, synthetic);
        double buildMs = sw.Elapsed.TotalMilliseconds;
        double buildCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        rows.Add(("10-field schema, 126,464 tokens: automaton build", $"{buildMs:F0} ms wall, {buildCpu:F0} ms CPU ({grammar.StateCount} states, min {grammar.MinimumTokens} tokens)"));

        var pass = grammar.CreateFeasibility(Region);
        int mask = synthetic.Size - 1;
        var tokens = new int[Region];
        Array.Fill(tokens, mask);
        var allMasked = Time(() => pass.Compute(tokens, mask), 20);
        // A realistic mid-decoding canvas: a valid document's tokens committed at every other position of its prefix.
        int[] doc = GreedyTokens(synthetic, """{"name": "Lina Varosk", "age": 42, "email": "lina@example.com", "city": "Tolbreth", "country": "Japan", "zip": "12345", "married": true, "score": 3.5, "tags": ["pilot", "blue"], "birthday": "1983-04-01"}""");
        for (int i = 0; i < doc.Length && i < Region; i += 2)
        {
            tokens[i] = doc[i];
        }

        bool feasible = pass.Compute(tokens, mask);
        var halfCommitted = Time(() => pass.Compute(tokens, mask), 20);
        var logits = new float[synthetic.Size];
        var maskMs = Time(() =>
        {
            for (int p = 1; p < 33; p += 2)
            {
                pass.MaskLogits(p, logits);
            }
        }, 5);
        rows.Add(("  per-step pass, L=256, all masked", $"{allMasked.Wall:F2} ms wall, {allMasked.Cpu:F2} ms CPU"));
        rows.Add(($"  per-step pass, L=256, every other token committed (feasible: {feasible})", $"{halfCommitted.Wall:F2} ms wall, {halfCommitted.Cpu:F2} ms CPU"));
        rows.Add(("  masking one position's logits (126,464)", $"{maskMs.Wall / 16:F3} ms wall, {maskMs.Cpu / 16:F3} ms CPU"));

        // The sampler's softmax statistics over one position's logits, raw and after the mask: a masked vocabulary is
        // mostly negative infinity, which must not cost more than a raw one.
        var raw = new float[synthetic.Size];
        var statsRandom = new Random(5);
        for (int t = 0; t < raw.Length; t++)
        {
            raw[t] = (float)(statsRandom.NextDouble() * 8);
        }

        var masked = (float[])raw.Clone();
        pass.MaskLogits(1, masked);
        var rawStats = Time(() => SkDiffusion.Sampling.Internal.LogitStats.Compute(raw, 1.0, false, true), 200);
        var maskedStats = Time(() => SkDiffusion.Sampling.Internal.LogitStats.Compute(masked, 1.0, false, true), 200);
        int allowed = masked.Count(float.IsFinite);
        rows.Add(($"  softmax statistics of one position (126,464): raw / masked ({allowed:N0} allowed)", $"{rawStats.Wall:F3} / {maskedStats.Wall:F3} ms wall ({maskedStats.Wall / rawStats.Wall:F2}x)"));

        // Path search (GrammarSearch.Path): one position's distribution recorded (a pass over the vocabulary), and the
        // search over the half-committed canvas with the masked positions of a 32-position block recorded.
        var search = new GrammarPathSearch(pass.Automaton, pass);
        var random = new Random(3);
        var sampleLogits = new float[synthetic.Size];
        for (int t = 0; t < sampleLogits.Length; t++)
        {
            sampleLogits[t] = (float)(random.NextDouble() * 8);
        }

        var longTokens = Array.ConvertAll(tokens, t => (long)t);
        var recordMs = Time(() =>
        {
            search.Clear();
            for (int p = 1; p < 33; p += 2)
            {
                sampleLogits.CopyTo(logits, 0);
                pass.MaskLogits(p, logits);
                search.Record(p, logits, 0);
            }
        }, 5);
        bool solved = false;
        var solveMs = Time(() => solved = search.Solve(longTokens, mask), 20);
        rows.Add(("  path search: recording one position (126,464)", $"{recordMs.Wall / 16:F3} ms wall, {recordMs.Cpu / 16:F3} ms CPU (with its masking)"));
        rows.Add(($"  path search, L=256, every other token committed, 16 recorded (found: {solved})", $"{solveMs.Wall:F2} ms wall, {solveMs.Cpu:F2} ms CPU"));

        // 2. The embedded model: step time with and without the constraint.
        var package = ModelPackage.Load(EmbeddedModel.PackageDirectory);
        using var onnx = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
        var denoiser = new TimingDenoiser(onnx);
        var sampler = DiffusionSampler.Create(denoiser, package.Manifest);
        sw.Restart();
        var person = TokenGrammar.FromJsonSchema(JsonDocument.Parse(PersonSchema).RootElement, package);
        double personBuild = sw.Elapsed.TotalMilliseconds;
        var prompt = package.ChatFormat.RenderPrompt([new DiffusionChatMessage(DiffusionChatMessage.UserRole, "Extract JSON: Lina Varosk is 42 years old, lives in Tolbreth and works as a pilot. They are married.")]);
        const int Answer = 48;
        var options = new SamplerOptions { Steps = Answer, MaxDegreeOfParallelism = 1 };
        int repeats = parsed.GetValue(BenchmarkCommandLine.Repeats) ?? 5;
        async Task<(double PerStep, double CpuPerStep, double HostPerStep, string Text)> Run(TokenGrammar? g, GrammarSearch choice = GrammarSearch.Path)
        {
            options.GrammarSearch = choice;
            string text = "";
            double total = 0;
            double cpuTotal = 0;
            long denoiserTicks = 0;
            int steps = 0;
            for (int r = -1; r < repeats; r++)
            {
                var canvas = g is null ? DiffusionCanvas.FromPrompt(prompt, Answer) : DiffusionCanvas.FromPrompt(prompt, Answer, g);
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var t = Stopwatch.StartNew();
                denoiser.Ticks = 0;
                var result = await sampler.SampleAsync(canvas, options);
                if (r >= 0)
                {
                    total += t.Elapsed.TotalMilliseconds;
                    denoiserTicks += denoiser.Ticks;
                    cpuTotal += (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
                    steps += result.Nfe;
                }

                text = package.Tokenizer.Decode(result.AnswerTokens, skipSpecialTokens: true);
            }

            return (total / steps, cpuTotal / steps, (total - (denoiserTicks * 1000.0 / Stopwatch.Frequency)) / steps, text);
        }

        var plain = await Run(null);
        var constrained = await Run(person);
        var local = await Run(person, GrammarSearch.Local);
        rows.Add(($"embedded model ({package.Manifest.VocabSize} tokens): person schema build", $"{personBuild:F1} ms ({person.StateCount} states)"));
        rows.Add(($"  step, answer {Answer}, unconstrained", $"{plain.PerStep:F2} ms wall, {plain.CpuPerStep:F2} ms CPU, {plain.HostPerStep:F3} ms outside the model"));
        rows.Add(($"  step, answer {Answer}, grammar-constrained, local choice", $"{local.PerStep:F2} ms wall, {local.CpuPerStep:F2} ms CPU, {local.HostPerStep:F3} ms outside the model"));
        rows.Add(($"  step, answer {Answer}, grammar-constrained, path search (default)", $"{constrained.PerStep:F2} ms wall, {constrained.CpuPerStep:F2} ms CPU, {constrained.HostPerStep:F3} ms outside the model"));
        rows.AddRange(await GrammarStepParts.RunAsync(onnx, person, prompt, Answer, package.Manifest.TokenIds!.Mask, repeats * 10));
        rows.Add(("  constrained local / unconstrained", $"{local.PerStep / plain.PerStep:F3}x wall, {local.CpuPerStep / plain.CpuPerStep:F3}x CPU"));
        rows.Add(("  constrained path search / unconstrained", $"{constrained.PerStep / plain.PerStep:F3}x wall, {constrained.CpuPerStep / plain.CpuPerStep:F3}x CPU"));
        // The ratios above carry the model pass's own run-to-run spread; the time outside the model does not.
        rows.Add(("  constraint's cost, local choice: extra time outside the model / unconstrained step", $"{(local.HostPerStep - plain.HostPerStep) / plain.PerStep * 100:F1}%"));
        rows.Add(("  constraint's cost, path search: extra time outside the model / unconstrained step", $"{(constrained.HostPerStep - plain.HostPerStep) / plain.PerStep * 100:F1}%"));

        Console.WriteLine($"CPU, {Environment.ProcessorCount} cores");
        int width = rows.Max(r => r.What.Length);
        Console.WriteLine($"| {"measure".PadRight(width)} | value |");
        Console.WriteLine($"|{new string('-', width + 2)}|-------|");
        foreach (var (what, value) in rows)
        {
            Console.WriteLine($"| {what.PadRight(width)} | {value} |");
        }

        Console.WriteLine();
        Console.WriteLine($"unconstrained answer: {plain.Text}");
        Console.WriteLine($"constrained answer:   {constrained.Text}");
        Console.WriteLine($"local-choice answer:  {local.Text}");
    }

    /// <summary>Mean wall and CPU milliseconds of a single-threaded action (CPU time is what a shared machine cannot inflate).</summary>
    private static (double Wall, double Cpu) Time(Action action, int repeats)
    {
        action();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++)
        {
            action();
        }

        return (sw.Elapsed.TotalMilliseconds / repeats, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / repeats);
    }

    /// <summary>
    /// A byte-level vocabulary of the given size: the 256 single bytes, JSON punctuation runs, digit runs, words with and
    /// without a leading space, and accented and CJK characters; EOS, EoT and mask are the last three ids.
    /// </summary>
    internal static ByteVocabulary SyntheticVocabulary(int size, int seed)
    {
        var rng = new Random(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var tokens = new List<byte[]?>();
        for (int b = 0; b < 256; b++)
        {
            tokens.Add([(byte)b]);
            seen.Add(Convert.ToHexString([(byte)b]));
        }

        string[] punctuation = ["\",", "\": ", "\": \"", "{\"", "\"}", "\", \"", ", ", "\"]", "[\"", "},", "}]", "\":", " \"", "\"\n", "});", "();"];
        string letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        string[] unicode = ["é", "ü", "ß", "ñ", "東", "京", "語", "ж", "λ", "—", "’"];
        void Add(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            if (bytes.Length > 0 && seen.Add(Convert.ToHexString(bytes)))
            {
                tokens.Add(bytes);
            }
        }

        foreach (string p in punctuation)
        {
            Add(p);
        }

        while (tokens.Count < size - 3)
        {
            int kind = rng.Next(10);
            var sb = new StringBuilder();
            if (kind == 0)
            {
                int n = rng.Next(1, 4);
                for (int i = 0; i < n; i++)
                {
                    sb.Append((char)('0' + rng.Next(10)));
                }
            }
            else if (kind == 1)
            {
                int n = rng.Next(1, 3);
                for (int i = 0; i < n; i++)
                {
                    sb.Append(unicode[rng.Next(unicode.Length)]);
                }
            }
            else
            {
                if (rng.Next(2) == 0)
                {
                    sb.Append(' ');
                }

                int n = rng.Next(2, 10);
                for (int i = 0; i < n; i++)
                {
                    sb.Append(letters[rng.Next(i == 0 ? letters.Length : 26)]);
                }
            }

            Add(sb.ToString());
        }

        int eos = tokens.Count;
        tokens.Add(null);
        tokens.Add(null);
        tokens.Add(null);
        return ByteVocabulary.Create(tokens, eos, eos + 1);
    }

    /// <summary>Greedy longest-match tokens of a text (bytes), for a realistic committed canvas.</summary>
    private static int[] GreedyTokens(ByteVocabulary v, string text)
    {
        var byBytes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < v.Size; id++)
        {
            if (!v.GetBytes(id).IsEmpty)
            {
                byBytes.TryAdd(Convert.ToHexString(v.GetBytes(id)), id);
            }
        }

        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var result = new List<int>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            for (int len = Math.Min(12, bytes.Length - pos); len >= 1; len--)
            {
                if (byBytes.TryGetValue(Convert.ToHexString(bytes, pos, len), out int id))
                {
                    result.Add(id);
                    pos += len;
                    break;
                }
            }
        }

        return [.. result];
    }
}
