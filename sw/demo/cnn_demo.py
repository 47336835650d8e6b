#!/usr/bin/env python3
"""CNN demo: the residual digits CNN (sw/models/cnn_digits.py) as float and int8 in
onnxruntime and as int8 on the DLP (`dlp run`, all test images in one batch).

Prints test-split accuracy for float ORT / int8 ORT / int8 DLP, how far the DLP logits are
from the int8 ORT ones (in output quantization steps), and where the cycles went.
Exit status 1 when the DLP run fails or its accuracy is more than 2 points below float.

Usage: cnn_demo.py [--backend sim|iss] [--models DIR] [--dlp PATH]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_common import DLP, MODELS, TOP, cycle_table, dlp_run, ensure_models, ort_run, say  # noqa: E402


def out_qparams(path):
    """Scale and zero point of the QuantizeLinear in front of the output DequantizeLinear."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    prod = {o: n for n in m.graph.node for o in n.output}
    dq = prod[m.graph.output[0].name]
    return float(inits[dq.input[1]]), int(inits[dq.input[2]])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", default="sim", help="DLP backend: sim (Verilator RTL, default) or iss")
    ap.add_argument("--iss", action="store_true", help="same as --backend iss")
    ap.add_argument("--models", default=MODELS)
    ap.add_argument("--dlp", default=DLP)
    a = ap.parse_args()
    backend = "iss" if a.iss else a.backend

    say("== CNN demo: residual CNN on scikit-learn digits (8x8), int8 on the DLP ==")
    ensure_models(os.path.join(TOP, "sw", "models", "cnn_digits.py"),
                  ["cnn_digits_float.onnx", "cnn_digits_int8.onnx", "cnn_digits_test_x.npy", "cnn_digits_test_y.npy"],
                  a.models)
    fpath = os.path.join(a.models, "cnn_digits_float.onnx")
    qpath = os.path.join(a.models, "cnn_digits_int8.onnx")
    xpath = os.path.join(a.models, "cnn_digits_test_x.npy")
    x = np.load(xpath)
    y = np.load(os.path.join(a.models, "cnn_digits_test_y.npy"))
    say("test split: %d images %s" % (len(y), tuple(x.shape)))

    say("[1/3] float model in onnxruntime")
    lf = ort_run(fpath, {"input": x})[0]
    say("[2/3] int8 QDQ model in onnxruntime")
    lq = ort_run(qpath, {"input": x})[0]
    say("[3/3] int8 QDQ model on the DLP (backend %s), all %d images in one run" % (backend, len(y)))
    try:
        outs, figs, secs = dlp_run(a.dlp, qpath, {"input": xpath}, backend)
    except RuntimeError as e:
        say("DLP run FAILED: %s" % e)
        say("accuracy: float ORT %.2f %%, int8 ORT %.2f %%, int8 DLP n/a" % (
            100 * np.mean(lf.argmax(1) == y), 100 * np.mean(lq.argmax(1) == y)))
        return 1
    ld = outs["logits"]
    acc_f, acc_q, acc_d = (float(np.mean(v.argmax(1) == y)) for v in (lf, lq, ld))
    scale, _ = out_qparams(qpath)
    steps = np.abs(np.rint((ld - lq) / scale)).astype(int)
    say("")
    say("test accuracy (%d images):" % len(y))
    say("  float  onnxruntime  %6.2f %%" % (100 * acc_f))
    say("  int8   onnxruntime  %6.2f %%" % (100 * acc_q))
    say("  int8   DLP (%s)    %6.2f %%" % (backend, 100 * acc_d))
    say("  DLP vs int8 ORT: argmax agreement %.2f %%, logits equal in %.1f %% of elements, max %d LSB"
        % (100 * np.mean(ld.argmax(1) == lq.argmax(1)), 100 * np.mean(steps == 0), steps.max()))
    say("  dlp run wall time %.1f s" % secs)
    say("")
    cycle_table(figs)
    if acc_d < acc_f - 0.02:
        say("cnn_demo: FAIL: DLP accuracy more than 2 points below the float model")
        return 1
    say("cnn_demo: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
