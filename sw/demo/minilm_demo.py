#!/usr/bin/env python3
"""MiniLM demo: sentence embeddings of all-MiniLM-L6-v2 (sw/models/minilm.py) from the
float model in onnxruntime, the int8 QDQ model in onnxruntime, and the int8 model on the
DLP (`dlp run`, the 16 test sentences as one batch).

Prints the cosine similarity of each DLP embedding with the float one (target: mean
>= 0.99), the paraphrase-pair similarities as the DLP sees them, and where the cycles went.

Which model goes to the DLP: the quantization profiles of minilm.py are tried in the
order of PROFILES below (the one with the most of the encoder on the DLP at >= 0.99 first), the whole
model first (token ids in, embeddings out) and then the encoder-only graph (embedding
gather + LayerNorm and the mean pooling in NumPy on the host). The first one `dlp run`
accepts is used; the reasons for the others are printed. --profile/--encoder-only force
one.

Exit status 1 when no variant runs on the DLP.
Usage: minilm_demo.py [--backend sim|iss] [--profile smooth_l5|smooth|int8_gelufloat|int8|allint8]
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_common import DLP, MODELS, TOP, cycle_table, dlp_run, ensure_models, ort_run, say  # noqa: E402

# Tried in this order (whole model, DLP iss cosine vs float, docs/DEMOS.md): smooth_l5
# (0.9905: everything of the encoder on the DLP except the FFN residual Add + LayerNorm 2
# of layers 0-4, the float LayerNorm copies of the residual branch and the tiny outlier
# pieces), smooth (0.9956: also layer 5's FFN residual + LayerNorm 2 on the CPU),
# int8_gelufloat (0.9898: residual stream, FFN down-projection and GELU on the CPU),
# int8 (0.9876), allint8 (0.8629: everything on the DLP, per-tensor int8 residual stream).
PROFILES = ["smooth_l5", "smooth", "int8_gelufloat", "int8", "allint8"]


def pool(hidden, mask):
    """Mean over the real tokens, then L2 normalization (as the ONNX graph's tail)."""
    b, seq = mask.shape
    h = hidden.reshape(b, seq, -1).astype(np.float64)
    s = (h * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
    return s / np.linalg.norm(s, axis=1, keepdims=True)


def cos(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", default="sim", help="DLP backend: sim (Verilator RTL, default) or iss")
    ap.add_argument("--iss", action="store_true", help="same as --backend iss")
    ap.add_argument("--profile", choices=PROFILES, help="quantization profile to run (default: best that runs)")
    ap.add_argument("--encoder-only", action="store_true", help="run the encoder-only graph on the DLP")
    ap.add_argument("--models", default=MODELS)
    ap.add_argument("--dlp", default=DLP)
    a = ap.parse_args()
    backend = "iss" if a.iss else a.backend
    md = a.models

    say("== MiniLM demo: all-MiniLM-L6-v2 sentence embeddings, int8 on the DLP ==")
    need = ["minilm_float.onnx", "minilm_test_input_ids.npy", "minilm_test_attention_mask.npy",
            "minilm_test_hidden0.npy", "minilm_test_mask_add.npy", "minilm_test_sentences.json"]
    need += ["minilm_%s.onnx" % p for p in PROFILES] + ["minilm_encoder_%s.onnx" % p for p in PROFILES]
    ensure_models(os.path.join(TOP, "sw", "models", "minilm.py"), need, md)
    with open(os.path.join(md, "minilm_test_sentences.json")) as f:
        meta = json.load(f)
    sents, pairs = meta["sentences"], [tuple(p) for p in meta["similar_pairs"]]
    p_ids = os.path.join(md, "minilm_test_input_ids.npy")
    p_mask = os.path.join(md, "minilm_test_attention_mask.npy")
    ids, mask = np.load(p_ids), np.load(p_mask)
    full_in = {"input_ids": p_ids, "attention_mask": p_mask}
    enc_in = {"hidden0": os.path.join(md, "minilm_test_hidden0.npy"),
              "mask_add": os.path.join(md, "minilm_test_mask_add.npy")}
    say("%d sentences, sequence length %d (padded), %d real tokens in all" % (len(sents), ids.shape[1], int(mask.sum())))

    say("[1/3] float model in onnxruntime")
    ef = ort_run(os.path.join(md, "minilm_float.onnx"), {"input_ids": ids, "attention_mask": mask})[0]
    say("[2/3] int8 models in onnxruntime")
    eq = {}
    for p in PROFILES:
        eq[p] = ort_run(os.path.join(md, "minilm_%s.onnx" % p), {"input_ids": ids, "attention_mask": mask})[0]
        c = cos(eq[p], ef)
        say("  %-15s cosine vs float: mean %.4f, min %.4f" % (p, c.mean(), c.min()))

    say("[3/3] int8 model on the DLP (backend %s), all %d sentences in one run" % (backend, len(sents)))
    profiles = [a.profile] if a.profile else PROFILES
    graphs = ["encoder"] if a.encoder_only else ["full", "encoder"]
    got = None
    for p in profiles:
        for g in graphs:
            model = os.path.join(md, ("minilm_%s.onnx" if g == "full" else "minilm_encoder_%s.onnx") % p)
            try:
                outs, figs, secs = dlp_run(a.dlp, model, full_in if g == "full" else enc_in, backend)
            except RuntimeError as e:
                say("  %s / %s graph: not run: %s" % (p, g, e))
                continue
            got = (p, g, outs, figs, secs)
            break
        if got:
            break
    if not got:
        say("minilm_demo: FAIL: no MiniLM variant ran on the DLP")
        return 1
    p, g, outs, figs, secs = got
    if g == "full":
        ed = outs["embedding"]
        where = "the whole graph on the DLP runtime"
    else:
        ed = pool(outs["hidden"], mask)
        where = "encoder on the DLP runtime; embedding gather+LayerNorm and pooling in NumPy"
        # the same split through onnxruntime, to separate DLP arithmetic from quantization
        hq = ort_run(os.path.join(md, "minilm_encoder_%s.onnx" % p),
                     {"hidden0": np.load(enc_in["hidden0"]), "mask_add": np.load(enc_in["mask_add"])})[0]
        eq["encoder_" + p] = pool(hq, mask)
    ref_q = eq.get("encoder_" + p, eq[p])
    c_f = cos(ed, ef)
    c_q = cos(ed, ref_q)
    say("")
    say("ran profile %s (%s), dlp run wall time %.1f s" % (p, where, secs))
    say("%-4s %-58s %9s %9s" % ("#", "sentence", "DLP~float", "DLP~ORTq"))
    for i, s in enumerate(sents):
        say("%-4d %-58s %9.4f %9.4f" % (i, s[:58], c_f[i], c_q[i]))
    say("cosine DLP vs float model: mean %.4f, min %.4f  (target mean >= 0.99: %s)" % (
        c_f.mean(), c_f.min(), "met" if c_f.mean() >= 0.99 else "NOT met"))
    say("cosine DLP vs int8 onnxruntime (%s): mean %.4f, min %.4f" % (p, c_q.mean(), c_q.min()))
    simd, simf = ed @ ed.T, ef @ ef.T
    say("paraphrase pairs (cosine, DLP / float):")
    for i, j in pairs:
        others = np.delete(simd[i], [i, j])
        say("  %5.3f / %5.3f  %s | %s%s" % (simd[i, j], simf[i, j], sents[i][:34], sents[j][:34],
                                           "" if simd[i, j] > others.max() else "  (not nearest)"))
    say("")
    cycle_table(figs, top_n=10)
    say("minilm_demo: OK" if c_f.mean() >= 0.99 else "minilm_demo: ran; accuracy below target (see docs/DEMOS.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
