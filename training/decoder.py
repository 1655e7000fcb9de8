"""Whisper's text decoder in PyTorch, built from a CTranslate2 ``model.bin``'s tensors.

Only the decoder is trained: the encoder stays CTranslate2's own (int8, as the service runs
it), so the decoder learns on exactly the encoder output it will see in service, and a step
costs one int8 encoder pass plus a small decoder. The layer layout follows CTranslate2's
Whisper spec: a fused query/key/value projection in self-attention, a fused key/value
projection in cross-attention, pre-norm residual blocks, GELU feed-forward, a final layer
norm and the output projection tied to the token embeddings.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

PREFIX = "decoder/"


class _Block(nn.Module):
    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.self_norm = nn.LayerNorm(d)
        self.self_qkv = nn.Linear(d, 3 * d)
        self.self_out = nn.Linear(d, d)
        self.cross_norm = nn.LayerNorm(d)
        self.cross_q = nn.Linear(d, d)
        self.cross_kv = nn.Linear(d, 2 * d)
        self.cross_out = nn.Linear(d, d)
        self.ffn_norm = nn.LayerNorm(d)
        self.ffn_in = nn.Linear(d, 4 * d)
        self.ffn_out = nn.Linear(4 * d, d)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        return x.view(b, t, self.heads, d // self.heads).transpose(1, 2)

    def _merge(self, x: torch.Tensor) -> torch.Tensor:
        b, h, t, dh = x.shape
        return x.transpose(1, 2).reshape(b, t, h * dh)

    def forward(self, x: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        q, k, v = self.self_qkv(self.self_norm(x)).chunk(3, dim=-1)
        attn = F.scaled_dot_product_attention(self._split(q), self._split(k), self._split(v), is_causal=True)
        x = x + self.self_out(self._merge(attn))
        q = self.cross_q(self.cross_norm(x))
        k, v = self.cross_kv(memory).chunk(2, dim=-1)
        attn = F.scaled_dot_product_attention(self._split(q), self._split(k), self._split(v))
        x = x + self.cross_out(self._merge(attn))
        return x + self.ffn_out(F.gelu(self.ffn_in(self.ffn_norm(x))))


# torch parameter suffix -> CTranslate2 variable suffix, per block.
_BLOCK_NAMES = {
    "self_norm": "self_attention/layer_norm", "self_qkv": "self_attention/linear_0",
    "self_out": "self_attention/linear_1", "cross_norm": "attention/layer_norm",
    "cross_q": "attention/linear_0", "cross_kv": "attention/linear_1", "cross_out": "attention/linear_2",
    "ffn_norm": "ffn/layer_norm", "ffn_in": "ffn/linear_0", "ffn_out": "ffn/linear_1",
}


_LEAF = {"weight": "gamma", "bias": "beta"}  # layer norms' parameter names in CTranslate2


def ct2_name(prefix: str, torch_name: str, block_names: dict[str, str], fixed: dict[str, str]) -> str:
    """A torch parameter's CTranslate2 variable: ``fixed`` names whole parameters, ``norm`` is
    the final layer norm and ``blocks.N.<module>.<param>`` maps through ``block_names``."""
    if torch_name in fixed:
        return prefix + fixed[torch_name]
    parts = torch_name.split(".")
    if parts[0] == "norm":
        return prefix + "layer_norm/" + _LEAF[parts[1]]
    layer, module, param = parts[1], parts[2], parts[3]
    return f"{prefix}layer_{layer}/{block_names[module]}/{_LEAF[param] if module.endswith('norm') else param}"


def _ct2_name(torch_name: str) -> str:
    """``blocks.2.cross_kv.weight`` -> ``decoder/layer_2/attention/linear_1/weight``."""
    return ct2_name(PREFIX, torch_name, _BLOCK_NAMES,
                    {"embed": "embeddings/weight", "positions": "position_encodings/encodings"})


class WhisperDecoder(nn.Module):
    """The decoder; ``forward(tokens, memory)`` gives logits for every position."""

    def __init__(self, vocab: int, d: int, heads: int, layers: int, max_positions: int) -> None:
        super().__init__()
        self.embed = nn.Parameter(torch.zeros(vocab, d))
        self.positions = nn.Parameter(torch.zeros(max_positions, d))
        self.blocks = nn.ModuleList(_Block(d, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(d)

    def hidden(self, tokens: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        """The final layer's normalised states, one per token."""
        x = self.embed[tokens] + self.positions[: tokens.shape[1]]
        for block in self.blocks:
            x = block(x, memory)
        return self.norm(x)

    def forward(self, tokens: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        return self.hidden(tokens, memory) @ self.embed.T

    @classmethod
    def from_ct2(cls, variables: dict[str, np.ndarray]) -> WhisperDecoder:
        """Build from :func:`models.ct2_file.read_model`'s variables."""
        vocab, d = variables[PREFIX + "embeddings/weight"].shape
        layers = sum(1 for k in variables if k.startswith(PREFIX) and k.endswith("ffn/linear_0/weight"))
        heads = int(variables[PREFIX + "num_heads"])
        positions = variables[PREFIX + "position_encodings/encodings"].shape[0]
        model = cls(vocab, d, heads, layers, positions)
        with torch.no_grad():
            for name, param in model.named_parameters():
                param.copy_(torch.from_numpy(variables[_ct2_name(name)].astype(np.float32)))
        return model

    def trained_tensors(self, dtype: type = np.float16) -> dict[str, np.ndarray]:
        """The trained parameters as CTranslate2 variables (float16, as packaged)."""
        return {_ct2_name(n): p.detach().to(torch.float32).cpu().numpy().astype(dtype)
                for n, p in self.named_parameters() if p.requires_grad}

    def freeze_embeddings(self) -> None:
        """Keep token and position embeddings (and so the tied output projection) as they are:
        they hold the vocabulary of all English, which a small corpus must not wear away."""
        self.embed.requires_grad_(False)
        self.positions.requires_grad_(False)


def autocast(device: str) -> torch.autocast:
    """bfloat16 autocast where the hardware computes in bfloat16: CUDA, or a CPU with AVX-512
    or AMX. On an AVX2-only CPU PyTorch emulates it, and a training step of the encoder and
    decoder ran 25 times slower than in float32 (batch 8: 87 s against 3.5 s)."""
    kind = "cuda" if device.startswith("cuda") else "cpu"
    capability = torch.backends.cpu.get_cpu_capability()
    fast = kind == "cuda" or "AVX512" in capability or "AMX" in capability
    return torch.autocast(device_type=kind, dtype=torch.bfloat16, enabled=fast)


def token_loss(model: WhisperDecoder, inputs: torch.Tensor, memory: torch.Tensor, targets: torch.Tensor,
               mask: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the positions ``mask`` marks. Only those positions go through
    the 51,864-way output projection: the prompt's do not count, and they are most of a row."""
    states = model.hidden(inputs, memory)[mask]
    logits = states @ model.embed.T
    return F.cross_entropy(logits.float(), targets[mask])


def sdpa_scale(d_head: int) -> float:
    """Attention scale used above (torch's default, the same as Whisper's)."""
    return 1.0 / math.sqrt(d_head)
