#!/usr/bin/env python3
"""cov_report.py - line and toggle coverage of dlp_top per top-level block.

usage: cov_report.py [--out FILE] NAME=coverage.dat ...

Reads Verilator coverage files (verilator_coverage format: one `C '<key\\2value\\1...>' count`
per point), groups the points by instance below dlp_top (u_ctrl -> ctrl, ...), and prints
for each block the covered/total line points (v_line and v_branch pages) and toggle points
(v_toggle), plus totals, per file given.
"""
import re
import sys
from collections import OrderedDict

# First instance name below dlp_top -> block. Anything else (dlp_top's own logic) is "top".
BLOCKS = OrderedDict([
    ("ctrl",        ("u_ctrl",)),
    ("csr",         ("u_csr",)),
    ("dma load",    ("u_load",)),
    ("dma store",   ("u_store",)),
    ("axi rd arb",  ("u_rd_arb",)),
    ("mxu",         ("u_mxu",)),
    ("vpu",         ("u_vpu",)),
    ("sp arbiters", ("u_arb_acta", "u_arb_actb", "u_arb_wgta", "u_arb_wgtb",
                     "u_arb_acca", "u_arb_accb")),
    ("scratchpads", ("u_act", "u_wgt", "u_acc")),
    ("top",         ()),
])
INST2BLOCK = {i: b for b, insts in BLOCKS.items() for i in insts}

REC = re.compile(r"^C '(.*)' (\d+)\s*$")


def parse(path):
    """-> {block: {"line": [cov, tot], "toggle": [cov, tot]}}"""
    res = {b: {"line": [0, 0], "toggle": [0, 0]} for b in BLOCKS}
    with open(path, "rb") as f:
        for raw in f:
            m = REC.match(raw.decode("latin-1"))
            if not m:
                continue
            kv = {}
            for field in m.group(1).split("\x01"):
                if "\x02" in field:
                    k, v = field.split("\x02", 1)
                    kv[k] = v
            count = int(m.group(2))
            page = kv.get("page", "")
            kind = "toggle" if page.startswith("v_toggle") else "line"
            hier = kv.get("h", "").split(".")
            # hier: TOP.dlp_top.u_x.... ; drop everything up to dlp_top
            if "dlp_top" in hier:
                hier = hier[hier.index("dlp_top") + 1:]
            elif hier and hier[0] == "TOP":
                hier = hier[1:]
            block = INST2BLOCK.get(hier[0], "top") if hier else "top"
            ent = res[block][kind]
            ent[1] += 1
            if count > 0:
                ent[0] += 1
    return res


def pct(c, t):
    return "%6.1f %%" % (100.0 * c / t) if t else "     - "


def table(name, res):
    out = ["%s" % name,
           "  %-12s %18s %9s   %18s %9s" % ("block", "line (cov/total)", "", "toggle (cov/total)", "")]
    tl = [0, 0]
    tt = [0, 0]
    for b in BLOCKS:
        l, t = res[b]["line"], res[b]["toggle"]
        if l[1] == 0 and t[1] == 0:
            continue
        out.append("  %-12s %18s %9s   %18s %9s" % (b, "%d/%d" % tuple(l), pct(*l),
                                                    "%d/%d" % tuple(t), pct(*t)))
        for i in 0, 1:
            tl[i] += l[i]
            tt[i] += t[i]
    out.append("  %-12s %18s %9s   %18s %9s" % ("TOTAL", "%d/%d" % tuple(tl), pct(*tl),
                                                "%d/%d" % tuple(tt), pct(*tt)))
    return "\n".join(out)


def main(argv):
    outpath = None
    if len(argv) > 1 and argv[0] == "--out":
        outpath = argv[1]
        argv = argv[2:]
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    parts = ["dlp_top coverage (line = Verilator line+branch points, toggle = bit toggles 0->1 and 1->0;\n"
             "a point counts as covered when hit at least once; the scratchpad arrays dlp_sram.mem_q are\n"
             "excluded by coverage.vlt)"]
    for a in argv:
        name, path = a.split("=", 1) if "=" in a else (a, a)
        parts.append(table(name, parse(path)))
    text = "\n\n".join(parts) + "\n"
    sys.stdout.write(text)
    if outpath:
        with open(outpath, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
