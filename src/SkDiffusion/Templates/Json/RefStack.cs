namespace SkDiffusion.Templates.Json;

/// <summary>The <c>$ref</c> targets being expanded (cycle detection).</summary>
internal sealed class RefStack
{
    private readonly string? _head;
    private readonly RefStack? _tail;

    private RefStack(string? head, RefStack? tail)
    {
        _head = head;
        _tail = tail;
    }

    public static RefStack Empty { get; } = new(null, null);

    public RefStack Push(string value) => new(value, this);

    public bool Contains(string value) => _head == value || (_tail?.Contains(value) ?? false);
}
