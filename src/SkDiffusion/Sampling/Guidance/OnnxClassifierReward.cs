using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// Classifier guidance with a user's ONNX model: the model reads the answer's ids (<c>int64 [1, n]</c>, by default
/// its UTF-8 bytes) and returns label scores (<c>float [1, labels]</c> or <c>[labels]</c>); the probability of
/// <see cref="OnnxClassifierRewardOptions.Label"/> is the reward. Mid-decoding, the known fragments are classified
/// joined by a space (masked positions are unknown, so they are left out). Runs on the CPU; thread-safe.
/// </summary>
public sealed class OnnxClassifierReward : TextReward, IDisposable
{
    private readonly InferenceSession _session;
    private readonly OnnxClassifierRewardOptions _options;
    private readonly string _input;
    private readonly string _output;

    /// <summary>Loads the classifier.</summary>
    /// <param name="modelPath">The ONNX file.</param>
    /// <param name="options">Label, featurizer and tensor names; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">A named input or output is missing, or an option is out of range.</exception>
    public OnnxClassifierReward(string modelPath, OnnxClassifierRewardOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"The classifier model '{modelPath}' does not exist: pass the path of an ONNX file.", modelPath);
        }

        _options = options ?? new OnnxClassifierRewardOptions();
        if (_options.Label < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.Label, "OnnxClassifierRewardOptions.Label must be at least 0 (an index into the output's labels).");
        }

        if (_options.MaxInputLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxInputLength, "OnnxClassifierRewardOptions.MaxInputLength must be at least 1.");
        }

        _session = new InferenceSession(modelPath);
        _input = Pick(_options.InputName, _session.InputMetadata.Keys, "input", nameof(OnnxClassifierRewardOptions.InputName));
        _output = Pick(_options.OutputName, _session.OutputMetadata.Keys, "output", nameof(OnnxClassifierRewardOptions.OutputName));
    }

    /// <inheritdoc />
    public override string Name => "classifier";

    /// <inheritdoc />
    public override double Score(RewardText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string answer = text.IsComplete ? text.Answer : string.Join(' ', text.Fragments.Where(f => f.Length > 0));
        return Classify(answer);
    }

    /// <summary>The probability of the label for a text.</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="ArgumentException">The model returned fewer labels than <see cref="OnnxClassifierRewardOptions.Label"/> needs.</exception>
    public double Classify(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long[] ids = _options.Featurizer?.Invoke(text) ?? Encoding.UTF8.GetBytes(text).Select(b => (long)b).ToArray();
        if (ids.Length == 0)
        {
            return _options.EmptyScore;
        }

        if (ids.Length > _options.MaxInputLength)
        {
            ids = ids[.._options.MaxInputLength];
        }

        var tensor = new DenseTensor<long>(ids, [1, ids.Length]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_input, tensor)], [_output]);
        var scores = results[0].AsEnumerable<float>().ToArray();
        if (_options.Label >= scores.Length)
        {
            throw new ArgumentException($"The classifier returned {scores.Length} label scores, but Label is {_options.Label}: pick a label below {scores.Length}.", nameof(OnnxClassifierRewardOptions.Label));
        }

        if (!_options.OutputIsLogits)
        {
            return scores[_options.Label];
        }

        double max = scores.Max();
        double z = scores.Sum(s => Math.Exp(s - max));
        return Math.Exp(scores[_options.Label] - max) / z;
    }

    /// <summary>Releases the ONNX session.</summary>
    public void Dispose() => _session.Dispose();

    private static string Pick(string? name, IEnumerable<string> names, string what, string option)
    {
        var list = names.ToList();
        if (name is null)
        {
            return list.Count > 0 ? list[0] : throw new ArgumentException($"The classifier model has no {what}.", option);
        }

        return list.Contains(name) ? name : throw new ArgumentException($"The classifier model has no {what} named '{name}'; its {what}s are: {string.Join(", ", list)}. Set {option} to one of them or to null.", option);
    }
}
