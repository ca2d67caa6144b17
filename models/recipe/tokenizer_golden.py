"""Writes models/eval/tokenized.json: how the recipe's tokenizer encodes held-out texts, so that a C# test can check
that the package's tokenizer (Microsoft.ML.Tokenizers over the converted files) gives the same ids.

  /usr/bin/python3 models/recipe/tokenizer_golden.py models/checkpoint/tokenizer.json models/eval/tokenized.json
"""
import json
import sys

import bpe
import corpus


def main(tokenizer_path, out_path):
    tok = bpe.Tokenizer.load(tokenizer_path)
    texts = []
    for e in corpus.heldout_set()[::6]:
        if e["task"] == "infill":
            texts += [e["before"], " " + e["span"], e["after"]]
        else:
            texts += ["\n\n" + e["prompt"], e["answer"]]
    texts += ["Ünïcödé — “quotes” 日本語 🙂", "  two  spaces\tand tabs\n\nlines", "x" * 40, "12345 67.89 -3"]
    rows = [{"text": t, "ids": tok.encode(t, False)} for t in texts]
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(rows, f, ensure_ascii=False, indent=0)
    print(f"{len(rows)} texts -> {out_path}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
