#!/usr/bin/env python3
"""depth.py - longest register-to-register paths of a Yosys ECP5 netlist, in seconds.

Usage: depth.py NETLIST.json [--paths K] [--endpoint TEXT] [--strip PREFIX] [--max-width W]

Reads a netlist written by `write_json` after `synth_ecp5` (flattened: TRELLIS_FF, LUT4,
PFUMX, L6MUX21, CCU2C, TRELLIS_DPR16X4, MULT18X18D, DP16KD cells) and walks its
combinational graph the way Yosys's `ltp` does, but with a delay per cell and per routed
hop, so that carry chains, LUT levels and multipliers weigh what they cost on the device.
Prints the worst path cell by cell with the RTL signal names (the netnames' `src`
attributes), then the K worst endpoints grouped by register.

It is an estimate for ranking paths and checking a fix in seconds, not timing sign-off:
nextpnr's routed report is the figure that counts (docs/FPGA.md compares the two). The
delay model (speed grade 6, rounded):
  LUT4 0.45 ns + 0.7 ns of general routing into it; PFUMX/L6MUX21 0.25 ns on their
  dedicated inputs; CCU2C 0.45 ns into the chain, 0.1 ns per cell (2 bits) along CIN->COUT;
  MULT18X18D 4.0 ns (combinational); TRELLIS_DPR16X4 read 0.5 ns;
  clock to out: TRELLIS_FF 0.4 ns, DP16KD 2.9 ns.
Paths start at FF/BRAM outputs and input ports and end at FF/BRAM/LUT-RAM-write inputs and
output ports (ports: only the part of the path inside this netlist).
"""
import argparse
import json
import os
import re
import sys
from collections import defaultdict

ROUTE = 0.7
CELL = {"LUT4": 0.45, "PFUMX": 0.25, "L6MUX21": 0.25, "TRELLIS_DPR16X4": 0.5,
        "MULT18X18D": 4.0, "CCU2C": 0.45}
CLK_TO_OUT = {"TRELLIS_FF": 0.4, "DP16KD": 2.9}
MUX_DEDICATED = ("ALUT", "BLUT", "D0", "D1")
# Yosys names the nets it creates after a neighbouring RTL net plus the cell type and port:
# "u_vpu.wacc_q_TRELLIS_FF_Q_49_DI_LUT4_Z_C..." -> "u_vpu.wacc_q~" (~: near that signal).
DERIVED = re.compile(r"_(LUT4|CCU2C|MULT18X18D|TRELLIS_FF|TRELLIS_DPR16X4|PFUMX|L6MUX21|DP16KD)_")


def load(path):
    with open(path) as f:
        d = json.load(f)
    tops = [k for k, v in d["modules"].items() if v.get("attributes", {}).get("top")]
    if len(tops) != 1:
        sys.exit(f"depth.py: {path}: expected one top module, found {len(tops)}")
    mod = d["modules"][tops[0]]
    for c in mod["cells"].values():
        if c["type"].startswith("$") and c["type"] != "$scopeinfo":
            sys.exit(f"depth.py: {path}: unmapped cell type {c['type']} (run synth_ecp5 first)")
    return tops[0], mod


class Graph:
    def __init__(self, mod):
        self.cells = mod["cells"]
        self.drv = {}
        for cn, c in self.cells.items():
            for p, bits in c["connections"].items():
                if c["port_directions"].get(p) == "output":
                    for b in bits:
                        if not isinstance(b, str):
                            self.drv[b] = (cn, p)
        self.memo = {}

    def inputs(self, c):
        t = c["type"]
        ins = []
        for p, bits in c["connections"].items():
            if c["port_directions"].get(p) != "input":
                continue
            if t == "TRELLIS_DPR16X4" and not p.startswith("RAD"):
                continue                # the write side is synchronous
            ins.extend((p, ib) for ib in bits if not isinstance(ib, str))
        return ins

    def arrival(self, bit):
        """(arrival time in ns at a net bit's driver output, predecessor bit)."""
        memo = self.memo
        stack = [(bit, False)]
        open_ = set()
        while stack:
            b, expanded = stack.pop()
            if b in memo:
                continue
            d = self.drv.get(b)
            if d is None:
                memo[b] = (0.0, None)
                continue
            cn, outp = d
            c = self.cells[cn]
            t = c["type"]
            if t in CLK_TO_OUT:
                memo[b] = (CLK_TO_OUT[t], None)
                continue
            ins = self.inputs(c)
            if not expanded:
                stack.append((b, True))
                open_.add(b)
                stack.extend((ib, False) for _, ib in ins if ib not in memo and ib not in open_)
                continue
            open_.discard(b)
            best = (0.0, None)
            for p, ib in ins:
                a = memo.get(ib, (0.0, None))[0]     # absent: a combinational loop, cut
                if t == "CCU2C" and p == "CIN":
                    dl, rt = (0.1 if outp == "COUT" else 0.3), 0.0
                elif t in ("PFUMX", "L6MUX21") and p in MUX_DEDICATED:
                    dl, rt = CELL[t], 0.0
                else:
                    dl, rt = CELL.get(t, 0.45), (ROUTE if ib in self.drv else 0.0)
                if a + rt + dl > best[0]:
                    best = (a + rt + dl, ib)
            memo[b] = best
        return memo[bit]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("netlist")
    ap.add_argument("--paths", type=int, default=12, help="worst endpoints listed (12)")
    ap.add_argument("--endpoint", default="",
                    help="report the worst path into endpoints whose name contains TEXT")
    ap.add_argument("--strip", default="", help="prefix removed from source paths")
    ap.add_argument("--max-width", type=int, default=160)
    args = ap.parse_args()
    top, mod = load(args.netlist)
    mod["cells"] = {k: v for k, v in mod["cells"].items() if v["type"] != "$scopeinfo"}
    g = Graph(mod)
    cells = g.cells

    names = defaultdict(list)
    for nn, n in mod["netnames"].items():
        src = n.get("attributes", {}).get("src", "")
        for i, b in enumerate(n["bits"]):
            if not isinstance(b, str):
                names[b].append((nn, i, src))

    def rtl_name(b):
        """The most readable name of a net bit: one with an RTL source, the shortest."""
        cand = names.get(b, [])
        if not cand:
            return "?", ""
        cand.sort(key=lambda x: ("/rtl/" not in x[2] and not x[2].startswith("rtl/"),
                                 "$" in x[0], len(x[0])))
        nn, i, src = cand[0]
        src = src.split("|")[0].replace(args.strip, "")
        m = DERIVED.search(nn)
        if m:
            return nn[:m.start()] + "~", ""
        return f"{nn}[{i}]", src

    ends = []
    for cn, c in cells.items():
        t = c["type"]
        if t in CLK_TO_OUT or t == "TRELLIS_DPR16X4":
            for p, bits in c["connections"].items():
                if c["port_directions"].get(p) != "input" or p.startswith("CLK") or p == "WCK":
                    continue
                if t == "TRELLIS_DPR16X4" and p.startswith("RAD"):
                    continue
                ends.extend((b, cn, p) for b in bits if not isinstance(b, str))
    for pn, p in mod["ports"].items():
        if p["direction"] == "output":
            ends.extend((b, None, pn) for b in p["bits"] if not isinstance(b, str))

    def end_time(b):
        return g.arrival(b)[0] + (ROUTE if b in g.drv else 0.0)

    timed = sorted(((end_time(b), b, cn, p) for b, cn, p in ends), key=lambda x: -x[0])
    if not timed:
        sys.exit("depth.py: no endpoints")
    chosen = timed
    if args.endpoint:
        def end_name(b, cn):
            if cn is not None and cells[cn]["type"] == "TRELLIS_FF":
                return rtl_name(cells[cn]["connections"]["Q"][0])[0]
            return rtl_name(b)[0] if cn is None else cn
        chosen = [t for t in timed if args.endpoint in end_name(t[1], t[2])]
        if not chosen:
            sys.exit(f"depth.py: no endpoint matches {args.endpoint!r}")
    worst, b, ecn, ep = chosen[0]
    ekind = cells[ecn]["type"] if ecn else "output port"
    ename = rtl_name(b)[0]
    if ecn and ekind == "TRELLIS_FF":   # a register is named by its output
        ename = rtl_name(cells[ecn]["connections"]["Q"][0])[0]
    elif ecn:
        ename = f"{ecn} ({ep})"
    print(f"{top}: worst path {worst:.2f} ns (Fmax ~ {1000 / worst:.0f} MHz), "
          f"ends at {ekind} {ename}")
    path = []
    cur = b
    while cur is not None:
        path.append(cur)
        cur = g.arrival(cur)[1]
    path.reverse()
    count = defaultdict(int)
    run = 0
    for i, pb in enumerate(path):
        d = g.drv.get(pb)
        t = cells[d[0]]["type"] if d else "port"
        count[t] += 1
        nxt = g.drv.get(path[i + 1]) if i + 1 < len(path) else None
        if t == "CCU2C" and nxt and cells[nxt[0]]["type"] == "CCU2C" and run < 10**9:
            run += 1
            if run > 1:
                continue
        elif run > 1:
            print(f"  {'':7}  ... {run - 1} more CCU2C")
            run = 0
        else:
            run = 0
        nm, src = rtl_name(pb)
        line = f"  {g.arrival(pb)[0]:7.2f}  {t:16} {nm}  {src}"
        print(line[:args.max_width])
    print("  cells on the path: " + ", ".join(f"{k} {v}" for k, v in sorted(count.items())))

    per_reg = {}
    for a, eb, cn, p in timed:
        key = rtl_name(eb)[0].split("[")[0] if cn is None else (
            rtl_name(cells[cn]["connections"]["Q"][0])[0].rsplit("[", 1)[0]
            if cells[cn]["type"] == "TRELLIS_FF" else f"{cells[cn]['type']} {cn[:50]}")
        if key not in per_reg:
            per_reg[key] = a
        if len(per_reg) >= args.paths:
            break
    print(f"  worst {len(per_reg)} endpoints: " +
          "; ".join(f"{k} {v:.1f}" for k, v in per_reg.items()))


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:           # output cut short by `head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
