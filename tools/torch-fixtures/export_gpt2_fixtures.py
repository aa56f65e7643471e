#!/usr/bin/python3
"""Writes real torch.onnx (TorchScript exporter) GPT-2 graphs for OnnxInterp's tests, with reference activations.

Run with Debian's python3-torch (1.13) and python3-onnx (apt-get install python3-torch python3-onnx
libopenblas0-pthread), through /usr/bin/python3:

    /usr/bin/python3 tools/torch-fixtures/export_gpt2_fixtures.py tests/fixtures/torch

Hugging Face transformers is not installable here, so the GPT-2 below is written with HF's module tree and weight
names (transformer.wte, transformer.h.{i}.attn.c_attn Conv1D, ...): the exporter names nodes by module scope, so the
graphs have the layout of an HF export. The fp16 fixture is traced with half_on_cpu.py: torch 1.13 has no half-precision
matmul, softmax, layer_norm or tanh on the CPU, so those run in float32 during tracing while the graph gets torch's own
float16 nodes for them.
Each fixture is small (2 layers, d_model 32) and comes with
NAME.reference.json: the token ids fed, the logits and every block's residual stream input computed by torch.
The test suite reads the committed files only; it never needs torch.
"""
import json, math, os, sys
import torch
from torch import nn

from half_on_cpu import half_kernels_in_float32

torch.set_grad_enabled(False)


class Config:
    vocab_size, n_positions, n_embd, n_layer, n_head, layer_norm_epsilon = 96, 32, 32, 2, 4, 1e-5


class Conv1D(nn.Module):
    """HF's Conv1D: a linear layer whose weight is stored [in, out]."""
    def __init__(self, nf, nx):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(nx, nf).normal_(std=0.02))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        size_out = x.size()[:-1] + (self.weight.size(-1),)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        return x.view(size_out)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head, self.head_dim = c.n_head, c.n_embd // c.n_head
        self.register_buffer("bias", torch.tril(torch.ones(c.n_positions, c.n_positions, dtype=torch.bool)).view(1, 1, c.n_positions, c.n_positions))
        self.c_attn, self.c_proj = Conv1D(3 * c.n_embd, c.n_embd), Conv1D(c.n_embd, c.n_embd)
        self.legacy_scale = False

    def split(self, t):
        return t.view(t.size()[:-1] + (self.n_head, self.head_dim)).permute(0, 2, 1, 3)

    def forward(self, x, mask, past):
        q, k, v = self.c_attn(x).split(x.size(-1), dim=2)
        q, k, v = self.split(q), self.split(k), self.split(v)
        if past is not None:
            k, v = torch.cat((past[0], k), dim=-2), torch.cat((past[1], v), dim=-2)
        present = torch.stack((k, v))
        w = torch.matmul(q, k.transpose(-1, -2))
        # transformers <= 4.8 divided by a Python float (a Constant in the graph); later versions by torch.full, which
        # torch 1.13 exports in float32 even for a half model, so its fp16 graph does not load (Where gets two types).
        w = w / (float(v.size(-1)) ** 0.5) if self.legacy_scale else w / torch.full([], v.size(-1) ** 0.5, dtype=q.dtype)
        ql, kl = q.size(-2), k.size(-2)
        causal = self.bias[:, :, kl - ql: kl, :kl]
        w = torch.where(causal, w, torch.full([], torch.finfo(w.dtype).min, dtype=w.dtype))
        if mask is not None:
            w = w + mask
        w = nn.functional.softmax(w, dim=-1)
        a = torch.matmul(w, v).permute(0, 2, 1, 3).contiguous()
        return self.c_proj(a.view(a.size()[:-2] + (self.n_head * self.head_dim,))), present


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc, self.c_proj = Conv1D(4 * c.n_embd, c.n_embd), Conv1D(c.n_embd, 4 * c.n_embd)

    def forward(self, x):
        h = self.c_fc(x)
        h = 0.5 * h * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (h + 0.044715 * torch.pow(h, 3.0))))
        return self.c_proj(h)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1, self.attn = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon), Attention(c)
        self.ln_2, self.mlp = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon), MLP(c)

    def forward(self, x, mask, past):
        a, present = self.attn(self.ln_1(x), mask, past)
        x = x + a
        return x + self.mlp(self.ln_2(x)), present


class GPT2Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(c.vocab_size, c.n_embd), nn.Embedding(c.n_positions, c.n_embd)
        self.h = nn.ModuleList([Block(c) for _ in range(c.n_layer)])
        self.ln_f = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)
        nn.init.normal_(self.wte.weight, std=0.02)
        nn.init.normal_(self.wpe.weight, std=0.01)

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None, resid=None):
        past_len = 0 if past is None else past[0].size(-2)
        if position_ids is None:
            position_ids = torch.arange(past_len, past_len + input_ids.size(-1), dtype=torch.long).unsqueeze(0)
        mask = None
        if attention_mask is not None:
            mask = (1.0 - attention_mask[:, None, None, :].to(self.wte.weight.dtype)) * torch.finfo(self.wte.weight.dtype).min
        x = self.wte(input_ids) + self.wpe(position_ids)
        presents = []
        for i, block in enumerate(self.h):
            if resid is not None:
                resid.append(x)
            x, present = block(x, mask, None if past is None else past[i])
            presents.append(present)
        return self.ln_f(x), presents


class GPT2LMHeadModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = GPT2Model(c)
        self.lm_head = nn.Linear(c.n_embd, c.vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied, as GPT-2

    def forward(self, *args, **kw):
        h, presents = self.transformer(*args, **kw)
        return self.lm_head(h), presents


def trained_like(model, seed):
    """Random weights of a trained model's scale: nonzero biases and LayerNorm weights that differ per layer."""
    g = torch.Generator().manual_seed(seed)
    for name, p in model.named_parameters():
        p.copy_(torch.randn(p.shape, generator=g) * (0.3 if p.dim() == 1 else 0.15) + (1.0 if name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight", "layernorm.weight")) else 0.0))


class InputsOnly(nn.Module):
    """Wraps a model so the exported graph takes exactly the named inputs and returns logits (or hidden states)."""
    def __init__(self, model, with_mask):
        super().__init__()
        self.model, self.with_mask = model, with_mask

    def forward(self, input_ids, attention_mask=None, position_ids=None):
        out, _ = self.model(input_ids, attention_mask, position_ids) if self.with_mask else self.model(input_ids)
        return out


def export(name, model, opset, with_mask, folder, ids):
    wrapped = InputsOnly(model, with_mask).eval()
    inputs = (ids,) if not with_mask else (ids, torch.ones_like(ids), torch.arange(ids.size(1)).unsqueeze(0))
    names = ["input_ids"] + (["attention_mask", "position_ids"] if with_mask else [])
    output = "logits" if isinstance(model, GPT2LMHeadModel) else "last_hidden_state"
    axes = {n: {0: "batch_size", 1: "sequence_length"} for n in names}
    axes[output] = {0: "batch_size", 1: "sequence_length"}
    path = os.path.join(folder, name + ".onnx")
    torch.onnx.export(wrapped, inputs, path, input_names=names, output_names=[output], dynamic_axes=axes, opset_version=opset, do_constant_folding=True)
    resid = []
    inner = model.transformer if isinstance(model, GPT2LMHeadModel) else model
    h, _ = inner(ids, resid=resid)
    reference = {
        "input_ids": ids[0].tolist(),
        "output": output,
        "values": wrapped(*inputs)[0].flatten().tolist(),
        "shape": list(wrapped(*inputs).shape),
        "resid_pre": [r[0].flatten().tolist() for r in resid],
        "opset": opset,
        "weights": "fresh" if "fresh" in name else "trained-like",
        "dtype": str(model.transformer.wte.weight.dtype if isinstance(model, GPT2LMHeadModel) else model.wte.weight.dtype).replace("torch.", ""),
    }
    with open(os.path.join(folder, name + ".reference.json"), "w") as f:
        json.dump(reference, f)
    print(path, os.path.getsize(path))


class WithPast(nn.Module):
    """optimum's decoder-with-past layout: past_key_values.{i}.key|value in, logits and present.{i}.key|value out."""
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [torch.stack((past_flat[2 * i], past_flat[2 * i + 1])) for i in range(len(past_flat) // 2)]
        logits, presents = self.model(input_ids, attention_mask, position_ids, past)
        return (logits, *[t for p in presents for t in (p[0], p[1])])


def export_with_past(name, model, opset, folder, ids):
    c = Config()
    wrapped = WithPast(model).eval()
    past_len = 2
    past = [torch.randn(1, c.n_head, past_len, c.n_embd // c.n_head) for _ in range(2 * c.n_layer)]
    inputs = (ids, torch.ones(1, past_len + ids.size(1), dtype=torch.long), torch.arange(past_len, past_len + ids.size(1)).unsqueeze(0), *past)
    past_names = [f"past_key_values.{i}.{kv}" for i in range(c.n_layer) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(c.n_layer) for kv in ("key", "value")]
    names = ["input_ids", "attention_mask", "position_ids"] + past_names
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"}, "position_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "past_sequence_length + sequence_length"}, "logits": {0: "batch_size", 1: "sequence_length"}}
    for n in past_names:
        axes[n] = {0: "batch_size", 2: "past_sequence_length"}
    for n in present_names:
        axes[n] = {0: "batch_size", 2: "past_sequence_length + sequence_length"}
    path = os.path.join(folder, name + ".onnx")
    torch.onnx.export(wrapped, inputs, path, input_names=names, output_names=["logits"] + present_names, dynamic_axes=axes, opset_version=opset, do_constant_folding=True)
    # The reference is the run with an empty past, as the tests feed it: the whole prompt at once.
    empty = [torch.zeros(1, c.n_head, 0, c.n_embd // c.n_head) for _ in range(2 * c.n_layer)]
    logits = wrapped(ids, torch.ones_like(ids), torch.arange(ids.size(1)).unsqueeze(0), *empty)[0]
    resid = []
    model.transformer(ids, resid=resid)
    with open(os.path.join(folder, name + ".reference.json"), "w") as f:
        json.dump({"input_ids": ids[0].tolist(), "output": "logits", "values": logits.flatten().tolist(), "shape": list(logits.shape),
                   "resid_pre": [r[0].flatten().tolist() for r in resid], "opset": opset, "weights": "trained-like"}, f)
    print(path, os.path.getsize(path))


def export_fp16(name, opset, folder, ids, seed):
    """A trained-like GPT2LMHeadModel in float16 (weights, activations and logits), as model.half() exports it on a GPU
    (with transformers 4.8's attention scaling: see Attention.forward)."""
    model = GPT2LMHeadModel(Config()).eval()
    trained_like(model, seed)
    for block in model.transformer.h:
        block.attn.legacy_scale = True
    model.half()
    with half_kernels_in_float32():
        export(name, model, opset, True, folder, ids)


def main(folder):
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    ids = torch.tensor([[5, 17, 3, 42, 17, 3, 8, 60]])
    fresh = GPT2LMHeadModel(Config()).eval()          # zero biases, unit LayerNorms: the exporter shares them across layers
    trained = GPT2LMHeadModel(Config()).eval()
    trained_like(trained, 1)
    base = GPT2Model(Config()).eval()
    trained_like(base, 2)
    export("gpt2lm-fresh-opset14", fresh, 14, False, folder, ids)
    export("gpt2lm-fresh-opset11-mask", fresh, 11, True, folder, ids)
    export("gpt2lm-trained-opset17", trained, 17, False, folder, ids)
    export("gpt2lm-trained-opset13-mask", trained, 13, True, folder, ids)
    export("gpt2model-trained-opset12", base, 12, False, folder, ids)
    export("gpt2lm-trained-opset16-mask", trained, 16, True, folder, ids)
    export_with_past("gpt2lm-trained-opset15-past", trained, 15, folder, ids)
    export_fp16("gpt2lm-fp16-opset14-mask", 14, folder, ids, 4)
    export_fp16("gpt2lm-fp16-opset17-mask", 17, folder, ids, 5)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/torch")
