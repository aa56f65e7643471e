"""Tracing a float16 model for torch.onnx on a CPU, where torch 1.13 has no half-precision matmul, softmax,
layer_norm or tanh kernels.

Inside `half_kernels_in_float32()`, those functions, given half tensors, run as an autograd.Function that computes in
float32 and rounds the result to half (what the tracer needs: values and dtypes), and whose ONNX symbolic is torch's
own symbolic for the aten op at the export's opset, so the graph holds exactly the nodes a GPU export of the same
half model writes (MatMul, Gemm, Softmax, LayerNormalization or its decomposition, Tanh on float16 tensors).
"""
import contextlib
import torch
from torch.nn import functional as F
from torch.onnx import _globals
from torch.onnx._internal import registration


def _half_function(aten_name, compute):
    class HalfInFloat32(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            widened = [a.float() if isinstance(a, torch.Tensor) and a.dtype == torch.half else a for a in args]
            return compute(*widened).half()

        @staticmethod
        def symbolic(g, *args):
            symbolic = registration.registry.get_function_group(aten_name).get(_globals.GLOBALS.export_onnx_opset_version)
            # A traced None (linear without bias) is a None-typed constant Value to torch's symbolics.
            return symbolic(g, *[_none_value(g) if a is None else a for a in args])

    HalfInFloat32.__name__ = "HalfInFloat32_" + aten_name.split("::")[1]
    return HalfInFloat32.apply


def _none_value(g):
    value = g.op("prim::Constant")
    value.setType(torch._C.NoneType.get())
    return value


def _is_half(*tensors):
    return any(isinstance(t, torch.Tensor) and t.dtype == torch.half for t in tensors)


@contextlib.contextmanager
def half_kernels_in_float32():
    originals = {(torch, "addmm"): torch.addmm, (torch, "matmul"): torch.matmul, (torch, "tanh"): torch.tanh,
                 (F, "softmax"): F.softmax, (F, "layer_norm"): F.layer_norm, (F, "linear"): F.linear}
    addmm = _half_function("aten::addmm", lambda b, m1, m2, beta, alpha: originals[(torch, "addmm")](b, m1, m2))
    matmul = _half_function("aten::matmul", originals[(torch, "matmul")])
    tanh = _half_function("aten::tanh", originals[(torch, "tanh")])
    softmax = _half_function("aten::softmax", lambda x, dim, dtype: originals[(F, "softmax")](x, dim=dim))
    layer_norm = _half_function("aten::layer_norm", lambda x, shape, w, b, eps, cudnn: originals[(F, "layer_norm")](x, shape, w, b, eps))
    linear = _half_function("aten::linear", lambda x, w, b: originals[(F, "linear")](x, w, b))
    patched = {
        (torch, "addmm"): lambda b, m1, m2: addmm(b, m1, m2, torch.tensor(1), torch.tensor(1)) if _is_half(b, m1, m2) else originals[(torch, "addmm")](b, m1, m2),
        (torch, "matmul"): lambda a, b: matmul(a, b) if _is_half(a, b) else originals[(torch, "matmul")](a, b),
        (torch, "tanh"): lambda x: tanh(x) if _is_half(x) else originals[(torch, "tanh")](x),
        (F, "softmax"): lambda x, dim=None, _stacklevel=3, dtype=None: softmax(x, dim, None) if _is_half(x) else originals[(F, "softmax")](x, dim=dim),
        (F, "layer_norm"): lambda x, shape, w=None, b=None, eps=1e-5: layer_norm(x, list(shape), w, b, eps, False) if _is_half(x) else originals[(F, "layer_norm")](x, shape, w, b, eps),
        (F, "linear"): lambda x, w, b=None: linear(x, w, b) if _is_half(x) else originals[(F, "linear")](x, w, b),
    }
    for (module, name), fn in patched.items():
        setattr(module, name, fn)
    try:
        yield
    finally:
        for (module, name), fn in originals.items():
            setattr(module, name, fn)
