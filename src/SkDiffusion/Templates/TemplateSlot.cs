namespace SkDiffusion.Templates;

/// <summary>
/// A typed hole of a <see cref="TextTemplate"/>: its name, kind and length bounds in tokens (for <see cref="TemplateSlotKind.Integer"/>
/// in digits, for <see cref="TemplateSlotKind.Number"/> in characters), and for enums the options.
/// </summary>
public sealed class TemplateSlot
{
    /// <summary>The largest length a slot may declare.</summary>
    public const int MaxAllowedLength = 1024;

    /// <summary>The largest element count of an array slot.</summary>
    public const int MaxArrayCount = 64;

    /// <summary>The slot's name, unique within its template (letters, digits, <c>_ . - /</c>; not starting with a digit).</summary>
    public required string Name { get; init; }

    /// <summary>What the slot may hold.</summary>
    public required TemplateSlotKind Kind { get; init; }

    /// <summary>
    /// The least number of tokens (digits, characters) the value must have. Equal to <see cref="MaxLength"/> for a
    /// fixed-length slot. Ignored for <see cref="TemplateSlotKind.Boolean"/> and <see cref="TemplateSlotKind.Enum"/>.
    /// </summary>
    public int MinLength { get; init; }

    /// <summary>The most tokens (digits, characters) the value may have (1 to <see cref="MaxAllowedLength"/>).</summary>
    public int MaxLength { get; init; } = 1;

    /// <summary>Whether the value's length is fixed (<see cref="MinLength"/> equals <see cref="MaxLength"/>).</summary>
    public bool IsFixedLength => MinLength == MaxLength;

    /// <summary>The options of an enum slot (<c>true</c> and <c>false</c> for a boolean slot).</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>Whether an <see cref="TemplateSlotKind.Integer"/> or <see cref="TemplateSlotKind.Number"/> may start with a minus sign (default true).</summary>
    public bool Signed { get; init; } = true;

    /// <summary>
    /// For a fixed-count array slot: the number of elements (each a slot of this kind and length, named
    /// <c>name[i]</c>, separated by <see cref="Separator"/>); <see langword="null"/> for a single value.
    /// </summary>
    public int? Count { get; init; }

    /// <summary>The text between array elements (default <c>", "</c>).</summary>
    public string Separator { get; init; } = ", ";

    /// <summary>
    /// Whether an empty value is acceptable and means "absent" (used for the optional elements of variable-count JSON
    /// arrays: enums and booleans may then also come back empty).
    /// </summary>
    public bool Optional { get; init; }

    /// <summary>The element names of this slot: <c>name</c>, or <c>name[0]</c>, <c>name[1]</c>… for arrays.</summary>
    public IEnumerable<string> ElementNames => Count is int n ? Enumerable.Range(0, n).Select(i => $"{Name}[{i}]") : [Name];

    /// <summary>Checks the slot; throws a <see cref="TemplateException"/> naming the problem.</summary>
    /// <param name="position">The position of the slot in the template text, for the message.</param>
    /// <exception cref="TemplateException">The slot is invalid.</exception>
    /// <exception cref="ArgumentNullException"><see cref="Name"/>, <see cref="Choices"/>, an option or <see cref="Separator"/> is null (a slot built in code).</exception>
    public void Validate(int? position = null)
    {
        if (Name is null)
        {
            throw new ArgumentNullException(nameof(Name), "The slot's Name is null: every slot needs a name (letters, digits, '_', '.', '-' or '/').");
        }

        if (Choices is null)
        {
            throw new ArgumentNullException(nameof(Choices), $"Slot '{Name}' has Choices = null: leave it unset (empty) or list the enum options.");
        }

        int nullChoice = Choices.ToList().IndexOf(null!);
        if (nullChoice >= 0)
        {
            throw new ArgumentNullException(nameof(Choices), $"Slot '{Name}' has a null enum option at index {nullChoice}: every option needs at least one character.");
        }

        if (Separator is null)
        {
            throw new ArgumentNullException(nameof(Separator), $"Slot '{Name}' has Separator = null: leave it unset (\", \") or give the text between array elements.");
        }

        if (!IsValidName(Name))
        {
            throw new TemplateException($"The slot name '{Name}' is invalid: use letters, digits, '_', '.', '-' or '/', not starting with a digit.", position);
        }

        if (!Enum.IsDefined(Kind))
        {
            throw new TemplateException($"Slot '{Name}' has an unknown kind {Kind}.", position);
        }

        if (Kind is TemplateSlotKind.Enum or TemplateSlotKind.Boolean)
        {
            if (Choices.Count == 0)
            {
                throw new TemplateException($"Slot '{Name}' is an enum without options: write enum(a|b|c).", position);
            }

            if (Choices.Any(string.IsNullOrEmpty))
            {
                throw new TemplateException($"Slot '{Name}' has an empty enum option: every option needs at least one character.", position);
            }

            var dup = Choices.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null)
            {
                throw new TemplateException($"Slot '{Name}' lists the enum option '{dup.Key}' twice.", position);
            }
        }
        else
        {
            if (MaxLength < 1)
            {
                throw new TemplateException($"Slot '{Name}' has length {MaxLength}: a slot needs at least 1 position.", position);
            }

            if (MaxLength > MaxAllowedLength)
            {
                throw new TemplateException($"Slot '{Name}' has length {MaxLength}, above the limit of {MaxAllowedLength}: split it or shorten it.", position);
            }

            if (MinLength < 0 || MinLength > MaxLength)
            {
                throw new TemplateException($"Slot '{Name}' has minimum length {MinLength} outside 0..{MaxLength}.", position);
            }
        }

        if (Count is int c && (c < 1 || c > MaxArrayCount))
        {
            throw new TemplateException($"Slot '{Name}' has array count {c}: use 1 to {MaxArrayCount} elements.", position);
        }
    }

    /// <summary>Whether a name is a valid slot name.</summary>
    /// <param name="name">The name.</param>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (char ch in name)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '-' or '/'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The slot in template syntax, e.g. <c>{{age:int(1..3)}}</c>.</summary>
    public override string ToString()
    {
        string len = MinLength == MaxLength ? $"={MaxLength}" : MinLength == DefaultMin(Kind) ? $"{MaxLength}" : $"{MinLength}..{MaxLength}";
        string type = Kind switch
        {
            TemplateSlotKind.Text => $"text({len})",
            TemplateSlotKind.String => $"string({len})",
            TemplateSlotKind.Integer => $"int({len}{(Signed ? "" : ", unsigned")})",
            TemplateSlotKind.Number => $"number({len}{(Signed ? "" : ", unsigned")})",
            TemplateSlotKind.Boolean => "bool",
            _ => $"enum({string.Join('|', Choices.Select(c => c.Replace("\\", "\\\\").Replace("|", "\\|").Replace(")", "\\)").Replace("}", "\\}")))})",
        };
        return "{{" + Name + ":" + type + (Count is int n ? $"[{n}]" : "") + "}}";
    }

    internal static int DefaultMin(TemplateSlotKind kind) => kind is TemplateSlotKind.Integer or TemplateSlotKind.Number ? 1 : 0;
}
