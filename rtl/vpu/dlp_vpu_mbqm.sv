// dlp_vpu_mbqm - one lane of TFLite MultiplyByQuantizedMultiplier (golden dlp_mbqm).
//
//   y = rdbpot(srdhm(x << left, m), right),  left = max(s', 0), right = max(-s', 0),
//   s' = clamp(s, -31, 30)
//
// left and right come from dlp_vpu_shamt (the lane registers them per parameter row).
//
// srdhm is gemmlowp's SaturatingRoundingDoublingHighMul: 64-bit product, nudge 2^30 or
// 1 - 2^30, division by 2^31 truncating toward zero, INT32_MIN * INT32_MIN saturated.
// rdbpot is RoundingDivideByPOT (ties away from zero). The left shift wraps mod 2^32.
//
// Pipeline, fixed latency 3, no stalls, no valid: inputs sampled on a clock edge give y_o
// three edges later (stage 1: left shift; stage 2: 32x32->64 multiply, rounding mask of the
// shift; stage 3: nudge, divide, rounding shift). The datapath has no reset.
//
// Stage 3 uses one 33-bit add for nudge + truncating division: |prod| <= 2^62, so the
// nudged value keeps the sign of prod, and for prod < 0
// (prod - (2^30 - 1)) + (2^31 - 1) = prod + 2^30, for prod >= 0 prod + 2^30 as well:
// srdhm = (prod + 2^30)[62:31] = (prod[62:30] + 1)[32:1].
`default_nettype none

module dlp_vpu_mbqm (
  input  wire logic        clk_i,
  input  wire logic [31:0] x_i,
  input  wire logic [31:0] m_i,
  input  wire logic [4:0]  left_i,
  input  wire logic [4:0]  right_i,
  output      logic [31:0] y_o
);

  // ---------------------------------------------------------------- stage 1: shift
  logic [31:0] xl_q, m1_q;
  logic [4:0]  right1_q;

  always_ff @(posedge clk_i) begin
    xl_q     <= x_i << left_i;
    m1_q     <= m_i;
    right1_q <= right_i;
  end

  // ---------------------------------------------------------------- stage 2: multiply
  logic signed [63:0] prod_d, prod_q;
  logic               sat_d, sat_q;
  logic [4:0]         right2_q;
  logic [31:0]        mask_d, half_q, top_q;

  always_comb begin
    prod_d = $signed(xl_q) * $signed(m1_q);
    sat_d  = (xl_q == 32'h8000_0000) && (m1_q == 32'h8000_0000);
    mask_d = (32'd1 << right1_q) - 32'd1;
  end

  always_ff @(posedge clk_i) begin
    prod_q   <= prod_d;
    sat_q    <= sat_d;
    right2_q <= right1_q;
    half_q   <= mask_d >> 1;             // 2^(right-1) - 1 (0 for right = 0)
    top_q    <= mask_d ^ (mask_d >> 1);  // 2^(right-1) (0 for right = 0)
  end

  // ---------------------------------------------------------------- stage 3: round
  logic [32:0] hi;
  logic [31:0] srdhm, rem, q, y_d, y_q;
  logic        up;

  always_comb begin
    hi     = prod_q[62:30] + 33'd1;                // (prod + 2^30) >> 30, 33 bits
    srdhm  = sat_q ? 32'h7FFF_FFFF : hi[32:1];
    // RoundingDivideByPOT(srdhm, right): rem = srdhm mod 2^right > thr = mask/2 + (srdhm
    // < 0), i.e. bit right-1 of srdhm set and, for srdhm < 0, a lower bit set too.
    rem    = srdhm & half_q;
    up     = (|(srdhm & top_q)) && (!srdhm[31] || (|rem));
    q      = 32'($signed(srdhm) >>> right2_q);
    y_d    = q + {31'd0, up};
  end

  // Only bits 62:30 of the product carry the result (the sign and fraction do not).
  logic unused_prod;
  assign unused_prod = ^{prod_q[63], prod_q[29:0], hi[0]};

  always_ff @(posedge clk_i) begin
    y_q <= y_d;
  end

  assign y_o = y_q;

endmodule
