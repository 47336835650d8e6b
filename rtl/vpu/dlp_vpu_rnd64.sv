// dlp_vpu_rnd64 - LNORM output rounding: z = low 32 bits of rdbpot64(p, e), e in 18..49
// (golden dlp_rdbpot64: RoundingDivideByPOT on int64, rounding half away from zero).
//
//   rdbpot64(p, e) = (p >> e) + (rem > ((2^e - 1) >> 1) + (p < 0)),  rem = p & (2^e - 1)
//
// With p = q * 2^e + rem (q = p >> e), floor((p + 2^(e-1) - (p < 0)) / 2^e) is
// q + (rem + 2^(e-1) - (p < 0) >= 2^e), which is the same condition. So the result is one
// 65-bit add (zh_i = 2^(e-1) - 1, carry in p >= 0; no overflow: |p| < 2^63, zh_i < 2^48)
// and the 32-bit window of the sum at bit e: a 5-bit shift of e - 18 (esh_i), not a
// 64-bit shifter, a mask and two 64-bit compares. Combinational; dlp_vpu keeps esh_i and
// zh_i in registers for the whole LNORM output pass.
`default_nettype none

module dlp_vpu_rnd64 (
  input  wire logic [63:0] p_i,
  input  wire logic [4:0]  esh_i,  // e - 18
  input  wire logic [63:0] zh_i,   // 2^(e - 1) - 1
  output      logic [31:0] z_o
);

  logic [64:0] sum;
  logic [80:0] ext;
  always_comb begin
    sum = {p_i[63], p_i} + {1'b0, zh_i} + {64'd0, !p_i[63]};
    ext = {{16{sum[64]}}, sum};
    z_o = ext[18 + {27'd0, esh_i} +: 32];  // bits e + 31 .. e, sign-extended above bit 64
  end

  // The low 18 bits are always below the window (e >= 18).
  logic unused_ext;
  assign unused_ext = ^ext[17:0];

endmodule
