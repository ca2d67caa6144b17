"""Writes the extraction probe sets of models/eval/probes: which part of a held-out extraction prompt the model fails on.

Each set takes the held-out new-phrasing extraction rows of one passage shape (held-out people, held-out wording) and
changes one thing, so that the scores side by side show what the model does not read:

  extraction-kv-status              'Name: X. Age: N. City: C. Job: J. Single.' as held out (24 rows)
  extraction-kv-status-lower        the same with the status word in lower case ('... Job: J. single.')
  extraction-kv-status-semicolons   the items joined by '; ' (a trained separator), the status word capitalised
  extraction-city-first             'C is where X lives; ...' as held out (26 rows)
  extraction-city-first-trained     the same passage under a trained instruction ('Extract JSON: ...')
  extraction-city-first-heading     the held-out prompt with a heading word no training row uses ('Paragraph: ')

Every row keeps phrasing "new", so the evaluation reports it in its new-phrasing column:

  dotnet run -c Release --project examples/SkDiffusion.Evaluation -- --tasks extraction \\
      --heldout models/eval/probes/extraction-kv-status.jsonl

Run by hand (no randomness; the rows follow models/eval/heldout.jsonl):
  /usr/bin/python3 models/recipe/make_extraction_probes.py models/eval/heldout.jsonl models/eval/probes
"""
import json
import os
import sys

KV_START = "Name: "
CITY_MARK = " is where "
TRAINED_INSTRUCTION = "Extract JSON: "
HEADING = "Paragraph: "


def _split(prompt, start):
    """The instruction before the passage and the passage, which begins at start."""
    i = prompt.index(start)
    return prompt[:i], prompt[i:]


def kv_sets(row):
    instruction, passage = _split(row["prompt"], KV_START)
    items = passage[:-1].split(". ")  # the last item is the bare status word
    status = items[-1]
    return {
        "extraction-kv-status": row["prompt"],
        "extraction-kv-status-lower": instruction + ". ".join(items[:-1] + [status.lower()]) + ".",
        "extraction-kv-status-semicolons": instruction + "; ".join(items),
    }


def city_sets(row):
    city = json.loads(row["answer"])["city"]
    instruction, passage = _split(row["prompt"], city + CITY_MARK)
    return {
        "extraction-city-first": row["prompt"],
        "extraction-city-first-trained": TRAINED_INSTRUCTION + passage,
        "extraction-city-first-heading": instruction + HEADING + passage,
    }


def main(heldout, out_dir):
    rows = [json.loads(line) for line in open(heldout, encoding="utf-8")]
    sets = {}
    for row in rows:
        if row["task"] != "extract" or row["phrasing"] != "new":
            continue
        city = json.loads(row["answer"])["city"]
        made = kv_sets(row) if KV_START in row["prompt"] else city_sets(row) if city + CITY_MARK in row["prompt"] else {}
        for name, prompt in made.items():
            sets.setdefault(name, []).append({"task": "extract", "phrasing": "new", "prompt": prompt, "answer": row["answer"]})
    os.makedirs(out_dir, exist_ok=True)
    for name, items in sorted(sets.items()):
        with open(os.path.join(out_dir, name + ".jsonl"), "w", encoding="utf-8", newline="\n") as f:
            for item in items:
                f.write(json.dumps(item) + "\n")
        print(f"{name}: {len(items)} rows")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_extraction_probes.py HELDOUT.jsonl OUT_DIR")
    main(sys.argv[1], sys.argv[2])
