// dlp_mxu_delay - fixed delay line of Stages registers (Stages = 0: a wire).
//
// Used for the input skew and output de-skew of the systolic array and for the tag
// that travels alongside a row through the array. Reset to zero.
`default_nettype none

module dlp_mxu_delay #(
  parameter int Width  = 8,
  parameter int Stages = 1
) (
  input  wire logic             clk_i,
  input  wire logic             rst_ni,
  input  wire logic [Width-1:0] d_i,
  output      logic [Width-1:0] q_o
);

  if (Stages == 0) begin : g_wire
    logic unused_clk;
    assign unused_clk = clk_i ^ rst_ni;
    assign q_o = d_i;
  end else if (Stages == 1) begin : g_one
    logic [Width-1:0] q_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) q_q <= '0;
      else         q_q <= d_i;
    end
    assign q_o = q_q;
  end else begin : g_chain
    // Stage 0 is the newest; stage Stages-1 the output.
    logic [Stages*Width-1:0] sr_q, sr_d;
    assign sr_d = {sr_q[(Stages-1)*Width-1:0], d_i};
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) sr_q <= '0;
      else         sr_q <= sr_d;
    end
    assign q_o = sr_q[Stages*Width-1 -: Width];
  end

endmodule
