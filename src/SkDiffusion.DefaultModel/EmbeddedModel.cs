namespace SkDiffusion.DefaultModel;

/// <summary>
/// Locates the small embedded default model: a LLaDA-architecture diffusion model trained by the recipe in
/// <c>models/recipe</c> and converted by <c>SkDiffusion.ModelBuilder</c>. Its package files are copied next to
/// the application's assembly under <c>models/tiny-llada</c>.
/// </summary>
public static class EmbeddedModel
{
    /// <summary>The package folder name under the application's base directory.</summary>
    public const string RelativePath = "models/tiny-llada";

    /// <summary>The model id of the embedded model.</summary>
    public const string ModelId = "skdiffusion/tiny-llada";

    /// <summary>
    /// The full path of the embedded model package, next to the running application.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The package was not copied to the output folder.</exception>
    public static string PackageDirectory
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, RelativePath);
            if (!File.Exists(Path.Combine(path, "manifest.json")))
            {
                throw new DirectoryNotFoundException(
                    $"The embedded model package was not found at '{path}'. Reference the SkDiffusion.DefaultModel project or package so that its files are copied to the output folder.");
            }

            return path;
        }
    }
}
