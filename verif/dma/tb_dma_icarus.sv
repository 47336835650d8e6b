// tb_dma_icarus - Icarus smoke test of the DMA engines (the full random test is the
// Verilator testbench). N = 4, 64-bit bus: STORE 3x4 ACT rows to an unaligned DDR
// address with a gapped stride, LOAD them back into WGT with x padding, LOAD one ACC
// row of padding (sign extension), and a misaligned LOAD (DMA_ALIGN, no access).
// Behavioural AXI memory (fixed latency, always ready) and always-granting scratchpads.
// Prints `dma_icarus: P passed, F failed`.
`default_nettype none
`timescale 1ns/1ps

module tb_dma_icarus;
  localparam int N = 4, W = 64, B = W / 8, Rows = 64;
  logic clk = 0, rst_n = 0;
  always #5 clk = ~clk;

  logic [7:0] ddr [0:8191];          // bytes 0x1000..0x2fff of DDR, index = addr - 0x1000
  logic [N*8-1:0] act [0:Rows-1], wgt [0:Rows-1];
  logic [N*32-1:0] acc [0:Rows-1];
  int passed = 0, failed = 0;

  // ---------------------------------------------------------------- DUTs
  logic ld_v, ld_r, ld_done, ld_err, st_v, st_r, st_done, st_err;
  logic [3:0] ld_code, st_code;
  logic [31:0] ld_eaddr, st_eaddr, ld_s0, ld_s1, st_s0, st_s1;
  logic [255:0] ld_insn, st_insn;
  logic l_areq, l_awe, l_wreq, l_wwe, l_creq, l_cwe;
  logic [5:0] l_aaddr, l_waddr, l_caddr, s_aaddr, s_waddr, s_caddr;
  logic [N*8-1:0] l_awd, l_wwd, s_awd, s_wwd;
  logic [N*32-1:0] l_cwd, s_cwd;
  logic s_areq, s_awe, s_wreq, s_wwe, s_creq, s_cwe;
  logic [N*8-1:0] s_ard, s_wrd;
  logic [N*32-1:0] s_crd;
  // AXI
  logic [3:0] arid, awid;
  logic [31:0] araddr, awaddr;
  logic [7:0] arlen, awlen;
  logic [2:0] arsize, awsize, arprot, awprot;
  logic [1:0] arburst, awburst;
  logic arlock, awlock, arvalid, awvalid, rready, wvalid, wlast, bready;
  logic [3:0] arcache, awcache;
  logic [W-1:0] rdata, wdata;
  logic [B-1:0] wstrb;
  logic rvalid = 0, rlast = 0, bvalid = 0;
  logic [1:0] rresp = 0, bresp = 0;
  logic [31:0] win_base = 32'h1000, win_limit = 32'h2fff;

  dlp_dma_load #(.N(N), .AxiDataW(W), .ActRows(Rows), .WgtRows(Rows), .AccRows(Rows))
  u_ld (
    .clk_i(clk), .rst_ni(rst_n), .win_base_i(win_base), .win_limit_i(win_limit),
    .cmd_valid_i(ld_v), .cmd_ready_o(ld_r), .cmd_insn_i(ld_insn), .cmd_slot0_i(ld_s0),
    .cmd_slot1_i(ld_s1), .cmd_slot2_i(32'd0), .done_o(ld_done), .err_o(ld_err),
    .err_code_o(ld_code), .err_addr_o(ld_eaddr),
    .act_req_o(l_areq), .act_we_o(l_awe), .act_addr_o(l_aaddr), .act_wdata_o(l_awd),
    .act_gnt_i(l_areq), .act_rdata_i({N*8{1'b0}}),
    .wgt_req_o(l_wreq), .wgt_we_o(l_wwe), .wgt_addr_o(l_waddr), .wgt_wdata_o(l_wwd),
    .wgt_gnt_i(l_wreq), .wgt_rdata_i({N*8{1'b0}}),
    .acc_req_o(l_creq), .acc_we_o(l_cwe), .acc_addr_o(l_caddr), .acc_wdata_o(l_cwd),
    .acc_gnt_i(l_creq), .acc_rdata_i({N*32{1'b0}}),
    .m_axi_arid_o(arid), .m_axi_araddr_o(araddr), .m_axi_arlen_o(arlen),
    .m_axi_arsize_o(arsize), .m_axi_arburst_o(arburst), .m_axi_arlock_o(arlock),
    .m_axi_arcache_o(arcache), .m_axi_arprot_o(arprot), .m_axi_arvalid_o(arvalid),
    .m_axi_arready_i(1'b1), .m_axi_rid_i(4'd0), .m_axi_rdata_i(rdata),
    .m_axi_rresp_i(rresp), .m_axi_rlast_i(rlast), .m_axi_rvalid_i(rvalid),
    .m_axi_rready_o(rready), .perf_bytes_o(), .perf_stall_o()
  );

  dlp_dma_store #(.N(N), .AxiDataW(W), .ActRows(Rows), .WgtRows(Rows), .AccRows(Rows))
  u_st (
    .clk_i(clk), .rst_ni(rst_n), .win_base_i(win_base), .win_limit_i(win_limit),
    .cmd_valid_i(st_v), .cmd_ready_o(st_r), .cmd_insn_i(st_insn), .cmd_slot0_i(st_s0),
    .cmd_slot1_i(st_s1), .cmd_slot2_i(32'd0), .done_o(st_done), .err_o(st_err),
    .err_code_o(st_code), .err_addr_o(st_eaddr),
    .act_req_o(s_areq), .act_we_o(s_awe), .act_addr_o(s_aaddr), .act_wdata_o(s_awd),
    .act_gnt_i(s_areq), .act_rdata_i(s_ard),
    .wgt_req_o(s_wreq), .wgt_we_o(s_wwe), .wgt_addr_o(s_waddr), .wgt_wdata_o(s_wwd),
    .wgt_gnt_i(s_wreq), .wgt_rdata_i(s_wrd),
    .acc_req_o(s_creq), .acc_we_o(s_cwe), .acc_addr_o(s_caddr), .acc_wdata_o(s_cwd),
    .acc_gnt_i(s_creq), .acc_rdata_i(s_crd),
    .m_axi_awid_o(awid), .m_axi_awaddr_o(awaddr), .m_axi_awlen_o(awlen),
    .m_axi_awsize_o(awsize), .m_axi_awburst_o(awburst), .m_axi_awlock_o(awlock),
    .m_axi_awcache_o(awcache), .m_axi_awprot_o(awprot), .m_axi_awvalid_o(awvalid),
    .m_axi_awready_i(1'b1), .m_axi_wdata_o(wdata), .m_axi_wstrb_o(wstrb),
    .m_axi_wlast_o(wlast), .m_axi_wvalid_o(wvalid), .m_axi_wready_i(1'b1),
    .m_axi_bid_i(4'd0), .m_axi_bresp_i(bresp), .m_axi_bvalid_i(bvalid),
    .m_axi_bready_o(bready), .perf_bytes_o(), .perf_stall_o()
  );

  // ---------------------------------------------------------------- scratchpads
  always_ff @(posedge clk) begin
    if (l_areq && l_awe) act[l_aaddr] <= l_awd;
    if (l_wreq && l_wwe) wgt[l_waddr] <= l_wwd;
    if (l_creq && l_cwe) acc[l_caddr] <= l_cwd;
    s_ard <= act[s_aaddr];
    s_wrd <= wgt[s_waddr];
    s_crd <= acc[s_caddr];
  end

  // ---------------------------------------------------------------- AXI memory
  // Reads: bursts queued with their AR time, answered after 5 cycles, in order.
  logic [31:0] rq_addr [0:63];
  logic [7:0]  rq_len [0:63];
  int rq_wr = 0, rq_rd = 0, rbeat = 0;
  always @(posedge clk) begin
    if (arvalid) begin
      rq_addr[rq_wr % 64] <= araddr;
      rq_len[rq_wr % 64] <= arlen;
      rq_wr <= rq_wr + 1;
    end
    if (rvalid && rready) begin
      if (rlast) begin
        rq_rd <= rq_rd + 1;
        rbeat <= 0;
      end else begin
        rbeat <= rbeat + 1;
      end
    end
  end
  always @(negedge clk) begin
    if (!(rvalid && !rready) && rq_rd < rq_wr) begin
      // beat `rbeat` of burst rq_rd (the posedge already advanced the counters)
      for (int i = 0; i < B; i++)
        rdata[8*i +: 8] = ddr[rq_addr[rq_rd % 64] + rbeat * B + i - 32'h1000];
      rlast  = (rbeat == rq_len[rq_rd % 64]);
      rvalid = 1;
    end else if (!(rvalid && !rready)) begin
      rvalid = 0;
    end
  end
  // Writes: AW queue, W applied with strobes, B one cycle after WLAST.
  logic [31:0] wq_addr [0:63];
  int wq_wr = 0, wq_rd = 0, wbeat = 0, bpend = 0;
  always @(posedge clk) begin
    if (awvalid) begin
      wq_addr[wq_wr % 64] <= awaddr;
      wq_wr <= wq_wr + 1;
    end
    if (wvalid) begin
      for (int i = 0; i < B; i++)
        if (wstrb[i]) ddr[wq_addr[wq_rd % 64] + wbeat * B + i - 32'h1000] <= wdata[8*i +: 8];
      if (wlast) begin
        wq_rd <= wq_rd + 1;
        wbeat <= 0;
      end else begin
        wbeat <= wbeat + 1;
      end
    end
    bpend <= bpend + (wvalid && wlast ? 1 : 0) - (bvalid && bready ? 1 : 0);
  end
  always @(negedge clk) bvalid = bpend > 0;

  // ---------------------------------------------------------------- helpers
  function automatic logic [255:0] dma_insn(input logic [7:0] op, input logic [1:0] sp,
                                            input logic [7:0] pad, input logic [15:0] x,
                                            input logic [15:0] y, input logic [31:0] ys,
                                            input logic [7:0] xpb, input logic [7:0] xpa);
    logic [255:0] v;
    v = '0;
    v[7:0] = op;
    v[17:16] = sp;
    v[31:24] = pad;
    v[95:80] = x;
    v[111:96] = y;
    v[127:112] = 16'd1;
    v[159:128] = ys;
    v[191:160] = ys * y;
    v[199:192] = xpb;
    v[207:200] = xpa;
    dma_insn = v;
  endfunction

  task automatic check(input string what, input logic ok);
    if (ok) passed++;
    else begin
      failed++;
      $display("FAIL %s", what);
    end
  endtask

  task automatic run_load(input logic [255:0] insn, input logic [31:0] s0, input logic [31:0] s1);
    @(negedge clk);
    ld_insn = insn; ld_s0 = s0; ld_s1 = s1; ld_v = 1;
    @(negedge clk);
    ld_v = 0;
    while (!ld_done) @(negedge clk);
  endtask

  task automatic run_store(input logic [255:0] insn, input logic [31:0] s0, input logic [31:0] s1);
    @(negedge clk);
    st_insn = insn; st_s0 = s0; st_s1 = s1; st_v = 1;
    @(negedge clk);
    st_v = 0;
    while (!st_done) @(negedge clk);
  endtask

  int ok;
  logic [31:0] a;
  initial begin
    ld_v = 0; st_v = 0;
    for (int i = 0; i < 8192; i++) ddr[i] = 8'hEE;
    for (int r = 0; r < Rows; r++) begin
      act[r] = {8'(r), 8'(r + 1), 8'(r + 2), 8'(r + 3)} ^ 32'h5A5A5A5A;
      wgt[r] = '0;
      acc[r] = '0;
    end
    repeat (3) @(posedge clk);
    rst_n = 1;
    // STORE ACT rows 0..11 as 4 runs of 3 elements (12 bytes) every 20 bytes from 0x1104.
    run_store(dma_insn(8'h03, 2'd0, 8'h00, 16'd3, 16'd4, 32'd20, 8'd0, 8'd0), 32'd0, 32'h1104);
    check("STORE done without error", !st_err);
    ok = 1;
    for (int y = 0; y < 4; y++)
      for (int x = 0; x < 3; x++)
        for (int l = 0; l < N; l++) begin
          a = 32'h1104 + y * 20 + x * 4 + l - 32'h1000;
          if (ddr[a] !== act[y * 3 + x][8*l +: 8]) ok = 0;
        end
    check("STORE bytes", ok == 1);
    check("STORE leaves gap bytes alone", ddr[32'h1104 + 12 - 32'h1000] === 8'hEE &&
                                          ddr[32'h1103 - 32'h1000] === 8'hEE);
    // LOAD them back into WGT rows 8.. with one pad element before and after each run.
    run_load(dma_insn(8'h02, 2'd1, 8'h80, 16'd3, 16'd4, 32'd20, 8'd1, 8'd1), 32'd8, 32'h1104);
    check("LOAD done without error", !ld_err);
    ok = 1;
    for (int y = 0; y < 4; y++)
      for (int x = 0; x < 5; x++)
        if (x == 0 || x == 4) begin
          if (wgt[8 + y * 5 + x] !== 32'h80808080) ok = 0;
        end else if (wgt[8 + y * 5 + x] !== act[y * 3 + x - 1]) ok = 0;
    check("LOAD rows and padding", ok == 1);
    // ACC padding: one padded element (x_size 1 + 1 pad before) -> sign-extended -2.
    run_load(dma_insn(8'h02, 2'd2, 8'hFE, 16'd1, 16'd1, 32'd16, 8'd1, 8'd0), 32'd4, 32'h1200);
    check("ACC pad sign extension", !ld_err && acc[4] === {4{32'hFFFFFFFE}});
    // Misaligned ACT LOAD: DMA_ALIGN with the address, nothing issued.
    run_load(dma_insn(8'h02, 2'd0, 8'h00, 16'd2, 16'd1, 32'd8, 8'd0, 8'd0), 32'd0, 32'h1102);
    check("DMA_ALIGN", ld_err && ld_code == 4'd7 && ld_eaddr == 32'h1102);
    $display("dma_icarus: %0d passed, %0d failed", passed, failed);
    $finish;
  end

  initial begin
    #200000;
    $display("FAIL timeout");
    $display("dma_icarus: %0d passed, %0d failed", passed, failed + 1);
    $finish;
  end
endmodule
