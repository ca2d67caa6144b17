namespace SkDiffusion.Examples.AgentWithPlugin;

/// <summary>A person saved by <see cref="PeopleDirectory"/>.</summary>
/// <param name="Name">Full name.</param>
/// <param name="Age">Age in years.</param>
/// <param name="City">Home city.</param>
/// <param name="Job">Occupation.</param>
/// <param name="Married">Whether the person is married.</param>
public sealed record SavedPerson(string Name, int Age, string City, string Job, bool Married);
