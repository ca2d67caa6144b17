namespace SkDiffusion.Tests.TestSupport;

/// <summary>Paths in the source tree the tests run from (the folder that holds SkDiffusion.sln).</summary>
public static class RepositoryPaths
{
    /// <summary>The repository root: the nearest folder above the test output that holds SkDiffusion.sln.</summary>
    /// <exception cref="DirectoryNotFoundException">No folder above the test output holds SkDiffusion.sln.</exception>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SkDiffusion.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No SkDiffusion.sln above {AppContext.BaseDirectory}.");
    }
}
