namespace SkDiffusion.Sampling.Schedules;

/// <summary>
/// The built-in commit schedules by name (the <c>schedule</c> setting of the chat and Semantic Kernel connectors;
/// snake_case on the wire: <c>linear</c>, <c>cosine</c>, <c>exponential</c>, <c>dream</c>).
/// </summary>
public enum ScheduleKind
{
    /// <summary><see cref="LinearSchedule"/>: the same number of tokens every step (LLaDA).</summary>
    Linear,

    /// <summary><see cref="CosineSchedule"/>: few tokens early, more later (MaskGIT).</summary>
    Cosine,

    /// <summary><see cref="ExponentialSchedule"/> with its default rate.</summary>
    Exponential,

    /// <summary><see cref="DreamSchedule.Default"/>: Dream's timestep schedule.</summary>
    Dream,
}
