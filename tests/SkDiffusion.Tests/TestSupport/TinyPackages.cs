using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;

namespace SkDiffusion.Tests.TestSupport;

/// <summary>Builds the tiny LLaDA and Dream packages (random weights, with KV cache inputs) once per test collection.</summary>
public sealed class TinyPackages : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "skd-rt-" + Guid.NewGuid().ToString("N"));

    /// <summary>The tiny LLaDA package folder.</summary>
    public string LladaDirectory => Path.Combine(_root, "tiny-llada");

    /// <summary>The tiny Dream package folder.</summary>
    public string DreamDirectory => Path.Combine(_root, "tiny-dream");

    /// <summary>The loaded LLaDA package.</summary>
    public ModelPackage Llada { get; private set; } = null!;

    /// <summary>The loaded Dream package.</summary>
    public ModelPackage Dream { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = FindFixture("tiny-llada"), OutputDirectory = LladaDirectory });
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = FindFixture("tiny-dream"), OutputDirectory = DreamDirectory });
        Llada = await ModelPackage.LoadAsync(LladaDirectory);
        Dream = await ModelPackage.LoadAsync(DreamDirectory);
    }

    /// <summary>Copies a built package into a fresh scratch folder that a test may damage.</summary>
    /// <param name="source">The package folder to copy.</param>
    public PackageCopy Copy(string source)
    {
        string target = Path.Combine(_root, "copy-" + Guid.NewGuid().ToString("N"), "pkg");
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return new PackageCopy(target);
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    /// <summary>Finds a checkpoint fixture folder under tests/fixtures.</summary>
    /// <param name="name">The fixture name, e.g. <c>tiny-llada</c>.</param>
    public static string FindFixture(string name)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "fixtures", name);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"tests/fixtures/{name} not found above {AppContext.BaseDirectory}.");
    }
}
