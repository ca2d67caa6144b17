using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Mutations of a valid manifest (field deletions, type swaps, huge numbers, random bytes): <see cref="ModelPackage.Load"/>
/// either loads or throws <see cref="ModelPackageException"/>, never anything else.
/// </summary>
[Collection(TinyPackageCollection.Name)]
public sealed class ManifestFuzzTests(TinyPackages packages)
{
    /// <summary>One edit of the manifest tree: 0 delete, 1 type swap, 2 huge number, 3 random bytes, 4 truncate.</summary>
    private static readonly Gen<(int Kind, int Path, int Value, byte[] Bytes)> Edit =
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, 10_000], Gen.Int[0, 13], Gen.Byte.Array[1, 6]);

    private static readonly JsonNode?[] Replacements =
    [
        null, JsonValue.Create("x"), JsonValue.Create(""), JsonValue.Create(true), JsonValue.Create(0), JsonValue.Create(-1),
        new JsonArray(1, 2), new JsonObject { ["a"] = 1 }, JsonValue.Create(1.5), JsonValue.Create("../../etc/passwd"),
        JsonValue.Create(long.MaxValue), JsonValue.Create(1e308), JsonValue.Create(int.MinValue), JsonValue.Create(2147483648L),
    ];

    [Fact]
    public void Mutated_manifests_throw_only_package_exceptions()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        string original = File.ReadAllText(copy.ManifestPath);
        int loaded = 0, refused = 0;

        FuzzBudget.RunBounded(() => Edit.Array[1, 4].Sample(edits =>
        {
            File.WriteAllBytes(copy.ManifestPath, Apply(original, edits));
            try
            {
                ModelPackage package = ModelPackage.Load(copy.Directory);
                Assert.NotNull(package.Tokenizer);
                loaded++;
            }
            catch (ModelPackageException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Problem));
                Assert.StartsWith(copy.Directory, ex.FilePath, StringComparison.Ordinal);
                refused++;
            }
        }, iter: FuzzBudget.ManifestIterations, threads: 1, seed: FuzzBudget.Seed));

        // The mutations reach the validator: most are refused.
        Assert.True(refused > FuzzBudget.ManifestIterations / 2, $"{refused} refused, {loaded} loaded");
    }

    private static byte[] Apply(string original, (int Kind, int Path, int Value, byte[] Bytes)[] edits)
    {
        JsonNode root = JsonNode.Parse(original)!;
        byte[]? raw = null;
        foreach (var (kind, path, value, bytes) in edits)
        {
            if (kind >= 3)
            {
                raw ??= Encoding.UTF8.GetBytes(root.ToJsonString());
                if (raw.Length == 0)
                {
                    continue;
                }

                if (kind == 3)
                {
                    foreach (byte b in bytes)
                    {
                        raw[(path + b) % raw.Length] = b;
                    }
                }
                else
                {
                    raw = raw[..(path % raw.Length)];
                }

                continue;
            }

            if (raw is not null)
            {
                continue;
            }

            var nodes = Walk(root).ToList();
            var (parent, key) = nodes[path % nodes.Count];
            if (kind == 0)
            {
                parent.Remove(key);
            }
            else
            {
                parent[key] = Replacements[kind == 2 ? 10 + (value % 4) : value]?.DeepClone();
            }
        }

        return raw ?? Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static IEnumerable<(JsonObject Parent, string Key)> Walk(JsonNode node)
    {
        if (node is not JsonObject obj)
        {
            yield break;
        }

        foreach (var (key, child) in obj.ToList())
        {
            yield return (obj, key);
            if (child is not null)
            {
                foreach (var inner in Walk(child))
                {
                    yield return inner;
                }
            }
        }
    }
}
