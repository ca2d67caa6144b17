"""Seeded generator of the training and held-out corpus for the embedded model.

Tasks (what the product demonstrates):
  facts    chat answers about a small fixed world (countries, capitals, languages, currencies) and
           reading questions answered from a sentence in the prompt (generated people);
  extract  a sentence about a generated person -> JSON with name, age, city, job, married;
  infill   plain text; at evaluation a span is masked and must be filled from context.
Names and cities are generated from syllables (a combinatorially large space). A stable hash splits
them: held-out entities (hash % 10 == 0) never appear in training.
"""
import json
import random
import zlib

import passage_more
import passage_noise
import phrasing as broad_phrasing

broad_phrasing.check_disjoint()

CONS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kl", "st", "tr", "sh", "th"]
VOWS = ["a", "e", "i", "o", "u", "ai", "ei", "ou"]
ENDS = ["", "", "", "n", "r", "s", "l", "m", "th", "k"]
JOBS = ["baker", "pilot", "teacher", "nurse", "farmer", "painter", "doctor", "builder", "chef", "writer", "lawyer", "sailor"]

_world_rng = random.Random(20261128)


def _word(rng, lo=2, hi=3):
    w = "".join(rng.choice(CONS) + rng.choice(VOWS) for _ in range(rng.randint(lo, hi))) + rng.choice(ENDS)
    return w.capitalize()


def held_out(entity):
    return zlib.crc32(entity.encode()) % 10 == 0


def _entity(rng, split, make):
    while True:
        e = make(rng)
        if held_out(e) == (split == "eval"):
            return e


def person_name(rng, split):
    return _entity(rng, split, lambda r: _word(r, 1, 2) + " " + _word(r, 2, 3))


def city(rng, split):
    return _entity(rng, split, lambda r: _word(r, 2, 3))


# The fixed world: 16 countries with a capital, a language and a currency.
WORLD = []
for _ in range(16):
    WORLD.append({
        "country": _word(_world_rng, 2, 3),
        "capital": _word(_world_rng, 2, 3),
        "language": _word(_world_rng, 2, 2) + "ish",
        "currency": _word(_world_rng, 1, 2).lower(),
    })

FACT_Q = {
    "capital": ["What is the capital of {c}?", "Which city is the capital of {c}?", "Tell me the capital of {c}.", "Name the capital city of {c}."],
    "language": ["What language do people speak in {c}?", "Which language is spoken in {c}?", "What is the language of {c}?"],
    "currency": ["What is the currency of {c}?", "Which currency is used in {c}?", "What money do they use in {c}?"],
}
FACT_A = {
    "capital": "The capital of {c} is {v}.",
    "language": "People in {c} speak {v}.",
    "currency": "The currency of {c} is the {v}.",
}
GREETINGS = [
    ("Hello!", "Hello! How can I help you today?"),
    ("Hi there.", "Hello! How can I help you today?"),
    ("Who are you?", "I am a small diffusion language model. I fill masked text."),
    ("What can you do?", "I answer questions, extract JSON and fill in missing text."),
    ("Thank you!", "You are welcome."),
]


def person(rng, split):
    return {
        "name": person_name(rng, split),
        "age": rng.randint(18, 89),
        "city": city(rng, split),
        "job": rng.choice(JOBS),
        "married": rng.random() < 0.5,
    }


# Phrasing families. "train" families are used in training; the "new" family is the held-out phrasing set: its
# templates never appear in a training row, so the evaluation's "new phrasing" columns measure generalisation to
# sentence shapes the model has not seen (entities are held out in both evaluation columns).
MARRIED = ["is married", "has a spouse", "is a married person"]
SINGLE = ["is not married", "is single", "has no spouse", "is unmarried"]


def _m(rng, p):
    return rng.choice(MARRIED if p["married"] else SINGLE)


def _kv_lines(rng, p):
    keys = {"name": rng.choice(["Name", "Full name"]), "age": "Age", "city": rng.choice(["City", "Home town", "Lives in"]),
            "job": rng.choice(["Job", "Occupation", "Works as"]), "married": "Married"}
    order = ["name", "age", "city", "job", "married"]
    if rng.random() < 0.5:
        rng.shuffle(order)
    sep = rng.choice(["\n", "; ", ", ", " | "])
    val = lambda k: ("yes" if p[k] else "no") if k == "married" else str(p[k])
    return sep.join(f"{keys[k]}: {val(k)}" for k in order)


TRAIN_FORMS = [
    lambda r, n, a, c, j, p: f"{n} is {a} years old, lives in {c} and works as a {j}. {'They are married' if p['married'] else 'They are not married'}.",
    lambda r, n, a, c, j, p: f"Meet {n}, a {a}-year-old {j} from {c}, who is {'married' if p['married'] else 'single'}.",
    lambda r, n, a, c, j, p: f"{n} ({a}) is a {j} based in {c} and is {'married' if p['married'] else 'unmarried'}.",
    lambda r, n, a, c, j, p: f"Age {a}, city {c}: {n} works as a {j} and {'has a spouse' if p['married'] else 'has no spouse'}.",
    lambda r, n, a, c, j, p: f"In {c} lives {n}, {a}, a {'married' if p['married'] else 'single'} {j}.",
    lambda r, n, a, c, j, p: _kv_lines(r, p),
    lambda r, n, a, c, j, p: f"{n} lives in {c}. {n} is a {a}-year-old {j} and {_m(r, p)}.",
    lambda r, n, a, c, j, p: f"{n} is a {j}. {n} is {a}, lives in {c}, and {_m(r, p)}.",
    lambda r, n, a, c, j, p: f"{n}, {a}, {j}, {c}, {'married' if p['married'] else 'single'}.",
    lambda r, n, a, c, j, p: f"A {j} named {n} lives in {c}. {n} is {a} years old and {_m(r, p)}.",
    lambda r, n, a, c, j, p: f"{n} works as a {j} in {c}. Age: {a}. Married: {'yes' if p['married'] else 'no'}.",
    lambda r, n, a, c, j, p: f"{n} {_m(r, p)}. {n} is {a} and works as a {j} in {c}.",
]
NEW_FORMS = [
    lambda r, n, a, c, j, p: f"Meet {n}, a {a}-year-old {j} from {c}; {'married' if p['married'] else 'single'}.",
    lambda r, n, a, c, j, p: f"Name: {n}. Age: {a}. City: {c}. Job: {j}. {'Married' if p['married'] else 'Single'}.",
    lambda r, n, a, c, j, p: f"{c} is where {n} lives; {n} is {a} and works as a {j}, and {_m(r, p)}.",
    lambda r, n, a, c, j, p: f"The {j} {n} is {a} years old, comes from {c} and {_m(r, p)}.",
]


def describe(rng, p, phrasing="train", broad=False):
    """A sentence about p. broad (training rows only, from stage 8): half the time a compositional sentence
    (phrasing.py) instead of one of the twelve shapes, never equal to a held-out rendering of p."""
    if broad and rng.random() < 0.5:
        held_out = held_out_renderings(p)
        while True:
            s = broad_phrasing.person_sentence(rng, p)
            if s not in held_out:
                return s
    forms = TRAIN_FORMS if phrasing == "train" else NEW_FORMS
    return rng.choice(forms)(rng, p["name"], p["age"], p["city"], p["job"], p)


class _Each:
    """Stands in for rng in a held-out template and returns the i-th option of its one choice (of MARRIED or SINGLE)."""
    def __init__(self, i):
        self.i = i

    def choice(self, seq):
        return seq[self.i % len(seq)]


def held_out_renderings(p):
    """Every sentence the held-out family can make of p."""
    options = max(len(MARRIED), len(SINGLE))
    return {f(_Each(i), p["name"], p["age"], p["city"], p["job"], p) for f in NEW_FORMS for i in range(options)}


def to_json(p):
    return json.dumps({"name": p["name"], "age": p["age"], "city": p["city"], "job": p["job"], "married": p["married"]})


EXTRACT_PROMPTS = {
    "train": ["Extract JSON: {s}", "Extract the person as JSON.\n{s}", "Return JSON with name, age, city, job and married.\n{s}",
              "Give me the JSON for this person: {s}", "{s}\nExtract JSON.", "Turn this into JSON.\n{s}", "{s}"],
    "new": ["Read the text and output the record as JSON.\n{s}", "JSON please: {s}"],
}


def extract_example(rng, split, phrasing="train"):
    p = person(rng, split)
    broad = split == "train"
    s = describe(rng, p, phrasing, broad)
    more = broad and passage_more.SHARE and rng.random() < passage_more.SHARE
    if more:
        held_out = held_out_renderings(p)
        s = passage_more.passage(rng, p)
        while s in held_out:
            s = passage_more.passage(rng, p)
    noise = broad and passage_noise.NOISE_SHARE and rng.random() < passage_noise.NOISE_SHARE
    if noise:
        s = passage_noise.noisy_passage(rng, s, [p["name"], p["city"], p["job"], str(p["age"])])
    if (noise or more) and rng.random() < 0.5:
        prompt = passage_noise.composed_prompt(rng, s)
    elif broad and rng.random() < 0.5:
        prompt = broad_phrasing.extract_prompt(rng, s)
    else:
        prompt = rng.choice(EXTRACT_PROMPTS[phrasing]).format(s=s)
    return {"task": "extract", "phrasing": phrasing, "prompt": prompt, "answer": to_json(p)}


FACT_Q_NEW = {
    "capital": ["Capital city of {c}?", "{c} has which city as its capital?"],
    "language": ["In {c}, what language is spoken?", "People in {c} talk in which language?"],
    "currency": ["If I travel to {c}, which currency do I need?", "Money used in {c}?"],
}
FACT_Q["capital"] += ["What city is the capital of {c}?", "Capital of {c}?", "Do you know the capital of {c}?"]
FACT_Q["language"] += ["Which language do they speak in {c}?", "Language of {c}?", "What do people in {c} speak?"]
FACT_Q["currency"] += ["What currency does {c} use?", "Currency of {c}?", "Which money is used in {c}?"]
READ_Q = {
    "train": {"city": ["Where does {n} live?", "In which city does {n} live?", "Where is {n} based?"],
              "job": ["What does {n} do for work?", "What is the job of {n}?", "What does {n} work as?"],
              "age": ["How old is {n}?", "What is the age of {n}?", "How many years old is {n}?"]},
    "new": {"city": ["Which town is {n} from?"], "job": ["What is the occupation of {n}?"], "age": ["{n} is how old?"]},
}


def _question(rng, split, cores, k, base, **fmt):
    """A question from the base templates; training rows (from stage 8) also draw compositional ones from phrasing.py:
    cores is (a table, its stage-8e twin), read under key k; the twin is used with probability --wide-share."""
    if split != "train":
        return rng.choice(base).format(**fmt)
    share = broad_phrasing.RELATION_SHARE
    if share and rng.random() < share:
        return broad_phrasing.relation_question(rng, k, next(iter(fmt.values())))
    table = broad_phrasing.wide(rng, *cores)
    return broad_phrasing.question(rng, table[k], base, **fmt)


def greeting_example(rng):
    q, a = rng.choice(GREETINGS)
    return {"task": "chat", "prompt": q, "answer": a}


# The share of fact rows that ask about a person read from a passage (the rest ask about a country, and 8% of the
# training rows are greetings); --person-fact-share (stage 8j: 0.6).
PERSON_FACT_SHARE = 0.45


def read_answer(p, k):
    """The answer to a reading question about field k ("city", "job", "age") of person p."""
    return {"city": f"{p['name']} lives in {p['city']}.", "job": f"{p['name']} works as a {p['job']}.",
            "age": f"{p['name']} is {p['age']} years old."}[k]


def fact_example(rng, split, phrasing="train"):
    r = rng.random()
    if r < 0.08 and split == "train":
        return greeting_example(rng)
    if r < 1.0 - PERSON_FACT_SHARE:
        w = rng.choice(WORLD)
        k = rng.choice(list(FACT_Q))
        qs = FACT_Q[k] if phrasing == "train" else FACT_Q_NEW[k]
        q = _question(rng, split, (broad_phrasing.FACT_CORES, broad_phrasing.FACT_CORES_WIDE), k, qs, c=w["country"])
        return {"task": "facts", "phrasing": phrasing, "prompt": q, "answer": FACT_A[k].format(c=w["country"], v=w[k])}
    p = person(rng, split)
    s = describe(rng, p, phrasing, split == "train")
    k = rng.choice(["city", "job", "age"])
    q = _question(rng, split, (broad_phrasing.READ_CORES, broad_phrasing.READ_CORES_WIDE), k, READ_Q[phrasing][k], n=p["name"])
    return {"task": "facts", "phrasing": phrasing, "prompt": s + (" " if rng.random() < 0.7 else "\n") + q, "answer": read_answer(p, k)}


# Sentences that state a world fact with the value at a marked place ("\x00"): training text and infilling contexts.
FACT_TEXT = {
    "train": {
        "capital": ["The capital of {c} is \x00.", "\x00 is the capital of {c}.", "The capital city of {c} is \x00, a large city."],
        "language": ["People in {c} speak \x00.", "In {c} people speak \x00.", "The language of {c} is \x00."],
        "currency": ["The currency of {c} is the \x00.", "In {c} people pay with the \x00.", "{c} uses the \x00 as money."],
    },
    "new": {
        "capital": ["Visitors to {c} often start in its capital, \x00."],
        "language": ["Most people who live in {c} speak \x00 at home."],
        "currency": ["Prices in {c} are given in the \x00."],
    },
}


def _fact_sentence(rng, phrasing, broad=False):
    w = rng.choice(WORLD)
    k = rng.choice(list(FACT_TEXT[phrasing]))
    more = {k: []}
    if broad:
        more = broad_phrasing.mid(rng, broad_phrasing.wide(rng, broad_phrasing.FACT_TEXT_MORE, broad_phrasing.FACT_TEXT_WIDE), broad_phrasing.FACT_TEXT_MID)
    pool = FACT_TEXT[phrasing][k] + more[k]
    return rng.choice(pool).format(c=w["country"]), w[k]


def text_example(rng, split):
    """Unconditioned text: facts of the world and short passages about people."""
    parts = []
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.4:
            s, v = _fact_sentence(rng, "train", split == "train")
            parts.append(s.replace("\x00", v))
        else:
            p = person(rng, split)
            parts.append(describe(rng, p, broad=split == "train"))
            parts.append(f"{p['name']} is a {p['job']} from {p['city']}.")
    return {"task": "text", "text": " ".join(parts)}


PERSON_TAILS = {
    "train": ["{name} is a {job} from {city}.", "{name} works as a {job} in {city}.", "The {job} {name} lives in {city}."],
    "new": ["Everyone in {city} knows {name}, the {job}."],
}


def infill_example(rng, split, phrasing="train"):
    """A passage with a span (marked "\x00") whose content follows from the rest of the passage: a world fact, or a
    person described in one sentence and named again in a second one with a field left out."""
    broad = split == "train"
    if rng.random() < 0.5:
        s, v = _fact_sentence(rng, phrasing, broad)
        before, _, after = s.partition("\x00")
        return {"task": "infill", "phrasing": phrasing, "before": before, "span": v, "after": after}
    p = person(rng, split)
    field = rng.choice(["name", "job", "city"])
    tails = PERSON_TAILS[phrasing]
    if broad:
        more = broad_phrasing.wide(rng, broad_phrasing.PERSON_TAILS_MORE, broad_phrasing.PERSON_TAILS_WIDE)
        tails = broad_phrasing.mid(rng, tails + more, broad_phrasing.PERSON_TAILS_MID)
    tail = rng.choice(tails).format(**{k: (p[k] if k != field else "\x00") for k in ("name", "job", "city")})
    before, _, after = (describe(rng, p, phrasing, broad) + " " + tail).partition("\x00")
    return {"task": "infill", "phrasing": phrasing, "before": before, "span": p[field], "after": after}


COPY_PROMPTS = ["Repeat: {s}", "Say exactly this: {s}", "Copy the names: {s}"]


def copy_example(rng, split):
    """Repeats generated names, cities and numbers verbatim: the copying skill the other tasks need."""
    items = []
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        items.append(person_name(rng, split) if r < 0.4 else city(rng, split) if r < 0.8 else str(rng.randint(18, 89)))
    s = ", ".join(items)
    return {"task": "copy", "prompt": rng.choice(COPY_PROMPTS).format(s=s), "answer": s}


def _drill_item(rng, split):
    # Weighted toward what the model still miscopies: long names (from step 9,600), then cities; jobs and ages copy
    # reliably by now.
    r = rng.random()
    if r < 0.05:
        return rng.choice(JOBS)
    if r < 0.15:
        return str(rng.randint(18, 89))
    return city(rng, split) if r < 0.45 else person_name(rng, split)


LOOKUP_Q = {"name": "Who is it?", "age": "What is the age?", "city": "Which city?", "job": "What is the job?"}


def drill_example(rng, split):
    """Short rows that teach the copy circuit the other tasks stand on: repeat one or two generated items, or answer
    one field of a sentence with the value alone. A slot attends over a handful of tokens here rather than a long
    sentence, so copying is learned in hundreds of steps instead of never (see README.md, stage 4)."""
    if rng.random() < 0.5:
        s = ", ".join(_drill_item(rng, split) for _ in range(rng.randint(1, 2)))
        return {"task": "copy", "prompt": rng.choice(COPY_PROMPTS).format(s=s), "answer": s}
    p = person(rng, split)
    k = rng.choice(list(LOOKUP_Q))
    return {"task": "copy", "prompt": describe(rng, p, broad=split == "train") + " " + LOOKUP_Q[k], "answer": str(p[k])}


# Stage 8k (--fact-share, tried and not committed; README.md): the share of rows drawn as fact rows before the usual
# mix; 0 draws nothing from rng, so the earlier stages generate the same rows. On the stage-8j weights a trained passage
# with a question composed as training composes them was 56.7% right (models/eval/probes): the composed questions had
# not been learnt.
FACT_SHARE = 0.0


def sample(rng, split):
    if FACT_SHARE and rng.random() < FACT_SHARE:
        return fact_example(rng, split)
    r = rng.random()
    if r < 0.38:
        return extract_example(rng, split)
    if r < 0.66:
        return fact_example(rng, split)
    if r < 0.70:
        return copy_example(rng, split)
    if r < 0.80:
        return text_example(rng, split)
    return infill_example(rng, split)


def heldout_set(seed=7, n_per_task=100):
    """The evaluation set: for each task, n_per_task items with trained phrasings and n_per_task with the held-out
    ("new") phrasing family; every entity is held out of training in both."""
    rng = random.Random(seed)
    out = []
    for phrasing in ("train", "new"):
        out += [extract_example(rng, "eval", phrasing) for _ in range(n_per_task)]
        facts = []
        while len(facts) < n_per_task:
            e = fact_example(rng, "eval", phrasing)
            if e["task"] == "facts":
                facts.append(e)
        out += facts
        out += [infill_example(rng, "eval", phrasing) for _ in range(n_per_task)]
    return out


if __name__ == "__main__":
    rng = random.Random(1)
    for _ in range(6):
        print(sample(rng, "train"))
    for e in heldout_set()[::60]:
        print(e)
