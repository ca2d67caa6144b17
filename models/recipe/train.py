"""Trains the embedded default model: a small LLaDA-architecture masked diffusion LM.

  /usr/bin/python3 models/recipe/train.py --work models/recipe/work --minutes 60   # resumable
  /usr/bin/python3 models/recipe/train.py --work models/recipe/work --export models/checkpoint

Objective as LLaDA's: a random mask ratio t ~ U(eps, 1) per row, cross-entropy on masked positions
weighted by 1/t; chat SFT rows mask only the answer (answer + <|eot_id|> + <|endoftext|> padding, so
the model chooses its length); unconditioned text rows mask everywhere but BOS.
"""
import argparse
import json
import math
import os
import random
import shutil
import time

import torch
import torch.nn.functional as F

import bpe
import corpus
import model as M
import safetensors_io

T = 112
HOLE_PAD = 10  # most EOS positions after an infilling span inside its hole
SYSTEM_LINES = ["You are a helpful assistant.", "You are a concise assistant.", "Answer in one short sentence.",
                "Be brief and accurate.", "You answer questions about people and places.", "Reply with plain text."]
T_MIN = 0.1  # lower bound of the mask ratio: caps the 1/t weight at 10 (variance of small batches)
CONFIG = {
    "architectures": ["LLaDAModelLM"], "model_type": "llada", "d_model": 256, "n_heads": 4, "n_kv_heads": 4,
    "n_layers": 4, "mlp_hidden_size": 640, "rope_theta": 10000.0, "rms_norm_eps": 1e-5,
    "max_sequence_length": 256, "weight_tying": False, "include_bias": False, "block_type": "llama",
    "layer_norm_type": "rms",
}
BPE_VOCAB = 1536


class Data:
    def __init__(self, tok, short_pad=12, context_share=0.0):
        self.tok = tok
        self.short_pad = short_pad
        self.context_share = context_share
        s = tok.special
        self.bos, self.eos, self.mask = s["<|startoftext|>"], s["<|endoftext|>"], s["<|mdm_mask|>"]
        self.sh, self.eh, self.eot = s["<|start_header_id|>"], s["<|end_header_id|>"], s["<|eot_id|>"]

    def turn(self, role, text):
        t = self.tok
        return [self.sh] + t.encode(role, False) + [self.eh] + t.encode("\n\n" + text.strip(), False) + [self.eot]

    def chat_prompt(self, prompt, earlier=()):
        """The runtime's Llama-3 layout: earlier (role, text) turns (a system line, a previous question and answer),
        then the user's prompt and the open assistant header."""
        ids = [self.bos]
        for role, text in earlier:
            ids += self.turn(role, text)
        return ids + self.turn("user", prompt) + [self.sh] + self.tok.encode("assistant", False) + [self.eh] + self.tok.encode("\n\n", False)

    def row(self, ex, rng=None):
        """Returns (ids, first trainable position, end of the trainable range) padded with EOS to T, or None when too
        long. Infilling rows hold the span followed by EOS padding inside the hole (up to HOLE_PAD extra positions), the
        layout the runtime decodes a hole in, and train only the hole."""
        if ex["task"] == "text":
            ids = [self.bos] + self.tok.encode(ex["text"], False)
            start, end = 1, T
        elif ex["task"] == "infill":
            before = [self.bos] + self.tok.encode(ex["before"], False)
            span = self.tok.encode(ex["span"], False)
            pad = (rng or random).randint(0, HOLE_PAD)
            ids = before + span + [self.eos] * pad + self.tok.encode(ex["after"], False)
            start, end = len(before), len(before) + len(span) + pad
        else:
            p = self.chat_prompt(ex["prompt"], ex.get("earlier", ()))
            ids = p + self.tok.encode(ex["answer"], False) + [self.eot]
            start, end = len(p), T
        if len(ids) > T:
            return None
        return ids + [self.eos] * (T - len(ids)), start, end

    def with_earlier_turns(self, rng, ex):
        """A chat, fact or extraction example with turns before its question (--context-share, from stage 8d); a
        quarter of them ask a greeting instead, which the plain mix rarely puts after a first exchange."""
        if ex["task"] in ("text", "infill") or rng.random() >= self.context_share:
            return ex
        if rng.random() < 0.25:
            ex = corpus.greeting_example(rng)
        return dict(ex, earlier=self.earlier_turns(rng))

    def earlier_turns(self, rng):
        """Turns before the question, as a chat history or an agent's instructions put them: a previous question and
        answer (a fact or a greeting), a system line, or both."""
        turns = []
        if rng.random() < 0.3:
            turns.append(("system", rng.choice(SYSTEM_LINES)))
        if not turns or rng.random() < 0.5:
            prev = corpus.fact_example(rng, "train")
            turns += [("user", prev["prompt"]), ("assistant", prev["answer"])]
        return turns

    def batch(self, rng, n, drill=False, trim=False):
        """A batch of the task mix padded to T (trim: to its longest row plus 2 to short_pad EOS), or of drills
        (corpus.drill_example) padded to their longest row plus a few EOS, which makes a drill step several times
        cheaper than a full one."""
        rows, starts = [], []
        while len(rows) < n:
            if drill:
                ex = corpus.drill_example(rng, "train")
            else:
                ex = corpus.sample(rng, "train")
                if self.context_share:
                    ex = self.with_earlier_turns(rng, ex)
            r = self.row(ex, rng)
            if r is not None:
                rows.append(r[0])
                starts.append(r[1:])
        if drill or trim:
            # Drills, and (--short-share) task batches, end a few EOS after their longest row: the short canvases a
            # caller decodes (an answer of 24 positions), where EOS must not run into the answer.
            used = max(max(i for i, x in enumerate(r) if x != self.eos) + 1 for r in rows) + (4 if drill else rng.randint(2, self.short_pad))
            rows = [r[:used] for r in rows]
            starts = [(s, min(e, used)) for s, e in starts]
        return torch.tensor(rows), torch.tensor(starts)


def loss_fn(m, ids, starts, mask_id, gen):
    B, L = ids.shape
    # Stratified mask ratios over the batch (low variance), t ~ U(T_MIN, 1) per row.
    u = (torch.arange(B).float()[:, None] + torch.rand(B, 1, generator=gen)) / B
    t = T_MIN + (1 - T_MIN) * u[torch.randperm(B, generator=gen)]
    pos = torch.arange(L)[None]
    eligible = (pos >= starts[:, :1]) & (pos < starts[:, 1:])
    masked = (torch.rand(B, L, generator=gen) < t) & eligible
    noisy = torch.where(masked, torch.full_like(ids, mask_id), ids)
    logits, _ = m(noisy)
    ce = F.cross_entropy(logits.view(-1, logits.shape[-1]), ids.view(-1), reduction="none").view(B, L)
    per_row = (ce * masked / t).sum(1) / eligible.sum(1)
    return per_row.mean()


@torch.no_grad()
def reference_decode(m, data, prompts, gen_len, fixed=None):
    """LLaDA reference decoding: one token per step, greedy, lowest confidence remasked."""
    rows = [p + [data.mask] * gen_len for p in prompts] if fixed is None else fixed
    L = max(len(r) for r in rows)
    ids = torch.full((len(rows), L), data.eos)
    att = torch.zeros(len(rows), L, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, L - len(r):] = torch.tensor(r)
        att[i, L - len(r):] = 1
    pos = (att.cumsum(-1) - 1).clamp(min=0)
    while True:
        is_mask = ids == data.mask
        if not is_mask.any():
            break
        logits, _ = m(ids, pos, att)
        p = F.softmax(logits.float(), -1)
        conf, tok = p.max(-1)
        conf = torch.where(is_mask, conf, torch.full_like(conf, -1.0))
        best = conf.argmax(-1)
        for i in range(len(rows)):
            if is_mask[i].any():
                ids[i, best[i]] = tok[i, best[i]]
    return [ids[i, L - len(r):].tolist() for i, r in enumerate(rows)]


def answer_text(data, ids):
    out = []
    for x in ids:
        if x in (data.eot, data.eos):
            break
        out.append(x)
    return data.tok.decode(out).strip()


def hole_budget(data, span):
    """The hole size the in-training check decodes a span in: its tokens plus four positions of padding."""
    return len(data.tok.encode(span, False)) + 4


@torch.no_grad()
def evaluate(m, data, n=20):
    """Reference decoding on the first n held-out items of each task and phrasing (trained / new)."""
    m.eval()
    ex = corpus.heldout_set()
    res = {}
    for phrasing in ("train", "new"):
        sub = [e for e in ex if e.get("phrasing") == phrasing]
        suffix = "" if phrasing == "train" else "_new"
        for task, gen_len in (("extract", 48), ("facts", 24)):
            items = [e for e in sub if e["task"] == task][:n]
            prompts = [data.chat_prompt(e["prompt"]) for e in items]
            outs = reference_decode(m, data, prompts, gen_len)
            ok = sum(answer_text(data, o[len(p):]) == e["answer"] for o, p, e in zip(outs, prompts, items))
            res[task + suffix] = ok / len(items)
        items = [e for e in sub if e["task"] == "infill"][:n]
        fixed, holes = [], []
        for e in items:
            b = [data.bos] + data.tok.encode(e["before"], False)
            k = hole_budget(data, e["span"])
            fixed.append(b + [data.mask] * k + data.tok.encode(e["after"], False))
            holes.append((len(b), k, e["span"]))
        outs = reference_decode(m, data, None, 0, fixed)
        res["infill" + suffix] = sum(answer_text(data, o[a:a + k]) == s for o, (a, k, s) in zip(outs, holes)) / len(items)
    m.train()
    return res


def build_tokenizer(path):
    if os.path.exists(path):
        return bpe.Tokenizer.load(path)
    rng = random.Random(99)
    texts = []
    for _ in range(4000):
        e = corpus.sample(rng, "train")
        texts.append(e["text"] if e["task"] == "text" else e["prompt"] + "\n\n" + e["answer"])
    texts += ["user", "assistant", "\n\n"] * 50
    vocab, merges = bpe.train(texts, BPE_VOCAB, bpe.WORD_REGEX)
    tok = bpe.Tokenizer(vocab, merges, bpe.SPECIAL_TOKENS, bpe.WORD_REGEX)
    tok.save(path)
    return tok


def lr_at(step, total, peak, warmup=300):
    if step < warmup:
        return peak * step / warmup
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total - warmup)))))


def main():
    global T
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="models/recipe/work")
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--total-steps", type=int, default=6000, help="length of the cosine learning-rate schedule (the rate stays at its floor after it)")
    ap.add_argument("--schedule-from", type=int, default=0, help="warm restart: the learning-rate schedule counts steps from here")
    ap.add_argument("--max-steps", type=int, default=None, help="stop at this step (default: --total-steps)")
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--row-tokens", type=int, default=T, help="tokens per training row; longer rows are skipped (112 to stage 7, 136 from stage 8)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--diversify", action="store_true", help="before training, spread apart the collapsed head and embedding "
                    "rows (job words, digits, ...) so that copying them can be learned (see diversify())")
    ap.add_argument("--drill-share", type=float, default=0.0, help="fraction of steps that train on short copy and lookup drills")
    ap.add_argument("--short-share", type=float, default=0.0, help="fraction of task batches trimmed to a few EOS after their longest row (stage 8b)")
    ap.add_argument("--short-pad", type=int, default=12, help="most EOS after the longest row of a trimmed task batch (at least 2)")
    ap.add_argument("--context-share", type=float, default=0.0, help="fraction of chat, fact and extraction rows with earlier turns before the question (a system line, a previous exchange)")
    ap.add_argument("--wide-share", type=float, default=0.0, help="fraction of compositional sentences, questions, fact sentences and infilling tails drawn from the stage-8e shapes (phrasing.py: a city, job or age before the name; topic-first and terse questions)")
    ap.add_argument("--mid-share", type=float, default=0.0, help="fraction of infilling passages drawn from the stage-8f shapes (phrasing.py: the span inside the sentence, words after it)")
    ap.add_argument("--instruct-share", type=float, default=0.0, help="fraction of compositional extraction instructions drawn from the stage-8h wordings (phrasing.py: polite words, leading verbs)")
    ap.add_argument("--bare-share", type=float, default=0.0, help="fraction of compositional person sentences that are key-value lists with a bare marital word (stage 8h)")
    ap.add_argument("--keep-checkpoints", action="store_true", help="also keep each evaluation's checkpoint as ckpt-STEP.pt in the work folder (for --average)")
    ap.add_argument("--average", nargs="+", metavar="CKPT", help="with --export: export the mean of these work checkpoints' weights (stage 8j)")
    ap.add_argument("--relation-more", action="store_true", help="stage 8j: more city ('from') and age frames in the composed questions (phrasing.RELATION_VERBS_MORE)")
    ap.add_argument("--person-fact-share", type=float, default=0.45, help="share of fact rows about a person in a passage (stage 8j: 0.6)")
    ap.add_argument("--fact-share", type=float, default=0.0, help="share of task rows drawn as fact rows before the usual mix (stage 8k: 0.3)")
    ap.add_argument("--question-noise", type=float, default=0.0, help="fraction of composed questions with filler words put in and a short word left out (stage 8l: question_noise.py)")
    ap.add_argument("--passage-noise", type=float, default=0.0, help="fraction of training extraction rows with filler words in the passage, sometimes a heading line, and half of them under a composed instruction; with it, 30%% of key-value lists take separators no other stage uses (stage 8m: passage_noise.py, phrasing.SEPS_MORE)")
    ap.add_argument("--passage-more", type=float, default=0.0, help="fraction of training extraction rows whose passage has the marital status as a capitalised sentence or item of its own, or opens with the city (half the time under a heading word); half of them under a composed instruction (stage 8o: passage_more.py)")
    ap.add_argument("--relation-share", type=float, default=0.0, help="fraction of training questions composed from a frame and a relation word (stage 8i: phrasing.relation_question)")
    ap.add_argument("--init-from", default=None, help="start from this exported checkpoint's weights and tokenizer when work/ has no ckpt.pt")
    ap.add_argument("--start-step", type=int, default=None, help="step count of the --init-from checkpoint (for the LR schedule); default: its training_log.json")
    ap.add_argument("--export", default=None, help="write the Hugging Face-style checkpoint here and exit")
    ap.add_argument("--transfer-from", default=None, help="start a fresh run (new tokenizer) from this exported checkpoint: "
                    "transformer blocks copied, embedding and head rows mapped by token text")
    a = ap.parse_args()
    if a.short_pad < 2:
        ap.error(f"--short-pad must be at least 2 (a trimmed batch keeps 2 to --short-pad EOS after its longest row), got {a.short_pad}")
    T = a.row_tokens
    corpus.broad_phrasing.WIDE_SHARE = a.wide_share
    corpus.broad_phrasing.MID_SHARE = a.mid_share
    corpus.broad_phrasing.INSTRUCT_SHARE = a.instruct_share
    corpus.broad_phrasing.BARE_SHARE = a.bare_share
    corpus.broad_phrasing.RELATION_SHARE = a.relation_share
    corpus.broad_phrasing.RELATION_MORE = a.relation_more
    corpus.broad_phrasing.question_noise.NOISE_SHARE = a.question_noise
    corpus.passage_noise.NOISE_SHARE = a.passage_noise
    corpus.passage_more.SHARE = a.passage_more
    corpus.broad_phrasing.SEP_MORE_SHARE = 0.3 if a.passage_noise else 0.0
    corpus.PERSON_FACT_SHARE = a.person_fact_share
    corpus.FACT_SHARE = a.fact_share
    torch.set_num_threads(a.threads)
    os.makedirs(a.work, exist_ok=True)
    torch.manual_seed(0)
    ck = os.path.join(a.work, "ckpt.pt")
    if a.init_from and not os.path.exists(ck) and not os.path.exists(os.path.join(a.work, "tokenizer.json")):
        shutil.copy(os.path.join(a.init_from, "tokenizer.json"), os.path.join(a.work, "tokenizer.json"))
    tok = build_tokenizer(os.path.join(a.work, "tokenizer.json"))
    data = Data(tok, a.short_pad, a.context_share)
    cfg = dict(CONFIG)
    vocab = (tok.size + 63) // 64 * 64
    cfg.update(vocab_size=vocab, embedding_size=vocab, mask_token_id=data.mask, eos_token_id=data.eos,
               pad_token_id=data.eos, bos_token_id=data.bos)
    m = M.LLaDAModelLM(cfg)
    with torch.no_grad():
        for n_, p in m.named_parameters():
            if p.dim() == 2:
                p.normal_(0, 0.02)
    opt = torch.optim.AdamW(m.parameters(), lr=a.lr, betas=(0.9, 0.98), weight_decay=0.01)
    step, rng_state, log = 0, None, []
    if os.path.exists(ck):
        s = torch.load(ck)
        m.load_state_dict(s["model"])
        opt.load_state_dict(s["opt"])
        step, rng_state, log = s["step"], s["rng"], s.get("log", [])
        print(f"resumed at step {step}")
    elif a.transfer_from:
        transfer(m, tok, a.transfer_from)
    elif a.init_from:
        m.load_state_dict(safetensors_io.load_file(os.path.join(a.init_from, "model.safetensors")))
        step = a.start_step
        if step is None:
            with open(os.path.join(a.init_from, "training_log.json")) as f:
                step = json.load(f)["steps"]
        print(f"initialised from {a.init_from} at step {step} (fresh optimizer state)")
    if a.average:
        average(m, a.average, log)
    if a.export:
        export(m, tok, cfg, a.export, step, log)
        return
    if a.diversify:
        diversify(m, tok)
    nparams = sum(p.numel() for p in m.parameters())
    print(f"params {nparams/1e6:.2f}M vocab {vocab} tokens/row {T}", flush=True)
    rng = random.Random(1)
    if rng_state is not None:
        rng.setstate(rng_state)
    gen = torch.Generator().manual_seed(1000 + step)
    t0 = time.time()
    m.train()
    avg = None
    max_steps = a.max_steps if a.max_steps is not None else a.total_steps
    while step < max_steps and time.time() - t0 < a.minutes * 60:
        drill = rng.random() < a.drill_share
        ids, starts = data.batch(rng, a.batch, drill=drill, trim=not drill and rng.random() < a.short_share)
        for g in opt.param_groups:
            g["lr"] = lr_at(step - a.schedule_from, a.total_steps, a.lr)
        loss = loss_fn(m, ids, starts, data.mask, gen)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        step += 1
        avg = loss.item() if avg is None else 0.98 * avg + 0.02 * loss.item()
        if step % 25 == 0:
            print(f"step {step} loss {avg:.4f} lr {lr_at(step - a.schedule_from, a.total_steps, a.lr):.2e} {time.time()-t0:.0f}s", flush=True)
        if step % a.eval_every == 0 or step == max_steps:
            r = evaluate(m, data)
            log.append({"step": step, "loss": avg, "minutes": (time.time() - t0) / 60, **r})
            print("eval", json.dumps(log[-1]), flush=True)
            torch.save({"model": m.state_dict(), "opt": opt.state_dict(), "step": step, "rng": rng.getstate(), "log": log}, ck + ".tmp")
            os.replace(ck + ".tmp", ck)
            if a.keep_checkpoints:
                shutil.copyfile(ck, os.path.join(a.work, f"ckpt-{step}.pt"))
    torch.save({"model": m.state_dict(), "opt": opt.state_dict(), "step": step, "rng": rng.getstate(), "log": log}, ck + ".tmp")
    os.replace(ck + ".tmp", ck)
    print("stopped at step", step)


def diversify(m, tok, threshold=0.8, seed=1):
    """Spreads apart output-head rows (and input-embedding rows) that have collapsed onto a neighbour.

    A model that does not yet copy from the prompt predicts every job word (every digit) with the same probability, so
    the head rows of the class converge to one vector (cosine 0.95 between job words here) and the input rows of digits
    follow (0.69). Then the gradient that would teach copying vanishes: it is proportional to the difference between
    the target's head row and the class mean. Each row with a neighbour above `threshold`, and the job and digit rows,
    becomes half itself plus a random direction of its own norm; copying these tokens is then learned in about a hundred
    drill steps (it was not in thousands before)."""
    gen = torch.Generator().manual_seed(seed)
    special = set(tok.special.values())
    named = {i for w in corpus.JOBS + [str(d) for d in range(10)] for i in tok.encode(w, False)[:1]}
    sd = m.state_dict()
    with torch.no_grad():
        for name in ("model.transformer.ff_out.weight", "model.transformer.wte.weight"):
            w = sd[name]
            rows = w[:tok.size]
            unit = rows / rows.norm(dim=1, keepdim=True).clamp(min=1e-8)
            cos = unit @ unit.T
            cos.fill_diagonal_(-1)
            pick = [i for i in range(tok.size) if i not in special and (cos[i].max() > threshold or i in named)]
            for i in pick:
                r = torch.randn(w.shape[1], generator=gen)
                w[i] = 0.5 * w[i] + 0.9 * w[i].norm() * r / r.norm()
            print(f"diversify: {len(pick)} rows of {name}", flush=True)
    m.load_state_dict(sd)


def transfer(m, tok, source):
    """Copies a trained model into one with another tokenizer: every block weight as is; embedding and head rows for
    tokens whose text exists in both vocabularies (the byte-level text without a leading-space marker falls back to
    the marked one), the rest keep their random initialisation."""
    old_tok = bpe.Tokenizer.load(os.path.join(source, "tokenizer.json"))
    old = safetensors_io.load_file(os.path.join(source, "model.safetensors"))
    own = m.state_dict()
    mapped = 0
    with torch.no_grad():
        for name, value in old.items():
            if name.endswith("wte.weight") or name == "model.transformer.ff_out.weight":
                continue
            own[name].copy_(value)
        for token, new_id in list(tok.token_to_id.items()) + list(tok.special.items()):
            old_id = old_tok.token_to_id.get(token, old_tok.special.get(token))
            if old_id is None:
                old_id = old_tok.token_to_id.get("\u0120" + token)
            if old_id is None:
                continue
            own["model.transformer.wte.weight"][new_id] = old["model.transformer.wte.weight"][old_id]
            own["model.transformer.ff_out.weight"][new_id] = old["model.transformer.ff_out.weight"][old_id]
            mapped += 1
    m.load_state_dict(own)
    print(f"transferred blocks from {source}; {mapped} of {tok.size} token rows mapped by text", flush=True)


def average(m, paths, log):
    """Replaces the weights by the mean of the work checkpoints at paths (weight averaging over checkpoints taken at
    the schedule's floor; stage 8j). The training log records which steps were averaged."""
    states = [torch.load(p, map_location="cpu") for p in paths]
    mean = {k: sum(s["model"][k].double() for s in states) / len(states) for k in states[0]["model"]}
    m.load_state_dict({k: v.to(states[0]["model"][k].dtype) for k, v in mean.items()})
    log.append({"averaged_steps": [s["step"] for s in states]})
    print("averaged the weights of steps", [s["step"] for s in states], flush=True)


def export(m, tok, cfg, out, step, log):
    os.makedirs(out, exist_ok=True)
    safetensors_io.save_file(m.state_dict(), os.path.join(out, "model.safetensors"), {"format": "pt"})
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    tok.save(os.path.join(out, "tokenizer.json"))
    with open(os.path.join(out, "training_log.json"), "w") as f:
        json.dump({"steps": step, "params": sum(p.numel() for p in m.parameters()), "log": log}, f, indent=1)
    print("exported to", out)


if __name__ == "__main__":
    main()
