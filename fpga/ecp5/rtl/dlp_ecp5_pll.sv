// dlp_ecp5_pll - one ECP5 EHXPLLL: clk_o = clk_i * ClkfbDiv / (ClkiDiv), VCO = clk_o *
// ClkopDiv (must be 400..800 MHz; fpga/ecp5/Makefile picks the dividers for CLK_MHZ from a
// 25 MHz input). Feedback from CLKOP. locked_o is the PLL's LOCK output (asynchronous).
`default_nettype none

module dlp_ecp5_pll #(
  parameter int ClkiDiv  = 1,
  parameter int ClkfbDiv = 2,
  parameter int ClkopDiv = 12
) (
  input  wire logic clk_i,
  output      logic clk_o,
  output      logic locked_o
);
  // unused outputs (CLKOS*, CLKINTFB, INTLOCK) are left out of the port list
  logic clkop;
  assign clk_o = clkop;

  EHXPLLL #(
    .PLLRST_ENA      ("DISABLED"),
    .INTFB_WAKE      ("DISABLED"),
    .STDBY_ENABLE    ("DISABLED"),
    .DPHASE_SOURCE   ("DISABLED"),
    .OUTDIVIDER_MUXA ("DIVA"),
    .OUTDIVIDER_MUXB ("DIVB"),
    .OUTDIVIDER_MUXC ("DIVC"),
    .OUTDIVIDER_MUXD ("DIVD"),
    .CLKI_DIV        (ClkiDiv),
    .CLKOP_ENABLE    ("ENABLED"),
    .CLKOP_DIV       (ClkopDiv),
    .CLKOP_CPHASE    (ClkopDiv / 2 - 1),
    .CLKOP_FPHASE    (0),
    .FEEDBK_PATH     ("CLKOP"),
    .CLKFB_DIV       (ClkfbDiv)
  ) u_pll (
    .RST          (1'b0),
    .STDBY        (1'b0),
    .CLKI         (clk_i),
    .CLKOP        (clkop),
    .CLKFB        (clkop),
    .PHASESEL0    (1'b0),
    .PHASESEL1    (1'b0),
    .PHASEDIR     (1'b1),
    .PHASESTEP    (1'b1),
    .PHASELOADREG (1'b1),
    .PLLWAKESYNC  (1'b0),
    .ENCLKOP      (1'b0),
    .ENCLKOS      (1'b0),
    .ENCLKOS2     (1'b0),
    .ENCLKOS3     (1'b0),
    .LOCK         (locked_o)
  );
endmodule
