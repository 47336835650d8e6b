// tb_mxu_smoke - Icarus smoke test of dlp_mxu (N = 4): four GEMMs with random grants on
// all ports, checked against a SystemVerilog model of spec 5.3. The random comparison
// against the golden ISS is tb_mxu.cpp (Verilator); this only shows that the RTL also
// simulates correctly under Icarus (4-state, reset-less datapath registers start as X).
`default_nettype none
module tb_mxu_smoke;
  localparam int N = 4, AR = 512, WR = 256, CR = 256;
  logic clk = 0, rst_n = 0;
  always #5 clk = ~clk;
  logic cmd_valid = 0, cmd_ready, done, err; logic [3:0] err_code; logic [31:0] err_addr;
  logic [255:0] insn = '0; logic [31:0] s0 = 0, s1 = 0, s2 = 0;
  logic act_req, act_we, act_gnt, wgt_req, wgt_we, wgt_gnt, rd_req, rd_we, rd_gnt, wr_req, wr_we, wr_gnt;
  logic [8:0] act_addr; logic [7:0] wgt_addr, rd_addr, wr_addr;
  logic [8*N-1:0] act_wd, wgt_wd, act_rd, wgt_rd; logic [32*N-1:0] rd_wd, rd_rd, wr_wd;
  logic perf_row, busy, stall_wgt;
  logic [8*N-1:0] act_m [AR]; logic [8*N-1:0] wgt_m [WR]; logic [32*N-1:0] acc_m [CR], exp_m [CR];
  int seed = 5;
  dlp_mxu #(.N(N), .ActRows(AR), .WgtRows(WR), .AccRows(CR)) dut (
    .clk_i(clk), .rst_ni(rst_n), .cmd_valid_i(cmd_valid), .cmd_ready_o(cmd_ready), .cmd_insn_i(insn),
    .cmd_slot0_i(s0), .cmd_slot1_i(s1), .cmd_slot2_i(s2), .done_o(done), .err_o(err), .err_code_o(err_code),
    .err_addr_o(err_addr), .act_req_o(act_req), .act_we_o(act_we), .act_addr_o(act_addr), .act_wdata_o(act_wd),
    .act_gnt_i(act_gnt), .act_rdata_i(act_rd), .wgt_req_o(wgt_req), .wgt_we_o(wgt_we), .wgt_addr_o(wgt_addr),
    .wgt_wdata_o(wgt_wd), .wgt_gnt_i(wgt_gnt), .wgt_rdata_i(wgt_rd), .acc_rd_req_o(rd_req), .acc_rd_we_o(rd_we),
    .acc_rd_addr_o(rd_addr), .acc_rd_wdata_o(rd_wd), .acc_rd_gnt_i(rd_gnt), .acc_rd_rdata_i(rd_rd),
    .acc_wr_req_o(wr_req), .acc_wr_we_o(wr_we), .acc_wr_addr_o(wr_addr), .acc_wr_wdata_o(wr_wd),
    .acc_wr_gnt_i(wr_gnt), .perf_row_o(perf_row), .busy_o(busy), .stall_wgt_o(stall_wgt));
  // random grants, 1-cycle read latency
  always @(negedge clk) begin
    act_gnt = act_req && ($urandom % 3 != 0); wgt_gnt = wgt_req && ($urandom % 3 != 0);
    rd_gnt = rd_req && ($urandom % 3 != 0); wr_gnt = wr_req && ($urandom % 4 != 0);
  end
  always @(posedge clk) begin
    if (act_gnt) act_rd <= act_m[act_addr];
    if (wgt_gnt) wgt_rd <= wgt_m[wgt_addr];
    if (rd_gnt) rd_rd <= acc_m[rd_addr];
    if (wr_gnt) acc_m[wr_addr] <= wr_wd;
  end
  task automatic gemm(input int act, wgt, acc, npix, nr1, nr2, spix, sr1, sr2, clr);
    for (int r2 = 0; r2 < nr2; r2++) for (int r1 = 0; r1 < nr1; r1++) for (int p = 0; p < npix; p++)
      for (int n = 0; n < N; n++) begin
        int a = act + p*spix + r1*sr1 + r2*sr2; int t = wgt + (r2*nr1 + r1)*N; logic [31:0] d = 0;
        for (int k = 0; k < N; k++) begin logic signed [31:0] x, y; x = $signed(act_m[a][8*k +: 8]); y = $signed(wgt_m[t+n][8*k +: 8]); d += x * y; end
        exp_m[acc+p][32*n +: 32] = ((clr && r1 == 0 && r2 == 0) ? 32'd0 : exp_m[acc+p][32*n +: 32]) + d;
      end
    insn = '0; insn[7:0] = 8'h04; insn[16] = clr[0]; insn[80 +: 16] = npix; insn[96 +: 16] = nr1;
    insn[112 +: 16] = nr2; insn[128 +: 16] = spix; insn[144 +: 16] = sr1; insn[160 +: 16] = sr2;
    s0 = act; s1 = wgt; s2 = acc;
    @(negedge clk) cmd_valid = 1; @(posedge clk); while (!cmd_ready) @(posedge clk);
    @(negedge clk) cmd_valid = 0;
    while (!done) @(posedge clk);
  endtask
  int fails = 0;
  initial begin
    for (int i = 0; i < AR; i++) act_m[i] = {$urandom, $urandom};
    for (int i = 0; i < WR; i++) wgt_m[i] = {$urandom, $urandom};
    for (int i = 0; i < CR; i++) begin acc_m[i] = {$urandom, $urandom, $urandom, $urandom}; exp_m[i] = acc_m[i]; end
    repeat (3) @(posedge clk); rst_n = 1;
    gemm(0, 0, 0, 20, 3, 2, 1, 2, 7, 1);
    gemm(5, 8, 3, 1, 6, 2, 0, 1, 3, 0);
    gemm(9, 16, 40, 2, 5, 1, 3, 1, 0, 0);
    gemm(100, 0, 10, 33, 2, 1, 2, 1, 0, 1);
    for (int i = 0; i < CR; i++) if (acc_m[i] !== exp_m[i]) begin fails++; if (fails < 4) $display("row %0d got %h exp %h", i, acc_m[i], exp_m[i]); end
    $display("icarus smoke: %0d rows mismatched, t=%0t, acc[0]=%h acc[1]=%h", fails, $time, acc_m[0], acc_m[1]);
    if (fails != 0) $fatal(1, "icarus smoke: FAILED");
    $finish;
  end
  initial begin #2000000 $fatal(1, "icarus smoke: timeout"); end
endmodule
