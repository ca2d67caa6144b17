"""Reference PyTorch forward passes in LLaDA's and Dream's (Qwen2) layouts and weight names.

Bidirectional attention (no causal mask), RMSNorm, rotate-half RoPE, SwiGLU. Both take an optional
past key/value per layer (keys stored after RoPE) and return the present key/value, which is the
contract the ONNX graph follows (docs/model-package.md).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        x32 = x.float()
        y = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)
        return (y * self.weight).to(x.dtype)


def rope_tables(positions, head_dim, theta):
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    ang = positions.to(torch.float64)[..., None] * inv  # [B,S,Dh/2]
    ang = torch.cat([ang, ang], dim=-1)
    return ang.cos().float(), ang.sin().float()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def apply_rope(x, cos, sin):
    # x [B,H,S,Dh], cos/sin [B,S,Dh]
    return x * cos[:, None] + rotate_half(x) * sin[:, None]


def attention(q, k, v, key_mask, n_heads, n_kv):
    # q [B,H,S,Dh], k/v [B,Hkv,T,Dh], key_mask [B,T] (1 real, 0 pad)
    rep = n_heads // n_kv
    if rep > 1:
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if key_mask is not None:
        scores = scores + (1.0 - key_mask[:, None, None, :].float()) * -1e9
    return F.softmax(scores.float(), dim=-1).to(q.dtype) @ v


class LLaDABlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, h, kv, dh, mlp = c["d_model"], c["n_heads"], c["n_kv_heads"], c["d_model"] // c["n_heads"], c["mlp_hidden_size"]
        self.h, self.kv, self.dh = h, kv, dh
        self.attn_norm = RMSNorm(d, c["rms_norm_eps"])
        self.ff_norm = RMSNorm(d, c["rms_norm_eps"])
        self.q_proj = nn.Linear(d, h * dh, bias=False)
        self.k_proj = nn.Linear(d, kv * dh, bias=False)
        self.v_proj = nn.Linear(d, kv * dh, bias=False)
        self.attn_out = nn.Linear(h * dh, d, bias=False)
        self.ff_proj = nn.Linear(d, mlp, bias=False)
        self.up_proj = nn.Linear(d, mlp, bias=False)
        self.ff_out = nn.Linear(mlp, d, bias=False)

    def forward(self, x, cos, sin, key_mask, past=None):
        B, S, _ = x.shape
        n = self.attn_norm(x)
        q = self.q_proj(n).view(B, S, self.h, self.dh).transpose(1, 2)
        k = self.k_proj(n).view(B, S, self.kv, self.dh).transpose(1, 2)
        v = self.v_proj(n).view(B, S, self.kv, self.dh).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        a = attention(q, k, v, key_mask, self.h, self.kv).transpose(1, 2).reshape(B, S, self.h * self.dh)
        x = x + self.attn_out(a)
        n = self.ff_norm(x)
        x = x + self.ff_out(F.silu(self.ff_proj(n)) * self.up_proj(n))
        return x, (k, v)


class LLaDATransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(c["embedding_size"], c["d_model"]),
                blocks=nn.ModuleList([LLaDABlock(c) for _ in range(c["n_layers"])]),
                ln_f=RMSNorm(c["d_model"], c["rms_norm_eps"]),
                ff_out=nn.Linear(c["d_model"], c["embedding_size"], bias=False),
            )
        )


class LLaDAModelLM(nn.Module):
    """LLaDA's layout: state-dict keys model.transformer.{wte,blocks.i.*,ln_f,ff_out}."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.model = LLaDATransformer(config)

    def forward(self, input_ids, position_ids=None, attention_mask=None, past=None):
        c, t = self.config, self.model.transformer
        B, S = input_ids.shape
        if position_ids is None:
            position_ids = torch.arange(S)[None].expand(B, S)
        cos, sin = rope_tables(position_ids, c["d_model"] // c["n_heads"], c["rope_theta"])
        x = t.wte(input_ids)
        presents = []
        for i, blk in enumerate(t.blocks):
            x, pr = blk(x, cos, sin, attention_mask, None if past is None else past[i])
            presents.append(pr)
        return t.ff_out(t.ln_f(x)), presents


class DreamBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, h, kv, mlp = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"], c["intermediate_size"]
        dh = d // h
        self.h, self.kv, self.dh = h, kv, dh
        self.input_layernorm = RMSNorm(d, c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(d, c["rms_norm_eps"])
        self.self_attn = nn.Module()
        self.self_attn.q_proj = nn.Linear(d, h * dh, bias=True)
        self.self_attn.k_proj = nn.Linear(d, kv * dh, bias=True)
        self.self_attn.v_proj = nn.Linear(d, kv * dh, bias=True)
        self.self_attn.o_proj = nn.Linear(h * dh, d, bias=False)
        self.mlp = nn.Module()
        self.mlp.gate_proj = nn.Linear(d, mlp, bias=False)
        self.mlp.up_proj = nn.Linear(d, mlp, bias=False)
        self.mlp.down_proj = nn.Linear(mlp, d, bias=False)

    def forward(self, x, cos, sin, key_mask, past=None):
        B, S, _ = x.shape
        a = self.self_attn
        n = self.input_layernorm(x)
        q = a.q_proj(n).view(B, S, self.h, self.dh).transpose(1, 2)
        k = a.k_proj(n).view(B, S, self.kv, self.dh).transpose(1, 2)
        v = a.v_proj(n).view(B, S, self.kv, self.dh).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        o = attention(q, k, v, key_mask, self.h, self.kv).transpose(1, 2).reshape(B, S, self.h * self.dh)
        x = x + a.o_proj(o)
        n = self.post_attention_layernorm(x)
        m = self.mlp
        return x + m.down_proj(F.silu(m.gate_proj(n)) * m.up_proj(n)), (k, v)


class DreamModel(nn.Module):
    """Dream's (Qwen2) layout: model.embed_tokens, model.layers.i.*, model.norm, lm_head. Raw (unshifted) logits."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        c = config
        self.model = nn.Module()
        self.model.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.model.layers = nn.ModuleList([DreamBlock(c) for _ in range(c["num_hidden_layers"])])
        self.model.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)

    def forward(self, input_ids, position_ids=None, attention_mask=None, past=None):
        c = self.config
        B, S = input_ids.shape
        if position_ids is None:
            position_ids = torch.arange(S)[None].expand(B, S)
        cos, sin = rope_tables(position_ids, c["hidden_size"] // c["num_attention_heads"], c["rope_theta"])
        x = self.model.embed_tokens(input_ids)
        presents = []
        for i, blk in enumerate(self.model.layers):
            x, pr = blk(x, cos, sin, attention_mask, None if past is None else past[i])
            presents.append(pr)
        return self.lm_head(self.model.norm(x)), presents
