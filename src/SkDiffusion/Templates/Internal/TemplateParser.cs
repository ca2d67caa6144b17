using System.Globalization;
using System.Text;

namespace SkDiffusion.Templates.Internal;

/// <summary>Parses the template text syntax documented on <see cref="TextTemplate"/>.</summary>
internal static class TemplateParser
{
    public static List<TemplateSegment> Parse(string s)
    {
        var segments = new List<TemplateSegment>();
        var text = new StringBuilder();
        int textStart = 0;
        int i = 0;
        while (i < s.Length)
        {
            if (s[i] == '\\' && i + 2 < s.Length && s[i + 1] == '{' && s[i + 2] == '{')
            {
                text.Append("{{");
                i += 3;
                continue;
            }

            if (string.CompareOrdinal(s, i, "{{", 0, 2) == 0)
            {
                int close = s.IndexOf("}}", i + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw new TemplateException("'{{' is never closed: end the slot with '}}' (write \\{{ for literal braces).", i);
                }

                if (text.Length > 0)
                {
                    segments.Add(TemplateSegment.FromText(text.ToString(), textStart));
                    text.Clear();
                }

                segments.Add(TemplateSegment.FromSlot(ParseSlot(s.Substring(i + 2, close - i - 2), i + 2), i));
                i = close + 2;
                textStart = i;
                continue;
            }

            if (text.Length == 0)
            {
                textStart = i;
            }

            text.Append(s[i]);
            i++;
        }

        if (text.Length > 0)
        {
            segments.Add(TemplateSegment.FromText(text.ToString(), textStart));
        }

        return segments;
    }

    private static TemplateSlot ParseSlot(string body, int offset)
    {
        int colon = body.IndexOf(':');
        if (colon < 0)
        {
            throw new TemplateException($"Slot '{{{{{body}}}}}' has no type: write {{{{name:type}}}}, e.g. {{{{age:int(3)}}}}.", offset);
        }

        string name = body[..colon].Trim();
        if (name.Length == 0)
        {
            throw new TemplateException("A slot has no name: write {{name:type}}.", offset);
        }

        if (!TemplateSlot.IsValidName(name))
        {
            throw new TemplateException($"The slot name '{name}' is invalid: use letters, digits, '_', '.', '-' or '/', not starting with a digit.", offset);
        }

        string spec = body[(colon + 1)..].Trim();
        int typePos = offset + colon + 1;
        int? count = null;
        if (spec.EndsWith(']'))
        {
            int open = spec.LastIndexOf('[');
            if (open < 0)
            {
                throw new TemplateException($"Slot '{name}': ']' without '['; write type[count] for an array.", typePos);
            }

            string c = spec[(open + 1)..^1].Trim();
            if (!int.TryParse(c, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n))
            {
                throw new TemplateException($"Slot '{name}': the array count '{c}' is not a number.", typePos);
            }

            if (n < 1 || n > TemplateSlot.MaxArrayCount)
            {
                throw new TemplateException($"Slot '{name}' has array count {n}: use 1 to {TemplateSlot.MaxArrayCount} elements.", typePos);
            }

            count = n;
            spec = spec[..open].Trim();
        }

        string type = spec;
        string? args = null;
        int paren = spec.IndexOf('(');
        if (paren >= 0)
        {
            if (!spec.EndsWith(')'))
            {
                throw new TemplateException($"Slot '{name}': '(' is never closed in '{spec}'.", typePos);
            }

            type = spec[..paren].Trim();
            args = spec[(paren + 1)..^1];
        }

        type = type.ToLowerInvariant();
        var slot = type switch
        {
            "text" => Sized(name, TemplateSlotKind.Text, args, 32, count, typePos),
            "string" => Sized(name, TemplateSlotKind.String, args, 16, count, typePos),
            "int" or "integer" => Sized(name, TemplateSlotKind.Integer, args, 6, count, typePos),
            "number" => Sized(name, TemplateSlotKind.Number, args, 10, count, typePos),
            "bool" or "boolean" when args is null || args.Trim().Length == 0 => new TemplateSlot { Name = name, Kind = TemplateSlotKind.Boolean, Choices = ["true", "false"], Count = count },
            "bool" or "boolean" => throw new TemplateException($"Slot '{name}': bool takes no arguments.", typePos),
            "enum" => new TemplateSlot { Name = name, Kind = TemplateSlotKind.Enum, Choices = SplitChoices(name, args, typePos), Count = count },
            _ => throw new TemplateException($"Slot '{name}' has the unknown type '{type}': use text, string, int, number, bool or enum.", typePos),
        };
        slot.Validate(typePos);
        return slot;
    }

    private static TemplateSlot Sized(string name, TemplateSlotKind kind, string? args, int defaultMax, int? count, int pos)
    {
        int min = TemplateSlot.DefaultMin(kind);
        int max = defaultMax;
        bool signed = true;
        if (args is not null)
        {
            var parts = args.Split(',', StringSplitOptions.TrimEntries);
            string len = parts[0];
            foreach (string flag in parts.Skip(1))
            {
                if (kind is TemplateSlotKind.Integer or TemplateSlotKind.Number && flag == "unsigned")
                {
                    signed = false;
                }
                else if (kind is TemplateSlotKind.Integer or TemplateSlotKind.Number && flag == "signed")
                {
                    signed = true;
                }
                else
                {
                    throw new TemplateException($"Slot '{name}': unknown option '{flag}' (int and number take 'signed' or 'unsigned').", pos);
                }
            }

            if (len.StartsWith('='))
            {
                max = ParseLength(name, len[1..], pos);
                min = max;
            }
            else if (len.Contains("..", StringComparison.Ordinal))
            {
                int dots = len.IndexOf("..", StringComparison.Ordinal);
                min = ParseLength(name, len[..dots], pos, allowZero: true);
                max = ParseLength(name, len[(dots + 2)..], pos);
                if (min > max)
                {
                    throw new TemplateException($"Slot '{name}': the minimum length {min} is above the maximum {max}.", pos);
                }
            }
            else if (len.Length > 0)
            {
                max = ParseLength(name, len, pos);
            }
        }

        return new TemplateSlot { Name = name, Kind = kind, MinLength = Math.Min(min, max), MaxLength = max, Signed = signed, Count = count };
    }

    private static int ParseLength(string name, string text, int pos, bool allowZero = false)
    {
        text = text.Trim();
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
        {
            throw new TemplateException($"Slot '{name}': the length '{text}' is not a whole number.", pos);
        }

        if (n < (allowZero ? 0 : 1))
        {
            throw new TemplateException($"Slot '{name}' has length {n}: a slot needs at least {(allowZero ? 0 : 1)} position{(allowZero ? "s" : "")}.", pos);
        }

        if (n > TemplateSlot.MaxAllowedLength)
        {
            throw new TemplateException($"Slot '{name}' has length {n}, above the limit of {TemplateSlot.MaxAllowedLength}: split it into several slots or shorten it.", pos);
        }

        return (int)n;
    }

    private static string[] SplitChoices(string name, string? args, int pos)
    {
        if (string.IsNullOrEmpty(args))
        {
            throw new TemplateException($"Slot '{name}' is an enum without options: write enum(a|b|c).", pos);
        }

        var choices = new List<string>();
        var current = new StringBuilder();
        for (int i = 0; i < args.Length; i++)
        {
            char ch = args[i];
            if (ch == '\\' && i + 1 < args.Length)
            {
                current.Append(args[++i]);
            }
            else if (ch == '|')
            {
                choices.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(ch);
            }
        }

        choices.Add(current.ToString());
        return [.. choices];
    }
}
