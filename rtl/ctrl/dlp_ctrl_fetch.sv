// dlp_ctrl_fetch - instruction prefetcher: AXI4 read master (AR/R only) feeding a small
// buffer of whole 32-byte instructions.
//
// start_i (pulse, only while idle_o) resets the program counter to 0 at base_i; the unit
// then fetches instructions 0 .. count_i-1 in order as INCR bursts of whole instructions
// (AxiDataW/8-byte beats, ARSIZE = log2 of that), never crossing a 4 KiB boundary and
// never past count_i, keeping at most BufInsns instructions buffered or in flight.
// head_valid_o/head_insn_o/head_err_o present the oldest instruction (head_err_o: a
// beat of it had RRESP SLVERR/DECERR); pop_i consumes it. stop_i (level) stops issuing
// bursts and drops buffered and arriving data; idle_o says no AXI burst is outstanding
// (an AR already presented is kept until accepted, as AXI requires). RREADY is always
// high: space for every beat in flight is reserved when its AR is issued.
// Timing: the first AR is presented (m_axi_arvalid_o) three cycles after start_i; a burst
// can be issued the cycle after the previous AR was accepted. count_i and base_i are read every cycle (the burst
// address and size are precomputed one cycle ahead, so a change while running is seen
// one cycle later).
`default_nettype none

module dlp_ctrl_fetch #(
  parameter int AxiDataW = 128,
  parameter int BufInsns = 4
) (
  input  wire logic                clk_i,
  input  wire logic                rst_ni,
  input  wire logic                start_i,
  input  wire logic                stop_i,
  input  wire logic [31:0]         base_i,
  input  wire logic [31:0]         count_i,
  output      logic                head_valid_o,
  output      logic [255:0]        head_insn_o,
  output      logic                head_err_o,
  input  wire logic                pop_i,
  output      logic                idle_o,
  output      logic                waiting_o,    // running, buffer empty, data not yet here
  // AXI4 read master
  output      logic                m_axi_arvalid_o,
  input  wire logic                m_axi_arready_i,
  output      logic [31:0]         m_axi_araddr_o,
  output      logic [7:0]          m_axi_arlen_o,
  output      logic [2:0]          m_axi_arsize_o,
  output      logic [1:0]          m_axi_arburst_o,
  input  wire logic                m_axi_rvalid_i,
  output      logic                m_axi_rready_o,
  input  wire logic [AxiDataW-1:0] m_axi_rdata_i,
  input  wire logic [1:0]          m_axi_rresp_i,
  input  wire logic                m_axi_rlast_i
);

  localparam int Beats = 256 / AxiDataW;           // beats per instruction (2 or 4)
  localparam int BeatW = $clog2(Beats);
  localparam int ResW = $clog2(BufInsns + 1);
  localparam int OutW = 16;                        // outstanding beats, far above need

  logic               active_q, active_d;
  logic [31:0]        next_q, next_d;              // index of the next instruction to request
  logic [ResW-1:0]    res_q, res_d;                // instructions buffered or in flight
  logic [OutW-1:0]    out_q, out_d;                // beats in flight
  logic               arv_q, arv_d;
  logic [31:0]        araddr_q, araddr_d;
  logic [ResW-1:0]    arn_q, arn_d;                // instructions in the presented burst
  logic [BeatW-1:0]   beat_q, beat_d;
  logic [255:0]       asm_q, asm_d;
  logic               aerr_q, aerr_d;

  logic               fifo_push, fifo_empty, fifo_full;
  logic [256:0]       fifo_rdata;
  logic [ResW-1:0]    fifo_count;

  // Burst size: min(free reserve, instructions left, instructions to the 4 KiB boundary).
  // A burst never exceeds BufInsns, so every term is limited to BufInsns and the minimum
  // is taken at ResW bits. The address of next_q, the instructions left (count_i - next_q)
  // and those to the 4 KiB boundary are precomputed a cycle ahead from next_q, base_i and
  // count_i into addr_q, left_q and page_q (the last two limited to BufInsns; left_q is 0
  // only when nothing is left). pre_ok_q says they belong to the current next_q: it is
  // low for the cycle after start_i and after each AR issue (next_q changed). An issue
  // needs pre_ok_q, which costs one cycle after start_i only: after an issue the AR is
  // presented (arv_q) for at least that cycle anyway.
  localparam logic [ResW-1:0] BufMax = ResW'(BufInsns);
  logic [31:0]     addr_q, addr_d, left;
  logic [12:0]     to_page;
  logic [ResW-1:0] left_q, left_d, page_q, page_d, free, nburst;
  logic            pre_ok_q, pre_ok_d, issue;
  always_comb begin
    addr_d   = base_i + {next_q[26:0], 5'b0};
    left     = count_i - next_q;
    left_d   = (left < 32'(BufInsns)) ? ResW'(left) : BufMax;
    to_page  = (13'h1000 - {1'b0, addr_d[11:0]}) >> 5;
    page_d   = (to_page < 13'(BufInsns)) ? ResW'(to_page) : BufMax;
    pre_ok_d = !start_i && !issue;
  end

  always_comb begin
    free   = BufMax - res_q;
    nburst = free;
    if (left_q < nburst) nburst = left_q;
    if (page_q < nburst) nburst = page_q;
    issue  = !arv_q && active_q && !stop_i && pre_ok_q && nburst != '0;
  end

  always_comb begin
    active_d = active_q;
    next_d   = next_q;
    res_d    = res_q;
    out_d    = out_q;
    arv_d    = arv_q;
    araddr_d = araddr_q;
    arn_d    = arn_q;
    beat_d   = beat_q;
    asm_d    = asm_q;
    aerr_d   = aerr_q;
    fifo_push = 1'b0;

    if (start_i) begin
      active_d = 1'b1;
      next_d   = '0;
      res_d    = '0;
      beat_d   = '0;
      aerr_d   = 1'b0;
    end else begin
      if (stop_i) active_d = 1'b0;
      // AR channel
      if (arv_q && m_axi_arready_i) begin
        arv_d = 1'b0;
        out_d = out_d + OutW'(32'(arn_q) * Beats);
      end
      if (issue) begin
        arv_d    = 1'b1;
        araddr_d = addr_q;
        arn_d    = nburst;
        next_d   = next_q + 32'(nburst);
        res_d    = res_d + nburst;
      end
      // R channel
      if (m_axi_rvalid_i) begin
        out_d  = out_d - 1'b1;
        asm_d  = {m_axi_rdata_i, asm_q[255:AxiDataW]};
        aerr_d = aerr_q | m_axi_rresp_i[1];
        beat_d = beat_q + 1'b1;
        if (32'(beat_q) == Beats - 1) begin
          beat_d    = '0;
          aerr_d    = 1'b0;
          fifo_push = active_q && !stop_i;
        end
      end
      if (pop_i) res_d = res_d - 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      addr_q   <= '0;
      left_q   <= '0;
      page_q   <= '0;
      pre_ok_q <= 1'b0;
      active_q <= 1'b0;
      next_q   <= '0;
      res_q    <= '0;
      out_q    <= '0;
      arv_q    <= 1'b0;
      araddr_q <= '0;
      arn_q    <= '0;
      beat_q   <= '0;
      asm_q    <= '0;
      aerr_q   <= 1'b0;
    end else begin
      addr_q   <= addr_d;
      left_q   <= left_d;
      page_q   <= page_d;
      pre_ok_q <= pre_ok_d;
      active_q <= active_d;
      next_q   <= next_d;
      res_q    <= res_d;
      out_q    <= out_d;
      arv_q    <= arv_d;
      araddr_q <= araddr_d;
      arn_q    <= arn_d;
      beat_q   <= beat_d;
      asm_q    <= asm_d;
      aerr_q   <= aerr_d;
    end
  end

  dlp_fifo #(.Width(257), .Depth(BufInsns)) u_buf (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .flush_i (start_i || stop_i),
    .push_i  (fifo_push),
    .wdata_i ({aerr_q | m_axi_rresp_i[1], asm_d}),
    .pop_i   (pop_i),
    .rdata_o (fifo_rdata),
    .empty_o (fifo_empty),
    .full_o  (fifo_full),
    .count_o (fifo_count)
  );

  assign head_valid_o = active_q && !fifo_empty;
  assign head_insn_o  = fifo_rdata[255:0];
  assign head_err_o   = fifo_rdata[256];
  assign idle_o       = !arv_q && (out_q == '0);
  // !pre_ok_q: just started (count_i != 0, so instructions are left) or an AR presented.
  assign waiting_o    = active_q && fifo_empty &&
                        (arv_q || out_q != '0 || !pre_ok_q || left_q != '0);

  assign m_axi_arvalid_o = arv_q;
  assign m_axi_araddr_o  = araddr_q;
  assign m_axi_arlen_o   = 8'(32'(arn_q) * Beats - 1);
  assign m_axi_arsize_o  = 3'($clog2(AxiDataW / 8));
  assign m_axi_arburst_o = 2'b01;
  assign m_axi_rready_o  = 1'b1;

  logic unused;
  assign unused = ^{fifo_full, fifo_count, m_axi_rlast_i, m_axi_rresp_i[0]};

endmodule
