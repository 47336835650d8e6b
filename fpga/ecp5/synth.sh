#!/bin/bash
# synth.sh - Yosys synthesis of the ULX3S board wrapper (dlp_ulx3s around dlp_top) for ECP5.
# Run from the repository root (YoWASP tools only see files below the working directory).
# Environment: YOSYS (command), OUT (output directory, relative), SHARE (the Yosys share
# directory, for the block-RAM library), N AXIW ACT WGT ACC LUTMUL RAM CLK_HZ PLL ("CLKI
# CLKFB CLKOP" dividers). Writes $OUT/dlp_ulx3s.json, synth.log, stat.txt.
set -eu
mkdir -p "$OUT"
# The DP16KD library with cross-port `wrtrans all old` (why: fpga/yosys/synth.tcl and
# docs/SYNTHESIS.md, "Scratchpads -> block RAM"): generated from this Yosys's own library.
awk '{print} /rdinit zero;/ && !done {print "\t\twrtrans all old;"; done=1}' \
  "$SHARE/lattice/brams_16kd.txt" > "$OUT/brams_16kd_wrtrans.txt"
grep -q 'wrtrans all old' "$OUT/brams_16kd_wrtrans.txt" || { echo "synth.sh: cannot patch $SHARE/lattice/brams_16kd.txt"; exit 1; }
read -r clki clkfb clkop <<< "$PLL"
{
  echo "read_verilog -sv rtl/common/dlp_pkg.sv"
  for f in $(ls rtl/*/*.sv | grep -v '/dlp_pkg.sv$' | sort) fpga/ecp5/rtl/*.sv; do
    echo "read_verilog -sv $f"
  done
  echo "read_verilog -lib -specify +/lattice/cells_sim_ecp5.v +/lattice/cells_bb_ecp5.v"
  echo "hierarchy -check -top dlp_ulx3s -chparam N $N -chparam AxiDataW $AXIW" \
       "-chparam ActBytes $ACT -chparam WgtBytes $WGT -chparam AccBytes $ACC" \
       "-chparam LutMulRows $LUTMUL -chparam RamBytes $RAM -chparam ClkHz $CLK_HZ" \
       "-chparam PllClkiDiv $clki -chparam PllClkfbDiv $clkfb -chparam PllClkopDiv $clkop"
  echo "synth_ecp5 -top dlp_ulx3s -run begin:map_ram"
  echo "memory_libmap -lib +/lattice/lutrams_trellis.txt -lib $OUT/brams_16kd_wrtrans.txt"
  echo "techmap -map +/lattice/lutrams_map_trellis.v -map +/lattice/brams_map_16kd.v"
  echo "synth_ecp5 -top dlp_ulx3s -run map_ffram:"
  echo "tee -o $OUT/stat.txt stat"
  echo "write_json $OUT/dlp_ulx3s.json"
} > "$OUT/synth.ys"
$YOSYS -q -l "$OUT/synth.log" -s "$OUT/synth.ys" > /dev/null
if grep -q 'Latch inferred' "$OUT/synth.log"; then echo "synth.sh: latch inferred, see $OUT/synth.log"; exit 1; fi
echo "synth.sh: $OUT/dlp_ulx3s.json"
