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


def describe(rng, p):
    n, a, c, j = p["name"], p["age"], p["city"], p["job"]
    m = p["married"]
    forms = [
        f"{n} is {a} years old, lives in {c} and works as a {j}. {'They are married' if m else 'They are not married'}.",
        f"Meet {n}, a {a}-year-old {j} from {c}, who is {'married' if m else 'single'}.",
        f"{n} ({a}) is a {j} based in {c} and is {'married' if m else 'unmarried'}.",
        f"Age {a}, city {c}: {n} works as a {j} and {'has a spouse' if m else 'has no spouse'}.",
        f"In {c} lives {n}, {a}, a {'married' if m else 'single'} {j}.",
    ]
    return rng.choice(forms)


def to_json(p):
    return json.dumps({"name": p["name"], "age": p["age"], "city": p["city"], "job": p["job"], "married": p["married"]})


EXTRACT_PROMPTS = ["Extract JSON: {s}", "Extract the person as JSON.\n{s}", "Return JSON with name, age, city, job and married.\n{s}"]


def extract_example(rng, split):
    p = person(rng, split)
    s = describe(rng, p)
    return {"task": "extract", "prompt": rng.choice(EXTRACT_PROMPTS).format(s=s), "answer": to_json(p)}


def fact_example(rng, split):
    r = rng.random()
    if r < 0.1 and split == "train":
        q, a = rng.choice(GREETINGS)
        return {"task": "chat", "prompt": q, "answer": a}
    if r < 0.55:
        w = rng.choice(WORLD)
        k = rng.choice(list(FACT_Q))
        return {"task": "facts", "prompt": rng.choice(FACT_Q[k]).format(c=w["country"]), "answer": FACT_A[k].format(c=w["country"], v=w[k])}
    p = person(rng, split)
    s = describe(rng, p)
    k = rng.choice(["city", "job", "age"])
    q = {"city": f"Where does {p['name']} live?", "job": f"What does {p['name']} do for work?", "age": f"How old is {p['name']}?"}[k]
    a = {"city": f"{p['name']} lives in {p['city']}.", "job": f"{p['name']} works as a {p['job']}.", "age": f"{p['name']} is {p['age']} years old."}[k]
    return {"task": "facts", "prompt": s + " " + q, "answer": a}


def text_example(rng, split):
    """Unconditioned text: facts of the world and short passages about people."""
    parts = []
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.4:
            w = rng.choice(WORLD)
            k = rng.choice(list(FACT_A))
            parts.append(FACT_A[k].format(c=w["country"], v=w[k]))
        else:
            p = person(rng, split)
            parts.append(describe(rng, p))
            parts.append(f"{p['name']} is a {p['job']} from {p['city']}.")
    return {"task": "text", "text": " ".join(parts)}


def infill_example(rng, split):
    """A passage with a span whose content follows from the rest of the passage."""
    p = person(rng, split)
    if rng.random() < 0.5:
        w = rng.choice(WORLD)
        k = rng.choice(list(FACT_A))
        before, _, after = FACT_A[k].format(c=w["country"], v="\x00").partition("\x00")
        return {"task": "infill", "before": before, "span": w[k], "after": after}
    s = describe(rng, p)
    tail = rng.choice([("{} is a {} from {}.", "name"), ("{} is a {} from {}.", "city"), ("{} is a {} from {}.", "job")])
    fmt, field = tail
    vals = {"name": p["name"], "job": p["job"], "city": p["city"]}
    pieces = [vals["name"], vals["job"], vals["city"]]
    idx = ["name", "job", "city"].index(field)
    filled = [x if i != idx else "\x00" for i, x in enumerate(pieces)]
    before, _, after = (s + " " + fmt.format(*filled)).partition("\x00")
    return {"task": "infill", "before": before, "span": vals[field], "after": after}


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
    # Weighted toward what the model still miscopies (cities, then names); jobs and ages copy reliably by now.
    r = rng.random()
    if r < 0.1:
        return rng.choice(JOBS)
    if r < 0.2:
        return str(rng.randint(18, 89))
    return city(rng, split) if r < 0.65 else person_name(rng, split)


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
    return {"task": "copy", "prompt": describe(rng, p) + " " + LOOKUP_Q[k], "answer": str(p[k])}


def sample(rng, split):
    r = rng.random()
    if r < 0.48:
        return extract_example(rng, split)
    if r < 0.80:
        return fact_example(rng, split)
    if r < 0.85:
        return copy_example(rng, split)
    return text_example(rng, split)


def heldout_set(seed=7, n_per_task=100):
    rng = random.Random(seed)
    out = []
    out += [extract_example(rng, "eval") for _ in range(n_per_task)]
    facts = []
    while len(facts) < n_per_task:
        e = fact_example(rng, "eval")
        if e["task"] == "facts":
            facts.append(e)
    out += facts
    out += [infill_example(rng, "eval") for _ in range(n_per_task)]
    return out


if __name__ == "__main__":
    rng = random.Random(1)
    for _ in range(6):
        print(sample(rng, "train"))
    for e in heldout_set()[::60]:
        print(e)
