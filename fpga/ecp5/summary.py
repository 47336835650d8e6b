#!/usr/bin/env python3
"""summary.py BUILD_DIR - table of the ECP5 runs under BUILD_DIR (build/fpga/ecp5).

One row per configuration directory n<N>_b<AXIW>_l<LUTMUL>_f<MHZ>: synthesis cells from
stat.txt (Yosys), placed figures and Fmax from report.json (nextpnr --report) when place
and route finished. LUT4 counts every LUT4 of the design: plain LUT4 cells + 2 per CCU2C
carry cell + 4 per TRELLIS_DPR16X4 LUT-RAM (nextpnr's TRELLIS_COMB figure, when present,
is the placed count). Fmax is nextpnr's routed figure (report.json); "est." is
depth.py's logic-depth estimate of the synthesized netlist (depth.txt), for runs not yet
placed and routed; a run stopped during routing shows nextpnr's packed counts and its
Fmax estimate after placement (from pnr.log). Peak GOPS = 2 * N * N * Fmax (one MAC = 2 operations).
Device: LFE5U-85F: 83,640 LUT4, 83,640 FF, 208 DP16KD (EBR), 156 MULT18X18D.
"""
import json
import os
import re
import sys

DEVICE = {"LUT4": 83640, "FF": 83640, "EBR": 208, "DSP": 156}


def stat_cells(path):
    cells = {}
    if not os.path.exists(path):
        return cells
    # the last `stat` block of the file (flattened design: one block)
    for line in open(path):
        m = re.match(r"^\s+(\d+)\s+(?:[\d.]+\s+)?(\$?[A-Za-z_][\w$]*)\s*$", line)
        if m:
            cells[m.group(2)] = int(m.group(1))
    return cells


def pnr_report(path):
    if not os.path.exists(path):
        return None
    rep = json.load(open(path))
    util = {k: v.get("used", 0) for k, v in rep.get("utilization", {}).items()}
    fmax = None
    for clk, v in rep.get("fmax", {}).items():
        if fmax is None or v.get("achieved", 0) < fmax:
            fmax = v.get("achieved")
    return util, fmax


def depth_estimate(path):
    if not os.path.exists(path):
        return None
    m = re.search(r"worst path ([0-9.]+) ns", open(path).read())
    return 1000 / float(m.group(1)) if m else None


def placed_only(path):
    """nextpnr log of a run that placed but did not finish routing: its packed cell counts
    and the Fmax estimate after placement."""
    if not os.path.exists(path):
        return None
    util, fmax = {}, None
    for line in open(path, errors="replace"):
        m = re.match(r"^Info:\s+(\w+):\s+(\d+)/\s*\d+", line)
        if m and m.group(1) not in util:
            util[m.group(1)] = int(m.group(2))
        m = re.search(r"Max frequency for clock .*?: ([0-9.]+) MHz", line)
        if m and fmax is None:
            fmax = float(m.group(1))
    return (util, fmax) if util else None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "build/fpga/ecp5"
    rows = []
    for d in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        m = re.match(r"^n(\d+)_b(\d+)_l(\d+)_f(\d+)(?:_(\w+))?$", d)
        if not m:
            continue
        n, axiw, lutmul, mhz, tag = int(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5)
        c = stat_cells(os.path.join(root, d, "stat.txt"))
        if not c:
            if os.listdir(os.path.join(root, d)):
                rows.append((d, "synthesis not finished"))
            continue
        lut = c.get("LUT4", 0) + 2 * c.get("CCU2C", 0) + 4 * c.get("TRELLIS_DPR16X4", 0)
        ff = c.get("TRELLIS_FF", 0)
        ebr = c.get("DP16KD", 0) + c.get("PDPW16KD", 0)
        dsp = c.get("MULT18X18D", 0)
        pr = pnr_report(os.path.join(root, d, "report.json"))
        fmax = "-"
        gops = "-"
        where = "synth"
        est = depth_estimate(os.path.join(root, d, "depth.txt"))
        if est:
            fmax = f"est. {est:.0f}"
        po = None if pr else placed_only(os.path.join(root, d, "pnr.log"))
        if po:
            util, f = po
            lut = util.get("TRELLIS_COMB", lut)
            ff = util.get("TRELLIS_FF", ff)
            if f:
                fmax = f"{f:.1f} after placement"
            where = "packed" + (", placed; not routed" if f else "; not placed")
        if pr:
            util, f = pr
            lut = util.get("TRELLIS_COMB", lut)
            ff = util.get("TRELLIS_FF", ff)
            ebr = util.get("DP16KD", ebr)
            dsp = util.get("MULT18X18D", dsp)
            if f:
                fmax = f"{f:.1f}"
                gops = f"{2 * n * n * f / 1000:.2f}"
            where = "routed, timing met" if f and f >= float(mhz) else \
                f"routed, timing FAILS at {mhz} MHz: bitstream not safe to load"
        fit = all(v <= DEVICE[k] for k, v in (("LUT4", lut), ("FF", ff), ("EBR", ebr), ("DSP", dsp)))
        rows.append((d, f"| {d} | {n} | {axiw} | {lutmul} | {lut:,} ({100 * lut / DEVICE['LUT4']:.0f} %) "
                        f"| {ff:,} | {ebr} | {dsp} | {fmax} | {gops} | {where}{'' if fit else ', DOES NOT FIT'} |"))
    print("| run | N | AXI | LutMulRows | LUT4 | FF | EBR | DSP (MULT18) | Fmax MHz | peak GOPS | figures |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for d, r in rows:
        print(r if r.startswith("|") else f"| {d}: {r} |")


if __name__ == "__main__":
    main()
