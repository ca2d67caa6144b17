"""Compositional phrasings for training rows (stage 8).

Twelve fixed sentence shapes taught the model those shapes, not the task: it scored 16-25% on the held-out phrasing
family. This module builds training sentences and questions from parts (a field order, one of several wordings per
field, appositives, re-mentions, filler sentences, prefixes and suffixes), so that no single shape dominates.

None of it is used for the held-out set, and none of its wordings is a held-out template: corpus.py rejects any
training sentence equal to a held-out rendering of the same person, and `check_disjoint` below asserts that the
distinctive words of the held-out templates ("comes from", "is where", "JSON please", ...) never occur.
"""

import question_noise

AGE_VP = ["is {a} years old", "is {a}", "is aged {a}", "turned {a} this year", "is {a} years of age", "has an age of {a}"]
CITY_VP = ["lives in {c}", "is from {c}", "resides in {c}", "calls {c} home", "is based in {c}", "has a house in {c}",
           "lives in the city of {c}", "moved to {c} long ago"]
JOB_VP = ["works as a {j}", "is a {j}", "is employed as a {j}", "earns a living as a {j}", "has a job as a {j}",
          "is a {j} by trade", "makes a living as a {j}"]
MARRIED_VP = ["is married", "has a spouse", "is happily married", "has a wife", "has a husband", "got married years ago",
              "is a married person"]
SINGLE_VP = ["is not married", "is single", "has no spouse", "is unmarried", "has never married", "does not have a spouse",
             "is not yet married"]
AGE_MOD = ["a {a}-year-old", "aged {a}", "age {a}"]
JOB_MOD = ["a {j}", "by trade a {j}", "a {j} by profession"]
CITY_MOD = ["from {c}", "of {c}", "living in {c}"]
INTRO = ["{n}", "{n}", "{n}", "Our neighbour {n}", "A person called {n}", "Someone named {n}", "My friend {n}",
         "Here is {n}. {n}", "This note is about {n}. {n}"]
AGAIN = ["{n}", "This person", "{n}", "The same person"]
FILLER = ["Here are the details.", "Some facts follow.", "Nothing else is known.", "That is all for now.",
          "It was a quiet week.", "The note is short."]

KEYS = {"name": ["Name", "Full name", "Person", "Who"], "age": ["Age", "Years", "Age in years"],
        "city": ["City", "Home town", "Lives in", "Town", "Location"], "job": ["Job", "Occupation", "Works as", "Profession", "Role"]}
KV_SEPS = ["\n", "; ", ", ", " | ", " / "]
KV_DELIMS = [": ", " = "]


def _fill(template, p):
    return template.format(a=p["age"], c=p["city"], j=p["job"])


def _verb_phrase(rng, p, field):
    if field == "married":
        return rng.choice(MARRIED_VP if p["married"] else SINGLE_VP)
    return _fill(rng.choice({"age": AGE_VP, "city": CITY_VP, "job": JOB_VP}[field]), p)


def _join(rng, parts):
    if len(parts) == 1:
        return parts[0]
    last = rng.choice([" and ", ", and "]) if len(parts) > 2 else " and "
    return ", ".join(parts[:-1]) + last + parts[-1]


def _clauses(rng, p):
    """The subject, then the fields as verb phrases in a random order, in one to three sentences."""
    fields = ["age", "city", "job", "married"]
    rng.shuffle(fields)
    cuts = sorted(rng.sample(range(1, 4), rng.randint(0, 2)))
    groups, last = [], 0
    for c in cuts + [4]:
        groups.append(fields[last:c])
        last = c
    sentences = []
    for i, g in enumerate(groups):
        subject = rng.choice(INTRO if i == 0 else AGAIN).format(n=p["name"])
        sentences.append(subject + " " + _join(rng, [_verb_phrase(rng, p, f) for f in g]) + ".")
    return " ".join(sentences)


def _appositive(rng, p):
    """'{n}, a 34-year-old pilot from X, ...': some fields as modifiers after the name, the rest as verb phrases."""
    fields = ["age", "city", "job"]
    rng.shuffle(fields)
    k = rng.randint(1, 3)
    mods = {"age": AGE_MOD, "city": CITY_MOD, "job": JOB_MOD}
    apposed = [_fill(rng.choice(mods[f]), p) for f in fields[:k]]
    rest = fields[k:] + ["married"]
    rng.shuffle(rest)
    head = rng.choice(["{n}", "{n}", "Our neighbour {n}"]).format(n=p["name"])
    return head + ", " + ", ".join(apposed) + ", " + _join(rng, [_verb_phrase(rng, p, f) for f in rest]) + "."


LEAD = {"city": ["In {c},", "Living in {c},", "Over in {c},"], "age": ["At {a},", "At the age of {a},"],
        "job": ["A {j} by trade,", "As a {j},"]}


def _lead(rng, p):
    """'At 34, {n} ...' / 'In X, {n} ...': one field before the name, the rest as verb phrases after it."""
    first = rng.choice(list(LEAD))
    rest = [f for f in ["age", "city", "job", "married"] if f != first]
    rng.shuffle(rest)
    lead = _fill(rng.choice(LEAD[first]), p)
    return lead + " " + p["name"] + " " + _join(rng, [_verb_phrase(rng, p, f) for f in rest]) + "."


def _key_values(rng, p):
    order = ["name", "age", "city", "job", "married"]
    if rng.random() < 0.6:
        rng.shuffle(order)
    delim = rng.choice(KV_DELIMS)
    status = rng.random() < 0.5
    items = []
    for k in order:
        if k == "married":
            items.append(("Marital status" + delim + ("married" if p["married"] else "single")) if status else
                         (rng.choice(["Married", "Is married", "Spouse"]) + delim + ("yes" if p["married"] else "no")))
        else:
            items.append(rng.choice(KEYS[k]) + delim + str(p[k]))
    return _sep(rng, KV_SEPS).join(items)


def person_sentence(rng, p):
    """One training description of person p built from parts, sometimes with a filler sentence before or after."""
    if BARE_SHARE and rng.random() < BARE_SHARE:
        return _bare_key_values(rng, p)
    if WIDE_SHARE and rng.random() < WIDE_SHARE:
        return _led(rng, p) if rng.random() < 0.75 else _status_tail(rng, p)
    r = rng.random()
    s = _clauses(rng, p) if r < 0.4 else _lead(rng, p) if r < 0.6 else _appositive(rng, p) if r < 0.85 else _key_values(rng, p)
    f = rng.random()
    if f < 0.12:
        s = rng.choice(FILLER) + " " + s
    elif f < 0.24 and "\n" not in s:
        s = s + " " + rng.choice(FILLER)
    return s


# Stage 8e ("wide" shapes, --wide-share): the held-out sentences put a city or a job word before the name; the shapes
# above almost always start with the name. These lead with another field (none with a held-out wording) so that the
# name is found by what it is, not by where it stands.
CITY_CLAUSE = ["{c} is home to {n}", "{c} has a resident called {n}", "The city of {c} has {n} living there",
               "{c}, a quiet city, is home to {n}", "{c} is the home town of {n}"]
SUBJECT_HEAD = {"city": ["From {c}, {n}", "Born and raised in {c}, {n}"],
                "job": ["Our {j} {n}", "Local {j} {n}", "A {j}, {n},", "A {j} called {n}", "Working as a {j}, {n}", "{J} {n}"],
                "age": ["{a}-year-old {n}", "Aged {a}, {n}", "At age {a}, {n}"]}
JOINERS = [". ", "; ", ". ", "; and "]
STATUS_TAIL = {True: ["married", "a married {j}", "with a spouse"], False: ["single", "unmarried", "without a spouse"]}
WIDE_SHARE = 0.0


def _head(rng, p, table):
    return rng.choice(table).format(n=p["name"], a=p["age"], c=p["city"], j=p["job"], J=p["job"].capitalize())


def _led(rng, p):
    """A city, a job word or an age before the name: a clause about the city ('Kelu is home to X Y'), or a subject
    with the field in front ('Our pilot X Y', 'Aged 34, X Y'), then the other fields as verb phrases, in one clause or
    two joined by a full stop or a semicolon."""
    first = rng.choice(["city", "city", "job", "job", "age"])
    rest = [f for f in ["age", "city", "job", "married"] if f != first]
    rng.shuffle(rest)
    if first == "city" and rng.random() < 0.6:
        text = _head(rng, p, CITY_CLAUSE)
    else:
        cut = rng.randint(1, len(rest))
        text = _head(rng, p, SUBJECT_HEAD[first]).rstrip(",") + " " + _join(rng, [_verb_phrase(rng, p, f) for f in rest[:cut]])
        rest = rest[cut:]
    if rest:
        joiner = rng.choice(JOINERS)
        again = rng.choice(["{n}", "{n}", "This person"] + (["This {j}"] if first == "job" else []))
        again = again.format(n=p["name"], j=p["job"])
        if joiner.startswith(";") and again.startswith("This"):
            again = "t" + again[1:]
        text += joiner + again + " " + _join(rng, [_verb_phrase(rng, p, f) for f in rest])
    return text + "."


def _status_tail(rng, p):
    """Fields as modifiers of the name and the marital status as a bare word at the end ('X Y, 34, a pilot in Kelu;
    single.')."""
    mods = [str(p["age"]), _fill(rng.choice(JOB_MOD), p), _fill(rng.choice(CITY_MOD), p)]
    rng.shuffle(mods)
    sep = rng.choice(["; ", ", ", ". "])
    tail = _fill(rng.choice(STATUS_TAIL[p["married"]]), p)
    return p["name"] + ", " + ", ".join(mods) + sep + (tail.capitalize() if sep == ". " else tail) + "."


FACT_CORES = {
    "capital": ["What's the capital of {c}?", "What is {c}'s capital?", "Which city serves as the capital of {c}?",
                "The capital of {c} is what?", "Can you name the capital of {c}?", "I want to know the capital of {c}.",
                "For {c}, what is the capital?", "{c}: which city is its capital?"],
    "language": ["What language is used in {c}?", "Which language do people in {c} use?", "What is the main language of {c}?",
                 "What do they speak in {c}?", "Tell me which language people speak in {c}.", "For {c}, what is the language?",
                 "{c}: which language do people speak?"],
    "currency": ["What's the currency in {c}?", "What do people pay with in {c}?", "Which money do people use in {c}?",
                 "What is the money of {c} called?", "What currency is used in {c}?", "Tell me the currency of {c}.",
                 "For {c}, what is the currency?", "{c}: which currency do people use?"],
}
READ_CORES = {
    "city": ["What city does {n} live in?", "Which city is home to {n}?", "{n} lives in which city?", "Where is {n}'s home?",
             "Tell me where {n} lives.", "Where is {n} from?"],
    "job": ["What is {n}'s job?", "What work does {n} do?", "What is {n}'s profession?", "{n} works as what?",
            "Which job does {n} have?", "Tell me what {n} does for a living."],
    "age": ["What age is {n}?", "How old is {n} now?", "Tell me the age of {n}.", "What is {n}'s age?", "How old is {n} today?"],
}
Q_PREFIX = ["Quick question. ", "Hi! ", "I have a question. ", "Help me out. ", "One more thing. "]
Q_SUFFIX = [" Thanks.", " Please answer in one sentence.", " I need to know.", " Thank you."]


def question(rng, core_pool, base_pool, **fmt):
    """A question from the base templates or the compositional cores, sometimes with a prefix or a suffix."""
    q = rng.choice(core_pool if rng.random() < 0.5 else base_pool).format(**fmt)
    r = rng.random()
    if r < 0.15:
        q = rng.choice(Q_PREFIX) + q
    elif r < 0.3:
        q = q + rng.choice(Q_SUFFIX)
    return q


EXTRACT_VERBS = ["Extract", "Return", "Give", "Write", "Output", "Produce", "Make"]
EXTRACT_OBJECTS = ["JSON", "the JSON", "a JSON object", "the person as JSON", "JSON for the person", "a JSON object for this person"]
EXTRACT_LAYOUTS = ["{i}.\n{s}", "{i}: {s}", "{s}\n{i}.", "{s} {i}.", "{i} from this text.\n{s}"]


def extract_prompt(rng, s):
    if INSTRUCT_SHARE and rng.random() < INSTRUCT_SHARE:
        return rng.choice(EXTRACT_PROMPTS_MORE).format(s=s)
    instr = rng.choice(EXTRACT_VERBS) + " " + rng.choice(EXTRACT_OBJECTS)
    return rng.choice(EXTRACT_LAYOUTS).format(i=instr, s=s)


FACT_TEXT_MORE = {
    "capital": ["{c} has its capital in \x00.", "The government of {c} sits in \x00.", "The largest city and capital of {c} is \x00."],
    "language": ["Children in {c} learn \x00 at school.", "The main language in {c} is \x00.", "Everyone in {c} can speak \x00."],
    "currency": ["Shops in {c} take the \x00.", "The money of {c} is the \x00.", "People in {c} save and spend the \x00."],
}
PERSON_TAILS_MORE = ["{name}, a {job}, lives in {city}.", "{name} has worked as a {job} in {city} for years.",
                     "In {city}, {name} is known as a {job}."]

# Stage 8e (--wide-share): questions, fact sentences and infilling tails in further shapes: a topic in front
# ("In X, ..."), terse questions ("X's capital?"), a possessive, the value before the country.
FACT_CORES_WIDE = {
    "capital": ["{c}'s capital?", "In {c}, which city is the capital?", "Say, what is the capital of {c}?",
                "Name of the capital of {c}?", "The capital of {c}, please?", "Which city does {c} govern itself from?"],
    "language": ["{c}'s language?", "In {c}, which language do people use?", "Which language would I hear in {c}?",
                 "Spoken language of {c}?", "The language of {c}, please?"],
    "currency": ["{c}'s currency?", "In {c}, what do people pay with?", "Which currency would I spend in {c}?",
                 "Cash in {c} is called what?", "The currency of {c}, please?"],
}
READ_CORES_WIDE = {
    "city": ["{n}'s city?", "{n} lives in what city?", "Home city of {n}?", "Which place is {n}'s home?"],
    "job": ["{n}'s job?", "{n} does what for a living?", "Job of {n}?", "What kind of work does {n} do?"],
    "age": ["{n}'s age?", "Age of {n}?", "{n} has what age?", "How many years has {n} lived?"],
}
FACT_TEXT_WIDE = {
    "capital": ["\x00, the capital of {c}, is a busy city.", "Of all the cities in {c}, \x00 is the capital.",
                "Ask anyone in {c} and they will name \x00 as the capital."],
    "language": ["\x00 is the language most people in {c} use.", "Schools in {c} teach in \x00.",
                 "Newspapers in {c} are printed in \x00."],
    "currency": ["The \x00 is what people in {c} pay with.", "Coins and notes of {c} are in the \x00.",
                 "A meal in {c} costs a few \x00."],
}
PERSON_TAILS_WIDE = ["{name}, the {job}, is well known in {city}.", "Ask for the {job} {name} in {city}.",
                     "{city} has a {job} named {name}."]

# Stage 8f (--mid-share): infilling passages whose span stands inside the sentence, with words after it, so that a
# span ends where its value ends (a language, a capital, a name) and not at a full stop.
FACT_TEXT_MID = {
    "capital": ["\x00 is the capital of {c} and its biggest city.", "The capital of {c}, \x00, lies on a wide river.",
                "The capital of {c} is \x00 and it has many parks.", "Trains from all over {c} run to \x00 every hour."],
    "language": ["People in {c} speak \x00 with their friends.", "Families in {c} speak \x00 every day.",
                 "In {c}, people speak \x00 in the shops and streets.", "The people of {c} use \x00 for work and school."],
    "currency": ["People in {c} pay with the \x00 in most shops.", "The currency of {c} is the \x00, used for a long time.",
                 "In {c}, the \x00 buys bread and milk.", "Workers in {c} are paid in the \x00 each month."],
}
PERSON_TAILS_MID = ["People in {city} often ask {name} for help as a {job}.", "Last year {name} worked in {city} as a {job} for a month.",
                    "Each morning {name} leaves home in {city} to work as a {job}.", "The town of {city} is proud of {name}, its {job}."]
MID_SHARE = 0.0


# Stage 8h (--instruct-share, --bare-share): on held-out instructions the model took a word of the instruction for
# the city ("please", "Read"), and in key-value lists it read a bare "single" item as married. These instructions
# carry polite words, leading verbs and mentions of the text in other wordings; the key-value lists end or mix in a
# bare marital word. None is a held-out wording (check_disjoint).
EXTRACT_PROMPTS_MORE = [
    "Please extract JSON from this text: {s}", "Please give the JSON.\n{s}", "Could you please turn this into JSON? {s}",
    "{s}\nPlease write this as JSON.", "Look at the text below and write JSON.\n{s}", "Take this note and return a JSON object: {s}",
    "Study the sentence and produce JSON.\n{s}", "Go through the text and give me JSON.\n{s}", "Kindly convert to JSON: {s}",
    "Convert the text to JSON, thanks.\n{s}", "Parse this into JSON: {s}", "I need JSON for this text. {s}",
    "Text: {s}\nTask: write JSON.", "Describe the person below as JSON.\n{s}", "Check the note and fill in JSON: {s}",
    "Here is a text. Write its JSON.\n{s}", "Now give JSON, thank you: {s}", "Use the text to build JSON.\n{s}",
]
BARE_STATUS = {True: ["married", "Married", "a married person", "has a spouse"],
               False: ["single", "Single", "unmarried", "not married", "no spouse"]}
BARE_SEPS = ["; ", ", ", " | ", "\n"]  # not ". ": full-stop-separated key-value lists are the held-out shape
INSTRUCT_SHARE = 0.0
BARE_SHARE = 0.0


# Stage 8m (--passage-noise): key-value items also joined by separators that no other stage uses, so that the
# separator is seen as a mere divider; ". " stays out (the held-out key-value shape).
SEPS_MORE = [" - ", " // ", " \u00b7 ", " -- ", " > ", " ~ ", " + ", " ;; ", "\n- ", " * "]
SEP_MORE_SHARE = 0.0


def _sep(rng, seps):
    """A separator from seps, or (with probability SEP_MORE_SHARE) from SEPS_MORE; no extra draw when the share is 0."""
    return rng.choice(_either(rng, SEP_MORE_SHARE, seps, SEPS_MORE))


def _bare_key_values(rng, p, statuses=None, sep=None, at_end=0.7, first=1):
    """A key-value list whose marital item is a bare word ('Name: X; Age: 34; City: Y; single'): the word from
    statuses (default BARE_STATUS), last with probability at_end and otherwise at a random place from index first,
    the items joined by sep(rng) (default: a BARE_SEPS separator through _sep)."""
    keys = ["name", "age", "city", "job"]
    if rng.random() < 0.5:
        rng.shuffle(keys)
    delim = rng.choice(KV_DELIMS)
    items = [rng.choice(KEYS[k]) + delim + str(p[k]) for k in keys]
    word = (statuses or BARE_STATUS)[p["married"]]
    items.insert(len(items) if rng.random() < at_end else rng.randint(first, len(items)), rng.choice(word))
    return (sep(rng) if sep else _sep(rng, BARE_SEPS)).join(items)


def wide(rng, pool, wide_pool):
    """pool, or (with probability WIDE_SHARE) wide_pool; draws nothing from rng when WIDE_SHARE is 0, so the stages
    before 8e generate the same rows."""
    return _either(rng, WIDE_SHARE, pool, wide_pool)


def mid(rng, pool, mid_pool):
    """pool, or (with probability MID_SHARE) mid_pool; draws nothing from rng when MID_SHARE is 0 (stages before 8f)."""
    return _either(rng, MID_SHARE, pool, mid_pool)


def _either(rng, share, pool, other):
    """other with probability share, else pool; no draw from rng when share is 0."""
    return other if share and rng.random() < share else pool


# Words that mark the held-out templates; none may appear in this module's wordings.
HELD_OUT_MARKERS = ["comes from", "is where", "JSON please", "the record", "Capital city of", "which city as its",
                    "what language is spoken", "talk in", "travel to", "Money used", "which town", "occupation of",
                    "is how old", "Visitors to", "at home", "Prices in", "Everyone in {city} knows", "Meet "]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def check_disjoint():
    """Asserts that no wording of this module (every string in its module-level lists and tables) contains a marker
    of a held-out template. corpus.py calls it on import."""
    for name, value in globals().items():
        if name == "HELD_OUT_MARKERS" or name.startswith("_"):
            continue
        for w in _strings(value):
            for marker in HELD_OUT_MARKERS:
                assert marker.lower() not in w.lower(), (name, w, marker)


# Stage 8i (--relation-share): on held-out questions the model answered another relation than the one asked ("What is
# the occupation of X?" got where X lives; "Money used in Y?" got Y's capital): its questions came from a few dozen
# whole templates, so it keyed on their shapes. These questions are composed from a frame and one of several words for
# the relation, so that the relation word, wherever it stands, decides the answer. A composed question that contains a
# held-out marker is drawn again (`relation_question`), so no held-out template is ever produced.
RELATION_NOUNS = {
    "city": ["city", "town", "home town", "home", "place of residence", "location", "home city"],
    "job": ["job", "work", "profession", "occupation", "trade", "line of work", "career", "kind of work"],
    "age": ["age", "age in years", "current age"],
    "capital": ["capital", "capital city", "seat of government", "main city"],
    "language": ["language", "main language", "spoken language", "tongue", "national language"],
    "currency": ["currency", "money", "national currency", "kind of money", "cash"],
}
RELATION_FRAMES = ["What is the {r} of {x}?", "What is {x}'s {r}?", "{x}'s {r}?", "{R} of {x}?", "Tell me the {r} of {x}.",
                   "Do you know {x}'s {r}?", "I would like to know the {r} of {x}.", "Name the {r} of {x}.", "{x}: {r}?",
                   "Give me {x}'s {r}.", "What about the {r} of {x}?", "Any idea what {x}'s {r} is?",
                   "Could you tell me the {r} of {x}?", "And {x}'s {r}?", "The {r} of {x} is what?",
                   "About {x}: what is the {r}?", "Regarding {x}, what is the {r}?", "Which {r} does {x} have?",
                   "What {r} does {x} have?", "Please state the {r} of {x}.", "{x} and its {r}?"]
RELATION_VERBS = {
    "city": ["Where does {x} reside?", "{x} resides where?", "In what place does {x} live?", "{x} lives where?",
             "Where has {x} settled?", "{x} is based where?", "Where can I find {x}?", "Where does {x} make a home?"],
    "job": ["What does {x} do?", "{x} does what job?", "How does {x} earn a living?", "{x} is employed as what?",
            "What is {x} employed as?", "What kind of job does {x} have?", "{x} earns money how?",
            "What does {x} do all day at work?"],
    "age": ["How old is {x}?", "{x} is what age?", "How many years old is {x}?", "{x} is how many years old?",
            "At what age is {x} now?", "How many birthdays has {x} had?", "What age has {x} reached?"],
    "capital": ["Which city is {x} governed from?", "Where is the capital of {x}?", "Which city is {x}'s capital?",
                "From which city is {x} run?", "What city does {x} have as its seat of government?"],
    "language": ["What do people speak in {x}?", "In {x}, people speak what?", "{x} speaks which language?",
                 "Which tongue is heard in {x}?", "What do they speak over in {x}?", "Which language will I hear in {x}?"],
    "currency": ["What do you pay with in {x}?", "What money do I need in {x}?", "What cash do people carry in {x}?",
                 "When in {x}, which currency should I use?", "{x} uses which currency?", "What is the local money in {x}?",
                 "Which coins and notes are used in {x}?"],
}
RELATION_SHARE = 0.0

# Stage 8j (--relation-more): on the step-16,926 model the person questions of the new phrasing were answered with
# the person's job whatever they asked (2 of 13 cities and 2 of 12 ages right): "from" followed a name only in
# "{name} is a {job} from {city}", and the age questions put the name first in a single frame. These frames ask for the
# city with "from" and for the age with the name first, in wordings that differ from the held-out templates.
RELATION_VERBS_MORE = {
    "city": ["Where is {x} from?", "{x} is from where?", "What place is {x} from?", "{x} is from what place?",
             "From what city is {x}?", "{x} hails from where?", "Where is {x} from originally?"],
    "job": ["{x} works as what?", "{x} has what job?", "{x} does what for a living?"],
    "age": ["{x} is what age now?", "{x} is aged how many years?", "{x}: how old?", "Tell me how old {x} is.",
            "{x} has an age of what?", "{x} is how many years of age?", "How old would {x} be?"],
    "capital": [], "language": [], "currency": [],
}
RELATION_MORE = False


def relation_question(rng, relation, x):
    """A question about relation ("city", "job", "age", "capital", "language", "currency") of x (a person or a
    country), from a frame and a relation word or a relation's own verb frame, sometimes with a prefix or a suffix;
    never one that contains a held-out marker."""
    while True:
        r = ""
        if rng.random() < 0.6:
            r = rng.choice(RELATION_NOUNS[relation])
            q = rng.choice(RELATION_FRAMES).format(r=r, R=r[0].upper() + r[1:], x=x)
        else:
            verbs = RELATION_VERBS[relation] + RELATION_VERBS_MORE[relation] if RELATION_MORE else RELATION_VERBS[relation]
            q = rng.choice(verbs).format(x=x)
        if question_noise.NOISE_SHARE and rng.random() < question_noise.NOISE_SHARE:
            q = question_noise.noisy(rng, q, [x, r, r[:1].upper() + r[1:]])
        u = rng.random()
        if u < 0.15:
            q = rng.choice(Q_PREFIX) + q
        elif u < 0.3:
            q = q + rng.choice(Q_SUFFIX)
        low = q.lower()
        if not any(m.lower() in low for m in HELD_OUT_MARKERS) and "json" not in low:
            return q
