# synth.tcl - Yosys synthesis of dlp_top for one configuration and one flow.
#   yosys -c synth.tcl   with environment: RTL (rtl/ directory), SYNTH_DIR (this directory),
#                        N, AXIW, FLOW (xc7|ecp5), LUTMUL (dlp_top LutMulRows, default 0),
#                        OUT (output prefix: writes $OUT.stat.txt)
# Reads rtl/common/dlp_pkg.sv first, then rtl/*/*.sv; fails on latches or `check` problems.
yosys -import

set rtl  $::env(RTL)
set n    $::env(N)
set axiw $::env(AXIW)
set flow $::env(FLOW)
set out  $::env(OUT)

read_verilog -sv $rtl/common/dlp_pkg.sv
foreach f [lsort [glob $rtl/*/*.sv]] {
  if {![string match "*/common/dlp_pkg.sv" $f]} { read_verilog -sv $f }
}
set lutmul 0
if {[info exists ::env(LUTMUL)] && $::env(LUTMUL) ne ""} { set lutmul $::env(LUTMUL) }
hierarchy -check -top dlp_top -chparam N $n -chparam AxiDataW $axiw -chparam LutMulRows $lutmul

# Latch check on the elaborated design (before any technology mapping); keep_ffs.ys runs
# proc.
yosys script $::env(SYNTH_DIR)/keep_ffs.ys
yosys select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr t:\$_DLATCH_* t:\$_DLATCHSR_*
check -assert

if {$flow eq "xc7"} {
  synth_xilinx -family xc7 -top dlp_top
} elseif {$flow eq "ecp5"} {
  # synth_ecp5, with the map_ram step using ecp5_brams_wrtrans.txt (see that file) so the
  # scratchpads that are written on both ports (ACT, ACC) map to DP16KD instead of FFs.
  # ECP5_STOCK_BRAMS=1 runs the stock flow.
  if {[info exists ::env(ECP5_STOCK_BRAMS)] && $::env(ECP5_STOCK_BRAMS) eq "1"} {
    synth_ecp5 -top dlp_top
  } else {
    set here $::env(SYNTH_DIR)
    synth_ecp5 -top dlp_top -run begin:map_ram
    memory_libmap -lib +/ecp5/lutrams.txt -lib $here/ecp5_brams_wrtrans.txt
    techmap -map +/ecp5/lutrams_map.v -map +/ecp5/brams_map.v
    synth_ecp5 -top dlp_top -run map_ffram:
  }
} else {
  error "FLOW must be xc7 or ecp5"
}
tee -o $out.stat.txt stat
tee -a $out.stat.txt stat -width
