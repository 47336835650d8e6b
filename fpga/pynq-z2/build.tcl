# build.tcl - the DLP on a PYNQ-Z2 (xc7z020clg400-1), Vivado batch mode (2022.2 or later):
#   vivado -mode batch -source fpga/pynq-z2/build.tcl [-tclargs N 8 LUTMUL 2 CLK_MHZ 100 JOBS 2]
# Block design: processing_system7 (board preset: DDR, MIO) with
#   M_AXI_GP0 -> AXI interconnect (AXI3 -> AXI4-Lite protocol converter) -> dlp s_axil,
#                CSRs at 0x43C0_0000 (4 KiB)
#   dlp m_axi (AxiDataW = 64) -> AXI interconnect (AXI4 -> AXI3, bursts split) -> S_AXI_HP0
#                (64-bit), all of DDR at its physical addresses
#   dlp irq -> IRQ_F2P[0] (GIC ID 61, SPI 29: fpga/dt/dlp-pynq-z2.dtso)
#   FCLK_CLK0 (CLK_MHZ) clocks the PL; proc_sys_reset from FCLK_RESET0_N gives rst_n.
# No PL pins: every signal goes through the PS, so the only timing constraint is
# FCLK_CLK0, which the PS7 IP creates. Outputs: build/fpga/pynq-z2/dlp_pynq_z2.{bit,
# bit.bin,xsa}. Needs the PYNQ-Z2 board files (TUL) in Vivado's board repository.
# Not run in this repository's CI (no Vivado): see docs/FPGA.md.
set ::repo [file normalize [file join [file dirname [info script]] .. ..]]
set ::out  [file join $::repo build fpga pynq-z2]
set ::name dlp_pynq_z2
source [file join $::repo fpga xilinx common.tcl]
set opt [dlp_args {N 8 LUTMUL 2 CLK_MHZ 100 JOBS 2}]

dlp_project xc7z020clg400-1
set board [lindex [get_board_parts -quiet -latest_file_version tul.com.tw:pynq-z2:*] 0]
if {$board eq ""} {
  error "PYNQ-Z2 board files not found: install them (TUL pynq-z2 board files) and set_param board.repoPaths"
}
set_property board_part $board [current_project]

create_bd_design $::name
set ps [create_bd_cell -type ip -vlnv xilinx.com:ip:processing_system7 ps7]
apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 \
  -config {make_external "FIXED_IO, DDR" apply_board_preset "1"} $ps
set_property -dict [list \
  CONFIG.PCW_USE_M_AXI_GP0 {1} \
  CONFIG.PCW_USE_S_AXI_HP0 {1} CONFIG.PCW_S_AXI_HP0_DATA_WIDTH {64} \
  CONFIG.PCW_USE_FABRIC_INTERRUPT {1} CONFIG.PCW_IRQ_F2P_INTR {1} \
  CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ [dict get $opt CLK_MHZ]] $ps

set dlp [dlp_cell [dict get $opt N] 64 [dict get $opt LUTMUL]]

# PS -> CSRs and DLP -> HP0: the automation inserts the interconnects (with protocol
# converters), a proc_sys_reset and the FCLK_CLK0 clock nets
apply_bd_automation -rule xilinx.com:bd_rule:axi4 \
  -config {Master /ps7/M_AXI_GP0 Clk_master Auto Clk_slave Auto Clk_xbar Auto} \
  [get_bd_intf_pins dlp/s_axil]
apply_bd_automation -rule xilinx.com:bd_rule:axi4 \
  -config {Master /dlp/m_axi Clk_master Auto Clk_slave Auto Clk_xbar Auto} \
  [get_bd_intf_pins ps7/S_AXI_HP0]
connect_bd_net [get_bd_pins dlp/irq] [get_bd_pins ps7/IRQ_F2P]

assign_bd_address
set seg [get_bd_addr_segs -of_objects [get_bd_addr_spaces ps7/Data] -filter {NAME =~ *dlp*}]
set_property offset 0x43C00000 $seg
set_property range 4K $seg

dlp_implement [dict get $opt JOBS]
