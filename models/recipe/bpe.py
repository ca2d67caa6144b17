"""Byte-level BPE: a small trainer, an encoder, and a writer for Hugging Face's tokenizer.json.

Two pre-tokenizer regexes, both accepted by .NET's Regex and carried in tokenizer.json:
  PRE_TOKENIZER_REGEX  Qwen2's (digits split one by one; a word keeps its leading space), used by the
                       test fixtures;
  WORD_REGEX           the embedded model's: letters never carry the space or punctuation before them,
                       so a name is the same tokens in a sentence (" Kutaim") and in JSON ("\"Kutaim"),
                       which copying from the prompt needs. With Qwen2's regex " Kutaim" was
                       [" Kut", "aim"] but "Kutaim" was ["K", "ut", "aim"].
"""
import collections
import json

import regex

PRE_TOKENIZER_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
WORD_REGEX = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"

# LLaDA's special tokens, in the order they get ids after the BPE vocabulary.
SPECIAL_TOKENS = [
    "<|startoftext|>",
    "<|endoftext|>",
    "<|mdm_mask|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
]


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable unicode character map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {v: k for k, v in BYTE_ENCODER.items()}


def pretokenize(text, pattern=PRE_TOKENIZER_REGEX):
    pat = _compiled(pattern)
    return ["".join(BYTE_ENCODER[b] for b in piece.encode("utf-8")) for piece in pat.findall(text)]


_PATTERNS = {}


def _compiled(pattern):
    if pattern not in _PATTERNS:
        _PATTERNS[pattern] = regex.compile(pattern)
    return _PATTERNS[pattern]


def train(texts, vocab_size, pattern=PRE_TOKENIZER_REGEX):
    """Learns merges until the vocabulary (256 bytes + merges) reaches vocab_size."""
    words = collections.Counter()
    for t in texts:
        words.update(pretokenize(t, pattern))
    splits = {w: list(w) for w in words}
    vocab = [BYTE_ENCODER[b] for b in range(256)]
    merges = []
    while len(vocab) < vocab_size:
        pairs = collections.Counter()
        for w, freq in words.items():
            s = splits[w]
            for i in range(len(s) - 1):
                pairs[(s[i], s[i + 1])] += freq
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merged = best[0] + best[1]
        merges.append(best)
        vocab.append(merged)
        for w in words:
            s = splits[w]
            if len(s) < 2:
                continue
            i = 0
            out = []
            while i < len(s):
                if i < len(s) - 1 and s[i] == best[0] and s[i + 1] == best[1]:
                    out.append(merged)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            splits[w] = out
    return vocab, merges


class Tokenizer:
    def __init__(self, vocab, merges, special_tokens, pattern=PRE_TOKENIZER_REGEX):
        self.pattern = pattern
        self.vocab = vocab
        self.merges = merges
        self.token_to_id = {t: i for i, t in enumerate(vocab)}
        self.ranks = {tuple(m): i for i, m in enumerate(merges)}
        self.special = {t: len(vocab) + i for i, t in enumerate(special_tokens)}
        self.id_to_token = {i: t for t, i in self.token_to_id.items()}
        for t, i in self.special.items():
            self.id_to_token[i] = t
        self._cache = {}
        self._special_pat = regex.compile("(" + "|".join(regex.escape(t) for t in special_tokens) + ")")

    @property
    def size(self):
        return len(self.vocab) + len(self.special)

    def _bpe(self, word):
        if word in self._cache:
            return self._cache[word]
        s = list(word)
        while len(s) > 1:
            best = None
            for i in range(len(s) - 1):
                r = self.ranks.get((s[i], s[i + 1]))
                if r is not None and (best is None or r < best[0]):
                    best = (r, i)
            if best is None:
                break
            i = best[1]
            s = s[:i] + [s[i] + s[i + 1]] + s[i + 2:]
        ids = [self.token_to_id[p] for p in s]
        self._cache[word] = ids
        return ids

    def encode(self, text, allow_special=True):
        out = []
        parts = self._special_pat.split(text) if allow_special else [text]
        for part in parts:
            if not part:
                continue
            if allow_special and part in self.special:
                out.append(self.special[part])
                continue
            for w in pretokenize(part, self.pattern):
                out.extend(self._bpe(w))
        return out

    def decode(self, ids):
        pieces = []
        buf = bytearray()
        for i in ids:
            t = self.id_to_token[int(i)]
            if t in self.special:
                pieces.append(buf.decode("utf-8", errors="replace"))
                buf = bytearray()
                pieces.append(t)
            else:
                buf.extend(BYTE_DECODER[c] for c in t)
        pieces.append(buf.decode("utf-8", errors="replace"))
        return "".join(pieces)

    def to_hf_json(self):
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
                for t, i in self.special.items()
            ],
            "normalizer": None,
            "pre_tokenizer": {
                "type": "Sequence",
                "pretokenizers": [
                    {"type": "Split", "pattern": {"Regex": self.pattern}, "behavior": "Isolated", "invert": False},
                    {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
                ],
            },
            "post_processor": None,
            "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": None,
                "continuing_subword_prefix": None,
                "end_of_word_suffix": None,
                "fuse_unk": False,
                "byte_fallback": False,
                "vocab": self.token_to_id,
                "merges": [a + " " + b for a, b in self.merges],
            },
        }

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_hf_json(), f, ensure_ascii=False, indent=1)

    @staticmethod
    def load(path):
        with open(path, encoding="utf-8") as f:
            j = json.load(f)
        vocab_map = j["model"]["vocab"]
        vocab = [None] * len(vocab_map)
        for t, i in vocab_map.items():
            vocab[i] = t
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in j["model"]["merges"]]
        specials = [a["content"] for a in sorted(j["added_tokens"], key=lambda a: a["id"])]
        pattern = PRE_TOKENIZER_REGEX
        for p in (j.get("pre_tokenizer") or {}).get("pretokenizers", []):
            if p.get("type") == "Split":
                pattern = p["pattern"]["Regex"]
        return Tokenizer(vocab, merges, specials, pattern)
