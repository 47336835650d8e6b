// tb_top_icarus - Icarus Verilog smoke test of the whole core (dlp_top) against the golden
// ISS. Each case is a test vector of golden/tests/test_iss_ops converted by vec2hex.c into
// $readmemh files (DIR/caseK.img initial DDR image, .exp the ISS's final image, .par
// program location, window, expected STATUS/ERR_CODE and architectural counters).
// For every case: reset, load the behavioural AXI4 memory (INCR bursts, in order, fixed
// read latency, OKAY inside the image, DECERR outside), program INSN_BASE/COUNT and
// WIN_BASE/LIMIT over AXI4-Lite, CTRL = START | IRQ_EN_DONE | IRQ_EN_ERR, wait for irq_o,
// then compare the whole DDR image byte for byte (unless the ISS ends in an error with a
// non-empty program: DDR is undefined then), STATUS, ERR_CODE and the exact architectural
// counters, and check WLAST and the burst types. The .par layout is in vec2hex.c.
// Icarus 11 needs `always_comb` -> `always @*` in the RTL (the Makefile compiles such a
// copy by default): with always_comb it freezes in a zero-delay loop at the first issue.
//   plusargs: +dir=DIR +ncase=K [+timeout=CYCLES] [+progress]
// Prints `icarus_top: P passed, F failed`.
`default_nettype none
`timescale 1ns/1ps

module tb_top_icarus;
  parameter int N          = 4;
  parameter int AxiDataW   = 64;
  parameter int ActBytes   = 131072;
  parameter int WgtBytes   = 131072;
  parameter int AccBytes   = 65536;
  parameter int QueueDepth = 8;
  parameter int TokenBits  = 8;
  parameter int RdLatency  = 20;
  localparam int B = AxiDataW / 8, IdW = 5, MemMax = 1 << 18, Qd = 16;

  logic clk = 0, rst_n = 0;
  always #5 clk = ~clk;
  longint unsigned cyc = 0;
  always @(posedge clk) cyc <= cyc + 1;
  bit progress = 0;
  initial progress = $test$plusargs("progress");
  always @(posedge clk) if (progress && cyc % 10 == 0) $display("  [cycle %0d, %0t]", cyc, $time);

  // ---------------------------------------------------------------- DUT
  logic s_awvalid = 0, s_wvalid = 0, s_bready = 0, s_arvalid = 0, s_rready = 0;
  logic [11:0] s_awaddr = 0, s_araddr = 0;
  logic [31:0] s_wdata = 0;
  logic s_awready, s_wready, s_bvalid, s_arready, s_rvalid;
  logic [1:0] s_bresp, s_rresp;
  logic [31:0] s_rdata;

  logic [IdW-1:0] arid, awid;
  logic [31:0] araddr, awaddr;
  logic [7:0] arlen, awlen;
  logic [2:0] arsize, awsize, arprot, awprot;
  logic [1:0] arburst, awburst;
  logic [3:0] arcache, awcache;
  logic arlock, awlock, arvalid, awvalid, rready_o, wvalid, wlast, bready_o;
  logic [AxiDataW-1:0] wdata;
  logic [B-1:0] wstrb;
  logic irq;

  logic arready = 0, awready = 0, wready = 0, rvalid = 0, rlast = 0, bvalid = 0;
  logic [IdW-1:0] rid = 0, bid = 0;
  logic [1:0] rresp = 0, bresp = 0;
  logic [AxiDataW-1:0] rdata = 0;

  dlp_top #(
    .N(N), .AxiDataW(AxiDataW), .ActBytes(ActBytes), .WgtBytes(WgtBytes),
    .AccBytes(AccBytes), .QueueDepth(QueueDepth), .TokenBits(TokenBits)
  ) dut (
    .clk_i(clk), .rst_ni(rst_n),
    .s_axil_awvalid_i(s_awvalid), .s_axil_awready_o(s_awready), .s_axil_awaddr_i(s_awaddr),
    .s_axil_wvalid_i(s_wvalid), .s_axil_wready_o(s_wready), .s_axil_wdata_i(s_wdata),
    .s_axil_wstrb_i(4'hf), .s_axil_bvalid_o(s_bvalid), .s_axil_bready_i(s_bready),
    .s_axil_bresp_o(s_bresp), .s_axil_arvalid_i(s_arvalid), .s_axil_arready_o(s_arready),
    .s_axil_araddr_i(s_araddr), .s_axil_rvalid_o(s_rvalid), .s_axil_rready_i(s_rready),
    .s_axil_rdata_o(s_rdata), .s_axil_rresp_o(s_rresp),
    .m_axi_arid_o(arid), .m_axi_araddr_o(araddr), .m_axi_arlen_o(arlen),
    .m_axi_arsize_o(arsize), .m_axi_arburst_o(arburst), .m_axi_arlock_o(arlock),
    .m_axi_arcache_o(arcache), .m_axi_arprot_o(arprot), .m_axi_arvalid_o(arvalid),
    .m_axi_arready_i(arready), .m_axi_rid_i(rid), .m_axi_rdata_i(rdata),
    .m_axi_rresp_i(rresp), .m_axi_rlast_i(rlast), .m_axi_rvalid_i(rvalid),
    .m_axi_rready_o(rready_o),
    .m_axi_awid_o(awid), .m_axi_awaddr_o(awaddr), .m_axi_awlen_o(awlen),
    .m_axi_awsize_o(awsize), .m_axi_awburst_o(awburst), .m_axi_awlock_o(awlock),
    .m_axi_awcache_o(awcache), .m_axi_awprot_o(awprot), .m_axi_awvalid_o(awvalid),
    .m_axi_awready_i(awready), .m_axi_wdata_o(wdata), .m_axi_wstrb_o(wstrb),
    .m_axi_wlast_o(wlast), .m_axi_wvalid_o(wvalid), .m_axi_wready_i(wready),
    .m_axi_bid_i(bid), .m_axi_bresp_i(bresp), .m_axi_bvalid_i(bvalid),
    .m_axi_bready_o(bready_o),
    .irq_o(irq)
  );

  // ---------------------------------------------------------------- AXI4 memory
  // Bytes [mem_base, mem_base + mem_size) of DDR; index = address - mem_base.
  logic [7:0] mem [0:MemMax-1];
  logic [7:0] exp_mem [0:MemMax-1];
  logic [31:0] mem_base = 0, mem_size = 0;
  int protocol_errors = 0;

  function automatic bit inside_img(input logic [31:0] a);
    return a >= mem_base && a - mem_base < mem_size;
  endfunction
  // address of beat i of an INCR burst starting at a with 2**size bytes per beat
  function automatic logic [31:0] beat_addr(input logic [31:0] a, input logic [2:0] size,
                                            input int i);
    logic [31:0] al;
    al = a & ~((32'd1 << size) - 1);
    return i == 0 ? a : al + i * (32'd1 << size);
  endfunction

  // read: AR queue (time each burst's first beat may go), R beats in order, one per cycle
  logic [31:0] q_araddr [0:Qd-1];
  logic [7:0] q_arlen [0:Qd-1];
  logic [2:0] q_arsize [0:Qd-1];
  logic [IdW-1:0] q_arid [0:Qd-1];
  longint unsigned q_artime [0:Qd-1];
  int ar_wr = 0, ar_rd = 0, r_beat = 0;
  // write: AW queue, W beats into the head burst, B queue
  logic [31:0] q_awaddr [0:Qd-1];
  logic [7:0] q_awlen [0:Qd-1];
  logic [2:0] q_awsize [0:Qd-1];
  logic [IdW-1:0] q_awid [0:Qd-1];
  logic [IdW-1:0] q_bid [0:Qd-1];
  logic [1:0] q_bresp [0:Qd-1];
  logic q_awerr [0:Qd-1];
  int aw_wr = 0, aw_rd = 0, w_beat = 0, b_wr = 0, b_rd = 0;

  wire mem_idle = ar_wr == ar_rd && aw_wr == aw_rd && b_wr == b_rd && !rvalid && !bvalid;

  always @(posedge clk) begin : axi_mem
    logic [31:0] a, wa;
    logic bad;
    logic [AxiDataW-1:0] d;
    if (!rst_n) begin
      ar_wr = 0; ar_rd = 0; r_beat = 0; aw_wr = 0; aw_rd = 0; w_beat = 0; b_wr = 0; b_rd = 0;
      arready <= 0; awready <= 0; wready <= 0; rvalid <= 0; rlast <= 0; bvalid <= 0;
    end else begin
      // --- sample this cycle's handshakes (DUT outputs before the edge)
      if (arvalid && arready) begin
        if (arburst != 2'b01 || (32'd1 << arsize) > B) begin
          $display("  AXI: AR burst type %0d size %0d unsupported", arburst, arsize);
          protocol_errors++;
        end
        q_araddr[ar_wr % Qd] = araddr; q_arlen[ar_wr % Qd] = arlen;
        q_arsize[ar_wr % Qd] = arsize; q_arid[ar_wr % Qd] = arid;
        q_artime[ar_wr % Qd] = cyc + RdLatency;
        ar_wr++;
      end
      if (rvalid && rready_o) begin
        if (rlast) begin
          ar_rd++;
          r_beat = 0;
        end else
          r_beat++;
      end
      if (awvalid && awready) begin
        if (awburst != 2'b01 || (32'd1 << awsize) > B) begin
          $display("  AXI: AW burst type %0d size %0d unsupported", awburst, awsize);
          protocol_errors++;
        end
        q_awaddr[aw_wr % Qd] = awaddr; q_awlen[aw_wr % Qd] = awlen;
        q_awsize[aw_wr % Qd] = awsize; q_awid[aw_wr % Qd] = awid; q_awerr[aw_wr % Qd] = 0;
        aw_wr++;
      end
      if (wvalid && wready) begin
        // wready is only given while a burst is queued
        a = beat_addr(q_awaddr[aw_rd % Qd], q_awsize[aw_rd % Qd], w_beat);
        for (int j = 0; j < B; j++)
          if (wstrb[j]) begin
            wa = (a & ~(B - 1)) + j;
            if (inside_img(wa))
              mem[wa - mem_base] = wdata[8*j +: 8];
            else
              q_awerr[aw_rd % Qd] = 1;
          end
        if (wlast != (w_beat == q_awlen[aw_rd % Qd])) begin
          $display("  AXI: WLAST %0d at beat %0d of a %0d-beat burst", wlast, w_beat,
                   q_awlen[aw_rd % Qd] + 1);
          protocol_errors++;
        end
        if (w_beat == q_awlen[aw_rd % Qd]) begin
          q_bid[b_wr % Qd] = q_awid[aw_rd % Qd];
          q_bresp[b_wr % Qd] = q_awerr[aw_rd % Qd] ? 2'b11 : 2'b00;
          b_wr++;
          aw_rd++;
          w_beat = 0;
        end else
          w_beat++;
      end
      if (bvalid && bready_o)
        b_rd++;
      // --- drive the next cycle
      arready <= ar_wr - ar_rd < Qd - 1;
      awready <= aw_wr - aw_rd < Qd - 1;
      wready <= aw_wr != aw_rd;
      if (ar_wr != ar_rd && cyc >= q_artime[ar_rd % Qd]) begin
        a = beat_addr(q_araddr[ar_rd % Qd], q_arsize[ar_rd % Qd], r_beat);
        bad = 0;
        for (int j = 0; j < B; j++) begin
          wa = (a & ~(B - 1)) + j;
          if (inside_img(wa))
            d[8*j +: 8] = mem[wa - mem_base];
          else begin
            d[8*j +: 8] = 8'h00;
            if (j >= (a & (B - 1)) && j < (a & (B - 1)) + (32'd1 << q_arsize[ar_rd % Qd]))
              bad = 1;
          end
        end
        rvalid <= 1;
        rdata <= d;
        rid <= q_arid[ar_rd % Qd];
        rresp <= bad ? 2'b11 : 2'b00;
        rlast <= r_beat == q_arlen[ar_rd % Qd];
      end else begin
        rvalid <= 0;
        rlast <= 0;
      end
      if (b_wr != b_rd) begin
        bvalid <= 1;
        bid <= q_bid[b_rd % Qd];
        bresp <= q_bresp[b_rd % Qd];
      end else
        bvalid <= 0;
    end
  end

  // ---------------------------------------------------------------- AXI4-Lite master
  // Inputs change 1 ns after a rising edge; handshakes are sampled at the edge.
  task automatic csr_write(input logic [11:0] addr, input logic [31:0] data, output bit ok);
    bit aw_done = 0, w_done = 0;
    s_awaddr = addr; s_wdata = data;
    s_awvalid = 1; s_wvalid = 1; s_bready = 1;
    ok = 0;
    for (int t = 0; t < 1000 && !ok; t++) begin
      @(posedge clk);
      if (s_awvalid && s_awready) aw_done = 1;
      if (s_wvalid && s_wready) w_done = 1;
      if (s_bvalid && s_bready) ok = 1;
      #1;
      if (aw_done) s_awvalid = 0;
      if (w_done) s_wvalid = 0;
    end
    s_awvalid = 0; s_wvalid = 0; s_bready = 0;
    if (!ok) $display("  CSR write 0x%03x timed out", addr);
  endtask

  task automatic csr_read(input logic [11:0] addr, output logic [31:0] data);
    bit ar_done = 0, ok = 0;
    s_araddr = addr; s_arvalid = 1; s_rready = 1;
    data = 32'hdeadbeef;
    for (int t = 0; t < 1000 && !ok; t++) begin
      @(posedge clk);
      if (s_arvalid && s_arready) ar_done = 1;
      if (s_rvalid && s_rready) begin
        ok = 1;
        data = s_rdata;
      end
      #1;
      if (ar_done) s_arvalid = 0;
    end
    s_arvalid = 0; s_rready = 0;
    if (!ok) $display("  CSR read 0x%03x timed out", addr);
  endtask

  // ---------------------------------------------------------------- cases
  localparam logic [11:0] CTRL = 12'h020, STATUS = 12'h024, INSN_BASE = 12'h030,
                          INSN_COUNT = 12'h034, WIN_BASE = 12'h040, WIN_LIMIT = 12'h044,
                          ERR_CODE = 12'h050, PERF = 12'h100;
  logic [31:0] par [0:63];
  string dir, base;
  int ncase = 0, passed = 0, failed = 0;
  longint unsigned timeout = 2000000, total_cycles = 0;

  task automatic run_case(input int k);
    int errs = 0, nbad = 0, nk;
    bit ok, all_ok = 1;
    logic [31:0] status, err, lo, hi, first = 0;
    longint unsigned t0;
    base = $sformatf("%s/case%0d", dir, k);
    for (int i = 0; i < 64; i++) par[i] = 0;
    $readmemh({base, ".par"}, par, 0, 15);
    nk = par[15];
    $readmemh({base, ".par"}, par, 0, 16 + 3 * nk);
    if (par[8] != N || par[9] != B || par[10] != ActBytes || par[11] != WgtBytes ||
        par[12] != AccBytes || par[13] != QueueDepth || par[14] != TokenBits ||
        par[1] > MemMax || par[1] == 0) begin
      $display("FAIL %s: vector configuration N=%0d bus %0d ACT %0d WGT %0d ACC %0d Q %0d T %0d size %0d does not match the model",
               base, par[8], par[9], par[10], par[11], par[12], par[13], par[14], par[1]);
      failed++;
    end else begin
    // reset, load memory
    rst_n = 0;
    repeat (5) @(posedge clk);
    #1;
    mem_base = par[0]; mem_size = par[1];
    $readmemh({base, ".img"}, mem, 0, mem_size - 1);
    $readmemh({base, ".exp"}, exp_mem, 0, mem_size - 1);
    protocol_errors = 0;
    @(posedge clk);
    #1 rst_n = 1;
    @(posedge clk);
    #1;
    csr_write(INSN_BASE, par[2], ok); all_ok &= ok;
    csr_write(INSN_COUNT, par[3], ok); all_ok &= ok;
    csr_write(WIN_BASE, par[4], ok); all_ok &= ok;
    csr_write(WIN_LIMIT, par[5], ok); all_ok &= ok;
    csr_write(CTRL, 32'h301, ok); all_ok &= ok;
    if (!all_ok) errs++;
    t0 = cyc;
    while (!irq && cyc - t0 < timeout) @(posedge clk);
    if (!irq) begin
      $display("  no interrupt within %0d cycles (hang)", timeout);
      errs++;
    end
    for (int i = 0; i < 2000 && !mem_idle; i++) @(posedge clk);
    #1;
    csr_read(STATUS, status);
    csr_read(ERR_CODE, err);
    if (status != par[6] || err != par[7]) begin
      $display("  STATUS %0h ERR_CODE %0d, ISS STATUS %0h ERR_CODE %0d", status, err, par[6],
               par[7]);
      errs++;
    end
    for (int i = 0; i < nk; i++) begin
      csr_read(PERF + 8 * par[17 + 3 * i], lo);
      csr_read(PERF + 8 * par[17 + 3 * i] + 4, hi);
      if (lo != par[18 + 3 * i] || hi != par[19 + 3 * i]) begin
        $display("  counter %0d: %0d vs ISS %0d", par[17 + 3 * i], {hi, lo},
                 {par[19 + 3 * i], par[18 + 3 * i]});
        errs++;
      end
    end
    csr_read(PERF + 8 * 8, lo);
    csr_read(PERF + 8 * 8 + 4, hi);
    total_cycles += {hi, lo};
    if (par[16])                     // DDR is undefined after an error
      for (int i = 0; i < mem_size; i++)
        if (mem[i] !== exp_mem[i]) begin
          if (nbad == 0) first = i;
          nbad++;
        end
    if (nbad) begin
      $display("  %0d DDR bytes differ from the ISS, first at 0x%08x (%02x vs %02x)", nbad,
               mem_base + first, mem[first], exp_mem[first]);
      errs++;
    end
    if (protocol_errors) errs++;
    if (errs) begin
      $display("FAIL %s", base);
      failed++;
    end else begin
      $display("  pass %s: %0d instructions, %0d DLP cycles", base, par[18], {hi, lo});
      passed++;
    end
    end
  endtask

  initial begin
    if (!$value$plusargs("dir=%s", dir)) dir = ".";
    if (!$value$plusargs("ncase=%d", ncase)) ncase = 1;
    if ($value$plusargs("timeout=%d", timeout)) $display("  timeout %0d cycles", timeout);
    for (int k = 0; k < ncase; k++) run_case(k);
    $display("  %0d cases, %0d DLP cycles, read latency %0d", ncase, total_cycles, RdLatency);
    $display("icarus_top: %0d passed, %0d failed", passed, failed);
    if (failed || passed == 0) $fatal(1, "icarus_top: FAILED");
    $finish;
  end
endmodule
