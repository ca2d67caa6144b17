using System.Text.Json;
using Microsoft.SemanticKernel;
using SkDiffusion.Sampling.Remasking;
using SkDiffusion.Sampling.Schedules;
using SkDiffusion.Sampling.Scoring;
using SkDiffusion.Sampling.Selection;
using SkDiffusion.SemanticKernel.Settings;

namespace SkDiffusion.Tests.SemanticKernel;

public class SettingsTests
{
    [Fact]
    public void Null_gives_defaults_and_the_same_type_is_returned_as_is()
    {
        var defaults = DiffusionPromptExecutionSettings.FromExecutionSettings(null);
        Assert.Equal(64, defaults.ResolveAnswerLength());
        var own = new DiffusionPromptExecutionSettings { Steps = 3 };
        Assert.Same(own, DiffusionPromptExecutionSettings.FromExecutionSettings(own));
    }

    [Fact]
    public void Generic_settings_map_through_extension_data()
    {
        var generic = new PromptExecutionSettings
        {
            ServiceId = "svc",
            ExtensionData = new Dictionary<string, object>
            {
                ["answer_length"] = 48,
                ["steps"] = "24",
                ["block_length"] = 16,
                ["temperature"] = 0.5,
                ["top_k"] = 5,
                ["seed"] = 7,
                ["selection"] = "threshold",
                ["threshold"] = 0.8,
                ["schedule"] = "cosine",
                ["score"] = "margin",
                ["remasking"] = "cap",
                ["remasking_eta"] = 0.1,
                ["stop_sequences"] = new[] { "END" },
                ["frequency_penalty"] = 0.5,
            },
        };

        var s = DiffusionPromptExecutionSettings.FromExecutionSettings(generic);
        Assert.Equal("svc", s.ServiceId);
        Assert.Equal(48, s.AnswerLength);
        Assert.Equal(["END"], s.StopSequences!);
        Assert.True(s.ExtensionData!.ContainsKey("frequency_penalty"));

        s.Selection = SelectionRule.Schedule;
        var o = s.ToSamplerOptions(48);
        Assert.Equal(24, o.Steps);
        Assert.Equal(16, o.BlockLength);
        Assert.Equal(0.5, o.Temperature);
        Assert.Equal(5, o.TopK);
        Assert.Equal(7UL, o.Seed);
        Assert.Equal(SelectionRule.Schedule, o.Selection);
        Assert.Same(CosineSchedule.Instance, o.Schedule);
        Assert.Equal(ScoreKind.Margin, o.Score);
        Assert.Equal(RemaskingStrategy.Cap, o.Remasking!.Strategy);
        Assert.Equal(0.1, o.Remasking.Eta);
    }

    [Fact]
    public void Other_connectors_max_tokens_becomes_the_answer_length()
    {
        var s = DiffusionPromptExecutionSettings.FromExecutionSettings(new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["max_tokens"] = 20 } });
        Assert.Equal(20, s.AnswerLength);
    }

    [Fact]
    public void Json_uses_snake_case_names()
    {
        string json = JsonSerializer.Serialize(new DiffusionPromptExecutionSettings { AnswerLength = 8, BlockLength = 4, TopP = 0.9, CfgScale = 1, StopAtEos = false });
        Assert.Contains("\"answer_length\":8", json);
        Assert.Contains("\"block_length\":4", json);
        Assert.Contains("\"top_p\":0.9", json);
        Assert.Contains("\"cfg_scale\":1", json);
        Assert.Contains("\"stop_at_eos\":false", json);
    }

    [Fact]
    public void Defaults_pick_blocks_for_long_answers_and_one_step_per_token()
    {
        var o = new DiffusionPromptExecutionSettings().ToSamplerOptions(128);
        Assert.Equal(128, o.Steps);
        Assert.Equal(32, o.BlockLength);
        Assert.True(o.StopAtEos);
        var t = new DiffusionPromptExecutionSettings().ToSamplerOptions(20, template: true);
        Assert.Null(t.BlockLength);
        Assert.Equal(RankingScope.Slot, t.RankingScope);
        Assert.False(t.StopAtEos);
    }

    [Theory]
    [InlineData("steps", 0)]
    [InlineData("block_length", -1)]
    [InlineData("temperature", -0.1)]
    [InlineData("top_p", 1.5)]
    [InlineData("top_k", 0)]
    [InlineData("threshold", 0)]
    [InlineData("factor", 0)]
    [InlineData("cfg_scale", -1)]
    [InlineData("remasking_eta", 2)]
    [InlineData("answer_length", 0)]
    public void Out_of_range_values_name_the_setting(string name, double value)
    {
        var s = DiffusionPromptExecutionSettings.FromJson($"{{\"{name}\": {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}");
        var ex = Assert.ThrowsAny<ArgumentException>(() => s.ToSamplerOptions(s.AnswerLength is > 0 ? s.AnswerLength.Value : 16));
        Assert.Equal(name, ex.ParamName);
        Assert.Contains(name, ex.Message);
    }

    [Theory]
    [InlineData("selection", "fastest")]
    [InlineData("schedule", "zigzag")]
    [InlineData("score", "vibes")]
    [InlineData("remasking", "always")]
    [InlineData("eos_suppression", "maybe")]
    [InlineData("ranking_scope", "galaxy")]
    [InlineData("cache", "everything")]
    [InlineData("json_mode", "strict")]
    public void Unknown_names_list_the_choices(string name, string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => DiffusionPromptExecutionSettings.FromJson($"{{\"{name}\": \"{value}\"}}"));
        Assert.Equal(name, ex.ParamName);
        Assert.Contains($"'{value}', not one of ", ex.Message);
    }

    [Fact]
    public void Enum_settings_are_typed_and_keep_their_snake_case_wire_names()
    {
        var s = DiffusionPromptExecutionSettings.FromJson("""{"selection": " Threshold ", "score": "negative_entropy", "schedule": "cosine", "remasking": "cap", "eos_suppression": "logits", "ranking_scope": "slot", "cache": "dual", "json_mode": "template"}""");
        Assert.Equal(SelectionRule.Threshold, s.Selection);
        Assert.Equal(ScoreKind.NegativeEntropy, s.Score);
        Assert.Equal(ScheduleKind.Cosine, s.Schedule);
        Assert.Equal(RemaskingStrategy.Cap, s.Remasking);
        Assert.Equal(SkDiffusion.Sampling.EosSuppression.Logits, s.EosSuppression);
        Assert.Equal(RankingScope.Slot, s.RankingScope);
        Assert.Equal(SkDiffusion.Sampling.CacheMode.Dual, s.Cache);
        Assert.Equal(SkDiffusion.Extensions.AI.JsonDecodingMode.Template, s.JsonMode);

        var wire = s.ToChatOptions().AdditionalProperties!;
        Assert.Equal("threshold", ((System.Text.Json.JsonElement)wire["selection"]!).GetString());
        Assert.Equal("negative_entropy", ((System.Text.Json.JsonElement)wire["score"]!).GetString());
        Assert.Equal("dual", ((System.Text.Json.JsonElement)wire["cache"]!).GetString());
        Assert.Equal("template", ((System.Text.Json.JsonElement)wire["json_mode"]!).GetString());
    }

    [Fact]
    public void Typed_enum_values_in_additional_properties_are_read()
    {
        var back = DiffusionPromptExecutionSettings.FromDictionary(new Dictionary<string, object?> { ["selection"] = SelectionRule.Confident, ["score"] = "margin" });
        Assert.Equal(SelectionRule.Confident, back.Selection);
        Assert.Equal(ScoreKind.Margin, back.Score);
    }

    [Fact]
    public void An_enum_value_outside_the_members_names_the_setting()
    {
        var s = new DiffusionPromptExecutionSettings { Score = (ScoreKind)42 };
        var ex = Assert.Throws<ArgumentException>(() => s.ToSamplerOptions(16));
        Assert.Equal("score", ex.ParamName);
        Assert.Contains("confidence, margin, negative_entropy, random", ex.Message);
    }

    [Fact]
    public void A_number_for_an_enum_setting_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => DiffusionPromptExecutionSettings.FromJson("""{"selection": 1}"""));
        Assert.Equal("selection", ex.ParamName);
        Assert.Contains("not one of schedule, threshold, factor, confident, origin", ex.Message);
    }

    [Fact]
    public void Wrong_json_types_name_the_setting()
    {
        var ex = Assert.Throws<ArgumentException>(() => DiffusionPromptExecutionSettings.FromJson("{\"steps\": \"many\"}"));
        Assert.Equal("steps", ex.ParamName);
    }

    [Fact]
    public void Conflicting_options_name_the_setting()
    {
        var s = new DiffusionPromptExecutionSettings { Remasking = RemaskingStrategy.Cap, Selection = SelectionRule.Threshold };
        Assert.Equal("remasking", Assert.Throws<ArgumentException>(() => s.ToSamplerOptions(16)).ParamName);
        var blocks = new DiffusionPromptExecutionSettings { Steps = 2, BlockLength = 4 };
        Assert.Equal("steps", Assert.Throws<ArgumentException>(() => blocks.ToSamplerOptions(16)).ParamName);
    }

    [Fact]
    public void Cache_maps_and_needs_blocks()
    {
        Assert.Equal(SkDiffusion.Sampling.CacheMode.Prefix, new DiffusionPromptExecutionSettings { Cache = SkDiffusion.Sampling.CacheMode.Prefix, BlockLength = 8 }.ToSamplerOptions(64).CacheMode);
        Assert.Equal("cache", Assert.Throws<ArgumentException>(() => new DiffusionPromptExecutionSettings { Cache = SkDiffusion.Sampling.CacheMode.Dual, BlockLength = 0 }.ToSamplerOptions(64)).ParamName);
    }

    [Fact]
    public void Frozen_settings_refuse_changes_and_clones_are_independent()
    {
        var s = new DiffusionPromptExecutionSettings { Steps = 4, StopSequences = ["x"] };
        var clone = (DiffusionPromptExecutionSettings)s.Clone();
        s.Freeze();
        Assert.Throws<InvalidOperationException>(() => s.Steps = 5);
        Assert.Throws<NotSupportedException>(() => s.StopSequences!.Add("y"));
        clone.Steps = 9;
        Assert.Equal(4, s.Steps);
        Assert.Equal(["x"], clone.StopSequences!);
    }

    [Fact]
    public void Chat_options_carry_every_set_value()
    {
        var options = new DiffusionPromptExecutionSettings { Steps = 6, Selection = SelectionRule.Factor }.ToChatOptions();
        var back = DiffusionPromptExecutionSettings.FromDictionary(options.AdditionalProperties!);
        Assert.Equal(6, back.Steps);
        Assert.Equal(SelectionRule.Factor, back.Selection);
    }

    [Fact]
    public void Chat_options_fill_the_typed_fields_middleware_reads()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"n":{"type":"integer"}}}""").RootElement;
        var options = new DiffusionPromptExecutionSettings { Temperature = 0.5, Seed = -9, AnswerLength = 12, TopP = 0.8, TopK = 4, StopSequences = ["END"], JsonSchema = schema, Steps = 6 }.ToChatOptions();
        Assert.Equal(0.5f, options.Temperature);
        Assert.Equal(-9L, options.Seed);
        Assert.Equal(12, options.MaxOutputTokens);
        Assert.Equal(0.8f, options.TopP);
        Assert.Equal(4, options.TopK);
        Assert.Equal(["END"], options.StopSequences!);
        var format = Assert.IsType<Microsoft.Extensions.AI.ChatResponseFormatJson>(options.ResponseFormat);
        Assert.Equal(schema.GetRawText(), format.Schema!.Value.GetRawText());
        Assert.Equal(["steps"], options.AdditionalProperties!.Keys);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void Any_long_is_a_seed(long seed)
    {
        var o = new DiffusionPromptExecutionSettings { Seed = seed }.ToSamplerOptions(8);
        Assert.Equal(unchecked((ulong)seed), o.Seed);
    }

    [Fact]
    public void An_unset_seed_draws_a_fresh_one_per_request()
    {
        var seeds = Enumerable.Range(0, 8).Select(_ => new DiffusionPromptExecutionSettings().ToSamplerOptions(8).Seed).ToHashSet();
        Assert.True(seeds.Count > 1, "eight unset seeds were all equal");
    }
}
