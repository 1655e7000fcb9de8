"""Whisper's audio encoder in PyTorch, built from a CTranslate2 ``model.bin``'s tensors.

Used when the last encoder layers are trained too (``--encoder-layers K``): the decoder-only
route cannot learn what the frozen encoder loses to noise, because the encoder's output is
all the decoder hears. The layout follows CTranslate2's Whisper spec (two GELU convolutions,
the second with stride 2, sinusoidal positions, pre-norm blocks with a fused query/key/value
projection, a final layer norm). Only the last ``K`` blocks and the final norm are trained;
the rest runs without gradients, so a step costs the frozen part's forward pass and the
trained part's backward pass.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from training.decoder import ct2_name

PREFIX = "encoder/"


class _Block(nn.Module):
    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.attn_norm = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ffn_norm = nn.LayerNorm(d)
        self.ffn_in = nn.Linear(d, 4 * d)
        self.ffn_out = nn.Linear(4 * d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = (y.view(b, t, self.heads, d // self.heads).transpose(1, 2)
                   for y in self.qkv(self.attn_norm(x)).chunk(3, dim=-1))
        attn = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, t, d)
        x = x + self.out(attn)
        return x + self.ffn_out(F.gelu(self.ffn_in(self.ffn_norm(x))))


_BLOCK_NAMES = {"attn_norm": "self_attention/layer_norm", "qkv": "self_attention/linear_0",
                "out": "self_attention/linear_1", "ffn_norm": "ffn/layer_norm",
                "ffn_in": "ffn/linear_0", "ffn_out": "ffn/linear_1"}


_FIXED = {"positions": "position_encodings/encodings",
          **{f"{conv}.{param}": f"{conv}/{param}"
             for conv in ("conv1", "conv2") for param in ("weight", "bias")}}


def _ct2_name(torch_name: str) -> str:
    """``blocks.3.qkv.weight`` -> ``encoder/layer_3/self_attention/linear_0/weight``."""
    return ct2_name(PREFIX, torch_name, _BLOCK_NAMES, _FIXED)


class WhisperEncoder(nn.Module):
    """The encoder; ``forward(features)`` maps log-mel frames (B, 80, T) to states (B, T/2, d)."""

    def __init__(self, mels: int, d: int, heads: int, layers: int, max_positions: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(mels, d, 3, padding=1)
        self.conv2 = nn.Conv1d(d, d, 3, stride=2, padding=1)
        self.positions = nn.Parameter(torch.zeros(max_positions, d))
        self.blocks = nn.ModuleList(_Block(d, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(d)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = F.gelu(self.conv2(F.gelu(self.conv1(features)))).transpose(1, 2)
        x = x + self.positions[: x.shape[1]]
        for block in self.blocks:
            x = block(x)
        return self.norm(x)

    @classmethod
    def from_ct2(cls, variables: dict[str, np.ndarray]) -> WhisperEncoder:
        """Build from :func:`models.ct2_file.read_model`'s variables."""
        d, mels, _ = variables[PREFIX + "conv1/weight"].shape
        layers = sum(1 for k in variables if k.startswith(PREFIX) and k.endswith("ffn/linear_0/weight"))
        heads = int(variables[PREFIX + "num_heads"])
        positions = variables[PREFIX + "position_encodings/encodings"].shape[0]
        model = cls(mels, d, heads, layers, positions)
        with torch.no_grad():
            for name, param in model.named_parameters():
                param.copy_(torch.from_numpy(variables[_ct2_name(name)].astype(np.float32)))
        return model

    def train_last(self, layers: int) -> None:
        """Train the last ``layers`` blocks and the final norm; freeze the rest."""
        self.requires_grad_(False)
        for block in list(self.blocks)[len(self.blocks) - layers:]:
            block.requires_grad_(True)
        self.norm.requires_grad_(layers > 0)

    def trained_tensors(self, dtype: type = np.float16) -> dict[str, np.ndarray]:
        """The trained parameters as CTranslate2 variables (float16, as packaged)."""
        return {_ct2_name(n): p.detach().to(torch.float32).cpu().numpy().astype(dtype)
                for n, p in self.named_parameters() if p.requires_grad}
