#!/usr/bin/python3
"""Writes Megatron-LM-style GPT-2 graphs (torch.onnx TorchScript exporter) for OnnxInterp's tests, with reference activations.

Run as export_gpt2_fixtures.py (Debian's python3-torch 1.13 and python3-onnx, through /usr/bin/python3):

    /usr/bin/python3 tools/torch-fixtures/export_megatron_fixtures.py tests/fixtures/torch

The module follows Megatron-LM's GPT-2 (ParallelSelfAttention, ParallelMLP, one model-parallel partition) in the forms
its exports carry, which differ from Hugging Face's: q and k are each divided by d_head^(1/4) (the key after its
transpose, past keys concatenated before it), the left-to-right mask is a float graph input [batch, 1, max, max] sliced
per call and applied multiplicatively (scores * m - 10000 * (1 - m)), LayerNorm is written out with `x - mean` computed
twice and `.float()` casts, GELU is `0.5x(1 + tanh(0.79788456 x (1 + 0.044715 x x)))`, linears are [out, in] weights,
and the logits are `F.linear(h, word_embeddings.weight)`.
Each fixture comes with NAME.reference.json: the token ids, the logits, every block's residual stream input and
block 0's attention pattern, computed by torch with the mask built as Megatron builds it (lower-triangular ones).
"""
import json, math, os, sys
import torch
from torch import nn
from torch.nn import functional as F

from export_gpt2_fixtures import Config, trained_like

torch.set_grad_enabled(False)


class LayerNorm(nn.Module):
    """The explicit LayerNorm Megatron exports use in place of apex's fused kernel (normalising in float32)."""
    def __init__(self, n, eps):
        super().__init__()
        self.weight, self.bias, self.eps = nn.Parameter(torch.ones(n)), nn.Parameter(torch.zeros(n)), eps

    def forward(self, x):
        x = x.float()
        u = x.mean(-1, keepdim=True)
        s = (x - u).pow(2).mean(-1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight * x.to(self.weight.dtype) + self.bias


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head, self.head_dim = c.n_head, c.n_embd // c.n_head
        self.query_key_value, self.dense = nn.Linear(c.n_embd, 3 * c.n_embd), nn.Linear(c.n_embd, c.n_embd)

    def heads(self, t):
        return t.view(t.size()[:-1] + (self.n_head, self.head_dim)).permute(0, 2, 1, 3)

    def forward(self, x, ltor_mask, past, pattern):
        q, k, v = torch.split(self.query_key_value(x), x.size(-1), dim=-1)
        q, k, v = self.heads(q), self.heads(k), self.heads(v)
        if past is not None:
            k, v = torch.cat((past[0].type_as(k), k), dim=-2), torch.cat((past[1].type_as(v), v), dim=-2)
        present = torch.stack((k, v))
        norm_factor = math.sqrt(math.sqrt(self.head_dim))
        scores = torch.matmul(q / norm_factor, k.transpose(-1, -2) / norm_factor)
        ql, kl = scores.size(2), scores.size(3)
        m = ltor_mask[..., kl - ql:kl, :kl]
        scores = torch.mul(scores, m) - 10000.0 * (1.0 - m)
        probs = nn.Softmax(dim=-1)(scores)
        if pattern is not None:
            pattern.append(probs)
        z = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return self.dense(z.view(z.size()[:-2] + (self.n_head * self.head_dim,))), present


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense_h_to_4h, self.dense_4h_to_h = nn.Linear(c.n_embd, 4 * c.n_embd), nn.Linear(4 * c.n_embd, c.n_embd)

    def forward(self, x):
        h = self.dense_h_to_4h(x)
        h = 0.5 * h * (1.0 + torch.tanh(0.7978845608028654 * h * (1.0 + 0.044715 * h * h)))
        return self.dense_4h_to_h(h)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.input_layernorm, self.attention = LayerNorm(c.n_embd, c.layer_norm_epsilon), SelfAttention(c)
        self.post_attention_layernorm, self.mlp = LayerNorm(c.n_embd, c.layer_norm_epsilon), MLP(c)

    def forward(self, x, mask, past, pattern):
        a, present = self.attention(self.input_layernorm(x), mask, past, pattern)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), present


class MegatronGPT2(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings, self.position_embeddings = nn.Embedding(c.vocab_size, c.n_embd), nn.Embedding(c.n_positions, c.n_embd)
        self.layers = nn.ModuleList([Layer(c) for _ in range(c.n_layer)])
        self.final_layernorm = LayerNorm(c.n_embd, c.layer_norm_epsilon)

    def forward(self, input_ids, position_ids, attention_mask, past=None, resid=None, pattern=None):
        x = self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
        presents = []
        for i, layer in enumerate(self.layers):
            if resid is not None:
                resid.append(x)
            x, present = layer(x, attention_mask, None if past is None else past[i], pattern if i == 0 else None)
            presents.append(present)
        return F.linear(self.final_layernorm(x), self.word_embeddings.weight), presents


class NoPast(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, position_ids, attention_mask):
        return self.model(input_ids, position_ids, attention_mask)[0]


class WithPast(nn.Module):
    """ORT's GPT-2 past layout: past_{l} [2, batch, heads, past, d_head] in, logits and present_{l} out."""
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, position_ids, attention_mask, *past):
        logits, presents = self.model(input_ids, position_ids, attention_mask, list(past))
        return (logits, *presents)


def ltor_mask(length):
    """Megatron's get_masks_and_position_ids: lower-triangular ones [1, 1, length, length], float."""
    return torch.tril(torch.ones(length, length)).view(1, 1, length, length)


def export(name, model, opset, folder, ids, with_past):
    c = Config()
    n = ids.size(1)
    positions = torch.arange(n).unsqueeze(0)
    names = ["input_ids", "position_ids", "attention_mask"]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"}, "position_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 2: "max_sequence_length", 3: "max_sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    outputs = ["logits"]
    if with_past:
        past_len = 2
        past = [torch.randn(2, 1, c.n_head, past_len, c.n_embd // c.n_head) for _ in range(c.n_layer)]
        wrapped = WithPast(model).eval()
        inputs = (ids, positions + past_len, ltor_mask(past_len + n), *past)
        for l in range(c.n_layer):
            names.append(f"past_{l}")
            outputs.append(f"present_{l}")
            axes[f"past_{l}"] = {1: "batch_size", 3: "past_sequence_length"}
            axes[f"present_{l}"] = {1: "batch_size", 3: "past_sequence_length + sequence_length"}
    else:
        wrapped = NoPast(model).eval()
        inputs = (ids, positions, ltor_mask(n))
    path = os.path.join(folder, name + ".onnx")
    torch.onnx.export(wrapped, inputs, path, input_names=names, output_names=outputs, dynamic_axes=axes, opset_version=opset, do_constant_folding=True)
    # The reference is the whole prompt with no past, as the tests feed it.
    resid, pattern = [], []
    logits, _ = model(ids, positions, ltor_mask(n), [torch.zeros(2, 1, c.n_head, 0, c.n_embd // c.n_head)] * c.n_layer if with_past else None, resid, pattern)
    with open(os.path.join(folder, name + ".reference.json"), "w") as f:
        json.dump({"input_ids": ids[0].tolist(), "output": "logits", "values": logits.flatten().tolist(), "shape": list(logits.shape),
                   "resid_pre": [r[0].flatten().tolist() for r in resid], "pattern_0": pattern[0][0].flatten().tolist(),
                   "opset": opset, "weights": "trained-like", "layout": "megatron"}, f)
    print(path, os.path.getsize(path))


def main(folder):
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    ids = torch.tensor([[5, 17, 3, 42, 17, 3, 8, 60]])
    model = MegatronGPT2(Config()).eval()
    trained_like(model, 3)
    export("megatron-gpt2-opset13", model, 13, folder, ids, with_past=False)
    export("megatron-gpt2-opset15-past", model, 15, folder, ids, with_past=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/torch")
