"""Writes tiny random checkpoints in LLaDA's and Dream's Hugging Face layouts, with golden outputs of the
reference forward pass (model.py), for the C# builder's parity tests.

Run by hand: /usr/bin/python3 models/recipe/make_fixtures.py tests/fixtures
"""
import json
import os
import sys

import torch

import bpe
import model as M
import safetensors_io

TEXT = [
    "The quick brown fox jumps over the lazy dog. 0123456789",
    'Extract JSON: {"name": "Mira Tolvan", "age": 34, "city": "Brevik"}',
    "héllo wörld 日本語 🎉 diffusion models denoise masked tokens in parallel",
]


def randomize(m, gen):
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.endswith("norm.weight") or name.endswith("ln_f.weight") or "layernorm" in name:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=gen))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.15 * torch.randn(p.shape, generator=gen))


def golden(m, vocab, mask_id, pad_id, gen, split):
    B, S = 2, 10
    ids = torch.randint(0, vocab, (B, S), generator=gen)
    ids[0, 5:8] = mask_id
    ids[1, 6:] = mask_id
    att = torch.ones(B, S, dtype=torch.long)
    att[1, :3] = 0
    ids[1, :3] = pad_id
    pos = (att.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        logits, presents = m(ids, pos, att)
        past = [(k[:, :, :split], v[:, :, :split]) for k, v in presents]
        part, _ = m(ids[:, split:], pos[:, split:], att, past)
    err = (part - logits[:, split:]).abs().max().item()
    assert err < 1e-5, f"reference cache split disagrees with the full pass: {err}"
    return {
        "input_ids": ids.tolist(),
        "position_ids": pos.tolist(),
        "attention_mask": att.tolist(),
        "cache_split": split,
        "logits": logits.tolist(),
    }


def tokenizer(specials):
    vocab, merges = bpe.train(TEXT, 290)
    return bpe.Tokenizer(vocab, merges, specials)


def make_llada(out):
    os.makedirs(out, exist_ok=True)
    tok = tokenizer(bpe.SPECIAL_TOKENS)
    tok.save(os.path.join(out, "tokenizer.json"))
    ids = tok.special
    cfg = {
        "architectures": ["LLaDAModelLM"], "model_type": "llada", "d_model": 32, "n_heads": 4, "n_kv_heads": 4,
        "n_layers": 2, "mlp_hidden_size": 64, "vocab_size": 320, "embedding_size": 320, "rope_theta": 10000.0,
        "rms_norm_eps": 1e-5, "max_sequence_length": 64, "weight_tying": False, "include_bias": False,
        "block_type": "llama", "layer_norm_type": "rms", "mask_token_id": ids["<|mdm_mask|>"],
        "eos_token_id": ids["<|endoftext|>"], "pad_token_id": ids["<|endoftext|>"], "bos_token_id": ids["<|startoftext|>"],
    }
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=1)
    gen = torch.Generator().manual_seed(1234)
    m = M.LLaDAModelLM(cfg)
    randomize(m, gen)
    safetensors_io.save_file(m.state_dict(), os.path.join(out, "model.safetensors"), {"format": "pt"})
    g = golden(m, 320, cfg["mask_token_id"], cfg["pad_token_id"], gen, 4)
    json.dump(g, open(os.path.join(out, "golden.json"), "w"))


def make_dream(out):
    os.makedirs(out, exist_ok=True)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|mask|>"]
    tok = tokenizer(specials)
    # Dream ships vocab.json + merges.txt + tokenizer_config.json rather than tokenizer.json.
    json.dump(tok.token_to_id, open(os.path.join(out, "vocab.json"), "w", encoding="utf-8"), ensure_ascii=False)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in tok.merges:
            f.write(f"{a} {b}\n")
    tc = {
        "added_tokens_decoder": {str(i): {"content": t, "special": True, "lstrip": False, "rstrip": False, "normalized": False, "single_word": False} for t, i in tok.special.items()},
        "bos_token": None, "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>", "mask_token": "<|mask|>",
        "tokenizer_class": "DreamTokenizer",
    }
    json.dump(tc, open(os.path.join(out, "tokenizer_config.json"), "w"), indent=1)
    ids = tok.special
    cfg = {
        "architectures": ["DreamModel"], "model_type": "Dream", "hidden_size": 32, "num_attention_heads": 4,
        "num_key_value_heads": 2, "num_hidden_layers": 2, "intermediate_size": 48, "vocab_size": 304,
        "rope_theta": 1000000.0, "rms_norm_eps": 1e-6, "max_position_embeddings": 64, "tie_word_embeddings": False,
        "mask_token_id": ids["<|mask|>"], "eos_token_id": ids["<|endoftext|>"], "pad_token_id": ids["<|endoftext|>"],
        "bos_token_id": ids["<|endoftext|>"],
    }
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=1)
    gen = torch.Generator().manual_seed(5678)
    m = M.DreamModel(cfg)
    randomize(m, gen)
    sd = m.state_dict()
    # Sharded, as Dream-7B ships: layers 0 in shard 1, the rest in shard 2.
    names = sorted(sd)
    first = [n for n in names if "layers.0." in n or "embed_tokens" in n]
    second = [n for n in names if n not in first]
    safetensors_io.save_file({n: sd[n] for n in first}, os.path.join(out, "model-00001-of-00002.safetensors"))
    safetensors_io.save_file({n: sd[n] for n in second}, os.path.join(out, "model-00002-of-00002.safetensors"))
    index = {"metadata": {"total_size": sum(sd[n].numel() * 4 for n in names)},
             "weight_map": {**{n: "model-00001-of-00002.safetensors" for n in first}, **{n: "model-00002-of-00002.safetensors" for n in second}}}
    json.dump(index, open(os.path.join(out, "model.safetensors.index.json"), "w"), indent=1)
    g = golden(m, 304, cfg["mask_token_id"], cfg["pad_token_id"], gen, 6)
    json.dump(g, open(os.path.join(out, "golden.json"), "w"))


if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures"
    make_llada(os.path.join(root, "tiny-llada"))
    make_dream(os.path.join(root, "tiny-dream"))
    print("fixtures written to", root)
