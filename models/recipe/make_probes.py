"""Writes the diagnostic question sets of models/eval/probes: which part of a reading question the model fails on.

Each set asks about held-out people (entities never seen in training), 20 questions per relation (city, job, age),
answered in the form the evaluation scores ("X lives in C.", "X works as a J.", "X is A years old."):

  trained-passage-trained-question   a trained passage shape and a trained question template (the baseline)
  new-passage-trained-question       a held-out passage shape and a trained question template
  trained-passage-new-question       a trained passage shape and the held-out question template
  trained-passage-composed-question  a trained passage shape and a question composed from a trained frame and
                                     relation word (phrasing.relation_question, as stages 8i to 8k train them)

Every row is written with phrasing "new", so the evaluation reports it in its new-phrasing column:

  dotnet run -c Release --project examples/SkDiffusion.Evaluation -- --tasks facts \\
      --heldout models/eval/probes/trained-passage-new-question.jsonl

Run by hand (seeded, so the files are reproducible): /usr/bin/python3 models/recipe/make_probes.py models/eval/probes
"""
import json
import os
import random
import sys

import corpus
import phrasing

PER_RELATION = 20
RELATIONS = ["city", "job", "age"]


def question(rng, kind, k, name):
    if kind == "composed":
        return phrasing.relation_question(rng, k, name)
    return rng.choice(corpus.READ_Q[kind][k]).format(n=name)


SETS = {
    "trained-passage-trained-question": ("train", "train"),
    "new-passage-trained-question": ("new", "train"),
    "trained-passage-new-question": ("train", "new"),
    "trained-passage-composed-question": ("train", "composed"),
}


def main(out_dir):
    phrasing.RELATION_MORE = True
    os.makedirs(out_dir, exist_ok=True)
    for i, (name, (passage, kind)) in enumerate(SETS.items()):
        rng = random.Random(1000 + i)
        rows = []
        for k in RELATIONS:
            for _ in range(PER_RELATION):
                p = corpus.person(rng, "eval")
                s = corpus.describe(rng, p, passage)
                rows.append({"task": "facts", "phrasing": "new", "relation": k,
                             "prompt": s + " " + question(rng, kind, k, p["name"]), "answer": corpus.read_answer(p, k)})
        with open(os.path.join(out_dir, name + ".jsonl"), "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
        print(name, len(rows))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "models/eval/probes")
