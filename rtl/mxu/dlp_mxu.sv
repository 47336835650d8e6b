// dlp_mxu - matrix unit: executes one GEMM repetition (docs/ARCHITECTURE.md 5.3).
//
// Structure (all FIFOs are dlp_fifo, flow control by credits, so no request is ever
// withdrawn before its grant):
//
//   sequencer --act_*--> AF (act rows + tags) --launch--> skew --> N x N PE array
//   WGT fetch --wgt_*--> WF (2 tiles) --diagonal transfer--> PE shadow weights
//   array --> de-skew --> RF (results + tags) --> S1 (ACC read / forward)
//        --> S2 (add) --> WQ (2 entries) --acc_wr_*--> ACC
//
// * Array: weight stationary, PE(k, n) holds WGT[t + n][k]. A row launched in cycle e
//   reaches PE(k, n) in cycle e + 1 + k + n (the skew has one register more than k, so no
//   launch logic is in series with a PE multiplier); the result row leaves the de-skew
//   aligned in cycle e + 2N. The array never stalls: a row is only launched when RF has
//   room for it (credits), idle cycles carry bubbles.
// * Weights: rows wgt .. wgt + n_r2*n_r1*N - 1 are prefetched in order into WF (two
//   tiles deep). A tile moves into the shadow registers column by column on the
//   diagonal (column n in cycle c0 + n; the PEs see the write one cycle later, in
//   c0 + 1 + n, as the rows: enables and data are registered once like the skew),
//   starting no earlier than N-1 cycles after the previous tile's first row was launched
//   (when every PE of column n has switched); the new tile's first row may launch from
//   c0 + 1 and carries the switch marker. With n_pix >= N the array takes one row every
//   cycle across tile boundaries.
// * Accumulate: S1 (RF head) reads ACC[acc + p] unless the first reduction step with clr
//   (base 0) or the row is still pending in S2/WQ, in which case the newest pending sum is
//   forwarded (read-after-write hazard of small n_pix). S2 adds, WQ writes. S1 only moves
//   when S2 + WQ hold at most two rows, so S2/WQ never overflow whatever the grants.
// * Range check (SP_RANGE) in the two cycles after the command is accepted, before any
//   access (split for timing: no multiplier in series with the 35-bit sums and the state
//   machine): StCheck registers the products and partial sums, StRange adds and compares.
//   An out-of-range command leaves StRange with done_o/err_o in the next cycle.
//   done_o pulses one cycle after the last ACC write was granted.
//
// Timing without grant stalls (testbench measurement): command accepted to done_o =
// n_r2*n_r1*n_pix + 3N + 8 cycles when n_pix >= N (range check 2, first tile fetch N + 1,
// array 2N, accumulate ~4), i.e. one row per cycle across tile boundaries; with
// n_pix < N each tile takes N cycles (its weight load). n_pix = 256, n_r1 = 16: 0.995 /
// 0.992 / 0.987 rows per cycle for N = 4 / 8 / 16.
// Scratchpad ports follow rtl/README.md: request held until granted, read data the cycle
// after the grant. acc_wr has no rdata (write only); read ports drive we_o = 0.
`default_nettype none

module dlp_mxu #(
  parameter int N       = 16,
  parameter int ActRows = 8192,
  parameter int WgtRows = 8192,
  parameter int AccRows = 1024,
  // PE rows k < LutMulRows build their int8 x int8 multipliers from LUT logic instead of
  // a DSP multiplier (dlp_mxu_pe LutMul); 0..N. Same results either way.
  parameter int LutMulRows = 0,
  localparam int ActAW = $clog2(ActRows),
  localparam int WgtAW = $clog2(WgtRows),
  localparam int AccAW = $clog2(AccRows),
  localparam int RowW  = 8 * N,
  localparam int AccW  = 32 * N
) (
  input  wire logic             clk_i,
  input  wire logic             rst_ni,
  // command (execution-unit contract)
  input  wire logic             cmd_valid_i,
  output      logic             cmd_ready_o,
  input  wire logic [dlp_pkg::InsnBits-1:0] cmd_insn_i,
  input  wire logic [31:0]      cmd_slot0_i,
  input  wire logic [31:0]      cmd_slot1_i,
  input  wire logic [31:0]      cmd_slot2_i,
  output      logic             done_o,
  output      logic             err_o,
  output      logic [3:0]       err_code_o,
  output      logic [31:0]      err_addr_o,
  // ACT read port
  output      logic             act_req_o,
  output      logic             act_we_o,
  output      logic [ActAW-1:0] act_addr_o,
  output      logic [RowW-1:0]  act_wdata_o,
  input  wire logic             act_gnt_i,
  input  wire logic [RowW-1:0]  act_rdata_i,
  // WGT read port
  output      logic             wgt_req_o,
  output      logic             wgt_we_o,
  output      logic [WgtAW-1:0] wgt_addr_o,
  output      logic [RowW-1:0]  wgt_wdata_o,
  input  wire logic             wgt_gnt_i,
  input  wire logic [RowW-1:0]  wgt_rdata_i,
  // ACC read port
  output      logic             acc_rd_req_o,
  output      logic             acc_rd_we_o,
  output      logic [AccAW-1:0] acc_rd_addr_o,
  output      logic [AccW-1:0]  acc_rd_wdata_o,
  input  wire logic             acc_rd_gnt_i,
  input  wire logic [AccW-1:0]  acc_rd_rdata_i,
  // ACC write port
  output      logic             acc_wr_req_o,
  output      logic             acc_wr_we_o,
  output      logic [AccAW-1:0] acc_wr_addr_o,
  output      logic [AccW-1:0]  acc_wr_wdata_o,
  input  wire logic             acc_wr_gnt_i,
  // performance
  output      logic             perf_row_o,
  output      logic             busy_o,
  output      logic             stall_wgt_o
);

  // dlp_pkg names are package-qualified: Yosys 0.23 does not parse an import inside a
  // module body and Icarus 11 none in the header.

  localparam int AfDepth = 4;
  localparam int WfDepth = 2 * N;
  localparam int RfDepth = 2 * N + 4;
  localparam int AfCntW  = $clog2(AfDepth + 1);
  localparam int WfCntW  = $clog2(WfDepth + 1);
  localparam int RfCntW  = $clog2(RfDepth + 1);
  localparam int ColW    = $clog2(N);
  localparam int Lat     = 2 * N;           // launch to aligned result row
  localparam int TagW    = AccAW + 2;       // {acc row, first, tile start}
  localparam int AfW     = RowW + TagW;
  localparam int RfW     = AccW + AccAW + 1; // {result, acc row, first}

  // ------------------------------------------------------------------ command
  typedef enum logic [1:0] {StIdle, StCheck, StRange, StRun} state_e;
  state_e state_q, state_d;

  logic        clr_q, clr_d;
  logic [31:0] act_q, act_d, wgt_q, wgt_d, acc_q, acc_d;
  logic [15:0] npix_q, npix_d, nr1_q, nr1_d, nr2_q, nr2_d;
  logic [15:0] spix_q, spix_d, sr1_q, sr1_d, sr2_q, sr2_d;
  logic        done_q, done_d, err_q, err_d;

  // Range check, two cycles, the ISS's (same result):
  //   act + (n_pix-1)*s_pix + (n_r1-1)*s_r1 + (n_r2-1)*s_r2 < ActRows,
  //   wgt + n_r2*n_r1*N <= WgtRows,  acc + n_pix <= AccRows.
  // The counts minus one are registered with the command (StIdle). StCheck: products and
  // two-operand partial sums, registered; StRange: the last add and the compares, which
  // decide the next state. The partial sums are registered every cycle (free-running: the
  // command registers only change in StIdle), so in StRange they belong to the command.
  logic [15:0] npix_m1_q, npix_m1_d, nr1_m1_q, nr1_m1_d, nr2_m1_q, nr2_m1_d;
  logic [15:0] npix_m1, nr1_m1, nr2_m1;
  logic [34:0] asum0_q, asum0_d, asum1_q, asum1_d, amax;
  logic [31:0] ntiles_q, ntiles_d;
  logic [36:0] wend_q, wend_d;
  logic        aend_bad_q, aend_bad_d;
  logic        range_bad;

  assign npix_m1 = npix_m1_q;
  assign nr1_m1  = nr1_m1_q;
  assign nr2_m1  = nr2_m1_q;

  always_comb begin
    // StCheck
    asum0_d    = 35'(act_q) + 35'(32'(npix_m1) * 32'(spix_q));
    asum1_d    = 35'(32'(nr1_m1) * 32'(sr1_q)) + 35'(32'(nr2_m1) * 32'(sr2_q));
    ntiles_d   = 32'(nr2_q) * 32'(nr1_q);
    wend_d     = 37'(wgt_q) + (37'(ntiles_d) << $clog2(N));
    aend_bad_d = (33'(acc_q) + 33'(npix_q)) > 33'(AccRows);
    // StRange
    amax       = asum0_q + asum1_q;
    range_bad  = (amax >= 35'(ActRows)) || (wend_q > 37'(WgtRows)) || aend_bad_q;
  end

  logic run;
  assign run = (state_q == StRun);

  // Constant selects as wires (Icarus does not take them in always_* sensitivity).
  logic [AccAW-1:0] acc_row0;
  logic             in_clr;
  logic [15:0]      in_npix, in_nr1, in_nr2, in_spix, in_sr1, in_sr2;
  assign acc_row0 = acc_q[AccAW-1:0];
  assign in_clr   = cmd_insn_i[dlp_pkg::FGemmClr];
  assign in_npix  = cmd_insn_i[dlp_pkg::FGemmNPix +: 16];
  assign in_nr1   = cmd_insn_i[dlp_pkg::FGemmNR1 +: 16];
  assign in_nr2   = cmd_insn_i[dlp_pkg::FGemmNR2 +: 16];
  assign in_spix  = cmd_insn_i[dlp_pkg::FGemmSPix +: 16];
  assign in_sr1   = cmd_insn_i[dlp_pkg::FGemmSR1 +: 16];
  assign in_sr2   = cmd_insn_i[dlp_pkg::FGemmSR2 +: 16];

  // ------------------------------------------------------------------ sequencer
  logic             seq_v_q, seq_v_d;
  logic [15:0]      p_q, p_d, r1_q, r1_d, r2_q, r2_d;
  logic [31:0]      a_q, a_d, ar1_q, ar1_d, ar2_q, ar2_d;
  logic [AccAW-1:0] accrow_q, accrow_d;
  logic [31:0]      wrow_q, wrow_d, wleft_q, wleft_d;

  // act fetch
  logic              act_issue, act_inf_q;
  logic [TagW-1:0]   atag_q, atag_d;
  logic [AfCntW-1:0] af_count;
  logic [AfW-1:0]    af_head;
  logic              af_pop;
  // weight fetch / transfer
  logic              wgt_issue, wgt_inf_q;
  logic [WfCntW-1:0] wf_count;
  logic [RowW-1:0]   wf_head;
  logic              xfer_start, xfer_we;
  logic              xfer_busy_q, xfer_busy_d, armed_q, armed_d;
  logic [ColW-1:0]   xfer_col_q, xfer_col_d, xfer_col;
  logic [ColW-1:0]   since_q, since_d;     // cycles since the last tile start (sat. N-1)
  // launch
  logic              launch, h_tstart, h_first;
  logic [AccAW-1:0]  h_row;
  logic [RowW-1:0]   h_data;
  logic [RfCntW-1:0] rf_count, arr_inf_q, arr_inf_d;
  logic              rf_credit;

  assign {h_data, h_row, h_first, h_tstart} = af_head;

  always_comb begin
    seq_v_d  = seq_v_q;
    p_d      = p_q;
    r1_d     = r1_q;
    r2_d     = r2_q;
    a_d      = a_q;
    ar1_d    = ar1_q;
    ar2_d    = ar2_q;
    accrow_d = accrow_q;
    atag_d   = atag_q;
    wrow_d   = wrow_q;
    wleft_d  = wleft_q;
    // Sequencer start in StRange. Only seq_v and wleft (which make the requests) depend
    // on the check; the rest is loaded either way (unused after an error), which keeps
    // range_bad off the 32-bit address registers.
    if (state_q == StRange) begin
      seq_v_d  = !range_bad;
      p_d      = '0;
      r1_d     = '0;
      r2_d     = '0;
      a_d      = act_q;
      ar1_d    = act_q;
      ar2_d    = act_q;
      accrow_d = acc_row0;
      wrow_d   = wgt_q;
      wleft_d  = range_bad ? 32'd0 : (ntiles_q << $clog2(N));
    end
    if (act_issue) begin
      atag_d = {accrow_q, clr_q && r1_q == '0 && r2_q == '0, p_q == '0};
      if (p_q != npix_m1) begin
        p_d      = p_q + 16'd1;
        a_d      = a_q + 32'(spix_q);
        accrow_d = accrow_q + AccAW'(1);
      end else begin
        p_d      = '0;
        accrow_d = acc_row0;
        if (r1_q != nr1_m1) begin
          r1_d  = r1_q + 16'd1;
          ar1_d = ar1_q + 32'(sr1_q);
          a_d   = ar1_q + 32'(sr1_q);
        end else begin
          r1_d = '0;
          if (r2_q != nr2_m1) begin
            r2_d  = r2_q + 16'd1;
            ar2_d = ar2_q + 32'(sr2_q);
            ar1_d = ar2_q + 32'(sr2_q);
            a_d   = ar2_q + 32'(sr2_q);
          end else begin
            seq_v_d = 1'b0;
          end
        end
      end
    end
    if (wgt_issue) begin
      wrow_d  = wrow_q + 32'd1;
      wleft_d = wleft_q - 32'd1;
    end
  end

  assign act_req_o   = run && seq_v_q && (32'(af_count) + 32'(act_inf_q) < AfDepth);
  assign act_issue   = act_req_o && act_gnt_i;
  assign act_we_o    = 1'b0;
  assign act_addr_o  = a_q[ActAW-1:0];
  assign act_wdata_o = '0;

  assign wgt_req_o   = run && (wleft_q != '0) && (32'(wf_count) + 32'(wgt_inf_q) < WfDepth);
  assign wgt_issue   = wgt_req_o && wgt_gnt_i;
  assign wgt_we_o    = 1'b0;
  assign wgt_addr_o  = wrow_q[WgtAW-1:0];
  assign wgt_wdata_o = '0;

  logic unused_af_empty, unused_af_full, unused_wf_empty, unused_wf_full;
  logic unused_rf_empty, unused_rf_full;

  dlp_fifo #(.Width(AfW), .Depth(AfDepth)) u_af (
    .clk_i,
    .rst_ni,
    .flush_i (1'b0),
    .push_i  (act_inf_q),
    .wdata_i ({act_rdata_i, atag_q}),
    .pop_i   (af_pop),
    .rdata_o (af_head),
    .empty_o (unused_af_empty),
    .full_o  (unused_af_full),
    .count_o (af_count)
  );

  dlp_fifo #(.Width(RowW), .Depth(WfDepth)) u_wf (
    .clk_i,
    .rst_ni,
    .flush_i (1'b0),
    .push_i  (wgt_inf_q),
    .wdata_i (wgt_rdata_i),
    .pop_i   (xfer_we),
    .rdata_o (wf_head),
    .empty_o (unused_wf_empty),
    .full_o  (unused_wf_full),
    .count_o (wf_count)
  );

  // ------------------------------------------------------------------ weight transfer
  always_comb begin
    xfer_start  = run && !xfer_busy_q && !armed_q && (32'(wf_count) >= N) &&
                  (32'(since_q) >= N - 1);
    xfer_we     = xfer_start || xfer_busy_q;
    xfer_col    = xfer_busy_q ? xfer_col_q : '0;
    xfer_busy_d = xfer_busy_q;
    xfer_col_d  = xfer_col_q;
    armed_d     = armed_q;
    if (xfer_start) begin
      armed_d     = 1'b1;
      xfer_busy_d = 1'b1;
      xfer_col_d  = ColW'(1);
    end else if (xfer_busy_q) begin
      xfer_col_d = xfer_col_q + ColW'(1);
      if (xfer_col_q == ColW'(N - 1)) xfer_busy_d = 1'b0;
    end
    if (launch && h_tstart) armed_d = 1'b0;
  end

  // The transfer reaches the PEs one cycle later, registered (see the array).
  logic [N-1:0]    wload_q, wload_d;
  logic [RowW-1:0] wdata_q;
  always_comb begin
    for (int n = 0; n < N; n++) wload_d[n] = xfer_we && xfer_col == ColW'(n);
  end

  always_ff @(posedge clk_i) begin
    wdata_q <= wf_head;   // datapath, no reset (only used under wload_q)
  end

  // ------------------------------------------------------------------ launch
  always_comb begin
    rf_credit = (32'(rf_count) + 32'(arr_inf_q)) < RfDepth;
    launch    = run && (af_count != '0) && rf_credit && (!h_tstart || armed_q);
    af_pop    = launch;
    since_d   = since_q;
    if (launch && h_tstart) since_d = ColW'(1);
    else if (32'(since_q) < N - 1) since_d = since_q + ColW'(1);
  end

  assign perf_row_o  = launch;
  assign stall_wgt_o = run && (af_count != '0) && h_tstart && !armed_q;

  // ------------------------------------------------------------------ systolic array
  logic signed [7:0] pe_a  [N][N+1];
  logic              pe_sw [N][N+1];
  logic       [31:0] pe_ps [N+1][N];
  logic       [31:0] res   [N];
  logic [AccW-1:0]   res_row;
  logic [AccAW+1:0]  tag_in, tag_out;      // {valid, acc row, first}
  logic              out_v, out_first;
  logic [AccAW-1:0]  out_row;

  for (genvar k = 0; k < N; k++) begin : g_row
    logic [8:0] skew_in, skew_out;
    assign skew_in = launch ? {h_data[8*k +: 8], h_tstart} : 9'd0;
    dlp_mxu_delay #(.Width(9), .Stages(k + 1)) u_skew (
      .clk_i,
      .rst_ni,
      .d_i (skew_in),
      .q_o (skew_out)
    );
    assign pe_a[k][0]  = skew_out[8:1];
    assign pe_sw[k][0] = skew_out[0];

    for (genvar n = 0; n < N; n++) begin : g_col
      dlp_mxu_pe #(.LutMul(k < LutMulRows)) u_pe (
        .clk_i,
        .rst_ni,
        .a_i     (pe_a[k][n]),
        .sw_i    (pe_sw[k][n]),
        .psum_i  (pe_ps[k][n]),
        .wload_i (wload_q[n]),
        .wdata_i (wdata_q[8*k +: 8]),
        .a_o     (pe_a[k][n+1]),
        .sw_o    (pe_sw[k][n+1]),
        .psum_o  (pe_ps[k+1][n])
      );
    end
  end

  for (genvar n = 0; n < N; n++) begin : g_out
    assign pe_ps[0][n] = '0;
    dlp_mxu_delay #(.Width(32), .Stages(N - 1 - n)) u_deskew (
      .clk_i,
      .rst_ni,
      .d_i (pe_ps[N][n]),
      .q_o (res[n])
    );
    assign res_row[32*n +: 32] = res[n];
  end

  // The a/sw outputs of the last column are not used.
  logic unused_edge;
  always_comb begin
    unused_edge = 1'b0;
    for (int k = 0; k < N; k++) unused_edge = unused_edge ^ (^pe_a[k][N]) ^ pe_sw[k][N];
  end

  assign tag_in = {launch, h_row, h_first};
  dlp_mxu_delay #(.Width(AccAW + 2), .Stages(Lat)) u_tag (
    .clk_i,
    .rst_ni,
    .d_i (tag_in),
    .q_o (tag_out)
  );
  assign {out_v, out_row, out_first} = tag_out;

  assign arr_inf_d = arr_inf_q + RfCntW'(launch) - RfCntW'(out_v);

  // ------------------------------------------------------------------ accumulate
  logic [RfW-1:0]   rf_head;
  logic [AccW-1:0]  s1_res;
  logic [AccAW-1:0] s1_row;
  logic             s1_first, s1_v, s1_move, s1_allowed, s1_need_rd;
  logic             hit_s2, hit_e1, hit_e0, hit;
  logic [AccW-1:0]  fwd_val;

  logic             s2_v_q, s2_v_d, s2_fresh_q, s2_fresh_d;
  logic [AccAW-1:0] s2_row_q, s2_row_d;
  logic [AccW-1:0]  s2_res_q, s2_res_d, s2_base_q, s2_base_d, s2_base, s2_sum;
  logic             s2_adv;

  logic             wq_v0_q, wq_v0_d, wq_v1_q, wq_v1_d, wq_pop;
  logic [AccAW-1:0] wq_row0_q, wq_row0_d, wq_row1_q, wq_row1_d;
  logic [AccW-1:0]  wq_sum0_q, wq_sum0_d, wq_sum1_q, wq_sum1_d;

  dlp_fifo #(.Width(RfW), .Depth(RfDepth)) u_rf (
    .clk_i,
    .rst_ni,
    .flush_i (1'b0),
    .push_i  (out_v),
    .wdata_i ({res_row, out_row, out_first}),
    .pop_i   (s1_move),
    .rdata_o (rf_head),
    .empty_o (unused_rf_empty),
    .full_o  (unused_rf_full),
    .count_o (rf_count)
  );

  assign {s1_res, s1_row, s1_first} = rf_head;

  always_comb begin
    s2_base = s2_fresh_q ? acc_rd_rdata_i : s2_base_q;
    for (int n = 0; n < N; n++) s2_sum[32*n +: 32] = s2_base[32*n +: 32] + s2_res_q[32*n +: 32];
  end

  always_comb begin
    s1_v       = (rf_count != '0);
    hit_s2     = s2_v_q  && (s2_row_q  == s1_row);
    hit_e1     = wq_v1_q && (wq_row1_q == s1_row);
    hit_e0     = wq_v0_q && (wq_row0_q == s1_row);
    hit        = hit_s2 || hit_e1 || hit_e0;
    fwd_val    = hit_s2 ? s2_sum : (hit_e1 ? wq_sum1_q : wq_sum0_q);
    // S2 + WQ hold at most three rows; S1 moves only when that cannot overflow.
    s1_allowed = (2'(s2_v_q) + 2'(wq_v0_q) + 2'(wq_v1_q)) <= 2'd2;
    s1_need_rd = s1_v && !s1_first && !hit;
    s2_adv     = s2_v_q && !wq_v1_q;
  end

  // Grant-dependent moves in their own statements: the requests above depend on state
  // only, so no combinational path runs from a grant back to a request.
  assign s1_move = s1_v && s1_allowed && (s1_first || hit || acc_rd_gnt_i);
  assign wq_pop  = wq_v0_q && acc_wr_gnt_i;

  assign acc_rd_req_o   = run && s1_need_rd && s1_allowed;
  assign acc_rd_we_o    = 1'b0;
  assign acc_rd_addr_o  = s1_row;
  assign acc_rd_wdata_o = '0;

  always_comb begin
    s2_v_d     = s2_v_q;
    s2_fresh_d = s2_fresh_q;
    s2_row_d   = s2_row_q;
    s2_res_d   = s2_res_q;
    s2_base_d  = s2_base_q;
    if (s1_move) begin
      s2_v_d     = 1'b1;
      s2_fresh_d = s1_need_rd;
      s2_row_d   = s1_row;
      s2_res_d   = s1_res;
      s2_base_d  = s1_first ? '0 : fwd_val;
    end else if (s2_adv) begin
      s2_v_d     = 1'b0;
      s2_fresh_d = 1'b0;
    end else if (s2_fresh_q) begin
      // The read data is only on acc_rd_rdata_i for one cycle: keep it.
      s2_base_d  = acc_rd_rdata_i;
      s2_fresh_d = 1'b0;
    end

    wq_v0_d   = wq_v0_q;
    wq_row0_d = wq_row0_q;
    wq_sum0_d = wq_sum0_q;
    wq_v1_d   = wq_v1_q;
    wq_row1_d = wq_row1_q;
    wq_sum1_d = wq_sum1_q;
    if (wq_pop) begin
      wq_v0_d   = wq_v1_q;
      wq_row0_d = wq_row1_q;
      wq_sum0_d = wq_sum1_q;
      wq_v1_d   = 1'b0;
    end
    if (s2_adv) begin
      if (!wq_v0_d) begin
        wq_v0_d   = 1'b1;
        wq_row0_d = s2_row_q;
        wq_sum0_d = s2_sum;
      end else begin
        wq_v1_d   = 1'b1;
        wq_row1_d = s2_row_q;
        wq_sum1_d = s2_sum;
      end
    end
  end

  assign acc_wr_req_o   = wq_v0_q;
  assign acc_wr_we_o    = 1'b1;
  assign acc_wr_addr_o  = wq_row0_q;
  assign acc_wr_wdata_o = wq_sum0_q;

  // ------------------------------------------------------------------ control
  logic drained;
  assign drained = !seq_v_q && !act_inf_q && (af_count == '0) && (arr_inf_q == '0) &&
                   (rf_count == '0) && !s2_v_q && !wq_v0_q && !wq_v1_q &&
                   (wleft_q == '0) && !wgt_inf_q && (wf_count == '0) && !xfer_busy_q &&
                   (wload_q == '0) && !armed_q;

  always_comb begin
    state_d = state_q;
    clr_d   = clr_q;
    act_d   = act_q;
    wgt_d   = wgt_q;
    acc_d   = acc_q;
    npix_d  = npix_q;
    nr1_d   = nr1_q;
    nr2_d   = nr2_q;
    npix_m1_d = npix_m1_q;
    nr1_m1_d  = nr1_m1_q;
    nr2_m1_d  = nr2_m1_q;
    spix_d  = spix_q;
    sr1_d   = sr1_q;
    sr2_d   = sr2_q;
    done_d  = 1'b0;
    err_d   = 1'b0;
    case (state_q)
      StIdle: begin
        if (cmd_valid_i) begin
          state_d = StCheck;
          clr_d   = in_clr;
          act_d   = cmd_slot0_i;
          wgt_d   = cmd_slot1_i;
          acc_d   = cmd_slot2_i;
          npix_d  = in_npix;
          nr1_d   = in_nr1;
          nr2_d   = in_nr2;
          npix_m1_d = in_npix - 16'd1;
          nr1_m1_d  = in_nr1 - 16'd1;
          nr2_m1_d  = in_nr2 - 16'd1;
          spix_d  = in_spix;
          sr1_d   = in_sr1;
          sr2_d   = in_sr2;
        end
      end
      StCheck: state_d = StRange;
      StRange: begin
        if (range_bad) begin
          state_d = StIdle;
          done_d  = 1'b1;
          err_d   = 1'b1;
        end else begin
          state_d = StRun;
        end
      end
      StRun: begin
        if (drained) begin
          state_d = StIdle;
          done_d  = 1'b1;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  assign cmd_ready_o = (state_q == StIdle);
  assign busy_o      = (state_q != StIdle);
  assign done_o      = done_q;
  assign err_o       = err_q;
  assign err_code_o  = err_q ? dlp_pkg::ErrSpRange : dlp_pkg::ErrNone;
  assign err_addr_o  = '0;

  // Fields this unit does not use (opcode, flags, act/wgt/acc fields: slots are used).
  logic unused_insn;
  assign unused_insn = ^{cmd_insn_i[dlp_pkg::InsnBits-1:176],
                         cmd_insn_i[dlp_pkg::FGemmNPix-1:dlp_pkg::FGemmClr+1],
                         cmd_insn_i[dlp_pkg::FGemmClr-1:0], a_q[31:ActAW], wrow_q[31:WgtAW],
                         unused_edge};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      clr_q       <= 1'b0;
      act_q       <= '0;
      wgt_q       <= '0;
      acc_q       <= '0;
      npix_q      <= '0;
      nr1_q       <= '0;
      nr2_q       <= '0;
      spix_q      <= '0;
      sr1_q       <= '0;
      sr2_q       <= '0;
      npix_m1_q   <= '0;
      nr1_m1_q    <= '0;
      nr2_m1_q    <= '0;
      asum0_q     <= '0;
      asum1_q     <= '0;
      ntiles_q    <= '0;
      wend_q      <= '0;
      aend_bad_q  <= 1'b0;
      done_q      <= 1'b0;
      err_q       <= 1'b0;
      seq_v_q     <= 1'b0;
      p_q         <= '0;
      r1_q        <= '0;
      r2_q        <= '0;
      a_q         <= '0;
      ar1_q       <= '0;
      ar2_q       <= '0;
      accrow_q    <= '0;
      atag_q      <= '0;
      wrow_q      <= '0;
      wleft_q     <= '0;
      act_inf_q   <= 1'b0;
      wgt_inf_q   <= 1'b0;
      xfer_busy_q <= 1'b0;
      xfer_col_q  <= '0;
      armed_q     <= 1'b0;
      wload_q     <= '0;
      since_q     <= ColW'(N - 1);
      arr_inf_q   <= '0;
      s2_v_q      <= 1'b0;
      s2_fresh_q  <= 1'b0;
      s2_row_q    <= '0;
      s2_res_q    <= '0;
      s2_base_q   <= '0;
      wq_v0_q     <= 1'b0;
      wq_row0_q   <= '0;
      wq_sum0_q   <= '0;
      wq_v1_q     <= 1'b0;
      wq_row1_q   <= '0;
      wq_sum1_q   <= '0;
    end else begin
      state_q     <= state_d;
      clr_q       <= clr_d;
      act_q       <= act_d;
      wgt_q       <= wgt_d;
      acc_q       <= acc_d;
      npix_q      <= npix_d;
      nr1_q       <= nr1_d;
      nr2_q       <= nr2_d;
      spix_q      <= spix_d;
      sr1_q       <= sr1_d;
      sr2_q       <= sr2_d;
      npix_m1_q   <= npix_m1_d;
      nr1_m1_q    <= nr1_m1_d;
      nr2_m1_q    <= nr2_m1_d;
      asum0_q     <= asum0_d;
      asum1_q     <= asum1_d;
      ntiles_q    <= ntiles_d;
      wend_q      <= wend_d;
      aend_bad_q  <= aend_bad_d;
      done_q      <= done_d;
      err_q       <= err_d;
      seq_v_q     <= seq_v_d;
      p_q         <= p_d;
      r1_q        <= r1_d;
      r2_q        <= r2_d;
      a_q         <= a_d;
      ar1_q       <= ar1_d;
      ar2_q       <= ar2_d;
      accrow_q    <= accrow_d;
      atag_q      <= atag_d;
      wrow_q      <= wrow_d;
      wleft_q     <= wleft_d;
      act_inf_q   <= act_issue;
      wgt_inf_q   <= wgt_issue;
      xfer_busy_q <= xfer_busy_d;
      xfer_col_q  <= xfer_col_d;
      armed_q     <= armed_d;
      wload_q     <= wload_d;
      since_q     <= since_d;
      arr_inf_q   <= arr_inf_d;
      s2_v_q      <= s2_v_d;
      s2_fresh_q  <= s2_fresh_d;
      s2_row_q    <= s2_row_d;
      s2_res_q    <= s2_res_d;
      s2_base_q   <= s2_base_d;
      wq_v0_q     <= wq_v0_d;
      wq_row0_q   <= wq_row0_d;
      wq_sum0_q   <= wq_sum0_d;
      wq_v1_q     <= wq_v1_d;
      wq_row1_q   <= wq_row1_d;
      wq_sum1_q   <= wq_sum1_d;
    end
  end

endmodule
