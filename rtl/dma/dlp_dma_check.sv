// dlp_dma_check - start-of-repetition checks of LOAD/STORE (ARCHITECTURE.md 5.2), in the
// spec's order: SP_RANGE, DMA_ALIGN, DMA_WINDOW. Purely combinational; the engines feed
// it from registers and register its result (one CHECK cycle per repetition).
//
// box_* are the scratchpad box dimensions (LOAD: size + padding, STORE: size). All
// arithmetic is wide enough not to wrap: the box is < 2^51 rows, the footprint end
// < 2^50 bytes (the spec's 64-bit arithmetic gives the same results).
`default_nettype none

module dlp_dma_check (
  input  wire logic [31:0] sram_i,
  input  wire logic [31:0] dram_i,
  input  wire logic [15:0] x_size_i,
  input  wire logic [15:0] y_size_i,
  input  wire logic [15:0] z_size_i,
  input  wire logic [16:0] box_x_i,
  input  wire logic [16:0] box_y_i,
  input  wire logic [16:0] box_z_i,
  input  wire logic [31:0] y_stride_i,
  input  wire logic [31:0] z_stride_i,
  input  wire logic [2:0]  lg_e_i,      // log2 of the element bytes (2..6)
  input  wire logic [16:0] rows_i,      // rows of the addressed scratchpad
  input  wire logic [31:0] win_base_i,
  input  wire logic [31:0] win_limit_i,
  output      logic        err_o,
  output      logic [3:0]  err_code_o
);

  logic [33:0] box_xy;
  logic [50:0] box;
  logic [51:0] box_end;
  logic [31:0] e_mask;
  logic        sp_bad, align_bad, win_bad;
  logic [49:0] fp_end;   // one past the last byte of the footprint

  assign box_xy  = box_x_i * box_y_i;
  assign box     = box_xy * box_z_i;
  assign box_end = 52'(sram_i) + 52'(box);
  assign sp_bad  = box_end > 52'(rows_i);

  assign e_mask    = (32'd1 << lg_e_i) - 32'd1;
  assign align_bad = |((dram_i | y_stride_i | z_stride_i) & e_mask);

  assign fp_end  = 50'(dram_i)
                 + 50'(16'(z_size_i - 16'd1)) * 50'(z_stride_i)
                 + 50'(16'(y_size_i - 16'd1)) * 50'(y_stride_i)
                 + (50'(x_size_i) << lg_e_i);
  assign win_bad = (dram_i < win_base_i) || (fp_end - 50'd1 > 50'(win_limit_i));

  // Continuous assignments rather than an always_comb with a default: Icarus 11 loops at
  // time 0 on the intermediate value otherwise (seen with both engines instantiated).
  assign err_o      = sp_bad || align_bad || win_bad;
  assign err_code_o = sp_bad    ? dlp_pkg::ErrSpRange   :
                      align_bad ? dlp_pkg::ErrDmaAlign  :
                      win_bad   ? dlp_pkg::ErrDmaWindow : dlp_pkg::ErrNone;

endmodule
