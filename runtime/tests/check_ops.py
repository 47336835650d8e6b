#!/usr/bin/env python3
"""Run `dlp run` on the models of gen_op_models.py and compare with onnxruntime.

Verdicts per case (one line each):
  - `dlp run` must exit 0, not die from a signal and print no sanitizer report;
  - every graph output must be written as DIR/NAME.npy with the reference shape and dtype;
  - ort_exact cases (MaxPool, Reshape, Flatten, Transpose, Relu, Concat with equal
    quantization) must equal the onnxruntime output exactly;
  - all other cases must be within tol_lsb of onnxruntime, in output quantization steps
    (float outputs of quantize_static models are mapped back to steps with the output
    scale and zero point): 1 for single ops, 2 for chains of layers (multi_*, static_*:
    1 LSB own rounding plus 1 LSB carried from an intermediate tensor);
  - requantizing ops that the spec defines bit-exactly (conv, matmul/gemm, add, average
    pooling, in both QDQ and QLinear form) must also equal the spec reference (spec_ref.py,
    a NumPy model of docs/ARCHITECTURE.md 6) exactly. onnxruntime requantizes in float32
    (round half to even) so it is only a 1 LSB reference for those (docs/CONFORMANCE.md).
The line shows the share of elements equal to the onnxruntime output.

--subset (for the sim backend): only cases marked subset in the manifest, and each is run
on the iss backend too; the outputs must be byte-for-byte equal.

Last line: `runtime_onnx: N passed, N failed`; exit status 1 when any case failed.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import numpy as np

SAN_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:")


def run_dlp(dlp, model, inputs, outdir, backend, timeout, extra=()):
    cmd = [dlp, "run", model, "--backend", backend]
    for k, v in inputs.items():
        cmd += ["--input", "%s=%s" % (k, v)]
    cmd += ["--output-dir", outdir] + list(extra)
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", "timeout after %ds" % timeout, cmd
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), cmd


def process_problem(rc, err):
    """Describe a crash/failure of the process, or None when it exited 0 cleanly."""
    if rc is None:
        return err
    if rc < 0:
        return "killed by signal %s" % signal.Signals(-rc).name
    for m in SAN_MARKERS:
        if m in err:
            line = next((ln for ln in err.splitlines() if m in ln), m)
            return "sanitizer: " + line.strip()[:160]
    if rc != 0:
        last = err.strip().splitlines()[-1] if err.strip() else "(no message)"
        return "exit %d: %s" % (rc, last[:200])
    return None


def to_steps(arr, o):
    """Output in quantization steps (int64): integer outputs as they are, float outputs
    mapped back with the output scale/zero point."""
    if np.issubdtype(arr.dtype, np.floating):
        return np.rint(arr.astype(np.float64) / o["scale"]).astype(np.int64) + o["zero_point"]
    return arr.astype(np.int64)


def compare(case, mdir, outdir):
    """Return (ok, message)."""
    msgs, ok = [], True
    for name, o in case["outputs"].items():
        path = os.path.join(outdir, name + ".npy")
        if not os.path.exists(path):
            return False, "output %s.npy not written" % name
        try:
            got = np.load(path, allow_pickle=False)
        except Exception as e:  # noqa: BLE001 - any unreadable file is a failure
            return False, "output %s.npy unreadable: %s" % (name, e)
        ref = np.load(os.path.join(mdir, o["ort"]))
        if got.dtype != ref.dtype or got.shape != ref.shape:
            return False, "output %s: got %s%s, expected %s%s" % (name, got.dtype, got.shape, ref.dtype, ref.shape)
        g, r = to_steps(got, o), to_steps(ref, o)
        d = np.abs(g - r)
        exact = float(np.mean(d == 0)) if d.size else 1.0
        mx = int(d.max()) if d.size else 0
        tol = 0 if case["ort_exact"] else case["tol_lsb"]
        m = "%s: ort exact %.1f%% max %d LSB (tol %d)" % (name, 100 * exact, mx, tol)
        if mx > tol:
            ok = False
            idx = np.unravel_index(int(np.argmax(d)), d.shape)
            m += " FAIL at %s got %d ort %d" % (list(map(int, idx)), int(g[idx]), int(r[idx]))
        if "spec" in o:
            s = np.load(os.path.join(mdir, o["spec"])).astype(np.int64)
            ds = np.abs(g - s)
            nbad = int(np.count_nonzero(ds))
            if nbad:
                ok = False
                idx = np.unravel_index(int(np.argmax(ds)), ds.shape)
                m += "; spec mismatch %d/%d elems, at %s got %d spec %d" % (
                    nbad, ds.size, list(map(int, idx)), int(g[idx]), int(s[idx]))
            else:
                m += "; spec bit-exact"
        msgs.append(m)
    return ok, "; ".join(msgs)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.abspath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="?", default=os.path.join(top, "build", "runtime", "op_models"),
                    help="directory written by gen_op_models.py (generated there if missing)")
    ap.add_argument("--dlp", default=os.path.join(top, "build", "sw", "dlp"), help="path of the dlp CLI")
    ap.add_argument("--backend", default="iss", help="sim, iss or uio:NAME (default iss)")
    ap.add_argument("--subset", action="store_true",
                    help="only the subset cases; also run them on iss and require identical bytes")
    ap.add_argument("--filter", default="", help="only cases whose name contains this string")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per dlp run")
    ap.add_argument("--keep", action="store_true", help="keep the output directories")
    a = ap.parse_args()

    man_path = os.path.join(a.models, "manifest.json")
    if not os.path.exists(man_path):
        print("check_ops: generating models into %s" % a.models, flush=True)
        subprocess.run([sys.executable, os.path.join(here, "gen_op_models.py"), a.models], check=True,
                       stdout=subprocess.DEVNULL)
    with open(man_path) as f:
        man = json.load(f)
    cases = [c for c in man["cases"] if a.filter in c["name"] and (c["subset"] or not a.subset)]
    if not os.access(a.dlp, os.X_OK):
        for c in cases:
            print("FAIL %-44s dlp CLI not found at %s" % (c["name"], a.dlp))
        print("runtime_onnx: 0 passed, %d failed" % len(cases))
        return 1

    tmp = tempfile.mkdtemp(prefix="dlp_check_ops_")
    npass = nfail = 0
    for c in cases:
        inputs = {k: os.path.join(a.models, v) for k, v in c["inputs"].items()}
        model = os.path.join(a.models, c["model"])
        od = os.path.join(tmp, c["name"] + "." + a.backend.replace(":", "_"))
        os.makedirs(od, exist_ok=True)
        rc, out, err, _ = run_dlp(a.dlp, model, inputs, od, a.backend, a.timeout)
        prob = process_problem(rc, err)
        if prob:
            ok, msg = False, prob
        else:
            ok, msg = compare(c, a.models, od)
            if ok and a.subset and a.backend != "iss":
                od2 = os.path.join(tmp, c["name"] + ".iss")
                os.makedirs(od2, exist_ok=True)
                rc2, _, err2, _ = run_dlp(a.dlp, model, inputs, od2, "iss", a.timeout)
                prob2 = process_problem(rc2, err2)
                if prob2:
                    ok, msg = False, "iss run: " + prob2
                else:
                    for name in c["outputs"]:
                        p1, p2 = os.path.join(od, name + ".npy"), os.path.join(od2, name + ".npy")
                        b1 = open(p1, "rb").read()
                        b2 = open(p2, "rb").read() if os.path.exists(p2) else b""
                        if b1 != b2:
                            ok = False
                            msg += "; %s differs from iss" % name
                    if ok:
                        msg += "; %s == iss byte for byte" % a.backend
        print("%s %-44s %-26s %s" % ("PASS" if ok else "FAIL", c["name"], c["op"][:26], msg), flush=True)
        if ok:
            npass += 1
        else:
            nfail += 1
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("outputs kept in %s" % tmp)
    print("runtime_onnx: %d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
