// tb_mxu_pe_mul - exhaustive check of the PE multiplier: for all 65,536 int8 pairs (a, w)
// the PE with LUT multiplier (LutMul = 1) and the PE with `*` (LutMul = 0) must both give
// psum_i + a * w (32-bit wrap), with psum_i varied. Icarus (`make pe`) or Verilator --binary.
`default_nettype none
`timescale 1ns / 1ps

module tb_mxu_pe_mul;
  logic              clk = 1'b0;
  logic              rst_n = 1'b0;
  logic signed [7:0] a, wd;
  logic       [31:0] psum;
  logic              wload;
  logic       [31:0] ps_dsp, ps_lut;
  logic signed [7:0] a_o_dsp, a_o_lut;
  logic              sw_o_dsp, sw_o_lut;
  integer            errors = 0, checks = 0;
  logic       [31:0] expect_q;

  dlp_mxu_pe #(.LutMul(1'b0)) u_dsp (
    .clk_i(clk), .rst_ni(rst_n), .a_i(a), .sw_i(1'b1), .psum_i(psum), .wload_i(wload),
    .wdata_i(wd), .a_o(a_o_dsp), .sw_o(sw_o_dsp), .psum_o(ps_dsp)
  );
  dlp_mxu_pe #(.LutMul(1'b1)) u_lut (
    .clk_i(clk), .rst_ni(rst_n), .a_i(a), .sw_i(1'b1), .psum_i(psum), .wload_i(wload),
    .wdata_i(wd), .a_o(a_o_lut), .sw_o(sw_o_lut), .psum_o(ps_lut)
  );

  always #5 clk = ~clk;

  initial begin
    a = '0; wd = '0; psum = '0; wload = 1'b0;
    @(negedge clk) rst_n = 1'b1;
    for (int wi = -128; wi < 128; wi++) begin
      // load the weight into the shadow register (sw_i = 1 uses it from the next cycle)
      wd = 8'(wi); wload = 1'b1;
      @(negedge clk) wload = 1'b0;
      for (int ai = -128; ai < 128; ai++) begin
        a = 8'(ai);
        psum = 32'(ai * 7919 + wi * 104729) ^ {wd, a, wd, a};
        expect_q = psum + 32'(ai * wi);
        @(negedge clk);
        checks++;
        if (ps_lut !== expect_q || ps_dsp !== expect_q) begin
          errors++;
          if (errors <= 10)
            $display("MISMATCH a=%0d w=%0d: lut %h dsp %h expected %h", ai, wi, ps_lut, ps_dsp,
                     expect_q);
        end
      end
    end
    $display("tb_mxu_pe_mul: %0d pairs checked, %0d mismatches: %s", checks, errors,
             errors == 0 ? "PASSED" : "FAILED");
    if (errors != 0) $fatal(1);
    $finish;
  end
endmodule
