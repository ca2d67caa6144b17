using System.Reflection;
using System.Text.RegularExpressions;
using SkDiffusion.DefaultModel;
using SkDiffusion.Extensions.AI;
using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;
using SkDiffusion.SemanticKernel.Plugins;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.PublicApi;

/// <summary>
/// The exported types of each assembly are exactly those listed in docs/public-api.md, and the engine's internals stay
/// internal.
/// </summary>
public sealed partial class PublicSurfaceTests
{
    public static TheoryData<string> AssemblyNames() => new(Assemblies.Keys);

    private static readonly Dictionary<string, Assembly> Assemblies = new[]
    {
        typeof(ModelPackage).Assembly,
        typeof(DiffusionChatClient).Assembly,
        typeof(DiffusionPlugin).Assembly,
        typeof(PackageBuilder).Assembly,
        typeof(EmbeddedModel).Assembly,
        typeof(SkDiffusion.Remote.RemoteDenoiser).Assembly,
        typeof(SkDiffusion.Remote.Server.RemoteDenoiserHost).Assembly,
    }.ToDictionary(a => a.GetName().Name!);

    [Theory]
    [MemberData(nameof(AssemblyNames))]
    public void ExportedTypesAreTheDocumentedOnes(string assemblyName)
    {
        (int count, HashSet<string> documented) = ReadDocumented(assemblyName);
        string[] exported = Assemblies[assemblyName].GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal).ToArray();

        string[] undocumented = exported.Where(t => !documented.Contains(t)).ToArray();
        string[] missing = documented.Where(t => !exported.Contains(t)).Order(StringComparer.Ordinal).ToArray();
        Assert.True(undocumented.Length == 0, $"Public in {assemblyName} but not in docs/public-api.md: {string.Join(", ", undocumented)}. Make them internal or document them.");
        Assert.True(missing.Length == 0, $"Listed in docs/public-api.md but not public in {assemblyName}: {string.Join(", ", missing)}.");
        Assert.Equal(count, exported.Length);
    }

    [Theory]
    [InlineData("SkDiffusion.Denoising.ICachingDenoiser")]
    [InlineData("SkDiffusion.Denoising.KvCache")]
    [InlineData("SkDiffusion.Denoising.KvCacheRanges")]
    [InlineData("SkDiffusion.Denoising.CachedDenoiserInput")]
    [InlineData("SkDiffusion.Denoising.CachedDenoiserOutput")]
    [InlineData("SkDiffusion.Denoising.CachedRunResult")]
    [InlineData("SkDiffusion.Denoising.PendingRequest")]
    [InlineData("SkDiffusion.Templates.DelegateTemplateTokenizer")]
    [InlineData("SkDiffusion.Chat.ChatMlChatFormat")]
    [InlineData("SkDiffusion.Chat.Llama3ChatFormat")]
    [InlineData("SkDiffusion.Grammars.GrammarFeasibility")]
    [InlineData("SkDiffusion.Grammars.GrammarPathSearch")]
    public void EngineInternalsAreNotExported(string fullName)
    {
        Type? type = typeof(ModelPackage).Assembly.GetType(fullName);
        Assert.NotNull(type);
        Assert.False(type.IsVisible, $"{fullName} is visible outside SkDiffusion.");
    }

    [Theory]
    [InlineData(typeof(SkDiffusion.Denoising.OnnxDenoiser))]
    [InlineData(typeof(SkDiffusion.Denoising.BatchingDenoiser))]
    public void CachedRunsAreNotPublicMembers(Type denoiser)
    {
        MethodInfo[] cached = denoiser.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.Name is "DenoiseWithCacheAsync" or "RunWithCache")
            .ToArray();
        Assert.Empty(cached);
        Assert.True(denoiser.GetProperty("SupportsCache", BindingFlags.Public | BindingFlags.Instance)?.PropertyType == typeof(bool), $"{denoiser.Name}.SupportsCache should stay public.");
    }

    [Fact]
    public void TheCountTableMatchesTheSections()
    {
        string text = File.ReadAllText(DocPath());
        int total = 0;
        foreach (string name in Assemblies.Keys)
        {
            Match row = Regex.Match(text, $@"^\| {Regex.Escape(name)} \| (\d+) \| (\d+) \|$", RegexOptions.Multiline);
            Assert.True(row.Success, $"docs/public-api.md has no count row for {name}.");
            int after = int.Parse(row.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(ReadDocumented(name).Count, after);
            total += after;
        }

        Match totalRow = Regex.Match(text, @"^\| \*\*Total\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \|$", RegexOptions.Multiline);
        Assert.True(totalRow.Success, "docs/public-api.md has no total row.");
        Assert.Equal(total, int.Parse(totalRow.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static (int Count, HashSet<string> Types) ReadDocumented(string assemblyName)
    {
        string[] lines = File.ReadAllLines(DocPath());
        int start = Array.FindIndex(lines, l => l.StartsWith($"### {assemblyName} (", StringComparison.Ordinal));
        Assert.True(start >= 0, $"docs/public-api.md has no section '### {assemblyName} (N)'.");
        int count = int.Parse(HeadingCount().Match(lines[start]).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        var types = new HashSet<string>(StringComparer.Ordinal);
        string? ns = null;
        for (int i = start + 1; i < lines.Length && !lines[i].StartsWith('#'); i++)
        {
            string line = lines[i];
            Match bullet = Bullet().Match(line);
            if (bullet.Success)
            {
                ns = bullet.Groups[1].Value;
                line = bullet.Groups[2].Value;
            }
            else if (!line.StartsWith("  ", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (Match name in Code().Matches(line))
            {
                types.Add($"{ns}.{name.Groups[1].Value}");
            }
        }

        return (count, types);
    }

    private static string DocPath() => Path.Combine(RepositoryPaths.Root(), "docs", "public-api.md");

    [GeneratedRegex(@"\((\d+)\)\s*$")]
    private static partial Regex HeadingCount();

    [GeneratedRegex(@"^- `([A-Za-z0-9_.]+)`: (.*)$")]
    private static partial Regex Bullet();

    [GeneratedRegex(@"`([A-Za-z0-9_+]+)`")]
    private static partial Regex Code();
}
