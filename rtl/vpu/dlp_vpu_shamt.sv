// dlp_vpu_shamt - the shift of TFLite MultiplyByQuantizedMultiplier, split for the mbqm:
//   s' = clamp(s, -31, 30), left = max(s', 0), right = max(-s', 0)
// (golden dlp_mbqm). Combinational. The lane keeps one registered copy per parameter
// row that can hold s, so the mbqm's first stage starts at a lane-local register.
`default_nettype none

module dlp_vpu_shamt (
  input  wire logic [31:0] s_i,
  output      logic [4:0]  left_o,
  output      logic [4:0]  right_o
);

  always_comb begin
    left_o  = 5'd0;
    right_o = 5'd0;
    if ($signed(s_i) > 32'sd0) begin
      left_o = ($signed(s_i) > 32'sd30) ? 5'd30 : s_i[4:0];
    end else if ($signed(s_i) < -32'sd31) begin
      right_o = 5'd31;
    end else begin
      right_o = 5'd0 - s_i[4:0];  // -s in 0..31
    end
  end

endmodule
