using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.ModelBuilder;
using SkDiffusion.Tests.TestSupport;
using SkDiffusion.Tokenization;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Mutations of the tokenizer files (vocab.json, merges.txt, tokenizer_config.json): <see cref="DiffusionTokenizer.Create"/>
/// either throws <see cref="ModelPackageException"/> or loads a tokenizer that encodes and decodes without crashing
/// and, when only the merges changed, round-trips text exactly.
/// </summary>
[Collection(TinyPackageCollection.Name)]
public sealed class TokenizerFuzzTests(TinyPackages packages)
{
    private const string Sample = "Hello world, 123 ünïcode\n<|eot_id|> tabs\tand  spaces";

    /// <summary>One edit: file (0 vocab, 1 merges, 2 config), kind (0 delete, 1 swap or retype, 2 random bytes, 3 truncate, 4 duplicate), where, bytes.</summary>
    private static readonly Gen<(int File, int Kind, int At, byte[] Bytes)> Edit =
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 4], Gen.Int[0, 100_000], Gen.Byte.Array[1, 4]);

    [Fact]
    public void Mutated_tokenizer_files_throw_only_package_exceptions()
    {
        using var temp = new TempDirectory();
        string dir = packages.LladaDirectory;
        ModelManifest manifest = packages.Llada.Manifest;
        string[] names = [manifest.Files.Vocab, manifest.Files.Merges, manifest.Files.TokenizerConfig];
        byte[][] originals = [.. names.Select(n => File.ReadAllBytes(Path.Combine(dir, n)))];
        string[] paths = [.. names.Select(n => temp.Combine(n))];
        int loaded = 0, refused = 0, roundTrips = 0;

        FuzzBudget.RunBounded(() => Edit.Array[1, 5].Sample(edits =>
        {
            byte[][] files = [.. originals.Select(o => o.ToArray())];
            foreach (var (file, kind, at, bytes) in edits)
            {
                files[file] = Mutate(files[file], file, kind, at, bytes);
            }

            for (int i = 0; i < 3; i++)
            {
                File.WriteAllBytes(paths[i], files[i]);
            }

            DiffusionTokenizer tokenizer;
            try
            {
                tokenizer = DiffusionTokenizer.Create(paths[0], paths[1], paths[2], manifest);
            }
            catch (ModelPackageException ex)
            {
                Assert.Contains(ex.FilePath, paths);
                refused++;
                return;
            }

            loaded++;
            IReadOnlyList<int> ids = tokenizer.EncodeToIds(Sample, allowSpecialTokens: false);
            Assert.All(ids, id => Assert.InRange(id, 0, manifest.VocabSize - 1));
            string text = tokenizer.Decode(ids);
            if (edits.All(e => e.File == 1))
            {
                Assert.Equal(Sample, text);
                roundTrips++;
            }
        }, iter: FuzzBudget.TokenizerIterations, threads: 1, seed: FuzzBudget.Seed));

        Assert.True(refused > 0 && loaded > 0, $"{refused} refused, {loaded} loaded, {roundTrips} round trips");
    }

    private static byte[] Mutate(byte[] content, int file, int kind, int at, byte[] bytes)
    {
        if (content.Length == 0)
        {
            return bytes;
        }

        if (file == 1)
        {
            // merges.txt: line edits keep the format plausible, so the BPE builder sees odd merges, not just bad bytes.
            var lines = Encoding.UTF8.GetString(content).Split('\n').ToList();
            int i = at % lines.Count;
            switch (kind)
            {
                case 0:
                    lines.RemoveAt(i);
                    return Encoding.UTF8.GetBytes(string.Join('\n', lines));
                case 1:
                    string[] parts = lines[i].Split(' ');
                    lines[i] = string.Join(' ', parts.Reverse());
                    return Encoding.UTF8.GetBytes(string.Join('\n', lines));
                case 4:
                    lines.Insert(i, lines[(at / 7) % lines.Count]);
                    return Encoding.UTF8.GetBytes(string.Join('\n', lines));
            }
        }
        else if (kind is 0 or 1 && TryEditJson(content, kind, at) is { } edited)
        {
            return edited;
        }

        byte[] copy = content.ToArray();
        switch (kind)
        {
            case 3:
                return copy[..(at % copy.Length)];
            case 4:
                return [.. copy, .. copy[..Math.Min(copy.Length, 1 + (at % 64))]];
            default:
                foreach (byte b in bytes)
                {
                    copy[(at + b) % copy.Length] = b;
                }

                return copy;
        }
    }

    /// <summary>vocab.json / tokenizer_config.json: deletes or retypes one entry; null when the content is no longer a JSON object.</summary>
    private static byte[]? TryEditJson(byte[] content, int kind, int at)
    {
        try
        {
            if (JsonNode.Parse(content) is not JsonObject root)
            {
                return null;
            }

            // vocab.json / tokenizer_config.json: delete or retype one entry.
            JsonObject target = root["special_tokens"] is JsonObject special && at % 2 == 0 ? special : root;
            if (target.Count > 0)
            {
                string key = target.ElementAt(at % target.Count).Key;
                if (kind == 0)
                {
                    target.Remove(key);
                }
                else
                {
                    target[key] = (at % 5) switch { 0 => "x", 1 => -5, 2 => 1_000_000, 3 => null, _ => new JsonArray() };
                }
            }

            return Encoding.UTF8.GetBytes(root.ToJsonString());
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            // Earlier byte edits broke the JSON (or its UTF-8), or made two keys equal, which JsonNode refuses (the loader
            // under test reads such a file on its own terms): edit bytes instead.
            return null;
        }
    }
}
