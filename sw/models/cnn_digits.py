#!/usr/bin/env python3
"""Train a small residual CNN on scikit-learn's digits (8x8) with NumPy only, export it to
ONNX, check the ONNX against the NumPy forward pass, quantize it to int8 (QDQ).

Network (NCHW in ONNX; the NumPy code works in NHWC):
  input [B,1,8,8] float (pixel / 16)
  conv1 3x3 1->16 pad 1 + bias, ReLU                         -> a1 [B,16,8,8]
  conv2 3x3 16->16 pad 1 + bias, Add a1 (residual), ReLU      -> a2 [B,16,8,8]
  MaxPool 2x2 stride 2                                        -> [B,16,4,4]
  conv3 3x3 16->32 pad 1 + bias, ReLU                         -> [B,32,4,4]
  AveragePool 2x2 stride 2                                    -> [B,32,2,2]
  Flatten -> Gemm 128->10 (transB)                            -> logits [B,10]
B is fixed to the test-split size so that the DLP compiles one static graph and the
demo runs every test image in one `dlp run`.

Outputs in --out (default build/models): cnn_digits_float.onnx, cnn_digits_int8.onnx
(quantize_static, QDQ, int8 activations, per-channel int8 weights, calibrated on training
images), cnn_digits_test_x.npy (float32), cnn_digits_test_y.npy (int64),
cnn_digits.json (accuracies, split, seed).
Deterministic: fixed seed, fixed split; training takes some seconds.
"""
import argparse
import json
import logging
import os
import sys

import numpy as np

SEED = 20261123
TEST_FRACTION = 0.2


# ------------------------------------------------------------------ layers (NHWC)
def im2col3(x):
    """x [B,H,W,C] -> [B,H,W,9,C] patches of a 3x3 window with zero padding 1."""
    b, h, w, c = x.shape
    xp = np.zeros((b, h + 2, w + 2, c), x.dtype)
    xp[:, 1:h + 1, 1:w + 1] = x
    return np.stack([xp[:, i:i + h, j:j + w] for i in range(3) for j in range(3)], axis=3)


def col2im3(dcols, shape):
    b, h, w, c = shape
    dxp = np.zeros((b, h + 2, w + 2, c), dcols.dtype)
    k = 0
    for i in range(3):
        for j in range(3):
            dxp[:, i:i + h, j:j + w] += dcols[:, :, :, k]
            k += 1
    return dxp[:, 1:h + 1, 1:w + 1]


def conv_fwd(x, wm, bias):
    """wm [9*C, O] (rows ordered kh, kw, cin)."""
    cols = im2col3(x)
    b, h, w = x.shape[:3]
    y = cols.reshape(b * h * w, -1) @ wm + bias
    return y.reshape(b, h, w, -1), cols


def conv_bwd(dy, cols, wm, xshape):
    b, h, w, o = dy.shape
    d2 = dy.reshape(-1, o)
    dw = cols.reshape(d2.shape[0], -1).T @ d2
    db = d2.sum(0)
    dcols = (d2 @ wm.T).reshape(b, h, w, 9, xshape[3])
    return col2im3(dcols, xshape), dw, db


def pool_view(x):
    b, h, w, c = x.shape
    return x.reshape(b, h // 2, 2, w // 2, 2, c)


def forward(p, x, cache=False):
    """x [B,8,8,1] NHWC float32 -> logits [B,10] (and the cache for backward)."""
    z1, c1 = conv_fwd(x, p["w1"], p["b1"])
    a1 = np.maximum(z1, 0)
    z2, c2 = conv_fwd(a1, p["w2"], p["b2"])
    s2 = z2 + a1
    a2 = np.maximum(s2, 0)
    v = pool_view(a2)
    m = v.max(axis=(2, 4))
    z3, c3 = conv_fwd(m, p["w3"], p["b3"])
    a3 = np.maximum(z3, 0)
    ap = pool_view(a3).mean(axis=(2, 4))  # [B,2,2,32]
    f = ap.transpose(0, 3, 1, 2).reshape(x.shape[0], -1)  # ONNX Flatten order (C,H,W)
    logits = f @ p["w4"].T + p["b4"]
    if not cache:
        return logits
    return logits, dict(x=x, c1=c1, z1=z1, a1=a1, c2=c2, s2=s2, a2=a2, m=m, c3=c3, z3=z3, ap=ap, f=f)


def backward(p, k, dlogits):
    g = {}
    b = dlogits.shape[0]
    g["w4"] = dlogits.T @ k["f"]
    g["b4"] = dlogits.sum(0)
    df = dlogits @ p["w4"]
    dap = df.reshape(b, 32, 2, 2).transpose(0, 2, 3, 1)
    da3 = np.repeat(np.repeat(dap, 2, axis=1), 2, axis=2) / 4.0
    dz3 = da3 * (k["z3"] > 0)
    dm, g["w3"], g["b3"] = conv_bwd(dz3, k["c3"], p["w3"], k["m"].shape)
    v = pool_view(k["a2"])
    mask = v == k["m"][:, :, None, :, None, :]
    mask = mask / np.maximum(mask.sum(axis=(2, 4), keepdims=True), 1)
    da2 = (mask * dm[:, :, None, :, None, :]).reshape(k["a2"].shape)
    ds2 = da2 * (k["s2"] > 0)
    da1_res = ds2
    da1, g["w2"], g["b2"] = conv_bwd(ds2, k["c2"], p["w2"], k["a1"].shape)
    da1 = da1 + da1_res
    dz1 = da1 * (k["z1"] > 0)
    _, g["w1"], g["b1"] = conv_bwd(dz1, k["c1"], p["w1"], k["x"].shape)
    return g


def train(xtr, ytr, epochs, rng):
    def he(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    p = {"w1": he((9, 16), 9), "b1": np.zeros(16, np.float32),
         "w2": he((144, 16), 144) * 0.5, "b2": np.zeros(16, np.float32),
         "w3": he((144, 32), 144), "b3": np.zeros(32, np.float32),
         "w4": he((10, 128), 128), "b4": np.zeros(10, np.float32)}
    mom = {k: np.zeros_like(v) for k, v in p.items()}
    vel = {k: np.zeros_like(v) for k, v in p.items()}
    lr, b1, b2, eps, t = 2e-3, 0.9, 0.999, 1e-8, 0
    n = xtr.shape[0]
    for ep in range(epochs):
        perm = rng.permutation(n)
        tot = 0.0
        for s in range(0, n, 32):
            idx = perm[s:s + 32]
            logits, k = forward(p, xtr[idx], cache=True)
            z = logits - logits.max(1, keepdims=True)
            pr = np.exp(z)
            pr /= pr.sum(1, keepdims=True)
            tot += -np.log(pr[np.arange(len(idx)), ytr[idx]] + 1e-12).sum()
            d = pr
            d[np.arange(len(idx)), ytr[idx]] -= 1
            g = backward(p, k, (d / len(idx)).astype(np.float32))
            t += 1
            for key in p:
                mom[key] = b1 * mom[key] + (1 - b1) * g[key]
                vel[key] = b2 * vel[key] + (1 - b2) * g[key] ** 2
                mh = mom[key] / (1 - b1 ** t)
                vh = vel[key] / (1 - b2 ** t)
                p[key] = (p[key] - lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        if ep % 5 == 4 or ep == epochs - 1:
            acc = (forward(p, xtr).argmax(1) == ytr).mean()
            print("cnn_digits: epoch %2d  loss %.4f  train acc %.4f" % (ep + 1, tot / n, acc), flush=True)
    return p


# ------------------------------------------------------------------ ONNX export
def export(p, batch):
    from onnx import TensorProto, helper, numpy_helper

    def conv_w(wm, cin):
        o = wm.shape[1]
        return wm.reshape(3, 3, cin, o).transpose(3, 2, 0, 1).copy()  # OIHW
    inits = [numpy_helper.from_array(conv_w(p["w1"], 1), "conv1.weight"),
             numpy_helper.from_array(p["b1"], "conv1.bias"),
             numpy_helper.from_array(conv_w(p["w2"], 16), "conv2.weight"),
             numpy_helper.from_array(p["b2"], "conv2.bias"),
             numpy_helper.from_array(conv_w(p["w3"], 16), "conv3.weight"),
             numpy_helper.from_array(p["b3"], "conv3.bias"),
             numpy_helper.from_array(p["w4"], "fc.weight"),
             numpy_helper.from_array(p["b4"], "fc.bias")]
    cv = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["conv1"], name="conv1", **cv),
        helper.make_node("Relu", ["conv1"], ["relu1"], name="relu1"),
        helper.make_node("Conv", ["relu1", "conv2.weight", "conv2.bias"], ["conv2"], name="conv2", **cv),
        helper.make_node("Add", ["conv2", "relu1"], ["res"], name="residual_add"),
        helper.make_node("Relu", ["res"], ["relu2"], name="relu2"),
        helper.make_node("MaxPool", ["relu2"], ["pool1"], name="maxpool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["pool1", "conv3.weight", "conv3.bias"], ["conv3"], name="conv3", **cv),
        helper.make_node("Relu", ["conv3"], ["relu3"], name="relu3"),
        helper.make_node("AveragePool", ["relu3"], ["pool2"], name="avgpool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["pool2"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1),
    ]
    g = helper.make_graph(nodes, "cnn_digits",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [batch, 1, 8, 8])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [batch, 10])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="dlp sw/models/cnn_digits.py")
    m.ir_version = 8
    import onnx
    onnx.checker.check_model(m)
    return m


def ort_session(path):
    from ort_session import session
    return session(path, threads=1)


def main():
    top = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(top, "build", "models"))
    ap.add_argument("--epochs", type=int, default=30)
    a = ap.parse_args()
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from sklearn.datasets import load_digits
    logging.getLogger().setLevel(logging.ERROR)
    os.makedirs(a.out, exist_ok=True)

    digits = load_digits()
    x = (digits.images.astype(np.float32) / 16.0)[:, :, :, None]  # [N,8,8,1] in [0,1]
    y = digits.target.astype(np.int64)
    rng = np.random.default_rng(SEED)
    perm = rng.permutation(len(y))
    nte = int(round(len(y) * TEST_FRACTION))
    te, tr = perm[:nte], perm[nte:]
    print("cnn_digits: %d train / %d test images (seed %d)" % (len(tr), len(te), SEED), flush=True)

    p = train(x[tr], y[tr], a.epochs, rng)
    logits_np = forward(p, x[te])
    acc_np = float((logits_np.argmax(1) == y[te]).mean())
    print("cnn_digits: numpy float test accuracy %.4f" % acc_np)

    xte = np.ascontiguousarray(x[te].transpose(0, 3, 1, 2))  # NCHW
    fm = export(p, len(te))
    fpath = os.path.join(a.out, "cnn_digits_float.onnx")
    onnx.save(fm, fpath)
    lo = ort_session(fpath).run(None, {"input": xte})[0]
    diff = float(np.max(np.abs(lo - logits_np)))
    print("cnn_digits: float ONNX vs numpy forward: max |diff| %.2e" % diff)
    if diff > 1e-3:
        print("cnn_digits: ERROR: ONNX export does not match the numpy model", file=sys.stderr)
        return 1
    acc_f = float((lo.argmax(1) == y[te]).mean())

    xtr = np.ascontiguousarray(x[tr].transpose(0, 3, 1, 2))
    calib = [xtr[i:i + len(te)] for i in range(0, len(tr) - len(te) + 1, len(te))]

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{"input": c} for c in calib])

        def get_next(self):
            return next(self.it, None)
    qpath = os.path.join(a.out, "cnn_digits_int8.onnx")
    quantize_static(fpath, qpath, Reader(), quant_format=QuantFormat.QDQ, activation_type=QuantType.QInt8,
                    weight_type=QuantType.QInt8, per_channel=True)
    lq = ort_session(qpath).run(None, {"input": xte})[0]
    acc_q = float((lq.argmax(1) == y[te]).mean())
    agree = float((lq.argmax(1) == lo.argmax(1)).mean())
    print("cnn_digits: test accuracy float ORT %.4f, int8 ORT %.4f (argmax agreement %.4f)" % (acc_f, acc_q, agree))
    np.save(os.path.join(a.out, "cnn_digits_test_x.npy"), xte)
    np.save(os.path.join(a.out, "cnn_digits_test_y.npy"), y[te])
    with open(os.path.join(a.out, "cnn_digits.json"), "w") as f:
        json.dump({"seed": SEED, "train": len(tr), "test": len(te), "epochs": a.epochs,
                   "acc_numpy": acc_np, "acc_float_ort": acc_f, "acc_int8_ort": acc_q,
                   "float_onnx_vs_numpy_maxdiff": diff,
                   "calibration_images": int(sum(len(c) for c in calib))}, f, indent=1)
    print("cnn_digits: wrote %s, %s and the test split" % (fpath, qpath))
    return 0


if __name__ == "__main__":
    sys.exit(main())
