using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// One row of <see cref="BadPackageCases"/>: how a copy of a valid package is damaged, where the damage is caught,
/// the file the <see cref="ModelPackageException"/> must name and the fragments its message must contain.
/// </summary>
/// <param name="Name">The case name, shown as the test row.</param>
/// <param name="Damage">What is done to the copy.</param>
/// <param name="Stage">Where the damage is caught.</param>
/// <param name="File">The file at fault, relative to the package folder.</param>
/// <param name="Fragments">What the message must contain (ordinal).</param>
public sealed record BadPackageCase(string Name, Action<PackageCopy> Damage, BadPackageCases.Stage Stage, string File, params string[] Fragments)
{
    /// <summary>Damages a copy of the tiny Dream package instead of the tiny LLaDA one.</summary>
    public bool Dream { get; init; }

    /// <summary>The options <see cref="ModelPackage.Load"/> runs with (the defaults when null).</summary>
    public ModelPackageOptions? Options { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
