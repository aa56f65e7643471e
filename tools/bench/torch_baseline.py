#!/usr/bin/python3
"""PyTorch eager baseline for issue #15: what a TransformerLens user's loop costs on this machine.

A minimal GPT-2 with Hugging Face's module tree (transformer.wte, transformer.h[i].attn.c_attn, ...) loads its
weights straight from the ONNX file's initializers, whose names are the module paths, then times a plain forward
and two activation-patching sweeps, patching the way TransformerLens does: forward hooks on modules. Run with
Debian's python (torch 1.13, onnx 1.12, OpenBLAS), never the pyenv python3 on PATH:

    /usr/bin/python3 tools/bench/torch_baseline.py --json torch.json [--check DIR]

--check DIR compares against onnxinterp's outputs in DIR (see tools/bench/README.md).
"""
import argparse, json, math, os, platform, re, resource, statistics, sys, time
import numpy as np, onnx, torch
from onnx import numpy_helper
from torch import nn

MEASURES = ["forward", "sweep.resid_pre", "sweep.head_z"]


class Conv1D(nn.Module):
    """HF's Conv1D: x @ W + b with W stored [in, out], as the export's MatMul + Add reads it."""
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight, self.bias = nn.Parameter(torch.empty(n_in, n_out)), nn.Parameter(torch.empty(n_out))

    def forward(self, x):
        return torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight).view(*x.shape[:-1], -1)


class Attention(nn.Module):
    def __init__(self, d_model, n_head):
        super().__init__()
        self.n_head, self.d_head = n_head, d_model // n_head
        self.c_attn, self.c_proj = Conv1D(d_model, 3 * d_model), Conv1D(d_model, d_model)

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = (t.view(b, s, self.n_head, self.d_head).transpose(1, 2) for t in self.c_attn(x).split(d, dim=2))
        w = q @ k.transpose(-1, -2) / math.sqrt(self.d_head)
        causal = torch.ones(s, s, dtype=torch.bool).tril()
        w = torch.where(causal, w, torch.tensor(torch.finfo(w.dtype).min))  # the export's Where(causal, w, min)
        z = (w.softmax(-1) @ v).transpose(1, 2).reshape(b, s, d)          # merged heads: c_proj's input is z
        return self.c_proj(z)


class MLP(nn.Module):
    def __init__(self, d_model, d_mlp):
        super().__init__()
        self.c_fc, self.c_proj = Conv1D(d_model, d_mlp), Conv1D(d_mlp, d_model)

    def forward(self, x):
        h = self.c_fc(x)  # HF's gelu_new (tanh form), written out as HF and TransformerLens do; the export's Pow/Tanh chain
        return self.c_proj(0.5 * h * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (h + 0.044715 * torch.pow(h, 3.0)))))


class Block(nn.Module):
    def __init__(self, d_model, n_head, d_mlp):
        super().__init__()
        self.ln_1, self.attn = nn.LayerNorm(d_model, eps=1e-5), Attention(d_model, n_head)
        self.ln_2, self.mlp = nn.LayerNorm(d_model, eps=1e-5), MLP(d_model, d_mlp)

    def forward(self, x):  # x is resid_pre: a pre-hook on the block sees and may replace it
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2(nn.Module):
    def __init__(self, vocab, n_ctx, d_model, n_layer, n_head, d_mlp):
        super().__init__()
        self.transformer = nn.Module()
        t = self.transformer
        t.wte, t.wpe = nn.Embedding(vocab, d_model), nn.Embedding(n_ctx, d_model)
        t.h = nn.ModuleList(Block(d_model, n_head, d_mlp) for _ in range(n_layer))
        t.ln_f = nn.LayerNorm(d_model, eps=1e-5)
        self.lm_head = nn.Linear(d_model, vocab, bias=False)
        self.lm_head.weight = t.wte.weight  # tied, as the export's Transpose(wte) -> MatMul says

    def forward(self, ids):
        t = self.transformer
        x = t.wte(ids) + t.wpe(torch.arange(ids.shape[1]))
        for block in t.h:
            x = block(x)
        return self.lm_head(t.ln_f(x))  # logits at every position, as the ONNX graph computes them


def read_initializers(path):
    """Initializer name -> array, reading external data tensor by tensor so the peak RSS is the model's, not 2x."""
    proto = onnx.load(path, load_external_data=False)
    arrays = {}
    for t in proto.graph.initializer:
        if t.data_location == onnx.TensorProto.EXTERNAL:
            info = {e.key: e.value for e in t.external_data}
            dtype = numpy_helper.to_array(onnx.helper.make_tensor("x", t.data_type, [0], [])).dtype
            with open(os.path.join(os.path.dirname(path), info["location"]), "rb") as f:
                f.seek(int(info.get("offset", 0)))
                arrays[t.name] = np.frombuffer(f.read(int(info["length"])), dtype=dtype).reshape(tuple(t.dims))
        else:
            arrays[t.name] = numpy_helper.to_array(t)
    return proto.graph, arrays


def heads_from_graph(graph, d_model):
    """Heads from layer 0's split-heads Reshape constant [0, 0, n_head, d_head]."""
    consts = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in graph.node if n.op_type == "Constant" and n.attribute}
    consts.update({t.name: numpy_helper.to_array(t) for t in graph.initializer if t.data_type == onnx.TensorProto.INT64})
    for n in graph.node:
        if n.op_type == "Reshape" and re.search(r"(^|/)h\.0/attn/", n.name) and n.input[1] in consts:
            shape = consts[n.input[1]].tolist()
            if len(shape) == 4 and shape[2] > 0 and shape[2] * shape[3] == d_model:
                return shape[2]
    return None


def load_model(path, heads):
    graph, w = read_initializers(path)
    vocab, d_model = w["transformer.wte.weight"].shape
    n_layer = 1 + max(int(m.group(1)) for m in (re.match(r"transformer\.h\.(\d+)\.", k) for k in w) if m)
    n_head = heads or heads_from_graph(graph, d_model)
    if not n_head:
        sys.exit("could not find the heads in the graph's attention Reshape: pass --heads")
    d_mlp = w["transformer.h.0.mlp.c_fc.weight"].shape[1]
    model = GPT2(vocab, w["transformer.wpe.weight"].shape[0], d_model, n_layer, n_head, d_mlp).eval()
    model.path = path
    if "lm_head.weight" in w:  # an export with its own output matrix: untie
        model.lm_head.weight = nn.Parameter(torch.empty(vocab, d_model))
    state = model.state_dict()  # parameter name -> tensor sharing the parameter's storage
    missing = [k for k in state if k not in w and k != "lm_head.weight"]
    if missing:
        sys.exit(f"initializers missing from {path}: {missing[:5]} ({len(missing)} in all)")
    with torch.no_grad():
        for name, t in state.items():
            if name in w:
                t.copy_(torch.from_numpy(np.array(w[name])))
    return model, dict(layers=n_layer, heads=n_head, d_model=d_model, d_mlp=d_mlp, vocab=vocab)


def timed(fn, reps, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter(); out = fn(); times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), out  # min too: on a busy machine it shows how noisy the median is


class Sweep:
    """One IOI patching sweep: the clean run caches the hooked activation, then every variant patches one slice of it
    into the corrupted run. A variant is (layer, index): a position for resid_pre, a head for z."""
    def __init__(self, model, pair, family):
        self.model, self.pair, self.family = model, pair, family
        self.blocks = model.transformer.h
        # resid_pre: the block's input [b, pos, d_model]; z: c_proj's input viewed [b, pos, head, d_head]
        self.module = (lambda l: self.blocks[l]) if family == "resid_pre" else (lambda l: self.blocks[l].attn.c_proj)
        n_head = self.blocks[0].attn.n_head
        width = len(pair["clean"]) if family == "resid_pre" else n_head
        self.variants = [(l, i) for l in range(len(self.blocks)) for i in range(width)]  # layer-major

    def view(self, x):
        return x if self.family == "resid_pre" else x.view(*x.shape[:2], self.blocks[0].attn.n_head, -1)

    def logit_diff(self, logits):
        return logits[:, -1, self.pair["answer"]] - logits[:, -1, self.pair["wrong"]]

    def run_hooked(self, ids, hooks):
        handles = [self.module(l).register_forward_pre_hook(fn) for l, fn in hooks.items()]
        try:  # hooks always come off, even when a forward raises (TransformerLens's `with model.hooks()`)
            return self.model(ids)
        finally:
            for h in handles:
                h.remove()

    def cache_clean(self):
        cache = {}
        def saver(l):
            def hook(module, args):
                cache[l] = self.view(args[0]).clone()
            return hook
        clean = self.run_hooked(torch.tensor([self.pair["clean"]]), {l: saver(l) for l in range(len(self.blocks))})
        return cache, self.logit_diff(clean).item()

    def patch(self, clean_act, rows, idx):
        """A pre-hook writing clean_act's slice idx[k] into row rows[k]: resid_pre patches a position, z a head."""
        rows, idx = torch.tensor(rows), torch.tensor(idx)
        def hook(module, args):
            x = args[0]
            v = self.view(x)
            if self.family == "resid_pre":
                v[rows, idx] = clean_act[0, idx]
            else:
                v[rows, :, idx] = clean_act[0][:, idx].transpose(0, 1)  # [k, pos, d_head]: every position of head idx[k]
            return x
        return hook

    def run(self, batched, rows_per_run):
        cache, clean = self.cache_clean()
        corrupted_ids = torch.tensor([self.pair["corrupted"]])
        corrupted = self.logit_diff(self.model(corrupted_ids)).item()
        diffs = []
        if not batched:  # one forward per variant, as in TransformerLens's generic_activation_patch
            for l, i in self.variants:
                diffs.append(self.logit_diff(self.run_hooked(corrupted_ids, {l: self.patch(cache[l], [0], [i])})).item())
        else:  # variants as rows: each layer's hook patches the rows whose variant targets that layer
            for start in range(0, len(self.variants), rows_per_run):
                chunk = self.variants[start:start + rows_per_run]
                hooks = {}
                for l in sorted({l for l, _ in chunk}):
                    rows = [r for r, (vl, _) in enumerate(chunk) if vl == l]
                    hooks[l] = self.patch(cache[l], rows, [chunk[r][1] for r in rows])
                diffs += self.logit_diff(self.run_hooked(corrupted_ids.expand(len(chunk), -1), hooks)).tolist()
        return dict(clean=clean, corrupted=corrupted, logitDiffs=diffs)


def forward_ids(pair, batch, seq):
    ids = (pair["clean"] + [pair["clean"][-1]] * seq)[:seq]  # padded by repeating its last token
    return torch.tensor([ids] * batch)


def read_safetensors(path, name):
    with open(path, "rb") as f:
        header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
        info, base = header[name], f.tell()
        f.seek(base + info["data_offsets"][0])
        data = f.read(info["data_offsets"][1] - info["data_offsets"][0])
    return np.frombuffer(data, dtype={"F32": np.float32}[info["dtype"]]).reshape(info["shape"])


def check(model, pair, results, folder):
    """Max abs differences from onnxinterp's outputs in folder: run.safetensors (`onnxinterp run -o`, logits of the
    clean prompt), and patch.json, resid_pre.json, z.json (`onnxinterp patch -s resid_pre -s z -o` on the same pair)."""
    report = {}
    if os.path.exists(os.path.join(folder, "run.safetensors")):
        ref = read_safetensors(os.path.join(folder, "run.safetensors"), "logits")
        ours = model(torch.tensor([pair["clean"]])).numpy()
        report["logits"] = float(np.abs(ours - ref).max())
    summary = json.load(open(os.path.join(folder, "patch.json")))  # holds the clean and corrupted logit diffs
    if os.path.basename(summary["model"]) != os.path.basename(model.path):
        print(f"warning: {folder} was made from {summary['model']}, not {model.path}", file=sys.stderr)
    for measure, file in [("sweep.resid_pre", "resid_pre.json"), ("sweep.head_z", "z.json")]:
        path = os.path.join(folder, file)
        if not os.path.exists(path):
            continue
        sweep = json.load(open(path))
        ref = np.array(sweep["raw"], dtype=np.float64).ravel()
        for r in (r for r in results if r["measure"] == measure):
            d = dict(r["extra"])
            ours = np.array(d["logitDiffs"])
            worst = float(np.abs(ours - ref).max()) if ours.shape == ref.shape else float("nan")
            report[f"{measure}.{r['variant']}"] = worst
            report[f"{measure}.{r['variant']}.cleanCorrupted"] = max(abs(d["clean"] - summary["clean"]), abs(d["corrupted"] - summary["corrupted"]))
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="/tmp/bench/gpt2-small-random.onnx")
    ap.add_argument("--pair", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "ioi-pair.json"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=10, help="timed forwards per batch size")
    ap.add_argument("--sweep-reps", type=int, default=3, help="timed batched sweeps (after 1 warm-up sweep)")
    ap.add_argument("--loop-reps", type=int, default=1, help="timed loop sweeps (after 3 warm-up forwards); 0 skips the loop")
    ap.add_argument("--rows-per-run", type=int, default=32)
    ap.add_argument("--batches", default="1,8,32")
    ap.add_argument("--seq", type=int, default=16)
    ap.add_argument("--heads", type=int, help="attention heads, when the graph's Reshape constant cannot be read")
    ap.add_argument("--only", default=",".join(MEASURES), help="comma-separated measure ids")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--check", metavar="DIR", help="compare with onnxinterp's run.safetensors, resid_pre.json, z.json in DIR")
    a = ap.parse_args()
    only = a.only.split(",")
    if set(only) - set(MEASURES):
        sys.exit(f"unknown measure(s) {set(only) - set(MEASURES)}; known: {MEASURES}")
    torch.set_num_threads(a.threads)
    pair = json.load(open(a.pair))
    results = []
    with torch.inference_mode():
        t0 = time.perf_counter()
        model, config = load_model(a.model, a.heads)
        print(f"loaded {a.model} {config} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        if "forward" in only:
            for b in map(int, a.batches.split(",")):
                ids = forward_ids(pair, b, a.seq)
                sec, fastest, _ = timed(lambda: model(ids), a.reps, warmup=2)
                results.append(dict(measure="forward", variant="plain", batch=b, seq=a.seq, seconds=sec, reps=a.reps,
                                    extra=dict(minSeconds=fastest)))
        for measure, family in [("sweep.resid_pre", "resid_pre"), ("sweep.head_z", "z")]:
            if measure not in only:
                continue
            sweep, runs = Sweep(model, pair, family), []
            if a.loop_reps > 0:
                for _ in range(3):  # the loop's warm-up: a few single-row forwards, not a whole sweep
                    model(torch.tensor([pair["corrupted"]]))
                runs.append(("loop", 1, a.loop_reps, timed(lambda: sweep.run(False, 1), a.loop_reps, warmup=0)))
            runs.append(("batched", a.rows_per_run, a.sweep_reps, timed(lambda: sweep.run(True, a.rows_per_run), a.sweep_reps, warmup=1)))
            for variant, rows, reps, (sec, fastest, out) in runs:
                extra = dict(rowsPerRun=rows, runs=2 + math.ceil(len(sweep.variants) / rows), minSeconds=fastest, **out)
                results.append(dict(measure=measure, variant=variant, batch=rows, seq=len(pair["clean"]), seconds=sec, reps=reps,
                                    variants=len(sweep.variants), extra=extra))
        checked = check(model, pair, results, a.check) if a.check else None
    out = dict(tool="pytorch-eager", versions=dict(torch=torch.__version__, python=platform.python_version(), numpy=np.__version__,
               onnx=onnx.__version__, blas=blas_library()), device="cpu", threads=a.threads, model=a.model, config=config,
               peakRssBytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, results=results)
    if checked is not None:
        out["check"] = dict(against=a.check, maxAbsDiff=checked)
    print(f"{'measure':<16} {'variant':<8} {'batch':>5} {'seq':>4} {'variants':>8} {'reps':>4} {'seconds':>9}")
    for r in results:
        print(f"{r['measure']:<16} {r['variant']:<8} {r['batch']:>5} {r['seq']:>4} {r.get('variants', ''):>8} {r['reps']:>4} {r['seconds']:>9.4f}")
    for m, e in {r["measure"]: r["extra"] for r in results if "clean" in r["extra"]}.items():
        print(f"{m}: logit diff clean {e['clean']:.4f}, corrupted {e['corrupted']:.4f}")
    print(f"peak RSS {out['peakRssBytes'] / 2**20:.0f} MiB; torch {torch.__version__}, {a.threads} threads, BLAS {out['versions']['blas']}")
    if checked is not None:
        print("max |torch - onnxinterp|: " + ", ".join(f"{k} {v:.2e}" for k, v in checked.items()))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)


def blas_library():
    """The BLAS torch actually loaded (Debian's alternatives decide; the reference BLAS is ~25x slower)."""
    with open("/proc/self/maps") as f:
        libs = {"/".join(os.path.realpath(l.split()[-1]).split("/")[-2:]) for l in f if "blas" in l.lower() and l.split()[-1].startswith("/")}
    return ",".join(sorted(libs)) or "unknown"


if __name__ == "__main__":
    main()
