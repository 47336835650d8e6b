// dlp_mxu_pe - one processing element of the weight-stationary systolic array.
//
// Holds two int8 weights: the active one used by the MACs and a shadow one that the
// weight loader writes (wload_i) while the active tile computes. The switch marker sw_i
// travels with the activation: in the cycle it is high the PE computes with the shadow
// weight and copies it into the active register, so every PE switches exactly when the
// first row of the new tile reaches it. Each cycle:
//   psum_o <= psum_i + a_i * w      (int8 x int8 into a wrapping 32-bit sum)
//   a_o    <= a_i,  sw_o <= sw_i     (to the PE on the right)
// Latency one cycle on every output. Datapath registers have no reset: the control
// around the array only uses results of rows it launched, and the first launched row
// of every command carries the switch marker, so reset values never reach a result.
`default_nettype none

module dlp_mxu_pe (
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
  assign prod   = a_i * w;
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
