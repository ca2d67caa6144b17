namespace SkDiffusion.Templates;

/// <summary>A filled template: the whole text and each value with its span.</summary>
public sealed class TemplateResult
{
    private readonly Dictionary<string, FilledSlot> _byName;

    internal TemplateResult(string text, IReadOnlyList<FilledSlot> slots)
    {
        Text = text;
        Slots = slots;
        _byName = slots.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    /// <summary>The filled text: fixed text with every slot's value in place.</summary>
    public string Text { get; }

    /// <summary>The filled values, in template order (array elements one by one).</summary>
    public IReadOnlyList<FilledSlot> Slots { get; }

    /// <summary>Whether some value had to be repaired (see <see cref="FilledSlot.Repaired"/>).</summary>
    public bool AnyRepaired => Slots.Any(s => s.Repaired);

    /// <summary>The value named <paramref name="name"/> (<c>name</c> or <c>name[i]</c>).</summary>
    /// <param name="name">The element name.</param>
    /// <exception cref="KeyNotFoundException">No such slot.</exception>
    public FilledSlot this[string name] => _byName.TryGetValue(name, out var s) ? s : throw new KeyNotFoundException($"The template has no slot named '{name}'.");

    /// <summary>Looks a value up by name.</summary>
    /// <param name="name">The element name.</param>
    /// <param name="slot">The value, when found.</param>
    public bool TryGetSlot(string name, out FilledSlot slot) => _byName.TryGetValue(name, out slot!);

    /// <summary>The values of an array slot, in index order (or the single value of a scalar slot).</summary>
    /// <param name="slotName">The slot name (without index).</param>
    public IReadOnlyList<object?> GetValues(string slotName) =>
        [.. Slots.Where(s => s.Slot.Name == slotName).OrderBy(s => s.ArrayIndex ?? 0).Select(s => s.Value)];
}
