namespace SkDiffusion.Templates.Json;

/// <summary>Sizes used by <see cref="JsonSchemaTemplate"/> where the schema gives none.</summary>
public sealed class JsonSchemaTemplateOptions
{
    /// <summary>Tokens of a string without <c>maxLength</c> (default 16). With <c>maxLength</c> the slot has that many tokens at most.</summary>
    public int StringTokens { get; set; } = 16;

    /// <summary>Digits of an integer without <c>minimum</c>/<c>maximum</c> (default 6).</summary>
    public int IntegerDigits { get; set; } = 6;

    /// <summary>Characters of a number (default 10).</summary>
    public int NumberLength { get; set; } = 10;

    /// <summary>
    /// Elements of an array of scalars without <c>maxItems</c> (default 3). Elements past <c>minItems</c> are
    /// optional: when they come back empty they are left out of the JSON.
    /// </summary>
    public int ArrayItems { get; set; } = 3;

    /// <summary>The deepest nesting of objects and arrays (default 16).</summary>
    public int MaxDepth { get; set; } = 16;

    internal void Validate()
    {
        static void Check(int value, int min, int max, string name)
        {
            if (value < min || value > max)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must lie in {min}..{max}.");
            }
        }

        Check(StringTokens, 1, TemplateSlot.MaxAllowedLength, nameof(StringTokens));
        Check(IntegerDigits, 1, 18, nameof(IntegerDigits));
        Check(NumberLength, 1, 64, nameof(NumberLength));
        Check(ArrayItems, 1, TemplateSlot.MaxArrayCount, nameof(ArrayItems));
        Check(MaxDepth, 1, 64, nameof(MaxDepth));
    }
}
