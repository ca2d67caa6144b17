using SkDiffusion.Extensions.AI;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Selection;
using SkDiffusion.SemanticKernel.Settings;

namespace SkDiffusion.Tests.SemanticKernel;

/// <summary>
/// The settings of the delayed and adaptive caches and of entropy-bounded selection: snake_case names, mapping onto
/// <see cref="SamplerOptions"/>, round trips, and errors that name the setting.
/// </summary>
public sealed class TechniqueSettingsTests
{
    [Fact]
    public void Entropy_bounded_selection_maps_with_its_bound()
    {
        var options = DiffusionPromptExecutionSettings.FromJson("""{"selection": "entropy_bounded", "entropy_bound": 0.3}""").ToSamplerOptions(16);
        Assert.Equal(SelectionRule.EntropyBounded, options.Selection);
        Assert.Equal(0.3, options.EntropyBound);
        Assert.Equal(new SamplerOptions().EntropyBound, DiffusionPromptExecutionSettings.FromJson("""{"selection": "entropy_bounded"}""").ToSamplerOptions(16).EntropyBound);
        Assert.Equal(0, DiffusionPromptExecutionSettings.FromJson("""{"selection": "entropy_bounded", "entropy_bound": 0}""").ToSamplerOptions(16).EntropyBound);
    }

    [Fact]
    public void The_trailing_eos_commit_defaults_to_099_and_0_turns_it_off()
    {
        Assert.Equal(0.99, DiffusionPromptExecutionSettings.FromJson("{}").ToSamplerOptions(16).TrailingEosThreshold);
        Assert.Equal(0.99, DiffusionPromptExecutionSettings.FromJson("{}").ToSamplerOptions(16, template: true).TrailingEosThreshold);
        Assert.Equal(0.8, DiffusionPromptExecutionSettings.FromJson("""{"trailing_eos_threshold": 0.8}""").ToSamplerOptions(16).TrailingEosThreshold);
        Assert.Null(new DiffusionPromptExecutionSettings { TrailingEosThreshold = 0 }.ToSamplerOptions(16).TrailingEosThreshold);
        Assert.Null(new SamplerOptions().TrailingEosThreshold); // the engine's own default stays LLaDA's decoding
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => DiffusionPromptExecutionSettings.FromJson("""{"trailing_eos_threshold": 1.2}""").ToSamplerOptions(16));
        Assert.Equal("trailing_eos_threshold", ex.ParamName);
        Assert.Contains("[0, 1]", ex.Message, StringComparison.Ordinal);
        var clone = (DiffusionPromptExecutionSettings)new DiffusionPromptExecutionSettings { TrailingEosThreshold = 0.7 }.Clone();
        Assert.Equal(0.7, clone.TrailingEosThreshold);
    }

    [Fact]
    public void The_delayed_cache_maps_with_its_interval_and_needs_no_blocks()
    {
        var options = DiffusionPromptExecutionSettings.FromJson("""{"cache": "delayed", "cache_refresh_interval": 3, "block_length": 0}""").ToSamplerOptions(64);
        Assert.Equal(CacheMode.Delayed, options.CacheMode);
        Assert.Equal(3, options.CacheRefresh.Interval);
        Assert.Null(options.BlockLength);
        var defaults = new CacheRefreshOptions();
        Assert.Equal(defaults.PromptInterval, options.CacheRefresh.PromptInterval);
        Assert.Equal(defaults.ResponseFraction, options.CacheRefresh.ResponseFraction);
    }

    [Fact]
    public void The_adaptive_cache_maps_its_three_settings()
    {
        var options = DiffusionPromptExecutionSettings.FromJson("""{"cache": "adaptive", "cache_refresh_interval": 5, "cache_prompt_interval": 20, "cache_response_fraction": 0.5}""").ToSamplerOptions(64);
        Assert.Equal(CacheMode.Adaptive, options.CacheMode);
        Assert.Equal(5, options.CacheRefresh.Interval);
        Assert.Equal(20, options.CacheRefresh.PromptInterval);
        Assert.Equal(0.5, options.CacheRefresh.ResponseFraction);
        Assert.Equal(new CacheRefreshOptions().Interval, DiffusionPromptExecutionSettings.FromJson("""{"cache": "adaptive"}""").ToSamplerOptions(64).CacheRefresh.Interval);
    }

    [Fact]
    public void Typed_settings_round_trip_through_chat_options_and_clones()
    {
        var s = new DiffusionPromptExecutionSettings
        {
            Selection = SelectionRule.EntropyBounded,
            EntropyBound = 0.25,
            Cache = CacheMode.Adaptive,
            CacheRefreshInterval = 4,
            CachePromptInterval = 12,
            CacheResponseFraction = 0.75,
        };
        var wire = s.ToChatOptions().AdditionalProperties!;
        Assert.Equal("entropy_bounded", ((System.Text.Json.JsonElement)wire["selection"]!).GetString());
        Assert.Equal("adaptive", ((System.Text.Json.JsonElement)wire["cache"]!).GetString());
        Assert.Equal(0.75, ((System.Text.Json.JsonElement)wire["cache_response_fraction"]!).GetDouble());

        foreach (var back in new[] { DiffusionPromptExecutionSettings.FromDictionary(wire), (DiffusionPromptExecutionSettings)s.Clone() })
        {
            Assert.Equal(SelectionRule.EntropyBounded, back.Selection);
            Assert.Equal(0.25, back.EntropyBound);
            Assert.Equal(CacheMode.Adaptive, back.Cache);
            Assert.Equal(4, back.CacheRefreshInterval);
            Assert.Equal(12, back.CachePromptInterval);
            Assert.Equal(0.75, back.CacheResponseFraction);
        }

        var options = s.ToSamplerOptions(32);
        Assert.Equal((4, 12, 0.75), (options.CacheRefresh.Interval, options.CacheRefresh.PromptInterval, options.CacheRefresh.ResponseFraction));
    }

    [Fact]
    public void Typed_enum_values_in_a_dictionary_are_read_by_their_snake_case_names()
    {
        var settings = DiffusionSettings.FromDictionary(new Dictionary<string, object?> { ["cache"] = CacheMode.Delayed, ["selection"] = SelectionRule.EntropyBounded, ["cache_refresh_interval"] = 2 });
        var options = settings.ToSamplerOptions(16);
        Assert.Equal(CacheMode.Delayed, options.CacheMode);
        Assert.Equal(SelectionRule.EntropyBounded, options.Selection);
        Assert.Equal(2, options.CacheRefresh.Interval);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("False", false)]
    [InlineData(" TRUE ", true)]
    public void Boolean_settings_read_true_and_false_written_as_strings(string text, bool expected)
    {
        var settings = DiffusionSettings.FromDictionary(new Dictionary<string, object?> { ["copy_strings"] = text, ["stop_at_eos"] = text });
        Assert.Equal(expected, settings.CopyStrings);
        Assert.Equal(expected, settings.StopAtEos);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData(1)]
    public void A_boolean_setting_of_another_value_names_the_setting_and_the_choices(object value)
    {
        var ex = Assert.Throws<ArgumentException>(() => DiffusionSettings.FromDictionary(new Dictionary<string, object?> { ["copy_strings"] = value }));
        Assert.Equal("copy_strings", ex.ParamName);
        Assert.Contains("true or false", ex.Message);
    }

    [Fact]
    public void Grammar_search_defaults_to_the_path_and_reads_local()
    {
        Assert.Equal(GrammarSearch.Path, new DiffusionSettings().ToSamplerOptions(16).GrammarSearch);
        var local = DiffusionSettings.FromDictionary(new Dictionary<string, object?> { ["grammar_search"] = "local" });
        Assert.Equal(GrammarSearch.Local, local.ToSamplerOptions(16).GrammarSearch);
        var ex = Assert.Throws<ArgumentException>(() => DiffusionSettings.FromDictionary(new Dictionary<string, object?> { ["grammar_search"] = "beam" }));
        Assert.Equal("grammar_search", ex.ParamName);
    }

    public static TheoryData<string, Type, string> BadSettings => new()
    {
        { """{"selection":"entropy_bounded","entropy_bound":-0.1}""", typeof(ArgumentOutOfRangeException), "entropy_bound" },
        { """{"selection":"entropy_bounded","entropy_bound":"Infinity"}""", typeof(ArgumentOutOfRangeException), "entropy_bound" },
        { """{"selection":"threshold","entropy_bound":0.2}""", typeof(ArgumentException), "entropy_bound" },
        { """{"entropy_bound":0.2}""", typeof(ArgumentException), "entropy_bound" },
        { """{"cache":"delayed","cache_refresh_interval":0}""", typeof(ArgumentOutOfRangeException), "cache_refresh_interval" },
        { """{"cache":"prefix","block_length":8,"cache_refresh_interval":4}""", typeof(ArgumentException), "cache_refresh_interval" },
        { """{"cache_refresh_interval":4}""", typeof(ArgumentException), "cache_refresh_interval" },
        { """{"cache":"adaptive","cache_prompt_interval":0}""", typeof(ArgumentOutOfRangeException), "cache_prompt_interval" },
        { """{"cache":"delayed","cache_prompt_interval":16}""", typeof(ArgumentException), "cache_prompt_interval" },
        { """{"cache":"adaptive","cache_response_fraction":1.5}""", typeof(ArgumentOutOfRangeException), "cache_response_fraction" },
        { """{"cache":"adaptive","cache_response_fraction":-0.5}""", typeof(ArgumentOutOfRangeException), "cache_response_fraction" },
        { """{"cache":"adaptive","cache_response_fraction":"NaN"}""", typeof(ArgumentOutOfRangeException), "cache_response_fraction" },
        { """{"cache":"delayed","cache_response_fraction":0.5}""", typeof(ArgumentException), "cache_response_fraction" },
        { """{"cache":"adaptive","cache_prompt_interval":"often"}""", typeof(ArgumentException), "cache_prompt_interval" },
        { """{"cache":"delayd"}""", typeof(ArgumentException), "cache" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Bad_values_and_misplaced_settings_are_refused_by_name(string json, Type exceptionType, string setting)
    {
        var ex = Assert.Throws(exceptionType, () => DiffusionPromptExecutionSettings.FromJson(json).ToSamplerOptions(16));
        Assert.Equal(setting, Assert.IsAssignableFrom<ArgumentException>(ex).ParamName);
        Assert.Contains(setting, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misplaced_setting_says_which_choice_it_belongs_to()
    {
        var ex = Assert.Throws<ArgumentException>(() => DiffusionPromptExecutionSettings.FromJson("""{"cache":"delayed","cache_prompt_interval":16}""").ToSamplerOptions(16));
        Assert.Contains("cache adaptive", ex.Message, StringComparison.Ordinal);
        var eb = Assert.Throws<ArgumentException>(() => DiffusionPromptExecutionSettings.FromJson("""{"entropy_bound":0.2}""").ToSamplerOptions(16));
        Assert.Contains("selection entropy_bounded", eb.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_names_list_the_new_choices()
    {
        var cache = Assert.Throws<ArgumentException>(() => DiffusionPromptExecutionSettings.FromJson("""{"cache": "delayd"}"""));
        Assert.Contains("none, prefix, dual, delayed, adaptive", cache.Message, StringComparison.Ordinal);
        var selection = Assert.Throws<ArgumentException>(() => DiffusionPromptExecutionSettings.FromJson("""{"selection": "eb"}"""));
        Assert.Contains("origin, entropy_bounded", selection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_finite_typed_values_are_refused_when_set()
    {
        var s = new DiffusionPromptExecutionSettings();
        Assert.Equal("entropy_bound", Assert.Throws<ArgumentOutOfRangeException>(() => s.EntropyBound = double.NaN).ParamName);
        Assert.Equal("cache_response_fraction", Assert.Throws<ArgumentOutOfRangeException>(() => s.CacheResponseFraction = double.PositiveInfinity).ParamName);
        s.Freeze();
        Assert.Throws<InvalidOperationException>(() => s.CacheRefreshInterval = 2);
        Assert.Throws<InvalidOperationException>(() => s.CachePromptInterval = 2);
    }

    [Fact]
    public void The_known_key_list_names_the_new_settings()
    {
        var ex = Assert.Throws<ArgumentException>(() => DiffusionPromptExecutionSettings.FromJson("""{"cache_refresh": 2}"""));
        foreach (string key in new[] { "cache_prompt_interval", "cache_refresh_interval", "cache_response_fraction", "entropy_bound" })
        {
            Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        }
    }
}
