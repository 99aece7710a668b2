"""A tiny llama-architecture transformer, written so that its weights load in llama.cpp as is.

Same blocks as llama.cpp's `llama` architecture: RMSNorm, rotary position embedding applied to
interleaved pairs (llama.cpp's "normal" RoPE, so no weight permutation is needed at export),
grouped-query attention, SwiGLU feed-forward, output projection tied to the token embedding.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as functional
from torch import nn


# Pieces that mark the chat structure. SentencePiece keeps each as one piece; in the GGUF they
# are control tokens, which llama.cpp only matches in text tokenized with special tokens on.
CONTROL_PIECES = ["<|im_start|>", "<|im_end|>"]
# The prefix of node-llama-cpp's ChatML function calls, as one user-defined token (matched in any
# text). Without it, "||call: add" is cut as "||" "call" ":" " add" in the history but node-llama-cpp
# evaluates the prefix alone ("||" "call" ":" " ") before the model picks the name: the model
# would choose the tool after a token it never saw there. As one token, both cuts are the same.
USER_DEFINED_PIECES = ["||call: "]


@dataclass
class ModelConfig:
    vocab_size: int = 2048
    dim: int = 192
    layers: int = 4
    heads: int = 6
    kv_heads: int = 2
    ffn_dim: int = 512
    context_length: int = 1024
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads

    def to_dict(self) -> dict:
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(config: ModelConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """cos/sin of shape (context, head_dim / 2) for llama.cpp's interleaved-pair rotation."""
    half = config.head_dim // 2
    inverse_frequency = 1.0 / (config.rope_theta ** (torch.arange(0, half, dtype=torch.float32) * 2 / config.head_dim))
    positions = torch.arange(config.context_length, dtype=torch.float32)
    angles = torch.outer(positions, inverse_frequency)
    return angles.cos(), angles.sin()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    # x: (batch, heads, time, head_dim); pairs are (0,1), (2,3), ... as in llama.cpp's LLAMA_ROPE_TYPE_NORM.
    even = x[..., 0::2]
    odd = x[..., 1::2]
    rotated_even = even * cos - odd * sin
    rotated_odd = even * sin + odd * cos
    return torch.stack((rotated_even, rotated_odd), dim=-1).flatten(-2)


class Attention(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        head_dim = config.head_dim
        self.wq = nn.Linear(config.dim, config.heads * head_dim, bias=False)
        self.wk = nn.Linear(config.dim, config.kv_heads * head_dim, bias=False)
        self.wv = nn.Linear(config.dim, config.kv_heads * head_dim, bias=False)
        self.wo = nn.Linear(config.heads * head_dim, config.dim, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, causal_mask: torch.Tensor) -> torch.Tensor:
        batch, time, _ = x.shape
        config = self.config
        q = self.wq(x).view(batch, time, config.kv_heads, config.heads // config.kv_heads, config.head_dim).permute(0, 2, 3, 1, 4)
        k = self.wk(x).view(batch, time, config.kv_heads, 1, config.head_dim).permute(0, 2, 3, 1, 4)
        v = self.wv(x).view(batch, time, config.kv_heads, 1, config.head_dim).permute(0, 2, 3, 1, 4)
        q = apply_rope(q, cos, sin)
        k = apply_rope(k, cos, sin)
        # torch 1.13 (Debian bookworm) has no scaled_dot_product_attention: plain causal attention.
        # Shapes (batch, kv_heads, group, time, head_dim): each key/value head serves its group of query heads.
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(config.head_dim))
        scores = scores + causal_mask[:time, :time]
        out = torch.softmax(scores, dim=-1) @ v
        out = out.permute(0, 3, 1, 2, 4).reshape(batch, time, config.heads * config.head_dim)
        return self.wo(out)


class FeedForward(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.w1 = nn.Linear(config.dim, config.ffn_dim, bias=False)  # gate
        self.w2 = nn.Linear(config.ffn_dim, config.dim, bias=False)  # down
        self.w3 = nn.Linear(config.dim, config.ffn_dim, bias=False)  # up

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(functional.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.attention_norm = RMSNorm(config.dim, config.norm_eps)
        self.attention = Attention(config)
        self.ffn_norm = RMSNorm(config.dim, config.norm_eps)
        self.feed_forward = FeedForward(config)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, causal_mask: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.attention_norm(x), cos, sin, causal_mask)
        return x + self.feed_forward(self.ffn_norm(x))


class Llama(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.tok_embeddings = nn.Embedding(config.vocab_size, config.dim)
        self.layers = nn.ModuleList(Block(config) for _ in range(config.layers))
        self.norm = RMSNorm(config.dim, config.norm_eps)
        cos, sin = rope_tables(config)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        mask = torch.full((config.context_length, config.context_length), float("-inf")).triu(1)
        self.register_buffer("causal_mask", mask, persistent=False)
        self.apply(self._init_weights)
        # Scaled init of the residual projections (GPT-2 style) keeps early training stable.
        for name, parameter in self.named_parameters():
            if name.endswith("wo.weight") or name.endswith("w2.weight"):
                nn.init.normal_(parameter, mean=0.0, std=0.02 / math.sqrt(2 * config.layers))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        time = tokens.shape[1]
        cos = self.rope_cos[:time]
        sin = self.rope_sin[:time]
        x = self.tok_embeddings(tokens)
        for layer in self.layers:
            x = layer(x, cos, sin, self.causal_mask)
        # Output projection tied to the embedding: llama.cpp reuses token_embd when output.weight is absent.
        return functional.linear(self.norm(x), self.tok_embeddings.weight)

    def parameter_count(self) -> int:
        return sum(parameter.numel() for parameter in self.parameters())
