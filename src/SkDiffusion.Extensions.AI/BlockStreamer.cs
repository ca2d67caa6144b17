using SkDiffusion.Sampling.Events;
using SkDiffusion.Tokenization;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// Follows a single-row sampling run and releases the answer block by block: a block's text is released once the
/// block holds no mask (and, with remasking, once a later block has started or the run ended), through a
/// <see cref="StreamingDecoder"/> so multi-byte characters are never split. Stops at the first EOS/EoT and at stop
/// sequences (text that might begin a stop sequence is held back until it cannot).
/// </summary>
internal sealed class BlockStreamer
{
    private readonly DiffusionModel _model;
    private readonly int _promptLength;
    private readonly int[] _answer;
    private readonly int _block;
    private readonly bool _remasking;
    private readonly int _mask;
    private readonly StreamingDecoder _decoder;
    private readonly IReadOnlyList<string> _stops;
    private readonly int _holdBack;
    private readonly List<int> _emitted = [];
    private readonly System.Text.StringBuilder _kept = new();
    private string _pending = "";
    private int _released;
    private bool _cutByStop;

    public BlockStreamer(DiffusionModel model, DiffusionChatRequest request)
    {
        _model = model;
        _promptLength = request.Prompt.Count;
        _answer = new int[request.AnswerLength];
        _mask = model.Sampler.TokenIds.Mask;
        Array.Fill(_answer, _mask);
        _block = request.Options!.BlockLength ?? request.AnswerLength;
        _remasking = request.Options.Remasking is not null;
        _decoder = model.Package.Tokenizer.CreateStreamingDecoder(skipSpecialTokens: true);
        _stops = request.StopSequences;
        _holdBack = _stops.Count == 0 ? 0 : _stops.Max(s => s.Length) - 1;
    }

    public bool Ended { get; private set; }

    public bool Stopped { get; private set; }

    /// <summary>The answer tokens behind the text released so far (a stop-sequence cut drops the tokens after it).</summary>
    public int OutputTokens => _cutByStop ? DiffusionChatRequest.KeptTokenCount(_model, _emitted, _kept.ToString()) : _emitted.Count;

    public int Nfe { get; private set; }

    public string Apply(SamplingStepEvent evt)
    {
        Nfe = evt.Nfe;
        int furthest = -1;
        foreach (var c in evt.Committed.Where(c => c.Row == 0))
        {
            Set(c.Position, c.TokenId);
            furthest = Math.Max(furthest, c.Position - _promptLength);
        }

        foreach (var f in evt.EosFilled.Where(f => f.Row == 0))
        {
            Set(f.Position, f.TokenId);
        }

        foreach (var r in evt.Remasked.Where(r => r.Row == 0))
        {
            Set(r.Position, _mask);
        }

        var text = new System.Text.StringBuilder();
        while (!Ended && _released < _answer.Length)
        {
            int start = _released;
            int end = Math.Min(_answer.Length, start + _block);
            bool complete = true;
            for (int i = start; i < end && complete; i++)
            {
                complete = _answer[i] != _mask;
            }

            if (!complete || (_remasking && !evt.IsFinal && furthest < end))
            {
                break;
            }

            var tokens = new List<int>(end - start);
            for (int i = start; i < end; i++)
            {
                if (_model.Sampler.TokenIds.IsEnd(_answer[i]))
                {
                    Ended = true;
                    Stopped = true;
                    break;
                }

                tokens.Add(_answer[i]);
            }

            _emitted.AddRange(tokens);
            text.Append(_decoder.Append(tokens));
            _released = end;
        }

        return Release(text.ToString(), final: false);
    }

    public string Finish()
    {
        return Release(_decoder.Flush(), final: true);
    }

    private string Release(string text, bool final)
    {
        string released = Cut(text, final);
        _kept.Append(released);
        return released;
    }

    private string Cut(string text, bool final)
    {
        if (Ended && _stops.Count == 0 && !final)
        {
            return text;
        }

        _pending += text;
        var (cut, stopped) = DiffusionChatRequest.ApplyStops(_pending, _stops);
        if (stopped)
        {
            Ended = true;
            Stopped = true;
            _cutByStop = true;
            _pending = "";
            return cut;
        }

        if (final || Ended)
        {
            string all = _pending;
            _pending = "";
            return all;
        }

        int keep = Math.Min(_holdBack, _pending.Length);
        string now = _pending[..^keep];
        _pending = _pending[^keep..];
        return now;
    }

    private void Set(int position, int token)
    {
        int i = position - _promptLength;
        if (i >= 0 && i < _answer.Length)
        {
            _answer[i] = token;
        }
    }
}
