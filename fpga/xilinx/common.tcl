# common.tcl - shared steps of fpga/pynq-z2/build.tcl and fpga/kv260/build.tcl (Vivado).
# Not runnable alone: the board scripts source it after setting ::repo, ::out and ::name.

# Options "-tclargs KEY VALUE ..." (N, LUTMUL, CLK_MHZ, JOBS) over the board's defaults.
proc dlp_args {defaults} {
  set opts $defaults
  foreach {k v} $::argv { dict set opts $k $v }
  return $opts
}

# The project, the RTL (dlp_pkg first, as every flow of the repository reads it) and the
# plain-Verilog wrapper for the block design's module reference.
proc dlp_project {part} {
  file mkdir $::out
  create_project -force $::name $::out -part $part
  set rtl [list [file join $::repo rtl common dlp_pkg.sv]]
  foreach f [lsort [glob [file join $::repo rtl * *.sv]]] {
    if {![string match "*/dlp_pkg.sv" $f]} { lappend rtl $f }
  }
  add_files -norecurse $rtl
  set_property file_type SystemVerilog [get_files *.sv]
  add_files -norecurse [file join $::repo fpga xilinx dlp_axi_wrap.v]
  update_compile_order -fileset sources_1
}

# The DLP cell with its parameters (LutMulRows: PE rows with LUT multipliers, docs/FPGA.md).
proc dlp_cell {n axiw lutmul} {
  set dlp [create_bd_cell -type module -reference dlp_axi_wrap dlp]
  set_property -dict [list CONFIG.N $n CONFIG.AxiDataW $axiw CONFIG.LutMulRows $lutmul] $dlp
  return $dlp
}

# Validate, wrap, synthesize, place and route, write the bitstream (.bit and the .bit.bin
# that the Linux FPGA manager loads) and the .xsa (hardware platform with bitstream).
proc dlp_implement {jobs} {
  validate_bd_design
  save_bd_design
  set bd [get_files $::name.bd]
  generate_target all $bd
  set wrapper [make_wrapper -files $bd -top]
  add_files -norecurse $wrapper
  set_property top ${::name}_wrapper [current_fileset]
  update_compile_order -fileset sources_1
  launch_runs synth_1 -jobs $jobs
  wait_on_run synth_1
  if {[get_property PROGRESS [get_runs synth_1]] ne "100%"} { error "synthesis failed" }
  launch_runs impl_1 -to_step write_bitstream -jobs $jobs
  wait_on_run impl_1
  if {[get_property PROGRESS [get_runs impl_1]] ne "100%"} { error "implementation failed" }
  open_run impl_1
  report_utilization -file [file join $::out utilization.txt]
  report_timing_summary -file [file join $::out timing.txt]
  set bit [glob [file join $::out $::name.runs impl_1 *.bit]]
  file copy -force $bit [file join $::out $::name.bit]
  # .bit.bin: the byte-swapped raw bitstream of /lib/firmware for fpga_manager
  write_cfgmem -force -format bin -interface smapx32 -disablebitswap \
    -loadbit "up 0x0 [file join $::out $::name.bit]" [file join $::out $::name.bin]
  file rename -force [file join $::out $::name.bin] [file join $::out $::name.bit.bin]
  write_hw_platform -fixed -include_bit -force -file [file join $::out $::name.xsa]
  puts "dlp: wrote $::out/$::name.bit, .bit.bin, .xsa; see utilization.txt, timing.txt"
}
