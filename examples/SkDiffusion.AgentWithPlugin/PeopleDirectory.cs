using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace SkDiffusion.Examples.AgentWithPlugin;

/// <summary>A plugin the model calls: it keeps the people it is given.</summary>
/// <param name="output">Where each call is printed.</param>
public sealed class PeopleDirectory(TextWriter output)
{
    private readonly List<SavedPerson> _saved = [];

    /// <summary>The people saved so far, in call order.</summary>
    public IReadOnlyList<SavedPerson> Saved => _saved;

    /// <summary>Saves a person's record.</summary>
    /// <param name="name">Full name.</param>
    /// <param name="age">Age in years.</param>
    /// <param name="city">Home city.</param>
    /// <param name="job">Occupation.</param>
    /// <param name="married">Whether the person is married.</param>
    /// <returns>A confirmation.</returns>
    [KernelFunction("save_person")]
    [Description("Saves a person to the directory.")]
    public string SavePerson(
        [Description("Full name.")] string name,
        [Description("Age in years.")] int age,
        [Description("Home city.")] string city,
        [Description("Occupation.")] string job,
        [Description("Whether the person is married.")] bool married)
    {
        var person = new SavedPerson(name, age, city, job, married);
        _saved.Add(person);
        output.WriteLine($"  save_person(name: {name}, age: {age}, city: {city}, job: {job}, married: {married.ToString().ToLowerInvariant()})");
        return $"Saved {name}.";
    }
}
