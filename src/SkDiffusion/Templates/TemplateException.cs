namespace SkDiffusion.Templates;

/// <summary>
/// A template, a JSON schema or a filled result cannot be used: the message says where (a character position in the
/// template text, or a JSON pointer into the schema) and what to do about it.
/// </summary>
public sealed class TemplateException : Exception
{
    /// <summary>Creates an exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="position">The character position in the template text, if the error has one.</param>
    /// <param name="pointer">The JSON pointer into the schema (e.g. <c>#/properties/tags</c>), if the error has one.</param>
    public TemplateException(string message, int? position = null, string? pointer = null)
        : base(Format(message, position, pointer))
    {
        Position = position;
        Pointer = pointer;
    }

    /// <summary>The character position in the template text where the problem starts, or <see langword="null"/>.</summary>
    public int? Position { get; }

    /// <summary>The JSON pointer of the offending schema node (e.g. <c>#/properties/tags</c>), or <see langword="null"/>.</summary>
    public string? Pointer { get; }

    private static string Format(string message, int? position, string? pointer) =>
        position is int p ? $"Template error at position {p}: {message}"
        : pointer is not null ? $"Schema error at {pointer}: {message}"
        : message;
}
