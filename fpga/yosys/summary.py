#!/usr/bin/env python3
"""summary.py BUILD_DIR - table of the finished Yosys runs (from <tag>.stat.txt, .result, .time).

LUT = all LUT1..LUT6 (xc7) or LUT4 (ecp5) cells, LUT-RAM/SRL counted separately; FF = all
flip-flop primitives; BRAM = RAMB36E1 + RAMB18E1 (as RAMB36 equivalents: 36 + 18/2) or
DP16KD (EBR); DSP = DSP48E1 or MULT18X18D.
"""
import glob
import os
import re
import sys


def cells(path):
    """Cell counts of the whole design: the `design hierarchy` section of stat when the
    hierarchy was kept (synth_xilinx), else the flattened dlp_top section (synth_ecp5)."""
    c = {}
    with open(path) as f:
        text = f.read().split("Printing statistics.")[1]  # first stat only
    if "=== design hierarchy ===" in text:
        sec = text.split("=== design hierarchy ===", 1)[1]
    else:
        sec = text.split("=== dlp_top ===", 1)[1]
    sec = sec.split("Number of cells:", 1)[1].split("\n", 1)[1]
    for line in sec.split("\n"):
        m = re.match(r"^\s+(\S+)\s+(\d+)\s*$", line)
        if not m:
            break
        c[m.group(1)] = c.get(m.group(1), 0) + int(m.group(2))
    return c


def row(tag, c):
    g = lambda pat: sum(v for k, v in c.items() if re.fullmatch(pat, k))
    if tag.endswith("xc7"):
        lut = g(r"LUT[1-6]")
        lram = g(r"RAM\d+[XM]\w*|SRL\w+")
        ff = g(r"FD[A-Z]*")
        b36, b18 = g(r"RAMB36E1"), g(r"RAMB18E1")
        bram = "%g (%d x36, %d x18)" % (b36 + b18 / 2.0, b36, b18)
        dsp = g(r"DSP48E1")
        carry = g(r"CARRY4")
    else:
        lut = g(r"LUT4")
        lram = g(r"TRELLIS_DPR16X4")
        ff = g(r"TRELLIS_FF")
        bram = "%d EBR" % g(r"DP16KD")
        dsp = g(r"MULT18X18D")
        carry = g(r"CCU2C")
    return lut, lram, ff, bram, dsp, carry


def main(build):
    print("%-16s %9s %7s %9s %-22s %6s %7s %8s %8s %9s" % (
        "run", "LUT", "LUTRAM", "FF", "BRAM/EBR", "DSP", "carry", "wall s", "CPU s", "peak MiB"))
    for res in sorted(glob.glob(os.path.join(build, "*.result"))):
        tag = os.path.basename(res)[:-7]
        with open(res) as f:
            r = f.read()
        secs = re.search(r"seconds=(\d+)", r).group(1)
        rc = re.search(r"rc=(\d+)", r).group(1)
        mem, cpu = "-", "-"
        tp = os.path.join(build, tag + ".time")
        if os.path.exists(tp):
            tt = open(tp).read()
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tt)
            if m:
                mem = "%d" % (int(m.group(1)) // 1024)
            u = re.search(r"User time \(seconds\): ([\d.]+)", tt)
            k = re.search(r"System time \(seconds\): ([\d.]+)", tt)
            if u and k:
                cpu = "%.0f" % (float(u.group(1)) + float(k.group(1)))
        sp = os.path.join(build, tag + ".stat.txt")
        if rc != "0" or not os.path.exists(sp):
            print("%-16s %s" % (tag, "timed out" if rc == "124" else "failed rc=%s" % rc) +
                  " after %s s" % secs)
            continue
        lut, lram, ff, bram, dsp, carry = row(tag, cells(sp))
        print("%-16s %9d %7d %9d %-22s %6d %7d %8s %8s %9s" % (tag, lut, lram, ff, bram, dsp,
                                                               carry, secs, cpu, mem))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build")
