namespace SkDiffusion.Grammars;

/// <summary>
/// A grammar source (JSON schema, regular expression, template) that cannot be compiled, or an automaton that grew past
/// its limits. <see cref="Pointer"/> names the JSON pointer of the offending schema keyword, <see cref="Offset"/> the
/// character offset in a regular expression or template.
/// </summary>
public sealed class GrammarException : SkDiffusionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="pointer">The JSON pointer of the schema keyword at fault, if any.</param>
    /// <param name="offset">The character offset in the pattern or template at fault, if any.</param>
    public GrammarException(string message, string? pointer = null, int? offset = null)
        : base(Format(message, pointer, offset))
    {
        Pointer = pointer;
        Offset = offset;
    }

    /// <summary>The JSON pointer of the schema keyword at fault (e.g. <c>/properties/age/maximum</c>), or <see langword="null"/>.</summary>
    public string? Pointer { get; }

    /// <summary>The character offset in the regular expression or template at fault, or <see langword="null"/>.</summary>
    public int? Offset { get; }

    private static string Format(string message, string? pointer, int? offset) =>
        pointer is not null ? $"{(pointer.Length == 0 ? "(schema root)" : pointer)}: {message}"
        : offset is int o ? $"At offset {o}: {message}"
        : message;
}
