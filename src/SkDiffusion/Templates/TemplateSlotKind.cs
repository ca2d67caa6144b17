namespace SkDiffusion.Templates;

/// <summary>What a template slot may hold.</summary>
public enum TemplateSlotKind
{
    /// <summary><c>text(n)</c>: any ordinary tokens (newlines and quotes included).</summary>
    Text,

    /// <summary><c>string(n)</c>: tokens safe inside a JSON string: no <c>"</c>, no <c>\</c>, no control characters or newlines.</summary>
    String,

    /// <summary><c>int(n)</c>: up to n decimal digits (one digit per position), optionally led by a minus sign.</summary>
    Integer,

    /// <summary><c>number(n)</c>: up to n characters of digits, at most one decimal point, optionally led by a minus sign.</summary>
    Number,

    /// <summary><c>bool</c>: <c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary><c>enum(a|b|c)</c>: exactly one of the listed options.</summary>
    Enum,
}
