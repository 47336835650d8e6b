#!/usr/bin/env python3
"""Generate quantized single-op (and small multi-op) ONNX models for testing `dlp run`.

For every case this writes, into OUTDIR:
  <case>.onnx               the model
  <case>.in.<input>.npy     random inputs (int8/uint8 for hand-built models, float32 for
                            models quantized by onnxruntime.quantization.quantize_static)
  <case>.ort.<output>.npy   the onnxruntime reference output
  <case>.spec.<output>.npy  (requantizing ops only) the bit-exact reference computed by
                            spec_ref.py, an independent NumPy model of ARCHITECTURE.md 6
and manifest.json listing the cases, their tolerances and the output quantization.

Forms covered: QDQ (DequantizeLinear -> op -> QuantizeLinear, built with onnx.helper),
QLinear (QLinearConv, QLinearMatMul, com.microsoft QLinearAdd / QLinearGlobalAveragePool),
and float models quantized by quantize_static (QDQ, float inputs/outputs). Activations
int8 and uint8; weights per tensor and per channel; shapes deliberately include sizes that
are not multiples of 16, 8 or 4.

Deterministic: everything derives from --seed (default 1234).

Usage: gen_op_models.py OUTDIR [--seed N] [--quick]
"""
import argparse
import json
import logging
import os
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sw", "models"))
import spec_ref  # noqa: E402
from ort_session import session  # noqa: E402

OPSET = 17
NP2ONNX = {np.int8: TensorProto.INT8, np.uint8: TensorProto.UINT8, np.float32: TensorProto.FLOAT,
           np.int32: TensorProto.INT32, np.int64: TensorProto.INT64}
DT = {"int8": np.int8, "uint8": np.uint8}


def qrange(dt):
    return (-128, 127) if dt == np.int8 else (0, 255)


def ort_run(model, feeds, opt=True):
    return session(model, threads=1, optimize=opt).run(None, feeds)


def choose_qparams(y, dt, rng):
    """Output scale/zero point covering the float output range (slightly clipped at random
    so that saturation is exercised too)."""
    lo, hi = float(np.min(y)), float(np.max(y))
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo < 1e-6:
        hi = lo + 1.0
    shrink = rng.choice([1.0, 1.0, 0.8])
    scale = np.float32((hi - lo) * shrink / 255.0)
    qmin, qmax = qrange(dt)
    zp = int(np.clip(round(qmin - lo * shrink / float(scale)), qmin, qmax))
    return scale, zp


class Builder:
    """Collects nodes/initializers of one graph."""

    def __init__(self):
        self.nodes, self.inits, self.inputs, self.feeds = [], [], [], {}
        self.n = 0

    def name(self, base):
        self.n += 1
        return "%s_%d" % (base, self.n)

    def const(self, base, arr):
        nm = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(arr), nm))
        return nm

    def node(self, op, ins, base="t", domain=None, **attrs):
        out = self.name(base)
        kw = {"domain": domain} if domain else {}
        self.nodes.append(helper.make_node(op, ins, [out], name=self.name(op), **attrs, **kw))
        return out

    def qinput(self, nm, arr):
        self.inputs.append(helper.make_tensor_value_info(nm, NP2ONNX[arr.dtype.type], list(arr.shape)))
        self.feeds[nm] = arr
        return nm

    def dq(self, x, scale, zp, axis=None):
        sc = self.const("scale", np.asarray(scale, dtype=np.float32))
        zpa = np.asarray(zp)
        zn = self.const("zp", zpa)
        kw = {"axis": axis} if axis is not None else {}
        return self.node("DequantizeLinear", [x, sc, zn], "dq", **kw)

    def q(self, x, scale, zp, dt):
        sc = self.const("scale", np.float32(scale))
        zn = self.const("zp", np.array(zp, dtype=dt))
        return self.node("QuantizeLinear", [x, sc, zn], "q")

    def model(self, outputs, opset=OPSET, ms=False):
        outs = [helper.make_tensor_value_info(o, et, None) for o, et in outputs]
        g = helper.make_graph(self.nodes, "g", self.inputs, outs, self.inits)
        ops = [helper.make_opsetid("", opset)]
        if ms:
            ops.append(helper.make_opsetid("com.microsoft", 1))
        m = helper.make_model(g, opset_imports=ops)
        m.ir_version = 8
        return m


def rand_act(rng, shape, dt):
    qmin, qmax = qrange(dt)
    x = rng.integers(qmin, qmax + 1, size=shape).astype(dt)
    scale = np.float32(rng.uniform(0.005, 0.05))
    zp = int(rng.integers(qmin + 20, qmax - 20)) if rng.random() < 0.8 else (0 if dt == np.int8 else 128)
    return x, scale, zp


def quant_weights(rng, wf, per_channel, axis):
    """Symmetric int8 weights; scale per channel along axis or per tensor."""
    if per_channel:
        red = tuple(i for i in range(wf.ndim) if i != axis)
        amax = np.max(np.abs(wf), axis=red)
        scale = (np.maximum(amax, 1e-4) / 127.0).astype(np.float32)
        shp = [1] * wf.ndim
        shp[axis] = -1
        wq = np.clip(np.round(wf / scale.reshape(shp)), -127, 127).astype(np.int8)
    else:
        scale = np.float32(max(float(np.max(np.abs(wf))), 1e-4) / 127.0)
        wq = np.clip(np.round(wf / scale), -127, 127).astype(np.int8)
    return wq, scale


class Gen:
    def __init__(self, outdir, seed, quick):
        self.outdir = outdir
        self.rng = np.random.default_rng(seed)
        self.quick = quick
        self.cases = []
        self.subset_keys = set()

    # -------------------------------------------------------------- saving
    def save(self, name, model, feeds, refs, meta, spec=None):
        for o in model.graph.output:
            if o.name in refs and not o.type.tensor_type.HasField("shape"):
                o.CopyFrom(helper.make_tensor_value_info(o.name, o.type.tensor_type.elem_type,
                                                         list(refs[o.name][0].shape)))
        onnx.checker.check_model(model)
        path = os.path.join(self.outdir, name + ".onnx")
        onnx.save(model, path)
        ins = {}
        for k, v in feeds.items():
            fn = "%s.in.%s.npy" % (name, k)
            np.save(os.path.join(self.outdir, fn), v)
            ins[k] = fn
        outs = {}
        for k, (v, scale, zp) in refs.items():
            fn = "%s.ort.%s.npy" % (name, k)
            np.save(os.path.join(self.outdir, fn), v)
            o = {"ort": fn, "dtype": str(v.dtype), "shape": list(v.shape),
                 "scale": float(scale), "zero_point": int(zp)}
            if spec is not None and k in spec:
                sfn = "%s.spec.%s.npy" % (name, k)
                np.save(os.path.join(self.outdir, sfn), spec[k])
                o["spec"] = sfn
            outs[k] = o
        case = {"name": name, "model": name + ".onnx", "inputs": ins, "outputs": outs}
        case.update(meta)
        if name.startswith(("multi_", "static_")):
            # Chains of requantizing layers: each layer may be 1 LSB off onnxruntime (float
            # requantization), and a 1 LSB difference in an intermediate tensor can move the
            # next layer's output by one more step. One step per chain, not per layer.
            case["tol_lsb"] = max(case["tol_lsb"], 2)
            case["note"] = "chain: 1 LSB own rounding + 1 LSB propagated"
        # the sim subset: the first case of each op kind only (Verilator is slow)
        if case["subset"]:
            key = (case["op"], case["form"])
            if case["op"] in ("Conv", "QLinearConv", "QLinearMatMul", "Add", "Softmax", "LayerNormalization"):
                key += (case["act"],)  # these also with uint8 activations
            case["subset"] = key not in self.subset_keys
            self.subset_keys.add(key)
        self.cases.append(case)
        print("gen: %-44s %s" % (name, " ".join("%s%s" % (k, tuple(v[0].shape)) for k, v in refs.items())))

    def finish_qdq(self, name, b, yf_name, dt, meta, fixed_q=None, spec_fn=None, opset=OPSET):
        """Run the float tail to pick output qparams, append QuantizeLinear, run ORT."""
        et = NP2ONNX[dt]
        if fixed_q is None:
            m0 = b.model([(yf_name, TensorProto.FLOAT)], opset)
            yf = ort_run(m0, b.feeds)[0]
            scale, zp = choose_qparams(yf, dt, self.rng)
        else:
            scale, zp = fixed_q
        b.q(yf_name, scale, zp, dt)
        b.nodes[-1].output[0] = "y"
        m = b.model([("y", et)], opset)
        ref = ort_run(m, b.feeds)[0]
        spec = None
        if spec_fn is not None:
            spec = {"y": spec_fn(scale, zp).astype(dt)}
        self.save(name, m, b.feeds, {"y": (ref, scale, zp)}, meta, spec)

    def meta(self, op, form, dt, weights=None, tol=1, exact=False, subset=False, note=""):
        return {"op": op, "form": form, "act": "int8" if dt == np.int8 else "uint8",
                "weights": weights, "tol_lsb": tol, "ort_exact": exact, "subset": subset,
                "note": note}

    # -------------------------------------------------------------- ops, QDQ form
    def conv_params(self, i):
        r = self.rng
        n = int(r.choice([1, 1, 2]))
        c = int(r.choice([1, 3, 5, 8, 16, 17]))
        h = int(r.integers(5, 14))
        w = int(r.integers(5, 14))
        o = int(r.choice([1, 4, 7, 16, 20, 33]))
        k = int(r.choice([1, 3, 3, 5]))
        s = int(r.choice([1, 1, 2]))
        p = int(r.choice([0, k // 2]))
        return n, c, h, w, o, k, s, p

    def conv_common(self, b, xf, x, xs, xz, c, o, k, s, p, group, per_channel, relu, dt):
        r = self.rng
        wf = r.normal(0, 0.3, size=(o, c // group, k, k)).astype(np.float32)
        wq, ws = quant_weights(r, wf, per_channel, 0)
        wn = b.const("w", wq)
        wdq = b.dq(wn, ws, np.zeros(o, np.int8) if per_channel else np.int8(0), axis=0 if per_channel else None)
        bias_s = (np.float32(xs) * np.asarray(ws, np.float32)).astype(np.float32)
        bq = r.integers(-2000, 2000, size=o).astype(np.int32)
        bn = b.const("b", bq)
        bdq = b.dq(bn, bias_s if per_channel else np.float32(bias_s), np.zeros(o, np.int32) if per_channel else np.int32(0),
                   axis=0 if per_channel else None)
        y = b.node("Conv", [xf, wdq, bdq], "conv", kernel_shape=[k, k], strides=[s, s], pads=[p] * 4, group=group)
        if relu:
            y = b.node("Relu", [y], "relu")
        qmin, qmax = qrange(dt)

        def spec_fn(ys, yz):
            lo = max(qmin, yz) if relu else qmin
            return spec_ref.conv2d_nchw(x, xz, wq, bq, xs, ws, ys, yz, lo, qmax, (s, s), (p,) * 4, group)
        return y, spec_fn, wq, ws, bq

    def qdq_conv(self, i, dt, per_channel, relu=False, depthwise=False):
        n, c, h, w, o, k, s, p = self.conv_params(i)
        if depthwise:
            c = o = int(self.rng.choice([3, 8, 17]))
        b = Builder()
        x, xs, xz = rand_act(self.rng, (n, c, h, w), dt)
        xf = b.dq(b.qinput("x", x), xs, np.array(xz, dtype=dt))
        y, spec_fn, *_ = self.conv_common(b, xf, x, xs, xz, c, o, k, s, p, c if depthwise else 1, per_channel, relu, dt)
        nm = "qdq_conv%s%s_%s_%s_%d" % ("_dw" if depthwise else "", "_relu" if relu else "", dt.__name__,
                                        "pc" if per_channel else "pt", i)
        self.finish_qdq(nm, b, y, dt, self.meta("Conv" + ("+Relu" if relu else ""), "qdq", dt,
                                                "per_channel" if per_channel else "per_tensor",
                                                subset=(i == 0)), spec_fn=spec_fn)

    def qdq_matmul(self, i, dt, per_channel, gemm=False):
        r = self.rng
        bt = int(r.choice([1, 2, 3]))
        m = int(r.choice([1, 5, 16, 19, 33]))
        k = int(r.choice([3, 16, 24, 37, 64]))
        nn = int(r.choice([1, 6, 16, 21, 40]))
        b = Builder()
        shape = (m, k) if gemm else (bt, m, k)
        x, xs, xz = rand_act(r, shape, dt)
        xf = b.dq(b.qinput("x", x), xs, np.array(xz, dtype=dt))
        if gemm:  # Gemm with transB=1: W stored [N, K], per output channel = axis 0
            wf = r.normal(0, 0.3, size=(nn, k)).astype(np.float32)
            wq, ws = quant_weights(r, wf, per_channel, 0)
            wdq = b.dq(b.const("w", wq), ws, np.zeros(nn, np.int8) if per_channel else np.int8(0),
                       axis=0 if per_channel else None)
        else:
            wf = r.normal(0, 0.3, size=(k, nn)).astype(np.float32)
            wq, ws = quant_weights(r, wf, per_channel, 1)
            wdq = b.dq(b.const("w", wq), ws, np.zeros(nn, np.int8) if per_channel else np.int8(0),
                       axis=1 if per_channel else None)
        bias_s = (np.float32(xs) * np.asarray(ws, np.float32)).astype(np.float32)
        bq = r.integers(-3000, 3000, size=nn).astype(np.int32)
        bdq = b.dq(b.const("b", bq), bias_s if per_channel else np.float32(bias_s),
                   np.zeros(nn, np.int32) if per_channel else np.int32(0), axis=0 if per_channel else None)
        if gemm:
            y = b.node("Gemm", [xf, wdq, bdq], "gemm", transB=1)
        else:
            y = b.node("MatMul", [xf, wdq], "mm")
            y = b.node("Add", [y, bdq], "badd")
        qmin, qmax = qrange(dt)

        def spec_fn(ys, yz):
            w2 = wq.T if gemm else wq
            return spec_ref.matmul(x, xz, w2, 0, bq, xs, ws, ys, yz, qmin, qmax)
        nm = "qdq_%s_%s_%s_%d" % ("gemm" if gemm else "matmul", dt.__name__, "pc" if per_channel else "pt", i)
        self.finish_qdq(nm, b, y, dt, self.meta("Gemm" if gemm else "MatMul+Add", "qdq", dt,
                                                "per_channel" if per_channel else "per_tensor", subset=(i == 0)),
                        spec_fn=spec_fn)

    def qdq_matmul_act(self, i, dt):
        """Activation x activation MatMul (attention scores), no weights."""
        r = self.rng
        bt, m, k, nn = int(r.choice([1, 2, 4])), int(r.choice([7, 16, 32])), int(r.choice([8, 13, 32])), int(r.choice([7, 16, 32]))
        b = Builder()
        a, as_, az = rand_act(r, (bt, m, k), dt)
        c, cs, cz = rand_act(r, (bt, k, nn), dt)
        af = b.dq(b.qinput("a", a), as_, np.array(az, dtype=dt))
        cf = b.dq(b.qinput("b", c), cs, np.array(cz, dtype=dt))
        y = b.node("MatMul", [af, cf], "mm")
        qmin, qmax = qrange(dt)

        def spec_fn(ys, yz):
            return spec_ref.matmul(a, az, c, cz, None, as_, cs, ys, yz, qmin, qmax)
        self.finish_qdq("qdq_matmul_act_%s_%d" % (dt.__name__, i), b, y, dt,
                        self.meta("MatMul(act,act)", "qdq", dt), spec_fn=spec_fn)

    def qdq_pool(self, i, dt, kind):
        r = self.rng
        n, c, h, w = int(r.choice([1, 2])), int(r.choice([1, 3, 16, 19])), int(r.integers(4, 15)), int(r.integers(4, 15))
        k = int(r.choice([2, 3]))
        s = int(r.choice([1, 2]))
        p = int(r.choice([0, 1])) if k == 3 else 0
        cip = int(r.choice([0, 1]))
        b = Builder()
        x, xs, xz = rand_act(r, (n, c, h, w), dt)
        xf = b.dq(b.qinput("x", x), xs, np.array(xz, dtype=dt))
        qmin, qmax = qrange(dt)
        if kind == "max":
            y = b.node("MaxPool", [xf], "mp", kernel_shape=[k, k], strides=[s, s], pads=[p] * 4)
            nm = "qdq_maxpool_%s_k%ds%dp%d_%d" % (dt.__name__, k, s, p, i)
            self.finish_qdq(nm, b, y, dt, self.meta("MaxPool", "qdq", dt, tol=0, exact=True, subset=(i == 0)),
                            fixed_q=(xs, xz))
        elif kind == "avg":
            y = b.node("AveragePool", [xf], "ap", kernel_shape=[k, k], strides=[s, s], pads=[p] * 4,
                       count_include_pad=cip)
            nm = "qdq_avgpool_%s_k%ds%dp%dc%d_%d" % (dt.__name__, k, s, p, cip, i)

            def spec_fn(ys, yz):
                return spec_ref.avgpool_nchw(x, xz, xs, ys, yz, qmin, qmax, (k, k), (s, s), (p,) * 4, cip)
            self.finish_qdq(nm, b, y, dt, self.meta("AveragePool", "qdq", dt, subset=(i == 0)), spec_fn=spec_fn)
        else:  # global average pool (QDQ)
            y = b.node("GlobalAveragePool", [xf], "gap")

            def spec_fn(ys, yz):
                return spec_ref.avgpool_nchw(x, xz, xs, ys, yz, qmin, qmax, (h, w), (1, 1), (0,) * 4, 1)
            self.finish_qdq("qdq_globalavgpool_%s_%d" % (dt.__name__, i), b, y, dt,
                            self.meta("GlobalAveragePool", "qdq", dt), spec_fn=spec_fn)

    def qdq_add(self, i, dt, relu=False):
        r = self.rng
        shape = [(1, 16, 8, 8), (2, 5, 7, 3), (1, 37), (3, 17, 24), (1, 1, 1, 13)][i % 5]
        b = Builder()
        a, as_, az = rand_act(r, shape, dt)
        c, cs, cz = rand_act(r, shape, dt)
        af = b.dq(b.qinput("a", a), as_, np.array(az, dtype=dt))
        cf = b.dq(b.qinput("b", c), cs, np.array(cz, dtype=dt))
        y = b.node("Add", [af, cf], "add")
        if relu:
            y = b.node("Relu", [y], "relu")
        qmin, qmax = qrange(dt)

        def spec_fn(ys, yz):
            return spec_ref.add(a, as_, az, c, cs, cz, ys, yz, max(qmin, yz) if relu else qmin, qmax)
        self.finish_qdq("qdq_add%s_%s_%d" % ("_relu" if relu else "", dt.__name__, i), b, y, dt,
                        self.meta("Add" + ("+Relu" if relu else ""), "qdq", dt, subset=(i == 0)), spec_fn=spec_fn)

    def qdq_unary(self, i, dt, op):
        r = self.rng
        shape = [(1, 7, 5, 5), (2, 3, 11), (1, 40), (2, 4, 3, 9)][i % 4]
        b = Builder()
        x, xs, xz = rand_act(r, shape, dt)
        xf = b.dq(b.qinput("x", x), xs, np.array(xz, dtype=dt))
        fixed, tol, exact, opset = None, 1, False, OPSET
        if op == "Relu":
            y = b.node("Relu", [xf], "relu")
            fixed, tol, exact = (xs, xz), 0, True
        elif op == "Clip":
            lo = np.float32(0.0)
            hi = np.float32(float(xs) * 60)
            y = b.node("Clip", [xf, b.const("lo", lo), b.const("hi", hi)], "clip")
            fixed = (xs, xz)
        elif op == "Reshape":
            tgt = np.array([shape[0], -1], dtype=np.int64)
            y = b.node("Reshape", [xf, b.const("shape", tgt)], "rs")
            fixed, tol, exact = (xs, xz), 0, True
        elif op == "Flatten":
            y = b.node("Flatten", [xf], "fl", axis=1)
            fixed, tol, exact = (xs, xz), 0, True
        elif op == "Transpose":
            perm = list(range(len(shape)))[::-1] if i % 2 else [0] + list(range(2, len(shape))) + [1]
            y = b.node("Transpose", [xf], "tr", perm=perm)
            fixed, tol, exact = (xs, xz), 0, True
        elif op == "Softmax":
            y = b.node("Softmax", [xf], "sm", axis=-1)
            fixed = (np.float32(1 / 256.0), -128 if dt == np.int8 else 0)
        elif op == "Gelu":
            y = b.node("Gelu", [xf], "gelu")
            opset = 20
        elif op == "GeluErf":  # x * 0.5 * (1 + erf(x / sqrt(2)))
            t = b.node("Div", [xf, b.const("sqrt2", np.float32(np.sqrt(2.0)))], "div")
            t = b.node("Erf", [t], "erf")
            t = b.node("Add", [t, b.const("one", np.float32(1.0))], "add1")
            t = b.node("Mul", [xf, t], "mul")
            y = b.node("Mul", [t, b.const("half", np.float32(0.5))], "half")
        elif op == "LayerNormalization":
            d = shape[-1]
            g = r.uniform(0.5, 1.5, size=d).astype(np.float32)
            be = r.normal(0, 0.2, size=d).astype(np.float32)
            y = b.node("LayerNormalization", [xf, b.const("gamma", g), b.const("beta", be)], "ln",
                       axis=-1, epsilon=1e-5)
        else:
            raise ValueError(op)
        self.finish_qdq("qdq_%s_%s_%d" % (op.lower(), dt.__name__, i), b, y, dt,
                        self.meta(op, "qdq", dt, tol=tol, exact=exact, subset=(i == 0)), fixed_q=fixed, opset=opset)

    def qdq_concat(self, i, dt, same_q):
        r = self.rng
        n, h, w = 1, int(r.integers(3, 9)), int(r.integers(3, 9))
        chans = [int(r.choice([1, 3, 8, 13])) for _ in range(int(r.choice([2, 3])))]
        b = Builder()
        xs_f, arrs = [], []
        x0, s0, z0 = rand_act(r, (n, chans[0], h, w), dt)
        for j, c in enumerate(chans):
            x, s, z = rand_act(r, (n, c, h, w), dt)
            if same_q:
                s, z = s0, z0
            arrs.append(x)
            xs_f.append(b.dq(b.qinput("x%d" % j, x), s, np.array(z, dtype=dt)))
        y = b.node("Concat", xs_f, "cat", axis=1)
        self.finish_qdq("qdq_concat_%s_%s_%d" % ("sameq" if same_q else "diffq", dt.__name__, i), b, y, dt,
                        self.meta("Concat", "qdq", dt, tol=0 if same_q else 1, exact=same_q),
                        fixed_q=(s0, z0) if same_q else None)

    # -------------------------------------------------------------- QLinear form
    def qlinear_conv(self, i, dt, per_channel):
        r = self.rng
        n, c, h, w, o, k, s, p = self.conv_params(i)
        # float stage: same arithmetic as QDQ, used to choose the output qparams
        b = Builder()
        x, xs, xz = rand_act(r, (n, c, h, w), dt)
        xf = b.dq(b.qinput("x", x), xs, np.array(xz, dtype=dt))
        yf, _, wq, ws, bq = self.conv_common(b, xf, x, xs, xz, c, o, k, s, p, 1, per_channel, False, dt)
        yfl = ort_run(b.model([(yf, TensorProto.FLOAT)]), b.feeds)[0]
        ys, yz = choose_qparams(yfl, dt, r)
        q = Builder()
        xi = q.qinput("x", x)
        ins = [xi, q.const("xs", np.float32(xs)), q.const("xz", np.array(xz, dtype=dt)),
               q.const("w", wq), q.const("ws", np.asarray(ws, np.float32)),
               q.const("wz", np.zeros(o, np.int8) if per_channel else np.int8(0)),
               q.const("ys", np.float32(ys)), q.const("yz", np.array(yz, dtype=dt)), q.const("b", bq)]
        q.nodes.append(helper.make_node("QLinearConv", ins, ["y"], kernel_shape=[k, k], strides=[s, s], pads=[p] * 4))
        m = q.model([("y", NP2ONNX[dt])])
        ref = ort_run(m, q.feeds)[0]
        qmin, qmax = qrange(dt)
        spec = spec_ref.conv2d_nchw(x, xz, wq, bq, xs, ws, ys, yz, qmin, qmax, (s, s), (p,) * 4).astype(dt)
        self.save("qlinear_conv_%s_%s_%d" % (dt.__name__, "pc" if per_channel else "pt", i), m, q.feeds,
                  {"y": (ref, ys, yz)}, self.meta("QLinearConv", "qlinear", dt, "per_channel" if per_channel else "per_tensor",
                                                  subset=(i == 0)), {"y": spec})

    def qlinear_matmul(self, i, dt, per_channel):
        r = self.rng
        bt, m_, k, nn = int(r.choice([1, 2])), int(r.choice([1, 9, 16, 31])), int(r.choice([5, 16, 40])), int(r.choice([3, 16, 23]))
        x, xs, xz = rand_act(r, (bt, m_, k), dt)
        wf = r.normal(0, 0.3, size=(k, nn)).astype(np.float32)
        wq, ws = quant_weights(r, wf, per_channel, 1)
        yfl = np.matmul((x.astype(np.float32) - xz) * xs, wq.astype(np.float32) * np.asarray(ws, np.float32))
        ys, yz = choose_qparams(yfl, dt, r)
        q = Builder()
        ins = [q.qinput("x", x), q.const("xs", np.float32(xs)), q.const("xz", np.array(xz, dtype=dt)),
               q.const("w", wq), q.const("ws", np.asarray(ws, np.float32)),
               q.const("wz", np.zeros(nn, np.int8) if per_channel else np.int8(0)),
               q.const("ys", np.float32(ys)), q.const("yz", np.array(yz, dtype=dt))]
        q.nodes.append(helper.make_node("QLinearMatMul", ins, ["y"]))
        m = q.model([("y", NP2ONNX[dt])])
        ref = ort_run(m, q.feeds)[0]
        qmin, qmax = qrange(dt)
        spec = spec_ref.matmul(x, xz, wq, 0, None, xs, ws, ys, yz, qmin, qmax).astype(dt)
        self.save("qlinear_matmul_%s_%s_%d" % (dt.__name__, "pc" if per_channel else "pt", i), m, q.feeds,
                  {"y": (ref, ys, yz)}, self.meta("QLinearMatMul", "qlinear", dt,
                                                  "per_channel" if per_channel else "per_tensor", subset=(i == 0)),
                  {"y": spec})

    def qlinear_add(self, i, dt):
        r = self.rng
        shape = [(1, 16, 6, 6), (2, 3, 5, 7), (1, 100)][i % 3]
        a, as_, az = rand_act(r, shape, dt)
        c, cs, cz = rand_act(r, shape, dt)
        yfl = (a.astype(np.float32) - az) * as_ + (c.astype(np.float32) - cz) * cs
        ys, yz = choose_qparams(yfl, dt, r)
        q = Builder()
        ins = [q.qinput("a", a), q.const("as", np.float32(as_)), q.const("az", np.array(az, dtype=dt)),
               q.qinput("b", c), q.const("bs", np.float32(cs)), q.const("bz", np.array(cz, dtype=dt)),
               q.const("ys", np.float32(ys)), q.const("yz", np.array(yz, dtype=dt))]
        q.nodes.append(helper.make_node("QLinearAdd", ins, ["y"], domain="com.microsoft"))
        m = q.model([("y", NP2ONNX[dt])], ms=True)
        ref = ort_run(m, q.feeds)[0]
        qmin, qmax = qrange(dt)
        spec = spec_ref.add(a, as_, az, c, cs, cz, ys, yz, qmin, qmax).astype(dt)
        self.save("qlinear_add_%s_%d" % (dt.__name__, i), m, q.feeds, {"y": (ref, ys, yz)},
                  self.meta("QLinearAdd", "qlinear", dt, subset=(i == 0)), {"y": spec})

    def qlinear_gap(self, i, dt):
        r = self.rng
        n, c, h, w = int(r.choice([1, 2])), int(r.choice([3, 16, 21])), int(r.integers(2, 10)), int(r.integers(2, 10))
        x, xs, xz = rand_act(r, (n, c, h, w), dt)
        yfl = ((x.astype(np.float32) - xz) * xs).mean(axis=(2, 3), keepdims=True)
        ys, yz = choose_qparams(yfl, dt, r)
        q = Builder()
        ins = [q.qinput("x", x), q.const("xs", np.float32(xs)), q.const("xz", np.array(xz, dtype=dt)),
               q.const("ys", np.float32(ys)), q.const("yz", np.array(yz, dtype=dt))]
        q.nodes.append(helper.make_node("QLinearGlobalAveragePool", ins, ["y"], domain="com.microsoft", channels_last=0))
        m = q.model([("y", NP2ONNX[dt])], ms=True)
        ref = ort_run(m, q.feeds)[0]
        qmin, qmax = qrange(dt)
        spec = spec_ref.avgpool_nchw(x, xz, xs, ys, yz, qmin, qmax, (h, w), (1, 1), (0,) * 4, 1).astype(dt)
        self.save("qlinear_gap_%s_%d" % (dt.__name__, i), m, q.feeds, {"y": (ref, ys, yz)},
                  self.meta("QLinearGlobalAveragePool", "qlinear", dt, subset=(i == 0)), {"y": spec})

    # -------------------------------------------------------------- small multi-op graphs (QDQ)
    def multi_cnn(self, i, dt, per_channel):
        """conv+relu -> maxpool -> conv + residual add -> avgpool -> flatten -> gemm."""
        r = self.rng
        b = Builder()
        c, h = int(r.choice([1, 3])), int(r.choice([8, 10, 12]))
        x, xs, xz = rand_act(r, (1, c, h, h), dt)
        cur = b.dq(b.qinput("x", x), xs, np.array(xz, dtype=dt))
        feeds = b.feeds

        def requant_here(t):
            """Insert Q/DQ after float tensor t with qparams from a float run."""
            yfl = ort_run(b.model([(t, TensorProto.FLOAT)]), feeds)[0]
            s, z = choose_qparams(yfl, dt, r)
            return b.dq(b.q(t, s, z, dt), s, np.array(z, dtype=dt)), s
        ch = 16 if i % 2 == 0 else 12
        y, _, _, _, _ = self.conv_common(b, cur, x, xs, xz, c, ch, 3, 1, 1, 1, per_channel, True, dt)
        y, s1 = requant_here(y)
        y = b.node("MaxPool", [y], "mp", kernel_shape=[2, 2], strides=[2, 2])
        res = y
        # second conv uses the pooled activation as input: its scale is s1
        wf = r.normal(0, 0.2, size=(ch, ch, 3, 3)).astype(np.float32)
        wq, ws = quant_weights(r, wf, per_channel, 0)
        wdq = b.dq(b.const("w", wq), ws, np.zeros(ch, np.int8) if per_channel else np.int8(0), axis=0 if per_channel else None)
        y2 = b.node("Conv", [y, wdq], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
        y2, _ = requant_here(y2)
        y = b.node("Add", [y2, res], "add")
        y = b.node("Relu", [y], "relu")
        y, _ = requant_here(y)
        y = b.node("AveragePool", [y], "ap", kernel_shape=[2, 2], strides=[2, 2])
        y, _ = requant_here(y)
        y = b.node("Flatten", [y], "fl", axis=1)
        feat = ch * (h // 4) * (h // 4)
        wf = r.normal(0, 0.2, size=(10, feat)).astype(np.float32)
        wq, ws = quant_weights(r, wf, per_channel, 0)
        wdq = b.dq(b.const("w", wq), ws, np.zeros(10, np.int8) if per_channel else np.int8(0), axis=0 if per_channel else None)
        y = b.node("Gemm", [y, wdq], "gemm", transB=1)
        self.finish_qdq("multi_cnn_%s_%s_%d" % (dt.__name__, "pc" if per_channel else "pt", i), b, y, dt,
                        self.meta("CNN block", "qdq", dt, "per_channel" if per_channel else "per_tensor",
                                  subset=(i == 0)))

    def multi_attention(self, i, dt):
        """One attention head: scores = Q K^T * scale -> Softmax -> P V, plus LayerNorm."""
        r = self.rng
        L, d = int(r.choice([8, 13, 16])), int(r.choice([8, 16, 24]))
        b = Builder()
        qa, qs, qz = rand_act(r, (1, L, d), dt)
        ka, ks, kz = rand_act(r, (1, d, L), dt)
        va, vs, vz = rand_act(r, (1, L, d), dt)
        qf = b.dq(b.qinput("q", qa), qs, np.array(qz, dtype=dt))
        kf = b.dq(b.qinput("kt", ka), ks, np.array(kz, dtype=dt))
        vf = b.dq(b.qinput("v", va), vs, np.array(vz, dtype=dt))
        feeds = b.feeds
        sc = b.node("MatMul", [qf, kf], "qk")
        sc = b.node("Mul", [sc, b.const("scale", np.float32(1.0 / np.sqrt(d)))], "scl")
        yfl = ort_run(b.model([(sc, TensorProto.FLOAT)]), feeds)[0]
        s_s, s_z = choose_qparams(yfl, dt, r)
        sc = b.dq(b.q(sc, s_s, s_z, dt), s_s, np.array(s_z, dtype=dt))
        p = b.node("Softmax", [sc], "sm", axis=-1)
        pz = -128 if dt == np.int8 else 0
        p = b.dq(b.q(p, np.float32(1 / 256), pz, dt), np.float32(1 / 256), np.array(pz, dtype=dt))
        o = b.node("MatMul", [p, vf], "pv")
        yfl = ort_run(b.model([(o, TensorProto.FLOAT)]), feeds)[0]
        o_s, o_z = choose_qparams(yfl, dt, r)
        o = b.dq(b.q(o, o_s, o_z, dt), o_s, np.array(o_z, dtype=dt))
        g = r.uniform(0.5, 1.5, size=d).astype(np.float32)
        be = r.normal(0, 0.1, size=d).astype(np.float32)
        y = b.node("LayerNormalization", [o, b.const("g", g), b.const("b", be)], "ln", axis=-1, epsilon=1e-5)
        self.finish_qdq("multi_attention_%s_%d" % (dt.__name__, i), b, y, dt,
                        self.meta("attention+LayerNorm", "qdq", dt, subset=(i == 0)))

    # -------------------------------------------------------------- quantize_static models
    def static(self, i, kind, dt, per_channel):
        from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                              quantize_static)
        r = self.rng
        b = Builder()
        if kind == "conv":
            shape = (1, int(r.choice([3, 5])), int(r.integers(6, 12)), int(r.integers(6, 12)))
        elif kind == "mlp":
            shape = (int(r.choice([1, 3, 7])), int(r.choice([20, 33])))
        else:  # transformer-ish block
            shape = (1, int(r.choice([6, 11])), 24)
        b.inputs.append(helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape)))
        x = "x"
        if kind == "conv":
            c = shape[1]
            w1 = b.const("w", r.normal(0, 0.3, size=(12, c, 3, 3)).astype(np.float32))
            b1 = b.const("b", r.normal(0, 0.1, size=12).astype(np.float32))
            y = b.node("Conv", [x, w1, b1], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
            y = b.node("Relu", [y], "relu")
            y = b.node("MaxPool", [y], "mp", kernel_shape=[2, 2], strides=[2, 2])
            w2 = b.const("w", r.normal(0, 0.2, size=(12, 12, 3, 3)).astype(np.float32))
            y2 = b.node("Conv", [y, w2], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
            y = b.node("Add", [y, y2], "add")
            y = b.node("GlobalAveragePool", [y], "gap")
            y = b.node("Flatten", [y], "fl")
            w3 = b.const("w", r.normal(0, 0.3, size=(5, 12)).astype(np.float32))
            b3 = b.const("b", r.normal(0, 0.1, size=5).astype(np.float32))
            y = b.node("Gemm", [y, w3, b3], "gemm", transB=1)
        elif kind == "mlp":
            k = shape[1]
            w1 = b.const("w", r.normal(0, 0.3, size=(k, 19)).astype(np.float32))
            b1 = b.const("b", r.normal(0, 0.1, size=19).astype(np.float32))
            y = b.node("Add", [b.node("MatMul", [x, w1], "mm"), b1], "add")
            y = b.node("Clip", [y, b.const("lo", np.float32(0)), b.const("hi", np.float32(6))], "clip")
            w2 = b.const("w", r.normal(0, 0.3, size=(19, 10)).astype(np.float32))
            y = b.node("MatMul", [y, w2], "mm")
            y = b.node("Softmax", [y], "sm", axis=-1)
        else:
            d = shape[2]
            g = b.const("g", r.uniform(0.5, 1.5, size=d).astype(np.float32))
            be = b.const("be", r.normal(0, 0.1, size=d).astype(np.float32))
            y = b.node("LayerNormalization", [x, g, be], "ln", axis=-1, epsilon=1e-5)
            w1 = b.const("w", r.normal(0, 0.3, size=(d, 40)).astype(np.float32))
            y = b.node("MatMul", [y, w1], "mm")
            t = b.node("Div", [y, b.const("sqrt2", np.float32(np.sqrt(2.0)))], "div")
            t = b.node("Erf", [t], "erf")
            t = b.node("Add", [t, b.const("one", np.float32(1.0))], "add1")
            t = b.node("Mul", [y, t], "mul")
            y = b.node("Mul", [t, b.const("half", np.float32(0.5))], "half")
            w2 = b.const("w", r.normal(0, 0.2, size=(40, d)).astype(np.float32))
            y = b.node("MatMul", [y, w2], "mm")
            y = b.node("Add", [y, "x"], "res")
        b.nodes[-1].output[0] = "y"
        fm = b.model([("y", TensorProto.FLOAT)])
        calib = [r.normal(0, 1, size=shape).astype(np.float32) for _ in range(16)]

        class Reader(CalibrationDataReader):
            def __init__(self):
                self.it = iter([{"x": c} for c in calib])

            def get_next(self):
                return next(self.it, None)
        with tempfile.TemporaryDirectory() as td:
            fp, qp = os.path.join(td, "f.onnx"), os.path.join(td, "q.onnx")
            onnx.save(fm, fp)
            quantize_static(fp, qp, Reader(), quant_format=QuantFormat.QDQ,
                            activation_type=QuantType.QInt8 if dt == np.int8 else QuantType.QUInt8,
                            weight_type=QuantType.QInt8, per_channel=per_channel)
            qm = onnx.load(qp)
        # output quantization: the QuantizeLinear feeding the final DequantizeLinear
        prod = {o: n for n in qm.graph.node for o in n.output}
        inits = {t.name: numpy_helper.to_array(t) for t in qm.graph.initializer}
        last = prod["y"]
        if last.op_type != "DequantizeLinear":
            raise RuntimeError("quantize_static left the output unquantized (%s)" % last.op_type)
        oscale = float(inits[last.input[1]])
        ozp = int(inits[last.input[2]]) if len(last.input) > 2 else 0
        xin = r.normal(0, 1, size=shape).astype(np.float32)
        ref = ort_run(qm, {"x": xin})[0]
        self.save("static_%s_%s_%s_%d" % (kind, dt.__name__, "pc" if per_channel else "pt", i), qm, {"x": xin},
                  {"y": (ref, oscale, ozp)},
                  self.meta("quantize_static " + kind, "qdq_static", dt, "per_channel" if per_channel else "per_tensor",
                            subset=(i == 0)))

    # -------------------------------------------------------------- all cases
    def run(self):
        reps = 1 if self.quick else 2
        for dt in (np.int8, np.uint8):
            for pc in (False, True):
                for i in range(reps):
                    self.qdq_conv(i, dt, pc)
                    self.qdq_matmul(i, dt, pc)
                    self.qdq_matmul(i, dt, pc, gemm=True)
                    self.qlinear_conv(i, dt, pc)
                    self.qlinear_matmul(i, dt, pc)
                self.qdq_conv(reps, dt, pc, relu=True)
                self.multi_cnn(0 if pc else 1, dt, pc)
            self.qdq_conv(reps + 1, dt, True, depthwise=True)
            for i in range(reps):
                self.qdq_matmul_act(i, dt)
                for kind in ("max", "avg"):
                    self.qdq_pool(i, dt, kind)
                    self.qdq_pool(i + reps, dt, kind)
                self.qdq_add(i, dt)
                self.qlinear_add(i, dt)
                self.qlinear_gap(i, dt)
                for op in ("Relu", "Clip", "Reshape", "Flatten", "Transpose", "Softmax", "Gelu", "GeluErf",
                           "LayerNormalization"):
                    self.qdq_unary(i, dt, op)
                self.qdq_concat(i, dt, True)
                self.qdq_concat(i + 1, dt, False)
            self.qdq_pool(0, dt, "gap")
            self.qdq_add(reps, dt, relu=True)
            self.multi_attention(0, dt)
            for kind in ("conv", "mlp", "block"):
                self.static(0, kind, dt, kind != "mlp")
                if not self.quick:
                    self.static(1, kind, dt, kind == "mlp")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--quick", action="store_true", help="one repetition per case kind")
    a = ap.parse_args()
    logging.getLogger().setLevel(logging.ERROR)  # quantize_static's pre-processing advice
    os.makedirs(a.outdir, exist_ok=True)
    g = Gen(a.outdir, a.seed, a.quick)
    g.run()
    man = {"seed": a.seed, "generator": "runtime/tests/gen_op_models.py",
           "onnx": onnx.__version__, "onnxruntime": ort.__version__, "numpy": np.__version__,
           "cases": g.cases}
    with open(os.path.join(a.outdir, "manifest.json"), "w") as f:
        json.dump(man, f, indent=1)
    print("gen_op_models: %d cases in %s" % (len(g.cases), a.outdir))


if __name__ == "__main__":
    main()
