using Microsoft.SemanticKernel;
using SkDiffusion.Extensions.AI;
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
        { "typo'd key", """{"stpes":4}""", 16, typeof(ArgumentException), "stpes" },
        { "key in another case is not a typo", """{"STEPS":0}""", 16, typeof(ArgumentOutOfRangeException), "steps" },
        { "unknown key beside an SK key", """{"service_id":"a","temprature":0.5}""", 16, typeof(ArgumentException), "temprature" },
        { "SK keys are passed over", """{"service_id":"a","model_id":"m","steps":0}""", 16, typeof(ArgumentOutOfRangeException), "steps" },
        { "max_tokens a word", """{"max_tokens":"lots"}""", 16, typeof(ArgumentException), "max_tokens" },
        { "max_tokens an object", """{"max_tokens":{"n":4}}""", 16, typeof(ArgumentException), "max_tokens" },
        { "max_tokens read as answer_length and checked", """{"max_tokens":0}""", 16, typeof(ArgumentOutOfRangeException), "answer_length" },
        { "temperature NaN as a string", """{"temperature":"NaN"}""", 16, typeof(ArgumentOutOfRangeException), "temperature" },
        { "cfg_scale negative infinity as a string", """{"cfg_scale":"-Infinity"}""", 16, typeof(ArgumentOutOfRangeException), "cfg_scale" },
        { "top_p infinite as a string", """{"top_p":"Infinity"}""", 16, typeof(ArgumentOutOfRangeException), "top_p" },
        { "position_temperature too large to be finite", """{"position_temperature":1e400}""", 16, typeof(ArgumentOutOfRangeException), "position_temperature" },
        { "cfg_scale above the sampler's bound", """{"cfg_scale":3e38}""", 16, typeof(ArgumentOutOfRangeException), "cfg_scale" },
        { "stop_sequences a number", """{"stop_sequences":5}""", 16, typeof(ArgumentException), "stop_sequences" },
        { "json_schema and a typo", """{"json_shema":{"type":"object"}}""", 16, typeof(ArgumentException), "json_shema" },
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
    public void Non_finite_typed_values_are_refused_when_set()
    {
        var settings = new DiffusionPromptExecutionSettings();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => settings.CfgScale = double.NaN);
        Assert.Equal("cfg_scale", ex.ParamName);
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => settings.Temperature = double.PositiveInfinity).ParamName);
        Assert.Null(settings.CfgScale);
    }

    /// <summary>(case name, extension data key, value, expected exception type, snake_case key in the error).</summary>
    public static TheoryData<string, string, object, Type, string> ExtensionDataCases => new()
    {
        { "typo'd key", "stpes", 4, typeof(ArgumentException), "stpes" },
        { "max_tokens a word", "max_tokens", "lots", typeof(ArgumentException), "max_tokens" },
        { "temperature NaN", "temperature", double.NaN, typeof(ArgumentOutOfRangeException), "temperature" },
        { "cfg_scale infinite", "cfg_scale", double.PositiveInfinity, typeof(ArgumentOutOfRangeException), "cfg_scale" },
        { "steps a word", "steps", "many", typeof(ArgumentException), "steps" },
    };

    [Theory]
    [MemberData(nameof(ExtensionDataCases))]
    public void Extension_data_is_read_by_the_same_rules(string name, string key, object value, Type exceptionType, string setting)
    {
        var generic = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { [key] = value } };
        var own = new DiffusionPromptExecutionSettings { ExtensionData = new Dictionary<string, object> { [key] = value } };

        // Generic settings fail on conversion; the connector's own settings when the request maps them; Semantic Kernel's own conversion too.
        var fromGeneric = Assert.Throws(exceptionType, () => DiffusionPromptExecutionSettings.FromExecutionSettings(generic));
        var fromOwn = Assert.Throws(exceptionType, () => DiffusionChatRequest.ToSettings(own.ToChatOptions()).ToSamplerOptions(8));
        var fromKernel = Assert.Throws(exceptionType, () => DiffusionChatRequest.ToSettings(generic.ToChatOptions(null)).ToSamplerOptions(8));
        foreach (var ex in new[] { fromGeneric, fromOwn, fromKernel })
        {
            Assert.True(setting == ((ArgumentException)ex).ParamName, $"{name}: ParamName '{((ArgumentException)ex).ParamName}' ({ex.Message})");
        }
    }

    [Fact]
    public void Unknown_key_errors_list_the_known_settings()
    {
        var ex = Assert.Throws<ArgumentException>(() => DiffusionPromptExecutionSettings.FromJson("""{"stpes": 4}"""));

        Assert.Equal("stpes", ex.ParamName);
        foreach (string known in new[] { "steps", "block_length", "cfg_scale", "json_mode", "stop_at_eos" })
        {
            Assert.Contains(known, ex.Message, StringComparison.Ordinal);
        }
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
