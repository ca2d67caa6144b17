"""Stage 8l (--question-noise): composed questions with filler words put in and short words left out.

On the committed stage-8j weights a trained passage asked with a question composed as training composes them was
56.7% right, and with a held-out question 31.7% (models/eval/probes): the model answers the relation of the question
shape it recognises, not of the relation word. Here a share of the composed questions (phrasing.relation_question)
gets one to three filler words at random places between its words, and sometimes loses one short function word, so
that no shape is reliable and only the relation word and the name decide the answer. The name and the relation word
are never touched. The result still goes through relation_question's held-out marker check, so no held-out template is
ever produced.
"""

FILLERS = ["exactly", "actually", "now", "again", "really", "please", "then", "so", "just", "currently", "today",
           "by the way", "if you know", "in fact", "okay", "still", "right now", "here", "again please", "kindly"]
DROPPABLE = {"the", "is", "of", "does", "do", "a", "me", "you", "what", "tell"}
NOISE_SHARE = 0.0


def edit_words(text, keep, edit):
    """text split at spaces, changed in place by edit(words), and joined again; the strings in keep stay whole (each
    stands in as one placeholder word while edit runs, so it is never split, dropped or filled into)."""
    keep = sorted((k for k in keep if k and k in text), key=len, reverse=True)
    for i, k in enumerate(keep):
        text = text.replace(k, f"\x01{i}\x01")
    words = text.split(" ")
    edit(words)
    text = " ".join(words)
    for i, k in enumerate(keep):
        text = text.replace(f"\x01{i}\x01", k)
    return text


def noisy(rng, q, keep):
    """q with one to three fillers between its words and, in a third of the cases, one droppable word left out; the
    strings in keep (the subject, the relation word) stay whole and in place."""
    return edit_words(q, keep, lambda words: _fill_and_drop(rng, words))


def _fill_and_drop(rng, words):
    """Drops a droppable word (a third of the time) and puts in one to three fillers, in place."""
    if rng.random() < 0.33:
        drop = [i for i, w in enumerate(words) if w.lower() in DROPPABLE and len(words) > 3]
        if drop:
            i = rng.choice(drop)
            first = i == 0
            del words[i]
            if first:
                words[0] = words[0][:1].upper() + words[0][1:]
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(1, len(words))
        filler = rng.choice(FILLERS)
        if at == len(words):
            last = words[-1]
            tail = last[-1] if last and last[-1] in "?." else ""
            words[-1] = last[:-1] if tail else last
            words.append(filler + tail)
        else:
            words.insert(at, filler)


if __name__ == "__main__":
    import random
    rng = random.Random(0)
    for q, keep in [("What is the town of Bith Boudromi?", ["Bith Boudromi", "town"]),
                    ("Where does Sou Giroukel reside?", ["Sou Giroukel"]), ("Tell me the capital of Meinir.", ["Meinir", "capital"])]:
        for _ in range(4):
            print(noisy(rng, q, keep))
