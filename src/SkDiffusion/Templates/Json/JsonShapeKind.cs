namespace SkDiffusion.Templates.Json;

/// <summary>The kind of a <see cref="JsonShape"/> node.</summary>
internal enum JsonShapeKind
{
    Object,
    Array,
    Slot,
    Constant,
}
