#!/usr/bin/env python3
"""pll.py MHZ [IN_MHZ] - EHXPLLL dividers for an output clock from the ULX3S's 25 MHz.

Prints "CLKI_DIV CLKFB_DIV CLKOP_DIV F_OUT": feedback from CLKOP, so
F_OUT = IN * CLKFB_DIV / CLKI_DIV and VCO = F_OUT * CLKOP_DIV. Limits (ECP5 family data
sheet, EHXPLLL): PFD = IN / CLKI_DIV in 3.125..400 MHz, VCO in 400..800 MHz, dividers
1..128. Picks the closest output frequency, then the VCO nearest 600 MHz.
"""
import sys


def dividers(f_out, f_in=25.0):
    best = None
    for clki in range(1, 129):
        pfd = f_in / clki
        if pfd < 3.125:
            break
        for clkfb in range(1, 81):
            f = pfd * clkfb
            for clkop in range(1, 129):
                vco = f * clkop
                if 400.0 <= vco <= 800.0:
                    key = (abs(f - f_out), abs(vco - 600.0))
                    if best is None or key < best[0]:
                        best = (key, clki, clkfb, clkop, f)
    if best is None:
        raise SystemExit(f"pll.py: no EHXPLLL setting for {f_out} MHz")
    return best[1:]


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    clki, clkfb, clkop, f = dividers(float(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) == 3 else 25.0)
    print(clki, clkfb, clkop, f"{f:g}")
