# build.tcl - the DLP on a Kria KV260 (XCK26 SOM on the KV260 carrier), Vivado batch mode
# (2022.2 or later):
#   vivado -mode batch -source fpga/kv260/build.tcl [-tclargs N 16 LUTMUL 0 CLK_MHZ 100 JOBS 2]
# Block design: zynq_ultra_ps_e (board preset of the kv260_som) with
#   M_AXI_HPM0_FPD -> SmartConnect (AXI4 -> AXI4-Lite) -> dlp s_axil, CSRs at
#                     0xA000_0000 (4 KiB)
#   dlp m_axi (AxiDataW = 128) -> SmartConnect -> S_AXI_HP0_FPD (128-bit), DDR at its
#                     physical addresses (the DLP drives 32 bits: the low 2 GiB of DDR)
#   dlp irq -> pl_ps_irq0[0] (GIC ID 121, SPI 89: fpga/dt/dlp-kv260.dtso)
#   pl_clk0 (CLK_MHZ) clocks the PL; proc_sys_reset from pl_resetn0 gives rst_n.
# No PL pins, so the only timing constraint is pl_clk0, created by the PS IP. Outputs:
# build/fpga/kv260/dlp_kv260.{bit,bit.bin,xsa}; with fpga/dt/dlp-kv260.dtbo and a
# shell.json they form the xmutil/dfx-mgr app of docs/BOARD.md. Needs the Kria board
# files (xilinx.com:kv260_som, shipped with Vivado 2022.2+ or via XHub).
# Not run in this repository's CI (no Vivado): see docs/FPGA.md.
set ::repo [file normalize [file join [file dirname [info script]] .. ..]]
set ::out  [file join $::repo build fpga kv260]
set ::name dlp_kv260
source [file join $::repo fpga xilinx common.tcl]
set opt [dlp_args {N 16 LUTMUL 0 CLK_MHZ 100 JOBS 2}]

dlp_project xck26-sfvc784-2LV-c
set som [lindex [get_board_parts -quiet -latest_file_version xilinx.com:kv260_som:*] 0]
if {$som eq ""} { error "Kria KV260 SOM board files not found (xilinx.com:kv260_som)" }
set_property board_part $som [current_project]
set carrier [lindex [get_board_parts -quiet -latest_file_version xilinx.com:kv260_carrier:*] 0]
if {$carrier ne ""} {
  set_property board_connections [list som240_1_connector $carrier:som240_1_connector] \
    [current_project]
}

create_bd_design $::name
set ps [create_bd_cell -type ip -vlnv xilinx.com:ip:zynq_ultra_ps_e zynq_ps]
apply_bd_automation -rule xilinx.com:bd_rule:zynq_ultra_ps_e \
  -config {apply_board_preset "1"} $ps
set_property -dict [list \
  CONFIG.PSU__USE__M_AXI_GP0 {1} CONFIG.PSU__MAXIGP0__DATA_WIDTH {32} \
  CONFIG.PSU__USE__M_AXI_GP1 {0} CONFIG.PSU__USE__M_AXI_GP2 {0} \
  CONFIG.PSU__USE__S_AXI_GP2 {1} CONFIG.PSU__SAXIGP2__DATA_WIDTH {128} \
  CONFIG.PSU__USE__IRQ0 {1} \
  CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ [dict get $opt CLK_MHZ]] $ps

set dlp [dlp_cell [dict get $opt N] 128 [dict get $opt LUTMUL]]

apply_bd_automation -rule xilinx.com:bd_rule:axi4 \
  -config {Master /zynq_ps/M_AXI_HPM0_FPD Clk_master Auto Clk_slave Auto Clk_xbar Auto} \
  [get_bd_intf_pins dlp/s_axil]
apply_bd_automation -rule xilinx.com:bd_rule:axi4 \
  -config {Master /dlp/m_axi Clk_master Auto Clk_slave Auto Clk_xbar Auto} \
  [get_bd_intf_pins zynq_ps/S_AXI_HP0_FPD]
connect_bd_net [get_bd_pins dlp/irq] [get_bd_pins zynq_ps/pl_ps_irq0]

assign_bd_address
set seg [get_bd_addr_segs -of_objects [get_bd_addr_spaces zynq_ps/Data] -filter {NAME =~ *dlp*}]
set_property offset 0xA0000000 $seg
set_property range 4K $seg

dlp_implement [dict get $opt JOBS]
