using SkDiffusion.SemanticKernel.Settings;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Invalid <see cref="DiffusionPromptExecutionSettings"/>: the exact argument exception type, whose
/// <see cref="ArgumentException.ParamName"/> is the setting's snake_case name (docs/semantic-kernel.md).
/// </summary>
public sealed class BadExecutionSettingsCases
{
    /// <summary>(case name, settings JSON, answer length, expected exception type, snake_case setting).</summary>
    public static TheoryData<string, string, int, Type, string> Cases => new()
    {
        { "steps 0", """{"steps":0}""", 16, typeof(ArgumentOutOfRangeException), "steps" },
        { "block_length negative", """{"block_length":-1}""", 16, typeof(ArgumentOutOfRangeException), "block_length" },
        { "temperature negative", """{"temperature":-0.5}""", 16, typeof(ArgumentOutOfRangeException), "temperature" },
        { "top_p 0", """{"top_p":0}""", 16, typeof(ArgumentOutOfRangeException), "top_p" },
        { "top_k 0", """{"top_k":0}""", 16, typeof(ArgumentOutOfRangeException), "top_k" },
        { "threshold above 1", """{"selection":"threshold","threshold":1.5}""", 16, typeof(ArgumentOutOfRangeException), "threshold" },
        { "threshold 0", """{"selection":"threshold","threshold":0}""", 16, typeof(ArgumentOutOfRangeException), "threshold" },
        { "factor 0", """{"selection":"factor","factor":0}""", 16, typeof(ArgumentOutOfRangeException), "factor" },
        { "cfg_scale negative", """{"cfg_scale":-1}""", 16, typeof(ArgumentOutOfRangeException), "cfg_scale" },
        { "remasking_eta above 1", """{"remasking":"cap","remasking_eta":1.5}""", 16, typeof(ArgumentOutOfRangeException), "remasking_eta" },
        { "position_temperature negative", """{"position_temperature":-1}""", 16, typeof(ArgumentOutOfRangeException), "position_temperature" },
        { "max_degree_of_parallelism 0", """{"max_degree_of_parallelism":0}""", 16, typeof(ArgumentOutOfRangeException), "max_degree_of_parallelism" },
        { "answer_length 0", """{"answer_length":0}""", 16, typeof(ArgumentOutOfRangeException), "answer_length" },
        { "steps fewer than blocks", """{"steps":1,"block_length":4}""", 16, typeof(ArgumentException), "steps" },
        { "unknown selection", """{"selection":"greedy"}""", 16, typeof(ArgumentException), "selection" },
        { "unknown schedule", """{"schedule":"quadratic"}""", 16, typeof(ArgumentException), "schedule" },
        { "unknown score", """{"score":"entropy"}""", 16, typeof(ArgumentException), "score" },
        { "unknown remasking", """{"remasking":"random"}""", 16, typeof(ArgumentException), "remasking" },
        { "unknown cache", """{"cache":"full"}""", 16, typeof(ArgumentException), "cache" },
        { "unknown eos_suppression", """{"eos_suppression":"always"}""", 16, typeof(ArgumentException), "eos_suppression" },
        { "unknown ranking_scope", """{"ranking_scope":"row"}""", 16, typeof(ArgumentException), "ranking_scope" },
        { "remasking with threshold selection", """{"selection":"threshold","remasking":"cap"}""", 16, typeof(ArgumentException), "remasking" },
        { "cache without blocks", """{"cache":"prefix","block_length":0}""", 16, typeof(ArgumentException), "cache" },
        { "factor too large to be finite", """{"selection":"factor","factor":1e400}""", 16, typeof(ArgumentOutOfRangeException), "factor" },
        { "cfg_scale too large to be finite", """{"cfg_scale":1e400}""", 16, typeof(ArgumentOutOfRangeException), "cfg_scale" },
        { "temperature too large to be finite", """{"temperature":1e400}""", 16, typeof(ArgumentOutOfRangeException), "temperature" },
        { "steps of the wrong JSON type", """{"steps":"many"}""", 16, typeof(ArgumentException), "steps" },
        { "temperature of the wrong JSON type", """{"temperature":[1]}""", 16, typeof(ArgumentException), "temperature" },
        { "steps beyond int", """{"steps":99999999999}""", 16, typeof(ArgumentException), "steps" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_naming_the_setting(string name, string json, int answerLength, Type exceptionType, string setting)
    {
        var ex = Assert.Throws(exceptionType, () => DiffusionPromptExecutionSettings.FromJson(json).ToSamplerOptions(answerLength));

        var argument = Assert.IsAssignableFrom<ArgumentException>(ex);
        Assert.True(setting == argument.ParamName, $"{name}: ParamName is '{argument.ParamName}', expected '{setting}' ({ex.Message})");
        Assert.Contains(setting, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Frozen_settings_refuse_changes()
    {
        var settings = new DiffusionPromptExecutionSettings { Steps = 4 };
        settings.Freeze();

        var ex = Assert.Throws<InvalidOperationException>(() => settings.Steps = 5);
        Assert.Contains("frozen", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(4, settings.Steps);
    }

    [Fact]
    public void Malformed_json_is_an_argument_exception()
    {
        var ex = Assert.Throws<ArgumentException>(() => DiffusionPromptExecutionSettings.FromJson("{\"steps\": "));

        Assert.Contains("diffusion setting", ex.Message, StringComparison.Ordinal);
    }
}
