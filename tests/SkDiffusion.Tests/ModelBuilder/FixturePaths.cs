namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>Locates tests/fixtures from the test assembly's folder.</summary>
internal static class FixturePaths
{
    /// <summary>The folder of a named fixture (e.g. <c>tiny-llada</c>).</summary>
    public static string Fixture(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null)
        {
            string candidate = Path.Combine(directory.FullName, "tests", "fixtures", name);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }

            directory = directory.Parent;
        }

        throw new DirectoryNotFoundException($"Fixture '{name}' not found above {AppContext.BaseDirectory} (expected tests/fixtures/{name}).");
    }
}
