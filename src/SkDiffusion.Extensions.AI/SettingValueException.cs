using System.Text.Json;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// An enum setting's value is not one of its names; raised by <see cref="SnakeCaseEnumConverter{TEnum}"/> during
/// deserialization and turned by <see cref="DiffusionSettingsReader"/> into an <see cref="ArgumentException"/> that
/// names the setting.
/// </summary>
internal sealed class SettingValueException : JsonException
{
    /// <summary>Creates the exception for a shown value (<c>'fastest'</c>, <c>a JSON Number</c>) and the accepted names.</summary>
    public SettingValueException(string shownValue, string choices)
        : base($"{shownValue} is not one of {choices}.")
    {
        ShownValue = shownValue;
        Choices = choices;
    }

    /// <summary>The value as shown in messages.</summary>
    public string ShownValue { get; }

    /// <summary>The accepted snake_case names.</summary>
    public string Choices { get; }
}
