// EHXPLLL - simulation/lint stand-in for the one ECP5 primitive the board wrapper
// uses (EHXPLLL): CLKOP follows CLKI and LOCK is high. Only the parameters and ports
// dlp_ecp5_pll connects are declared (the real cell has more outputs). Not for synthesis (Yosys has the real cell).
`default_nettype none

/* verilator lint_off UNUSEDPARAM */  // a stand-in: the parameters only document the cell
/* verilator lint_off UNUSEDSIGNAL */
module EHXPLLL #(
  parameter PLLRST_ENA      = "DISABLED",
  parameter INTFB_WAKE      = "DISABLED",
  parameter STDBY_ENABLE    = "DISABLED",
  parameter DPHASE_SOURCE   = "DISABLED",
  parameter OUTDIVIDER_MUXA = "DIVA",
  parameter OUTDIVIDER_MUXB = "DIVB",
  parameter OUTDIVIDER_MUXC = "DIVC",
  parameter OUTDIVIDER_MUXD = "DIVD",
  parameter CLKI_DIV        = 1,
  parameter CLKOP_ENABLE    = "ENABLED",
  parameter CLKOP_DIV       = 8,
  parameter CLKOP_CPHASE    = 0,
  parameter CLKOP_FPHASE    = 0,
  parameter FEEDBK_PATH     = "CLKOP",
  parameter CLKFB_DIV       = 1
) (
  input  wire logic RST, STDBY, CLKI, CLKFB,
  input  wire logic PHASESEL0, PHASESEL1, PHASEDIR, PHASESTEP, PHASELOADREG, PLLWAKESYNC,
  input  wire logic ENCLKOP, ENCLKOS, ENCLKOS2, ENCLKOS3,
  output      logic CLKOP, LOCK
);
  assign CLKOP    = CLKI;
  assign LOCK     = 1'b1;
endmodule
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_on UNUSEDPARAM */
