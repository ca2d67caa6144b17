"""Stage 8o (--passage-more): capitalised marital sentences, and passages that open with the city under a heading.

Probes on the stage-8m weights (the held-out people in edited prompts, scored through GetResponseAsync<Person>):
  - a key-value list that ends "... Job: doctor. single." was right 10 times in 12, the same list ending "Single." or
    "Not married." 0 times in 12. The model knew the lower-case status words but not the capitalised ones that start
    a sentence or a list item, and answered `married: true` for every one of them;
  - a passage that opens with the city was right 20 times in 26 under a trained instruction and 12 times in 26 under a
    held-out one; with a "Note: " line before the passage, 0 times in 26: the city came back as "Note". The model
    took the first capitalised word of the passage for the city instead of reading the relation.
So a share of the training extraction rows is one of:
  - a passage of verb phrases with the marital status as a sentence or list item of its own, capitalised ("Single.",
    "Not married.", "Has a spouse."), before, inside or after the rest; list items are never joined by ". ";
  - a passage that opens with the city and a relation to the name drawn from many wordings ("Kelu is home to X",
    "Kelu counts X among its residents"), half the time under a heading word ("Note:", "Record 3 -") from a pool
    of everyday nouns, so that the first capitalised word is often not the city.
None of these wordings is a held-out one: check_disjoint asserts that no held-out marker occurs in them, and the
corpus still rejects a passage equal to a held-out rendering.
"""

import phrasing

STATUS = {True: ["Married", "Is married", "Has a spouse", "A married person", "Married, yes", "Has a husband or wife"],
          False: ["Single", "Not married", "Unmarried", "Has no spouse", "No spouse", "Never married", "Without a spouse",
                  "Not yet married"]}
ITEM_SEPS = ["; ", "\n", " | ", ", "]
CITY_FIRST = ["{c} is home to {n}", "{c} is the home of {n}", "{c} has {n} as a resident", "{c} counts {n} among its residents",
              "{c} is the town {n} lives in", "{c} is the city {n} calls home", "{c} is {n}'s home", "{c} houses {n}",
              "{c} has been home to {n} for years", "{c}, the home town of {n}, is small", "{c} is the place {n} lives"]
HEADING_WORDS = ["Note", "Record", "Input", "Text", "Case", "Sample", "Resident", "Contact", "Client", "Member", "Report",
                 "Log", "Message", "Data", "Source", "Excerpt", "Form", "Bio", "Story", "Person", "Subject", "Letter",
                 "Document", "Extract", "Clipping", "Line", "Snippet", "Reference", "Question", "Example"]
HEADING_TAILS = [": ", ":\n", " - ", ".\n", " {k}: ", " {k}\n", " #{k}: "]
SHARE = 0.0


def status_passage(rng, p):
    """The fields other than the marital status as verb phrases, and the status as a capitalised sentence or list
    item of its own ('X is 34 and lives in Kelu. Not married.', 'Single; Name: X; Age: 34; ...')."""
    if rng.random() < 0.5:
        fields = ["age", "city", "job"]
        rng.shuffle(fields)
        prose = p["name"] + " " + phrasing._join(rng, [phrasing._verb_phrase(rng, p, f) for f in fields]) + "."
        status = rng.choice(STATUS[p["married"]]) + "."
        return prose + " " + status if rng.random() < 0.7 else status + " " + prose
    text = phrasing._bare_key_values(rng, p, STATUS, lambda r: r.choice(ITEM_SEPS), at_end=0.6, first=0)
    return text + "." if rng.random() < 0.5 else text


def city_first_passage(rng, p):
    """A passage that opens with the city and a relation to the name, the other fields after it, and half the time a
    heading word before it."""
    rest = ["age", "job", "married"]
    rng.shuffle(rest)
    head = rng.choice(CITY_FIRST).format(c=p["city"], n=p["name"])
    joiner = rng.choice(["; ", ". ", ", and "])
    again = rng.choice(["{n}", "{n}", "This person"]).format(n=p["name"])
    if joiner != ". " and again == "This person":
        again = "this person"
    text = head + joiner + again + " " + phrasing._join(rng, [phrasing._verb_phrase(rng, p, f) for f in rest]) + "."
    if rng.random() < 0.5:
        tail = rng.choice(HEADING_TAILS).format(k=rng.randint(1, 99))
        text = rng.choice(HEADING_WORDS) + tail + text
    return text


def passage(rng, p):
    """One of the two stage-8o passages for p."""
    return status_passage(rng, p) if rng.random() < 0.5 else city_first_passage(rng, p)


def check_disjoint():
    """Asserts that no wording of this module contains a held-out marker."""
    for table in (STATUS[True], STATUS[False], ITEM_SEPS, CITY_FIRST, HEADING_WORDS, HEADING_TAILS):
        for w in table:
            for m in phrasing.HELD_OUT_MARKERS:
                assert m.lower() not in w.lower(), (w, m)

check_disjoint()
