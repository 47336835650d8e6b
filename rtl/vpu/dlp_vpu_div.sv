// dlp_vpu_div - sequential unsigned restoring divider, one quotient bit per cycle.
//
// Divides the top steps_i bits of dividend_i (the dividend left-aligned in 64 bits, i.e.
// dividend << (64 - steps)) by divisor_i. start_i (while idle) loads the operands;
// done_o pulses steps_i cycles later with quotient_o = floor(dividend / divisor) (its low
// 32 bits; the callers' quotients fit). A zero divisor gives an all-ones quotient; the
// callers never use it. Used by SOFTMAX (2^30 / S, 31 steps) and LNORM
// ((2^61 - 1) / sd, 61 steps).
`default_nettype none

module dlp_vpu_div (
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  input  wire logic        start_i,
  input  wire logic [63:0] dividend_i,  // left-aligned
  input  wire logic [6:0]  steps_i,     // 1..64
  input  wire logic [31:0] divisor_i,
  output      logic        done_o,
  output      logic [31:0] quotient_o
);

  logic        busy_d, busy_q;
  logic [6:0]  cnt_d, cnt_q;
  logic [63:0] q_d, q_q;
  logic [32:0] rem_d, rem_q;
  logic [31:0] dvs_d, dvs_q;
  logic [32:0] shifted;

  always_comb begin
    busy_d  = busy_q;
    cnt_d   = cnt_q;
    q_d     = q_q;
    rem_d   = rem_q;
    dvs_d   = dvs_q;
    done_o  = 1'b0;
    shifted = {rem_q[31:0], q_q[63]};
    if (!busy_q) begin
      if (start_i) begin
        busy_d = 1'b1;
        cnt_d  = steps_i;
        q_d    = dividend_i;
        rem_d  = '0;
        dvs_d  = divisor_i;
      end
    end else begin
      if (shifted >= {1'b0, dvs_q}) begin
        rem_d = shifted - {1'b0, dvs_q};
        q_d   = {q_q[62:0], 1'b1};
      end else begin
        rem_d = shifted;
        q_d   = {q_q[62:0], 1'b0};
      end
      cnt_d = cnt_q - 7'd1;
      if (cnt_q == 7'd1) begin
        busy_d = 1'b0;
        done_o = 1'b1;
      end
    end
  end

  // quotient_o is read in the cycle done_o is high: the value being shifted in now.
  assign quotient_o = q_d[31:0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      cnt_q  <= '0;
      q_q    <= '0;
      rem_q  <= '0;
      dvs_q  <= '0;
    end else begin
      busy_q <= busy_d;
      cnt_q  <= cnt_d;
      q_q    <= q_d;
      rem_q  <= rem_d;
      dvs_q  <= dvs_d;
    end
  end

  logic unused_rem;
  assign unused_rem = rem_q[32];

endmodule
