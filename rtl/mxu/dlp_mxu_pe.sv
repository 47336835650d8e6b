// dlp_mxu_pe - one processing element of the weight-stationary systolic array.
//
// Holds two int8 weights: the active one used by the MACs and a shadow one that the
// weight loader writes (wload_i) while the active tile computes. The switch marker sw_i
// travels with the activation: in the cycle it is high the PE computes with the shadow
// weight and copies it into the active register, so every PE switches exactly when the
// first row of the new tile reaches it. Each cycle:
//   psum_o <= psum_i + a_i * w      (int8 x int8 into a wrapping 32-bit sum)
//   a_o    <= a_i,  sw_o <= sw_i     (to the PE on the right)
// Latency one cycle on every output.
// LutMul = 0: the product is `a_i * w`, which synthesis maps to a DSP multiplier
// (DSP48E1 / MULT18X18D). LutMul = 1: the same product as an explicit sum of eight
// shifted partial products (two's complement: the partial product of the weight's sign
// bit is subtracted), so Yosys sees adders, not a $mul, and builds it from LUTs and
// carry chains. Both give the same 16-bit product for every input pair.
// Datapath registers have no reset: the control
// around the array only uses results of rows it launched, and the first launched row
// of every command carries the switch marker, so reset values never reach a result.
`default_nettype none

module dlp_mxu_pe #(
  parameter bit LutMul = 1'b0   // 1: int8 x int8 multiplier in LUT logic, not a DSP
) (
  input  wire logic              clk_i,
  input  wire logic              rst_ni,
  input  wire logic signed [7:0] a_i,
  input  wire logic              sw_i,
  input  wire logic       [31:0] psum_i,
  input  wire logic              wload_i,
  input  wire logic signed [7:0] wdata_i,
  output      logic signed [7:0] a_o,
  output      logic              sw_o,
  output      logic       [31:0] psum_o
);

  logic signed [7:0]  wact_q, wact_d, wsh_q, wsh_d, w;
  logic signed [15:0] prod;
  logic        [31:0] psum_d;
  logic signed [7:0]  a_q;
  logic               sw_q;
  logic        [31:0] psum_q;

  assign w      = sw_i ? wsh_q : wact_q;
  assign wact_d = w;
  assign wsh_d  = wload_i ? wdata_i : wsh_q;

  if (LutMul) begin : g_lut_mul
    // w = -w[7]*2^7 + sum_{i<7} w[i]*2^i, so a*w is the sum of the partial products
    // pp[i] = w[i] ? a : 0 (9-bit signed) weighted 2^i, the last one subtracted. Summed as
    // a tree of two-operand adds, each only as wide as its result: 4 x 10 bit, 2 x 12
    // bit, 1 x 16 bit. The keep attributes stop Yosys (alumacc) from merging the tree
    // into one multi-operand $macc, which it would build from gates instead of carry
    // chains (measured, synth_ecp5: ~500 LUT4 per PE merged vs ~ 100 + carry kept).
    logic signed [8:0] pp [8];
    for (genvar i = 0; i < 8; i++) begin : g_pp
      assign pp[i] = w[i] ? 9'(a_i) : 9'sd0;
    end
    (* keep *) logic signed [10:0] t0, t1, t2, t3;
    (* keep *) logic signed [12:0] u0, u1;
    assign t0   = 11'(pp[0]) + (11'(pp[1]) <<< 1);   // weights 2^0, 2^1
    assign t1   = 11'(pp[2]) + (11'(pp[3]) <<< 1);   // 2^2, 2^3 (scaled by 2^-2)
    assign t2   = 11'(pp[4]) + (11'(pp[5]) <<< 1);   // 2^4, 2^5 (scaled by 2^-4)
    assign t3   = 11'(pp[6]) - (11'(pp[7]) <<< 1);   // 2^6, -2^7 (scaled by 2^-6)
    assign u0   = 13'(t0) + (13'(t1) <<< 2);
    assign u1   = 13'(t2) + (13'(t3) <<< 2);
    (* keep *) logic signed [15:0] prod_lut;
    assign prod_lut = 16'(u0) + (16'(u1) <<< 4);
    assign prod     = prod_lut;
  end else begin : g_dsp_mul
    assign prod = a_i * w;
  end
  assign psum_d = psum_i + 32'(prod);   // prod is signed: sign-extended

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sw_q <= 1'b0;
    end else begin
      sw_q <= sw_i;
    end
  end

  always_ff @(posedge clk_i) begin
    wact_q <= wact_d;
    wsh_q  <= wsh_d;
    a_q    <= a_i;
    psum_q <= psum_d;
  end

  assign a_o    = a_q;
  assign sw_o   = sw_q;
  assign psum_o = psum_q;

endmodule
