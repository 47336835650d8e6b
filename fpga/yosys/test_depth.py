#!/usr/bin/env python3
"""test_depth.py OUTDIR - checks depth.py on small designs whose delays are worked out by
hand from its model (Yosys synth_ecp5 maps them the same way on every run).
Prints "fpga_depth: N passed, N failed"; exits 1 on a failure."""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else "."
# name, Verilog body, expected worst path (ns), expected cell counts on the path
CASES = [
    # FF 0.4 + route 0.7 + CCU2C 0.45 (COUT of cell 1) + 6 x 0.1 (COUT, cells 2-7)
    # + 0.3 (S of cell 8) + route 0.7 into the FF = 3.15
    ("add16", "input [15:0] a, b, output reg [15:0] y); reg [15:0] ra, rb;\n"
     "always @(posedge clk) begin ra <= a; rb <= b; y <= ra + rb; end",
     3.15, {"CCU2C": 8}),
    # a register between two adders: the worst path is one adder, not two
    ("add16x2", "input [15:0] a, b, c, output reg [15:0] z); reg [15:0] ra, rb, rc, y;\n"
     "always @(posedge clk) begin ra <= a; rb <= b; rc <= c; y <= ra + rb; z <= y + rc; end",
     3.15, {"CCU2C": 8}),
    # three operands: Yosys adds them carry-save (a 3:2 LUT4 layer, then one carry chain):
    # FF 0.4 + route 0.7 + LUT4 0.45 + route 0.7 + the chain as above (0.45 + 0.6 + 0.3)
    # + route 0.7 = 4.3
    ("add16c", "input [15:0] a, b, c, output reg [15:0] z); reg [15:0] ra, rb, rc;\n"
     "always @(posedge clk) begin ra <= a; rb <= b; rc <= c; z <= ra + rb + rc; end",
     4.3, {"CCU2C": 8, "LUT4": 1}),
    # registered 8 x 8 multiply on a DSP: FF 0.4 + route 0.7 + MULT18X18D 4.0 + route 0.7
    ("mul8", "input [7:0] a, b, output reg [15:0] y); reg [7:0] ra, rb;\n"
     "always @(posedge clk) begin ra <= a; rb <= b; y <= ra * rb; end",
     5.8, {"MULT18X18D": 1}),
]


def run(name, body):
    os.makedirs(OUT, exist_ok=True)
    v = os.path.join(OUT, name + ".v")
    j = os.path.join(OUT, name + ".json")
    with open(v, "w") as f:
        f.write(f"module {name}(input clk, {body}\nendmodule\n")
    subprocess.run(["yosys", "-q", "-p", f"read_verilog {v}; synth_ecp5 -top {name}; write_json {j}"],
                   check=True, stdout=subprocess.DEVNULL)
    r = subprocess.run([sys.executable, os.path.join(HERE, "depth.py"), j],
                       check=True, capture_output=True, text=True)
    return r.stdout


def main():
    passed = failed = 0
    for name, body, want, cells in CASES:
        try:
            out = run(name, body)
        except subprocess.CalledProcessError as e:
            print(f"FAIL {name}: {e}")
            failed += 1
            continue
        m = re.search(r"worst path ([0-9.]+) ns", out)
        got = float(m.group(1)) if m else None
        path_cells = out.split("cells on the path:")[1].splitlines()[0]
        counts = {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", path_cells)}
        ok = got is not None and abs(got - want) < 1e-6 and \
            all(counts.get(k) == v for k, v in cells.items())
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {name}: got {got} ns {counts}, want {want} ns {cells}\n{out}")
    print(f"fpga_depth: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
