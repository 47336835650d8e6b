// dlp_dma_check - start-of-repetition checks of LOAD/STORE (ARCHITECTURE.md 5.2), in the
// spec's order: SP_RANGE, DMA_ALIGN, DMA_WINDOW.
//
// Two register stages (timing: the products and the 50-bit footprint sum do not fit one
// cycle next to the engine's state machine). The engines feed it from their command
// registers, which must stay stable from the first cycle (stage 1: products, partial
// terms) until err_o/err_code_o are used: these are valid from the second clock edge
// after the inputs, i.e. in the third CHECK cycle (one LUT level from the stage-2
// registers). The stages run every cycle (no enable).
//
// box_* are the scratchpad box dimensions (LOAD: size + padding, STORE: size). The results
// are those of the spec's 64-bit arithmetic:
//   SP_RANGE    sram + box_x * box_y * box_z > rows
//   DMA_ALIGN   (dram | y_stride | z_stride) has a bit below the element size
//   DMA_WINDOW  dram < win_base, or fp_end - 1 > win_limit, where
//               fp_end = dram + (z_size-1)*z_stride + (y_size-1)*y_stride + (x_size << lg_e)
//               (< 2^50; fp_end = 0 wraps to "bad", as the 50-bit original did)
// computed as:
//   - box: box_x * box_y is registered as its low 17 bits plus "it is >= 2^17". A box
//     >= 2^17 rows (with box_z != 0) is always out of range (rows < 2^17), and so is any
//     box when sram > rows; otherwise stage 2 compares (box_xy mod 2^17) * box_z against
//     rows - sram (registered, < 2^17).
//   - footprint: fp_end - 1 > win_limit  <=>  fp_end - win_limit - 2 >= 0. Stage 1
//     registers the two stride products, x_size << lg_e and c = dram - win_limit - 2;
//     stage 2 adds the four terms (52-bit signed) and takes the sign.
`default_nettype none

module dlp_dma_check (
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  input  wire logic [31:0] sram_i,
  input  wire logic [31:0] dram_i,
  input  wire logic [15:0] x_size_i,
  input  wire logic [15:0] y_size_m1_i, // y_size - 1 (mod 2^16)
  input  wire logic [15:0] z_size_m1_i, // z_size - 1 (mod 2^16)
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

  // ---------------------------------------------------------------- stage 1
  logic [33:0] box_xy;
  logic [22:0] x_bytes;
  logic [7:0]  e_low;
  logic [31:0] e_mask;

  assign box_xy  = box_x_i * box_y_i;
  assign x_bytes = 23'(x_size_i) << lg_e_i;
  assign e_low   = 8'hff << lg_e_i;
  assign e_mask  = {24'd0, ~e_low};            // bits below the element size

  logic [47:0] zp_q, yp_q;          // (size-1) * stride
  logic [16:0] bxy_q;               // box_x * box_y mod 2^17
  logic        big_q;               // box_x * box_y >= 2^17 and box_z != 0
  logic        over_q;              // sram > rows
  logic [16:0] rem_q;               // rows - sram (when !over_q)
  logic [51:0] c_q;                 // dram - win_limit - 2 (signed)
  logic [22:0] xb_q;                // x_size << lg_e
  logic        align_q, base_q, fp_zero_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      zp_q      <= '0;
      yp_q      <= '0;
      bxy_q     <= '0;
      big_q     <= 1'b0;
      over_q    <= 1'b0;
      rem_q     <= '0;
      c_q       <= '0;
      xb_q      <= '0;
      align_q   <= 1'b0;
      base_q    <= 1'b0;
      fp_zero_q <= 1'b0;
    end else begin
      zp_q      <= 48'(z_size_m1_i) * 48'(z_stride_i);
      yp_q      <= 48'(y_size_m1_i) * 48'(y_stride_i);
      bxy_q     <= box_xy[16:0];
      big_q     <= (|box_xy[33:17]) && (|box_z_i);
      over_q    <= sram_i > 32'(rows_i);
      rem_q     <= rows_i - sram_i[16:0];
      c_q       <= 52'(dram_i) - 52'(win_limit_i) - 52'd2;
      xb_q      <= x_bytes;
      align_q   <= |((dram_i | y_stride_i | z_stride_i) & e_mask);
      base_q    <= dram_i < win_base_i;
      // fp_end = 0 (only with x_size = 0, which dispatch rejects): every term is zero
      fp_zero_q <= (x_bytes == '0) && (dram_i == '0) &&
                   (z_size_m1_i == '0 || z_stride_i == '0) &&
                   (y_size_m1_i == '0 || y_stride_i == '0);
    end
  end

  // ---------------------------------------------------------------- stage 2
  logic [33:0] box_lo;
  /* verilator lint_off UNUSEDSIGNAL */ // only the sign is used
  logic [51:0] t;                   // fp_end - win_limit - 2 (signed)
  /* verilator lint_on UNUSEDSIGNAL */
  logic        sp_bad, win_bad;

  assign box_lo  = bxy_q * box_z_i;
  assign sp_bad  = big_q || over_q || (box_lo > 34'(rem_q));
  assign t       = c_q + 52'(xb_q) + 52'(zp_q) + 52'(yp_q);
  assign win_bad = base_q || fp_zero_q || !t[51];

  logic sp_q, align2_q, win_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sp_q     <= 1'b0;
      align2_q <= 1'b0;
      win_q    <= 1'b0;
    end else begin
      sp_q     <= sp_bad;
      align2_q <= align_q;
      win_q    <= win_bad;
    end
  end

  // Continuous assignments rather than an always_comb with a default: Icarus 11 loops at
  // time 0 on the intermediate value otherwise (seen with both engines instantiated).
  assign err_o      = sp_q || align2_q || win_q;
  assign err_code_o = sp_q     ? dlp_pkg::ErrSpRange   :
                      align2_q ? dlp_pkg::ErrDmaAlign  :
                      win_q    ? dlp_pkg::ErrDmaWindow : dlp_pkg::ErrNone;

endmodule
