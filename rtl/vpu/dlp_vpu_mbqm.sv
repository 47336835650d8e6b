// dlp_vpu_mbqm - one lane of TFLite MultiplyByQuantizedMultiplier (golden dlp_mbqm).
//
//   y = rdbpot(srdhm(x << max(s', 0), m), max(-s', 0)),  s' = clamp(s, -31, 30)
//
// srdhm is gemmlowp's SaturatingRoundingDoublingHighMul: 64-bit product, nudge 2^30 or
// 1 - 2^30, division by 2^31 truncating toward zero, INT32_MIN * INT32_MIN saturated.
// rdbpot is RoundingDivideByPOT (ties away from zero). The left shift wraps mod 2^32.
//
// Pipeline, fixed latency 3, no stalls, no valid: inputs sampled on a clock edge give y_o
// three edges later (stage 1: shift; stage 2: 32x32->64 multiply; stage 3: nudge,
// divide, rounding shift). The datapath has no reset.
`default_nettype none

module dlp_vpu_mbqm (
  input  wire logic        clk_i,
  input  wire logic [31:0] x_i,
  input  wire logic [31:0] m_i,
  input  wire logic [31:0] s_i,
  output      logic [31:0] y_o
);

  // ---------------------------------------------------------------- stage 1: shift
  logic [4:0]  left, right;
  logic [31:0] xl_d, xl_q, m1_q;
  logic [4:0]  right1_q;

  always_comb begin
    left   = 5'd0;
    right  = 5'd0;
    if ($signed(s_i) > 32'sd0) begin
      left = ($signed(s_i) > 32'sd30) ? 5'd30 : s_i[4:0];
    end else if ($signed(s_i) < -32'sd31) begin
      right = 5'd31;
    end else begin
      right = 5'd0 - s_i[4:0];  // -s in 0..31
    end
    xl_d    = x_i << left;
  end

  always_ff @(posedge clk_i) begin
    xl_q     <= xl_d;
    m1_q     <= m_i;
    right1_q <= right;
  end

  // ---------------------------------------------------------------- stage 2: multiply
  logic signed [63:0] prod_d, prod_q;
  logic               sat_d, sat_q;
  logic [4:0]         right2_q;

  always_comb begin
    prod_d = $signed(xl_q) * $signed(m1_q);
    sat_d  = (xl_q == 32'h8000_0000) && (m1_q == 32'h8000_0000);
  end

  always_ff @(posedge clk_i) begin
    prod_q   <= prod_d;
    sat_q    <= sat_d;
    right2_q <= right1_q;
  end

  // ---------------------------------------------------------------- stage 3: round
  logic signed [63:0] nudged, biased;
  logic [31:0]        srdhm, mask, rem, thr, q, y_d, y_q;

  always_comb begin
    nudged = prod_q + (prod_q[63] ? -64'sd1073741823 : 64'sd1073741824);
    // Truncating division by 2^31: add 2^31 - 1 to negative values before the shift.
    biased = nudged + (nudged[63] ? 64'sd2147483647 : 64'sd0);
    srdhm  = sat_q ? 32'h7FFF_FFFF : biased[62:31];  // biased >>> 31 fits 32 bits
    // RoundingDivideByPOT(srdhm, right)
    mask   = (32'd1 << right2_q) - 32'd1;
    rem    = srdhm & mask;
    thr    = (mask >> 1) + {31'd0, srdhm[31]};
    q      = 32'($signed(srdhm) >>> right2_q);
    y_d    = q + {31'd0, (rem > thr)};
  end

  // Only bits 62:31 of the shifted sum carry the result (the sign and fraction do not).
  logic unused_biased;
  assign unused_biased = ^{biased[63], biased[30:0]};

  always_ff @(posedge clk_i) begin
    y_q <= y_d;
  end

  assign y_o = y_q;

endmodule
