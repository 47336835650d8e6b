#!/bin/bash
# synth.sh - Yosys synthesis of the ULX3S board wrapper (dlp_ulx3s around dlp_top) for ECP5.
# Run from the repository root (YoWASP tools only see files below the working directory).
# Environment: YOSYS (command), OUT (output directory, relative), SHARE (the Yosys share
# directory, for the block-RAM library), N AXIW ACT WGT ACC LUTMUL RAM CLK_HZ PLL ("CLKI
# CLKFB CLKOP" dividers), TOP_MODULE (dlp_ulx3s, or dlp_top for the core alone: the
# reference for "nothing pruned"). Writes $OUT/$TOP_MODULE.json, synth.log, stat.txt.
set -eu
mkdir -p "$OUT"
# The DP16KD library with cross-port `wrtrans all old` (why: fpga/yosys/synth.tcl and
# docs/SYNTHESIS.md, "Scratchpads -> block RAM"): generated from this Yosys's own library.
awk '{print} /rdinit zero;/ && !done {print "\t\twrtrans all old;"; done=1}' \
  "$SHARE/lattice/brams_16kd.txt" > "$OUT/brams_16kd_wrtrans.txt"
grep -q 'wrtrans all old' "$OUT/brams_16kd_wrtrans.txt" || { echo "synth.sh: cannot patch $SHARE/lattice/brams_16kd.txt"; exit 1; }
read -r clki clkfb clkop <<< "$PLL"
top=${TOP_MODULE:-dlp_ulx3s}
if [ "$top" = dlp_ulx3s ]; then
  params="-chparam RamBytes $RAM -chparam ClkHz $CLK_HZ -chparam PllClkiDiv $clki"
  params="$params -chparam PllClkfbDiv $clkfb -chparam PllClkopDiv $clkop"
  wrapper=$(ls fpga/ecp5/rtl/*.sv)
else
  params=""; wrapper=""
fi
{
  echo "read_verilog -sv rtl/common/dlp_pkg.sv"
  for f in $(ls rtl/*/*.sv | grep -v '/dlp_pkg.sv$' | sort) $wrapper; do
    echo "read_verilog -sv $f"
  done
  echo "read_verilog -lib -specify +/lattice/cells_sim_ecp5.v +/lattice/cells_bb_ecp5.v"
  echo "hierarchy -check -top $top -chparam N $N -chparam AxiDataW $AXIW" \
       "-chparam ActBytes $ACT -chparam WgtBytes $WGT -chparam AccBytes $ACC" \
       "-chparam LutMulRows $LUTMUL $params"
  echo "script fpga/yosys/keep_ffs.ys"
  echo "synth_ecp5 -top $top -run begin:map_ram"
  echo "memory_libmap -lib +/lattice/lutrams_trellis.txt -lib $OUT/brams_16kd_wrtrans.txt"
  echo "techmap -map +/lattice/lutrams_map_trellis.v -map +/lattice/brams_map_16kd.v"
  echo "synth_ecp5 -top $top -run map_ffram:"
  echo "tee -o $OUT/stat.txt stat"
  echo "write_json $OUT/$top.json"
} > "$OUT/synth.ys"
$YOSYS -q -l "$OUT/synth.log" -s "$OUT/synth.ys" > /dev/null
if grep -q 'Latch inferred' "$OUT/synth.log"; then echo "synth.sh: latch inferred, see $OUT/synth.log"; exit 1; fi
echo "synth.sh: $OUT/$top.json"
