using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace SkDiffusion.Tests.TestSupport;

/// <summary>A scratch copy of a package with helpers to damage it.</summary>
public sealed class PackageCopy
{
    /// <summary>Creates a handle on a copied package folder.</summary>
    /// <param name="directory">The folder.</param>
    public PackageCopy(string directory) => Directory = directory;

    /// <summary>The package folder.</summary>
    public string Directory { get; }

    /// <summary>The manifest path.</summary>
    public string ManifestPath => Path.Combine(Directory, "manifest.json");

    /// <summary>The full path of a file in the package.</summary>
    /// <param name="name">The file name.</param>
    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Edits the manifest as a JSON tree.</summary>
    /// <param name="edit">The edit.</param>
    public void EditManifest(Action<JsonObject> edit)
    {
        JsonObject root = JsonNode.Parse(File.ReadAllText(ManifestPath))!.AsObject();
        edit(root);
        File.WriteAllText(ManifestPath, root.ToJsonString());
    }

    /// <summary>Rewrites a package file and records its new size and hash in the manifest, so only its content is wrong.</summary>
    /// <param name="name">The file name.</param>
    /// <param name="content">The new bytes.</param>
    public void ReplaceFileConsistently(string name, byte[] content)
    {
        File.WriteAllBytes(PathOf(name), content);
        EditManifest(m =>
        {
            m["file_sizes"]![name] = content.LongLength;
            m["sha256"]![name] = Convert.ToHexStringLower(SHA256.HashData(content));
        });
    }
}
