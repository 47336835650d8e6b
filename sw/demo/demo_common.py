"""Shared helpers of the demos: paths, onnxruntime sessions, `dlp run` and its figures."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MODELS = os.path.join(TOP, "build", "models")
DLP = os.path.join(TOP, "build", "sw", "dlp")
sys.path.insert(0, os.path.join(TOP, "sw", "models"))  # ort_session


def say(msg):
    print(msg, flush=True)


def ort_run(path, feeds):
    from ort_session import session
    return session(path).run(None, feeds)


def ensure_models(script, needed, models_dir):
    """Run the model script when one of the needed files is missing."""
    missing = [f for f in needed if not os.path.exists(os.path.join(models_dir, f))]
    if missing:
        say("models missing (%s): running %s" % (", ".join(missing), os.path.relpath(script, TOP)))
        subprocess.run([sys.executable, script, "--out", models_dir], check=True)


def dlp_run(dlp, model, inputs, backend, outdir=None):
    """Run `dlp run ... --json`; return (outputs dict name -> array, figures dict, seconds).
    Raises RuntimeError with the CLI's message when it fails."""
    import numpy as np
    if not os.access(dlp, os.X_OK):
        raise RuntimeError("dlp CLI not found at %s (build it with: make -C sw TOP=%s)" % (dlp, TOP))
    own = outdir is None
    outdir = outdir or tempfile.mkdtemp(prefix="dlp_demo_")
    os.makedirs(outdir, exist_ok=True)
    cmd = [dlp, "run", model, "--backend", backend]
    for k, v in inputs.items():
        cmd += ["--input", "%s=%s" % (k, v)]
    cmd += ["--output-dir", outdir, "--json"]
    say("$ " + " ".join(c.replace(TOP + "/", "") for c in cmd))
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.time() - t0
    if p.returncode != 0:
        if own:
            shutil.rmtree(outdir, ignore_errors=True)
        err = p.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError("dlp run failed (exit %d): %s" % (p.returncode, err[-1] if err else "no message"))
    out = p.stdout.decode()
    start = out.find("{")
    figs = json.loads(out[start:]) if start >= 0 else {}
    outs = {}
    for f in os.listdir(outdir):
        if f.endswith(".npy"):
            outs[f[:-4]] = np.load(os.path.join(outdir, f))
    if own:
        shutil.rmtree(outdir, ignore_errors=True)
    return outs, figs, dt


def cycle_table(figs, top_n=12):
    """Print where the cycles went: per-op-kind totals and the top layers."""
    layers = figs.get("layers", [])
    tot = figs.get("total", {})
    cyc = max(int(tot.get("cycles", 0)), 1)
    n = figs.get("n", 16)
    say("DLP figures (backend %s, N = %d): %d cycles, %.3g MACs, utilization %.1f %%, DMA %.2f MB" % (
        figs.get("backend", "?"), n, cyc, tot.get("macs", 0), 100 * tot.get("utilization", 0),
        tot.get("dma_bytes", 0) / 1e6))
    kinds = {}
    for ly in layers:
        k = (ly["op"], ly["where"])
        a = kinds.setdefault(k, [0, 0, 0, 0])
        a[0] += 1
        a[1] += ly["cycles"]
        a[2] += ly["macs"]
        a[3] += ly["dma_bytes"]
    say("  %-12s %-5s %6s %12s %7s %14s %8s" % ("op", "on", "layers", "cycles", "share", "MACs", "util"))
    for (op, where), (cnt, c, m, _) in sorted(kinds.items(), key=lambda kv: -kv[1][1]):
        util = m / (n * n * c) if c else 0.0
        say("  %-12s %-5s %6d %12d %6.1f%% %14d %7.1f%%" % (op, where, cnt, c, 100.0 * c / cyc, m, 100 * util))
    busy = sorted(layers, key=lambda ly: -ly["cycles"])[:top_n]
    say("  top layers by cycles:")
    say("  %-28s %-11s %-5s %12s %7s %8s %12s" % ("layer", "op", "on", "cycles", "share", "util", "DMA bytes"))
    for ly in busy:
        if ly["cycles"] == 0:
            break
        say("  %-28s %-11s %-5s %12d %6.1f%% %7.1f%% %12d" % (ly["name"][:28], ly["op"], ly["where"], ly["cycles"],
                                                            100.0 * ly["cycles"] / cyc, 100 * ly["utilization"],
                                                            ly["dma_bytes"]))
    host = [ly["name"] for ly in layers if ly["where"] != "dlp"]
    say("  layers not on the DLP: %d (%s)" % (len(host), ", ".join(sorted({ly["op"] + "@" + ly["where"]
                                                                          for ly in layers if ly["where"] != "dlp"}))))
