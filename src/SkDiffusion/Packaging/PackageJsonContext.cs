using System.Text.Json.Serialization;

namespace SkDiffusion.Packaging;

/// <summary>
/// Source-generated JSON metadata for the library's own JSON: the manifest and a BPE vocabulary (<c>vocab.json</c>) of a
/// model package, and JSON string literals written by the templates. Reading and writing them needs no reflection
/// (trimming and native AOT safe). Unknown manifest keys are skipped, so newer packages with extra keys still load.
/// </summary>
[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(ModelManifest))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(string))]
internal sealed partial class PackageJsonContext : JsonSerializerContext;
