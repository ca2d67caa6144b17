using SkDiffusion.Grammars;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Tests.Sampling;

namespace SkDiffusion.Tests.Grammars;

/// <summary>
/// Mechanics of <see cref="GrammarPathSearch"/> (random logits, brute-force checks): the path it returns is an accepted
/// completion of the region, and no accepted completion scores higher under the recorded distributions.
/// </summary>
public sealed class GrammarPathSearchTests
{
    private static readonly ByteVocabulary Tiny = GrammarTestKit.Tiny;
    private const int Mask = GrammarTestKit.TinyMask;

    [Theory]
    [InlineData("(ab)+a?", 5)]
    [InlineData("a*b{2}", 4)]
    [InlineData("(a|bb)(ab|ba)*", 5)]
    [InlineData("(aa|bab|b)", 4)]
    public void The_path_is_the_most_probable_accepted_completion(string pattern, int length)
    {
        var g = TokenGrammar.FromRegex(pattern, Tiny);
        var pass = g.CreateFeasibility(length);
        var search = new GrammarPathSearch(pass.Automaton, pass);
        var rng = new Random((length * 17) + pattern.Length);
        int solved = 0;
        for (int n = 0; n < 120; n++)
        {
            var region = new long[length];
            for (int i = 0; i < length; i++)
            {
                region[i] = rng.NextDouble() < 0.7 ? Mask : rng.Next(5);
            }

            bool completable = search.IsCompletable(region, Mask);
            Assert.Equal(pass.Compute(region, Mask), completable);
            if (!completable)
            {
                search.Clear();
                Assert.False(search.Solve(region, Mask));
                continue;
            }

            search.Clear();
            var logp = new double[length, 5];
            for (int i = 0; i < length; i++)
            {
                if (region[i] != Mask)
                {
                    continue;
                }

                var logits = new float[6];
                for (int t = 0; t < 6; t++)
                {
                    logits[t] = (float)(rng.NextDouble() * 6 - 3);
                }

                logits[Mask] = float.NegativeInfinity;
                pass.MaskLogits(i, logits);
                double lse = Math.Log(logits.Where(float.IsFinite).Sum(x => Math.Exp(x)));
                for (int t = 0; t < 5; t++)
                {
                    logp[i, t] = logits[t] - lse;
                }

                search.Record(i, logits, lse);
            }

            Assert.True(search.Solve(region, Mask));
            solved++;
            var path = (long[])region.Clone();
            double pathScore = 0;
            for (int i = 0; i < length; i++)
            {
                if (region[i] == Mask)
                {
                    path[i] = search.TokenAt(i);
                    Assert.Equal(logp[i, path[i]], search.LogProbabilityAt(i), 4);
                    pathScore += logp[i, path[i]];
                }
            }

            Assert.True(g.Accepts([.. path.Select(x => (int)x)]), $"{pattern}: the path [{string.Join(",", path)}] is not accepted");
            Assert.True(search.IsCompletable(path, Mask));
            Assert.Equal(BruteBest(g, region, logp), pathScore, 4);
        }

        Assert.True(solved > 20, $"only {solved} feasible regions were drawn");
    }

    [Fact]
    public void A_forbidden_favourite_gives_way_to_the_best_whole_value_not_the_best_first_token()
    {
        // Two positions spell "abab" (tokens "ab" "ab") or "bb" ("b" "b"). The model's favourite at position 0 is "ba"
        // (3), which no value allows; of the allowed tokens "b" scores best there, but position 1 then needs "b",
        // which the model all but rules out, so the best whole value is "ab" "ab".
        var g = TokenGrammar.FromRegex("abab|bb", Tiny);
        var pass = g.CreateFeasibility(2);
        var search = new GrammarPathSearch(pass.Automaton, pass);
        long[] region = [Mask, Mask];
        Assert.True(pass.Compute(region, Mask));
        float[] first = [-9, 1.0f, 0.5f, 4.0f, -9, float.NegativeInfinity];
        float[] second = [-6, -9, 2.0f, -9, 0, float.NegativeInfinity];
        foreach (var (i, logits) in new[] { (0, first), (1, second) })
        {
            pass.MaskLogits(i, logits);
            search.Record(i, logits, Math.Log(logits.Where(float.IsFinite).Sum(x => Math.Exp(x))));
        }

        Assert.Equal(1, Array.IndexOf(first, first.Where(float.IsFinite).Max()));
        Assert.True(search.Solve(region, Mask));
        Assert.Equal((2, 2), (search.TokenAt(0), search.TokenAt(1)));
    }

    [Fact]
    public void A_masked_position_without_a_distribution_may_hold_any_allowed_token()
    {
        var g = TokenGrammar.FromRegex("aab|bbb", Tiny);
        var pass = g.CreateFeasibility(3);
        var search = new GrammarPathSearch(pass.Automaton, pass);
        long[] region = [Mask, Mask, Mask];
        Assert.True(pass.Compute(region, Mask));
        float[] logits = [3, 0, -9, -9, -9, float.NegativeInfinity];
        pass.MaskLogits(0, logits);
        search.Record(0, logits, Math.Log(logits.Where(float.IsFinite).Sum(x => Math.Exp(x))));
        Assert.True(search.Solve(region, Mask));
        Assert.Equal(0, search.TokenAt(0));
        Assert.False(search.IsRecorded(1));
    }

    [Theory]
    [InlineData(GrammarSearch.Local, "be")]
    [InlineData(GrammarSearch.Path, "ac")]
    public async Task The_sampler_commits_the_best_whole_value_with_path_search(GrammarSearch search, string expected)
    {
        // Tokens a..e (0-4), EOS 5, mask 6; the answer is "ac", "ad" or "be". Position 0 prefers "b" (0.70), position 1
        // spreads over "c" and "d" and all but rules out "e". Local choice commits "b" first (the most confident
        // position) and is then forced into "e"; the path search weighs both positions and writes "ac".
        var v = ByteVocabulary.Create([[(byte)'a'], [(byte)'b'], [(byte)'c'], [(byte)'d'], [(byte)'e'], null, null], eosId: 5);
        var ids = new SpecialTokenIds(6, 5, null, 5);
        var grammar = TokenGrammar.FromRegex("a[cd]|be", v);
        var denoiser = new FakeDenoiser(7, (_, _, position, logits) =>
        {
            logits.Fill(-20);
            if (position == 1)
            {
                (logits[0], logits[1]) = (0, 0.85f);
            }
            else if (position == 2)
            {
                (logits[2], logits[3], logits[4]) = (2, 2, -6);
            }
        });
        var sampler = DiffusionSampler.Create(denoiser, ids);
        var result = await sampler.SampleAsync(DiffusionCanvas.FromPrompt([0], 2, grammar), new SamplerOptions { Steps = 2, GrammarSearch = search });
        string text = string.Concat(result.AnswerTokens.Select(t => (char)('a' + t)));
        Assert.Equal(expected, text);
    }

    [Fact]
    public void An_unknown_grammar_search_is_refused_by_name()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerOptions { GrammarSearch = (GrammarSearch)7 }.Validate());
        Assert.Equal("GrammarSearch", ex.ParamName);
    }

    [Fact]
    public void A_search_beyond_its_cell_budget_is_not_built()
    {
        var g = TokenGrammar.FromRegex("a{400}", Tiny);
        var automaton = g.CreateFeasibility(1).Automaton;
        Assert.True(GrammarPathSearch.Fits(automaton, 1000));
        Assert.False(GrammarPathSearch.Fits(automaton, 4000));
        Assert.Equal(GrammarPathSearch.MaxCells < (4001L * automaton.StateCount), !GrammarPathSearch.Fits(automaton, 4000));
    }

    private static double BruteBest(TokenGrammar g, long[] region, double[,] logp)
    {
        int[] masked = [.. Enumerable.Range(0, region.Length).Where(i => region[i] == Mask)];
        int combos = (int)Math.Pow(5, masked.Length);
        var fill = region.Select(x => (int)x).ToArray();
        double best = double.NegativeInfinity;
        for (int c = 0; c < combos; c++)
        {
            int x = c;
            double score = 0;
            foreach (int i in masked)
            {
                fill[i] = x % 5;
                x /= 5;
                score += logp[i, fill[i]];
            }

            if (score > best && g.Accepts(fill))
            {
                best = score;
            }
        }

        return best;
    }
}
