"""Stage 8m (--passage-noise): extraction passages with filler words and a heading, under composed instructions.

On the committed stage-8l weights most new-phrasing misses of typed extraction were a city whose first piece came
from the wrong word: after a held-out instruction line, a passage that opens with the city ("X is where ...") was read
with the instruction's first word as the city's start ("Read" + "ozil"), and copy_strings even returned "Read the" as
a city. The model had learnt where a value stands after the instructions it knows, not what the value is. Here a share
of the training extraction rows gets:
  - one or two filler words or phrases between the passage's words (the values stay whole: no word is ever left out,
    so a negation is never lost);
  - sometimes a short capitalised heading line before the passage ("Memo:", "Profile follows.");
  - sometimes an instruction composed from a leading verb, an object and an output verb, so that the first word of
    the prompt is rarely one seen before.
None of these wordings is a held-out one: check_disjoint asserts that no held-out marker occurs in them, and the
corpus still rejects a passage equal to a held-out rendering.
"""

import phrasing
import question_noise

FILLERS = ["also", "currently", "by the way", "as it happens", "these days", "in fact", "still", "now", "indeed",
           "so far", "as noted", "as I said", "to be clear"]
HEADINGS = ["Memo", "Update", "Profile", "Entry", "Summary", "Card", "Details", "File", "Notes", "Item"]
HEADING_TAILS = [":", ".", " follows.", " below:", " (short):"]
LEAD_VERBS = ["Scan", "Review", "Examine", "Skim", "Check", "Inspect", "Consider", "Study", "Open", "See", "Take", "Use",
              "Parse", "Process", "Handle"]
SOURCES = ["the text", "the note", "the passage", "the lines", "the message", "this entry", "the description",
           "the profile", "the paragraph", "what follows", "the input"]
OUT_VERBS = ["write", "give", "return", "produce", "emit", "build", "create", "print", "make", "send back"]
OUTPUTS = ["JSON", "a JSON object", "the JSON", "the data as JSON", "the fields as JSON", "the details as JSON",
           "the person as JSON", "one JSON object"]
LAYOUTS = ["{i}\n{s}", "{i} {s}", "{s}\n{i}", "{i}\n\n{s}"]
NOISE_SHARE = 0.0


def noisy_passage(rng, s, keep):
    """s with one or two fillers between its words and, a third of the time, a heading line before it; the strings
    in keep (the name, the city, the job, the age) stay whole."""
    def fill(words):
        for _ in range(rng.randint(1, 2)):
            words.insert(rng.randint(1, len(words)), rng.choice(FILLERS))

    s = question_noise.edit_words(s, keep, fill)
    if rng.random() < 0.33:
        s = rng.choice(HEADINGS) + rng.choice(HEADING_TAILS) + rng.choice(["\n", " "]) + s
    return s


def composed_prompt(rng, s):
    """An extraction prompt whose instruction is composed from parts ('Skim the note and emit the fields as JSON.')."""
    i = f"{rng.choice(LEAD_VERBS)} {rng.choice(SOURCES)} and {rng.choice(OUT_VERBS)} {rng.choice(OUTPUTS)}."
    return rng.choice(LAYOUTS).format(i=i, s=s)


def check_disjoint():
    """Asserts that no wording of this module contains a held-out marker."""
    for table in (FILLERS, HEADINGS, HEADING_TAILS, LEAD_VERBS, SOURCES, OUT_VERBS, OUTPUTS):
        for w in table:
            for m in phrasing.HELD_OUT_MARKERS:
                assert m.lower() not in w.lower(), (w, m)


check_disjoint()

if __name__ == "__main__":
    import random
    rng = random.Random(0)
    for _ in range(6):
        s = noisy_passage(rng, "Kelu is home to Bith Boudromi. Bith Boudromi is 34, works as a pilot and is not married.",
                          ["Bith Boudromi", "Kelu", "pilot", "34"])
        print(composed_prompt(rng, s))
        print("--")
