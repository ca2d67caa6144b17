using System.Text.Json;
using SkDiffusion.DefaultModel;
using SkDiffusion.Grammars;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling.Guidance;

namespace SkDiffusion.Tests.Sampling;

public sealed class VerifierTests
{
    private const string Prompt = "Extract JSON: Ann Lee is 41 and lives in Oslo.";

    private static RewardText Partial(params string[] fragments) => new(Prompt, fragments, leadingGap: false, trailingGap: true);

    [Fact]
    public void Copy_fidelity_is_the_share_of_string_values_found_in_the_prompt()
    {
        var copy = new CopyFidelityReward();
        Assert.Equal(1.0, copy.Score(RewardText.Complete(Prompt, """{"name": "Ann Lee", "age": 41, "city": "Oslo"}""")));
        Assert.Equal(0.5, copy.Score(RewardText.Complete(Prompt, """{"name": "Ann Lea", "age": 41, "city": "Oslo"}""")));
        Assert.Equal(0.0, copy.Score(RewardText.Complete(Prompt, """{"name": "Bob", "city": "Rome"}""")));
        Assert.Equal(1.0, copy.Score(RewardText.Complete(Prompt, """{"age": 41}"""))); // keys are not judged, nothing decided
        Assert.Equal(1.0, new CopyFidelityReward(ignoreCase: true).Score(RewardText.Complete(Prompt, """{"name": "ann lee"}""")));
        Assert.Equal(0.0, copy.Score(RewardText.Complete(Prompt, """{"name": "ann lee"}""")));
    }

    [Fact]
    public void Copy_fidelity_judges_the_decided_pieces_of_a_partial_answer()
    {
        var copy = new CopyFidelityReward();

        // A value cut by masks counts through its known prefix; a key cut by masks is not judged.
        Assert.Equal(1.0, copy.Score(Partial("""{"name": "Ann L""")));
        Assert.Equal(0.0, copy.Score(Partial("""{"name": "Anx L""")));
        Assert.Equal(1.0, copy.Score(Partial("""{"na""")));

        // After a gap the scanner resynchronises: a closing quote ends a value suffix, an opening one starts a value.
        var text = new RewardText(Prompt, ["""{"name": "An""", """ Lee", "city": "Osl"""], trailingGap: true);
        Assert.Equal(1.0, copy.Score(text));
        var wrong = new RewardText(Prompt, ["""{"name": "An""", """ Lex", "city": "Rom"""], trailingGap: true);
        Assert.Equal(1.0 / 3, copy.Score(wrong), 6);
        Assert.Equal(1.0, copy.Score(new RewardText(Prompt, [], leadingGap: true, trailingGap: true)));
    }

    [Fact]
    public void Copy_fidelity_requires_whole_words_at_the_known_ends_of_a_value()
    {
        var copy = new CopyFidelityReward();
        var substring = new CopyFidelityReward { WholeWords = false };

        // A truncated copy ("Le" of "Lee", "Osl" of "Oslo") is a substring of the prompt but not a copy of its words.
        Assert.Equal(0.0, copy.Score(RewardText.Complete(Prompt, """{"name": "Ann Le"}""")));
        Assert.Equal(1.0, substring.Score(RewardText.Complete(Prompt, """{"name": "Ann Le"}""")));
        Assert.Equal(0.0, copy.Score(RewardText.Complete(Prompt, """{"name": "nn Lee"}""")));
        Assert.Equal(0.5, copy.Score(RewardText.Complete(Prompt, """{"name": "Ann Lee", "city": "Osl"}""")));
        Assert.True(substring.WholeWords is false && copy.WholeWords);

        // Only the known ends are judged: an open prefix may stop mid-word, a suffix after a gap may start mid-word.
        Assert.Equal(1.0, copy.Score(Partial("""{"name": "Ann L""")));
        Assert.Equal(0.0, copy.Score(Partial("""{"name": "nn L""")));
        Assert.Equal(1.0, copy.Score(new RewardText(Prompt, ["""{"name": "A""", """nn Lee", "city": "Oslo"}"""])));
        Assert.Equal(2.0 / 3, copy.Score(new RewardText(Prompt, ["""{"name": "A""", """nn Le", "city": "Oslo"}"""])), 6);

        // Punctuation at a value's edge needs no boundary; a later whole-word occurrence counts.
        Assert.Equal(1.0, copy.Score(RewardText.Complete("Lee lives in Leeds. Ask Lee.", """{"name": "Lee."}""")));
        Assert.Equal(1.0, copy.Score(RewardText.Complete("Leeds, then Lee", """{"name": "Lee"}""")));
    }

    [Fact]
    public void Regex_reward_matches_the_whole_answer_and_checks_prefixes_mid_decoding()
    {
        var regex = new RegexReward("[0-9]{2,3}-[a-z]+");
        Assert.Equal(1.0, regex.Score(RewardText.Complete(Prompt, "41-oslo")));
        Assert.Equal(1.0, regex.Score(RewardText.Complete(Prompt, " 41-oslo\n")));
        Assert.Equal(0.0, regex.Score(RewardText.Complete(Prompt, "41oslo")));
        Assert.Equal(1.0, regex.Score(Partial("41-")));
        Assert.Equal(0.0, regex.Score(Partial("4a")));
        Assert.Equal(1.0, regex.Score(new RewardText(Prompt, ["x"], leadingGap: true)));
        Assert.Throws<GrammarException>(() => new RegexReward("(unclosed"));
    }

    [Fact]
    public void Schema_reward_accepts_documents_of_the_schema_only()
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}""");
        var reward = new JsonSchemaReward(schema.RootElement);
        Assert.Equal(1.0, reward.Score(RewardText.Complete(Prompt, """{"name": "Ann Lee", "age": 41}""")));
        Assert.Equal(0.0, reward.Score(RewardText.Complete(Prompt, """{"name": "Ann Lee", "age": "41"}""")));
        Assert.Equal(0.0, reward.Score(RewardText.Complete(Prompt, """{"name": "Ann Lee"}""")));
        Assert.Equal(1.0, reward.Score(Partial("""{"name": "An""")));
        Assert.Equal(0.0, reward.Score(Partial("""{"nome""")));
    }

    [Fact]
    public void Onnx_classifier_probability_is_the_reward()
    {
        string dir = Path.Combine(Path.GetTempPath(), "skd-cls-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var classifier = new OnnxClassifierReward(TinyClassifier.Write(dir));
            double digits = classifier.Score(RewardText.Complete(Prompt, "12345"));
            double letters = classifier.Score(RewardText.Complete(Prompt, "abcde"));
            Assert.Equal(1 / (1 + Math.Exp(-4)), digits, 5);
            Assert.Equal(1 / (1 + Math.Exp(4)), letters, 5);

            // Mid-decoding, the known fragments are classified: "12" and "34" joined by a space (mean of 4, 4, -4, 4, 4).
            Assert.Equal(1 / (1 + Math.Exp(-2.4)), classifier.Score(Partial("12", "34")), 5);
            Assert.Equal(0.5, classifier.Score(new RewardText(Prompt, [], leadingGap: true, trailingGap: true)));

            using var label0 = new OnnxClassifierReward(TinyClassifier.Write(dir), new OnnxClassifierRewardOptions { Label = 0 });
            Assert.Equal(1 - digits, label0.Score(RewardText.Complete(Prompt, "12345")), 5);
            using var logits = new OnnxClassifierReward(TinyClassifier.Write(dir, softmax: false), new OnnxClassifierRewardOptions { OutputIsLogits = true });
            Assert.Equal(digits, logits.Score(RewardText.Complete(Prompt, "12345")), 5);

            using var outOfRange = new OnnxClassifierReward(TinyClassifier.Write(dir), new OnnxClassifierRewardOptions { Label = 2 });
            var ex = Assert.Throws<ArgumentException>(() => outOfRange.Classify("1"));
            Assert.Contains("2 label scores", ex.Message);
            Assert.Throws<ArgumentException>(() => new OnnxClassifierReward(TinyClassifier.Write(dir), new OnnxClassifierRewardOptions { InputName = "tokens" }));
            Assert.Throws<FileNotFoundException>(() => new OnnxClassifierReward(Path.Combine(dir, "missing.onnx")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Text_scorer_decodes_candidates_with_gaps_for_masks()
    {
        var package = ModelPackage.Load(EmbeddedModel.PackageDirectory);
        var tokenizer = package.Tokenizer;
        var prompt = tokenizer.EncodeToIds("Ann Lee lives in Oslo.", allowSpecialTokens: false);
        var first = tokenizer.EncodeToIds("\"Ann", allowSpecialTokens: false);
        var second = tokenizer.EncodeToIds(" Oslo\"", allowSpecialTokens: false);
        long m = tokenizer.MaskId;
        long[] tokens = [.. prompt.Select(t => (long)t), m, .. first.Select(t => (long)t), m, m, .. second.Select(t => (long)t), m, tokenizer.EosId, 5];
        var seen = new List<RewardText>();
        var scorer = new TextRewardScorer(TextReward.FromDelegate(t => { seen.Add(t); return 0.25; }, "probe"), tokenizer);
        var candidate = Candidate(tokens, prompt.Count);

        Assert.Equal(0.25, await scorer.ScoreAsync(candidate, CancellationToken.None));
        var text = seen.Single();
        Assert.Equal("Ann Lee lives in Oslo.", text.Prompt);
        Assert.True(text.LeadingGap);
        Assert.True(text.TrailingGap);
        Assert.False(text.IsComplete);
        Assert.Equal(["\"Ann", " Oslo\""], text.Fragments);
        Assert.Equal($"{RewardText.Gap}\"Ann{RewardText.Gap} Oslo\"{RewardText.Gap}", text.Answer);

        long[] done = [.. prompt.Select(t => (long)t), .. first.Select(t => (long)t), tokenizer.EotId, m];
        Assert.True(scorer.ToText(Candidate(done, prompt.Count)).IsComplete); // cut at the end token
    }

    private static RewardCandidate Candidate(long[] tokens, int promptLength) =>
        new(0, 0, 0, tokens, [], promptLength);
}
