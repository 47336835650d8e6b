// dlp_dma_store - STORE engine: scratchpad -> DDR over an AXI4 write master.
//
// Executes one repetition of a STORE per command (rtl/README.md execution-unit contract;
// cmd_slot0_i = first scratchpad row, cmd_slot1_i = DDR byte address, slot 2 unused).
//
//   IDLE --cmd--> CHECK (3 cycles SCheck/SCheck2/SCheck3: SP_RANGE, DMA_ALIGN, DMA_WINDOW,
//   dlp_dma_check, two register stages)
//   --fail--> DONE (err, no request issued);  --pass--> RUN --> DONE --> IDLE
//
// RUN:
//  - dlp_dma_bursts issues the runs' INCR bursts on AW (<= 256 beats, no 4 KiB crossing,
//    at most MaxOutstanding bursts without a B response); each accepted AW pushes its
//    length into a FIFO that times WLAST. W beats of a burst follow its AW handshake.
//  - the row reader reads the scratchpad rows in (z, y, x) order, at most ElemDepth rows
//    ahead (the 1-cycle read data always has a FIFO slot), tagging each with its byte
//    offset in the beat and whether it ends its run.
//  - the beat packer turns elements into W beats: E < bus bytes: elements are merged into
//    a beat at their offset with their WSTRB bytes, the beat is sent when an element ends
//    at the beat boundary or ends the run (partial first/last beats of a run carry only
//    their bytes in WSTRB); E >= bus bytes: each element is E/bus full beats.
//  - B responses are counted; a response other than OKAY sets the error: no new AW (a
//    presented AW is held until accepted), no new scratchpad read (a presented request
//    is held until granted), the remaining beats of every accepted AW are sent with
//    WSTRB = 0, all B responses are collected, then done_o with ERR_AXI_WRITE.
// done_o comes after the last B response (every write has reached the B channel).
`default_nettype none

module dlp_dma_store #(
  parameter int N = 16,
  parameter int AxiDataW = 128,
  parameter int ActRows = 8192,
  parameter int WgtRows = 8192,
  parameter int AccRows = 1024,
  parameter int AxiIdW = 4,
  parameter int MaxOutstanding = 8,
  localparam int ActAw = $clog2(ActRows),
  localparam int WgtAw = $clog2(WgtRows),
  localparam int AccAw = $clog2(AccRows)
) (
  input  wire logic                  clk_i,
  input  wire logic                  rst_ni,
  input  wire logic [31:0]           win_base_i,
  input  wire logic [31:0]           win_limit_i,
  // command (execution-unit contract)
  input  wire logic                  cmd_valid_i,
  output      logic                  cmd_ready_o,
  /* verilator lint_off UNUSEDSIGNAL */ // the whole instruction; STORE uses its DMA fields
  input  wire logic [255:0]          cmd_insn_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire logic [31:0]           cmd_slot0_i,
  input  wire logic [31:0]           cmd_slot1_i,
  /* verilator lint_off UNUSEDSIGNAL */ // contract port; STORE has two address slots
  input  wire logic [31:0]           cmd_slot2_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output      logic                  done_o,
  output      logic                  err_o,
  output      logic [3:0]            err_code_o,
  output      logic [31:0]           err_addr_o,
  // scratchpad request ports (rtl/README.md); STORE only reads
  output      logic                  act_req_o,
  output      logic                  act_we_o,
  output      logic [ActAw-1:0]      act_addr_o,
  output      logic [N*8-1:0]        act_wdata_o,
  input  wire logic                  act_gnt_i,
  input  wire logic [N*8-1:0]        act_rdata_i,
  output      logic                  wgt_req_o,
  output      logic                  wgt_we_o,
  output      logic [WgtAw-1:0]      wgt_addr_o,
  output      logic [N*8-1:0]        wgt_wdata_o,
  input  wire logic                  wgt_gnt_i,
  input  wire logic [N*8-1:0]        wgt_rdata_i,
  output      logic                  acc_req_o,
  output      logic                  acc_we_o,
  output      logic [AccAw-1:0]      acc_addr_o,
  output      logic [N*32-1:0]       acc_wdata_o,
  input  wire logic                  acc_gnt_i,
  input  wire logic [N*32-1:0]       acc_rdata_i,
  // AXI4 write master
  output      logic [AxiIdW-1:0]     m_axi_awid_o,
  output      logic [31:0]           m_axi_awaddr_o,
  output      logic [7:0]            m_axi_awlen_o,
  output      logic [2:0]            m_axi_awsize_o,
  output      logic [1:0]            m_axi_awburst_o,
  output      logic                  m_axi_awlock_o,
  output      logic [3:0]            m_axi_awcache_o,
  output      logic [2:0]            m_axi_awprot_o,
  output      logic                  m_axi_awvalid_o,
  input  wire logic                  m_axi_awready_i,
  output      logic [AxiDataW-1:0]   m_axi_wdata_o,
  output      logic [AxiDataW/8-1:0] m_axi_wstrb_o,
  output      logic                  m_axi_wlast_o,
  output      logic                  m_axi_wvalid_o,
  input  wire logic                  m_axi_wready_i,
  /* verilator lint_off UNUSEDSIGNAL */ // single ID: responses need no routing
  input  wire logic [AxiIdW-1:0]     m_axi_bid_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire logic [1:0]            m_axi_bresp_i,
  input  wire logic                  m_axi_bvalid_i,
  output      logic                  m_axi_bready_o,
  // performance: bytes read from the scratchpad this cycle; cycle stalled on AW/W/B
  output      logic [7:0]            perf_bytes_o,
  output      logic                  perf_stall_o
);

  localparam int B         = AxiDataW / 8;
  localparam int LgB       = $clog2(B);
  localparam int LgN       = $clog2(N);
  localparam int MaxK      = (N * 32 > AxiDataW) ? N * 32 / AxiDataW : 1;
  localparam int KW        = $clog2(MaxK) + 1;
  localparam int OutW      = $clog2(MaxOutstanding + 1);
  localparam int ElemDepth = 4;
  localparam int ElemW     = N * 32 + LgB + 1;   // {last of run, offset in beat, data}
  localparam int ElemCntW  = $clog2(ElemDepth + 1);

  typedef enum logic [2:0] {SIdle, SCheck, SCheck2, SCheck3, SRun, SDone} state_e;
  state_e state_q, state_d;

  // ---------------------------------------------------------------- command registers
  logic [1:0]    sp_q;
  logic [31:0]   dram_q, sram_q, ystr_q, zstr_q;
  logic [15:0]   xs_q, ys_q, zs_q;
  logic [15:0]   xm1_q, ym1_q, zm1_q;   // sizes - 1
  logic [2:0]    lge_q;
  logic [6:0]    e_q;
  logic [KW-1:0] km1_q;          // beats per element - 1 (0 when E <= bus)
  logic [B-1:0]  emask_q;        // WSTRB bytes of one element at offset 0
  logic [1:0]    sp_c;
  logic [2:0]    lge_c;
  logic          cmd_fire;

  assign sp_c        = cmd_insn_i[dlp_pkg::FDmaSp +: 2];
  assign lge_c       = (sp_c == dlp_pkg::SpAcc) ? 3'(LgN + 2) : 3'(LgN);
  assign cmd_ready_o = (state_q == SIdle);
  assign cmd_fire    = cmd_valid_i && cmd_ready_o;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sp_q    <= '0;
      dram_q  <= '0;
      sram_q  <= '0;
      ystr_q  <= '0;
      zstr_q  <= '0;
      xs_q    <= '0;
      ys_q    <= '0;
      zs_q    <= '0;
      xm1_q   <= '0;
      ym1_q   <= '0;
      zm1_q   <= '0;
      lge_q   <= '0;
      e_q     <= '0;
      km1_q   <= '0;
      emask_q <= '0;
    end else if (cmd_fire) begin
      sp_q    <= sp_c;
      dram_q  <= cmd_slot1_i;
      sram_q  <= cmd_slot0_i;
      ystr_q  <= cmd_insn_i[dlp_pkg::FDmaYStride +: 32];
      zstr_q  <= cmd_insn_i[dlp_pkg::FDmaZStride +: 32];
      xs_q    <= cmd_insn_i[dlp_pkg::FDmaXSize +: 16];
      ys_q    <= cmd_insn_i[dlp_pkg::FDmaYSize +: 16];
      zs_q    <= cmd_insn_i[dlp_pkg::FDmaZSize +: 16];
      xm1_q   <= cmd_insn_i[dlp_pkg::FDmaXSize +: 16] - 16'd1;
      ym1_q   <= cmd_insn_i[dlp_pkg::FDmaYSize +: 16] - 16'd1;
      zm1_q   <= cmd_insn_i[dlp_pkg::FDmaZSize +: 16] - 16'd1;
      lge_q   <= lge_c;
      e_q     <= 7'd1 << lge_c;
      km1_q   <= (32'(lge_c) > LgB) ? KW'((32'd1 << (32'(lge_c) - LgB)) - 32'd1) : '0;
      emask_q <= (32'(lge_c) >= LgB) ? '1 : B'((64'd1 << (64'd1 << lge_c)) - 64'd1);
    end
  end

  // ---------------------------------------------------------------- checks
  logic        chk_err;
  logic [3:0]  chk_code;
  logic [16:0] rows;

  always_comb begin
    case (sp_q)
      dlp_pkg::SpWgt:   rows = 17'(WgtRows);
      dlp_pkg::SpAcc:   rows = 17'(AccRows);
      default: rows = 17'(ActRows);
    endcase
  end

  dlp_dma_check u_check (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .sram_i      (sram_q),
    .dram_i      (dram_q),
    .x_size_i    (xs_q),
    .y_size_m1_i (ym1_q),
    .z_size_m1_i (zm1_q),
    .box_x_i     (17'(xs_q)),
    .box_y_i     (17'(ys_q)),
    .box_z_i     (17'(zs_q)),
    .y_stride_i  (ystr_q),
    .z_stride_i  (zstr_q),
    .lg_e_i      (lge_q),
    .rows_i      (rows),
    .win_base_i  (win_base_i),
    .win_limit_i (win_limit_i),
    .err_o       (chk_err),
    .err_code_o  (chk_code)
  );

  // ---------------------------------------------------------------- AW
  logic            start;
  logic            gen_valid, gen_ready;
  logic [31:0]     gen_addr;
  logic [7:0]      gen_len;
  logic            err_q, err_d;
  logic            aw_hold_q;
  logic [OutW-1:0] out_q, out_d;
  logic            aw_fire, b_fire;
  logic            len_empty, len_full, len_pop;
  logic [7:0]      len_head;
  /* verilator lint_off UNUSEDSIGNAL */ // FIFO status the engine does not need
  logic [$clog2(MaxOutstanding + 1)-1:0] len_cnt;
  logic            elem_full;           // the credit check (elem_cnt) keeps it from filling
  /* verilator lint_on UNUSEDSIGNAL */

  assign start = (state_q == SCheck3) && !chk_err;

  dlp_dma_bursts #(.AxiDataBytes(B)) u_bursts (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (start),
    .dram_i      (dram_q),
    .run_bytes_i (23'(xs_q) << lge_q),
    .y_size_m1_i (ym1_q),
    .z_size_m1_i (zm1_q),
    .y_stride_i  (ystr_q),
    .z_stride_i  (zstr_q),
    .valid_o     (gen_valid),
    .ready_i     (gen_ready),
    .addr_o      (gen_addr),
    .len_o       (gen_len)
  );

  assign m_axi_awid_o    = '0;
  assign m_axi_awaddr_o  = gen_addr;
  assign m_axi_awlen_o   = gen_len;
  assign m_axi_awsize_o  = 3'(LgB);
  assign m_axi_awburst_o = 2'b01;    // INCR
  assign m_axi_awlock_o  = 1'b0;
  assign m_axi_awcache_o = 4'b0011;
  assign m_axi_awprot_o  = 3'b000;
  assign m_axi_awvalid_o = (state_q == SRun) && gen_valid &&
                           (aw_hold_q || (!err_q && !len_full &&
                                          out_q < OutW'(MaxOutstanding)));
  assign gen_ready       = m_axi_awvalid_o && m_axi_awready_i;
  assign aw_fire         = gen_ready;
  assign m_axi_bready_o  = 1'b1;
  assign b_fire          = m_axi_bvalid_i;

  always_comb begin
    out_d = out_q;
    if (aw_fire && !b_fire) out_d = out_q + 1'b1;
    if (b_fire && !aw_fire) out_d = out_q - 1'b1;
  end

  // Lengths of accepted bursts whose W beats are not all sent yet.
  dlp_fifo #(.Width(8), .Depth(MaxOutstanding)) u_len_fifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .flush_i (start),
    .push_i  (aw_fire),
    .wdata_i (gen_len),
    .pop_i   (len_pop),
    .rdata_o (len_head),
    .empty_o (len_empty),
    .full_o  (len_full),
    .count_o (len_cnt)
  );

  // ---------------------------------------------------------------- row reader
  // Low address bits (offsets inside a beat) and the first row, sliced once here.
  logic [LgB-1:0] ystr_lo, zstr_lo, dram_lo, e_lo;
  logic [16:0]    sram_row;
  assign ystr_lo  = ystr_q[LgB-1:0];
  assign zstr_lo  = zstr_q[LgB-1:0];
  assign dram_lo  = dram_q[LgB-1:0];
  assign e_lo     = e_q[LgB-1:0];
  assign sram_row = sram_q[16:0];

  logic [15:0]     x_q, x_d, y_q, y_d, z_q, z_d;
  logic [16:0]     row_q, row_d;
  logic [LgB-1:0]  elem_lo_q, elem_lo_d, run_lo_q, run_lo_d, plane_lo_q, plane_lo_d;
  logic            rd_done_q, rd_done_d;
  logic            hold_q, inflight_q;
  logic [LgB:0]    meta_q;
  logic            rd_req, gnt, rd_fire;
  logic [ElemCntW-1:0] elem_cnt;
  logic            elem_empty, elem_pop;
  logic [ElemW-1:0] elem_head;
  logic [N*32-1:0] rdata;

  assign rd_req = (state_q == SRun) && !rd_done_q &&
                  (hold_q || (!err_q && (32'(elem_cnt) + 32'(inflight_q) < ElemDepth)));
  always_comb begin
    case (sp_q)
      dlp_pkg::SpWgt:   begin gnt = wgt_gnt_i; rdata = (N*32)'(wgt_rdata_i); end
      dlp_pkg::SpAcc:   begin gnt = acc_gnt_i; rdata = acc_rdata_i;          end
      default: begin gnt = act_gnt_i; rdata = (N*32)'(act_rdata_i); end
    endcase
  end
  assign rd_fire = rd_req && gnt;

  assign act_req_o   = rd_req && (sp_q == dlp_pkg::SpAct);
  assign wgt_req_o   = rd_req && (sp_q == dlp_pkg::SpWgt);
  assign acc_req_o   = rd_req && (sp_q == dlp_pkg::SpAcc);
  assign act_we_o    = 1'b0;
  assign wgt_we_o    = 1'b0;
  assign acc_we_o    = 1'b0;
  assign act_addr_o  = row_q[ActAw-1:0];
  assign wgt_addr_o  = row_q[WgtAw-1:0];
  assign acc_addr_o  = row_q[AccAw-1:0];
  assign act_wdata_o = '0;
  assign wgt_wdata_o = '0;
  assign acc_wdata_o = '0;

  // Next run / plane offsets (outside the always_comb, which must not read its own
  // outputs: Icarus re-triggers on them).
  logic [LgB-1:0] run_lo_y, plane_lo_z;
  assign run_lo_y   = run_lo_q + ystr_lo;
  assign plane_lo_z = plane_lo_q + zstr_lo;

  always_comb begin
    x_d        = x_q;
    y_d        = y_q;
    z_d        = z_q;
    row_d      = row_q;
    elem_lo_d  = elem_lo_q;
    run_lo_d   = run_lo_q;
    plane_lo_d = plane_lo_q;
    rd_done_d  = rd_done_q;
    if (start) begin
      x_d        = '0;
      y_d        = '0;
      z_d        = '0;
      row_d      = sram_row;
      elem_lo_d  = dram_lo;
      run_lo_d   = dram_lo;
      plane_lo_d = dram_lo;
      rd_done_d  = 1'b0;
    end else if (rd_fire) begin
      row_d = row_q + 17'd1;
      if (x_q != xm1_q) begin
        x_d       = x_q + 16'd1;
        elem_lo_d = elem_lo_q + e_lo;
      end else begin
        x_d = '0;
        if (y_q != ym1_q) begin
          y_d       = y_q + 16'd1;
          run_lo_d  = run_lo_y;
          elem_lo_d = run_lo_y;
        end else begin
          y_d        = '0;
          plane_lo_d = plane_lo_z;
          run_lo_d   = plane_lo_z;
          elem_lo_d  = plane_lo_z;
          if (z_q != zm1_q) z_d = z_q + 16'd1;
          else rd_done_d = 1'b1;
        end
      end
    end
  end

  // Rows read but not packed yet; the read data of a granted request lands here.
  dlp_fifo #(.Width(ElemW), .Depth(ElemDepth)) u_elem_fifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .flush_i (start),
    .push_i  (inflight_q),
    .wdata_i ({meta_q, rdata}),
    .pop_i   (elem_pop),
    .rdata_o (elem_head),
    .empty_o (elem_empty),
    .full_o  (elem_full),
    .count_o (elem_cnt)
  );

  // ---------------------------------------------------------------- beat packer
  logic [N*32-1:0]     h_data;
  logic [LgB-1:0]      h_lo, lo_sum;
  logic                h_last, complete, mode_b;
  logic [AxiDataW-1:0] placed, merged, beat_b;
  logic [B-1:0]        mstrb;
  logic [AxiDataW-1:0] wbuf_q, wbuf_d;
  logic [B-1:0]        wstrb_q, wstrb_d;
  logic [KW-1:0]       sub_q, sub_d;
  logic                wv_q, wv_d, wl_q, wl_d;
  logic [AxiDataW-1:0] wd_q, wd_d;
  logic [B-1:0]        ws_q, ws_d;
  logic [7:0]          wbeat_q, wbeat_d;
  logic                can_load, load;
  logic [AxiDataW-1:0] load_data;
  logic [B-1:0]        load_strb;

  assign {h_last, h_lo, h_data} = elem_head;
  assign mode_b   = (32'(lge_q) >= LgB);
  assign lo_sum   = h_lo + e_lo;
  assign complete = h_last || (lo_sum == '0);
  assign placed   = AxiDataW'(h_data) << {h_lo, 3'b000};
  assign merged   = wbuf_q | placed;
  assign mstrb    = wstrb_q | (emask_q << h_lo);
  // Beat sub_q of an element spanning several beats (E > bus bytes).
  assign beat_b = AxiDataW'(h_data >> (32'(sub_q) * AxiDataW));

  assign can_load = (!wv_q || m_axi_wready_i) && !len_empty;

  always_comb begin
    wbuf_d    = wbuf_q;
    wstrb_d   = wstrb_q;
    sub_d     = sub_q;
    elem_pop  = 1'b0;
    load      = 1'b0;
    load_data = '0;
    load_strb = '0;
    if (start) begin
      wbuf_d  = '0;
      wstrb_d = '0;
      sub_d   = '0;
    end else if (err_q) begin
      load = can_load;                      // drain: WSTRB = 0 beats
    end else if (!elem_empty) begin
      if (!mode_b) begin
        if (!complete) begin
          wbuf_d   = merged;
          wstrb_d  = mstrb;
          elem_pop = 1'b1;
        end else if (can_load) begin
          load      = 1'b1;
          load_data = merged;
          load_strb = mstrb;
          wbuf_d    = '0;
          wstrb_d   = '0;
          elem_pop  = 1'b1;
        end
      end else if (can_load) begin
        load      = 1'b1;
        load_data = beat_b;
        load_strb = '1;
        if (sub_q == km1_q) begin
          sub_d    = '0;
          elem_pop = 1'b1;
        end else begin
          sub_d = sub_q + 1'b1;
        end
      end
    end
  end

  assign len_pop = load && (wbeat_q == len_head);

  always_comb begin
    wv_d    = wv_q;
    wd_d    = wd_q;
    ws_d    = ws_q;
    wl_d    = wl_q;
    wbeat_d = wbeat_q;
    if (wv_q && m_axi_wready_i) wv_d = 1'b0;
    if (start) begin
      wbeat_d = '0;
    end else if (load) begin
      wv_d    = 1'b1;
      wd_d    = load_data;
      ws_d    = load_strb;
      wl_d    = len_pop;
      wbeat_d = len_pop ? 8'd0 : wbeat_q + 8'd1;
    end
  end

  assign m_axi_wdata_o  = wd_q;
  assign m_axi_wstrb_o  = ws_q;
  assign m_axi_wlast_o  = wl_q;
  assign m_axi_wvalid_o = wv_q;

  // ---------------------------------------------------------------- control
  logic        res_err_q, res_err_d;
  logic [3:0]  res_code_q, res_code_d;
  logic [31:0] res_addr_q, res_addr_d;

  always_comb begin
    err_d = err_q;
    if (start) err_d = 1'b0;
    else if (b_fire && m_axi_bresp_i != 2'b00) err_d = 1'b1;
  end

  always_comb begin
    state_d    = state_q;
    res_err_d  = res_err_q;
    res_code_d = res_code_q;
    res_addr_d = res_addr_q;
    case (state_q)
      SIdle: if (cmd_fire) state_d = SCheck;
      SCheck:  state_d = SCheck2;   // dlp_dma_check stage 1
      SCheck2: state_d = SCheck3;   // stage 2
      SCheck3: begin                // chk_err/chk_code valid
        if (chk_err) begin
          state_d    = SDone;
          res_err_d  = 1'b1;
          res_code_d = chk_code;
          res_addr_d = (chk_code == dlp_pkg::ErrSpRange) ? 32'd0 : dram_q;
        end else begin
          state_d = SRun;
        end
      end
      SRun: begin
        if (!err_q && rd_done_q && !inflight_q && elem_empty && !wv_q && !gen_valid &&
            len_empty && out_q == '0) begin
          state_d    = SDone;
          res_err_d  = 1'b0;
          res_code_d = dlp_pkg::ErrNone;
          res_addr_d = '0;
        end else if (err_q && !aw_hold_q && !hold_q && !inflight_q && len_empty && !wv_q &&
                     out_q == '0) begin
          state_d    = SDone;
          res_err_d  = 1'b1;
          res_code_d = dlp_pkg::ErrAxiWrite;
          res_addr_d = dram_q;
        end
      end
      default: state_d = SIdle;  // SDone
    endcase
  end

  assign done_o     = (state_q == SDone);
  assign err_o      = res_err_q;
  assign err_code_o = res_code_q;
  assign err_addr_o = res_addr_q;

  assign perf_bytes_o = rd_fire ? 8'(e_q) : 8'd0;
  assign perf_stall_o = (state_q == SRun) &&
                        ((m_axi_awvalid_o && !m_axi_awready_i) ||
                         (m_axi_wvalid_o && !m_axi_wready_i) ||
                         (rd_done_q && elem_empty && !wv_q && out_q != '0));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= SIdle;
      res_err_q  <= 1'b0;
      res_code_q <= '0;
      res_addr_q <= '0;
      err_q      <= 1'b0;
      aw_hold_q  <= 1'b0;
      out_q      <= '0;
      x_q        <= '0;
      y_q        <= '0;
      z_q        <= '0;
      row_q      <= '0;
      elem_lo_q  <= '0;
      run_lo_q   <= '0;
      plane_lo_q <= '0;
      rd_done_q  <= 1'b1;
      hold_q     <= 1'b0;
      inflight_q <= 1'b0;
      meta_q     <= '0;
      wbuf_q     <= '0;
      wstrb_q    <= '0;
      sub_q      <= '0;
      wv_q       <= 1'b0;
      wd_q       <= '0;
      ws_q       <= '0;
      wl_q       <= 1'b0;
      wbeat_q    <= '0;
    end else begin
      state_q    <= state_d;
      res_err_q  <= res_err_d;
      res_code_q <= res_code_d;
      res_addr_q <= res_addr_d;
      err_q      <= err_d;
      aw_hold_q  <= m_axi_awvalid_o && !m_axi_awready_i;
      out_q      <= out_d;
      x_q        <= x_d;
      y_q        <= y_d;
      z_q        <= z_d;
      row_q      <= row_d;
      elem_lo_q  <= elem_lo_d;
      run_lo_q   <= run_lo_d;
      plane_lo_q <= plane_lo_d;
      rd_done_q  <= rd_done_d;
      hold_q     <= rd_req && !gnt;
      inflight_q <= rd_fire;
      meta_q     <= rd_fire ? {(x_q == xm1_q), elem_lo_q} : meta_q;
      wbuf_q     <= wbuf_d;
      wstrb_q    <= wstrb_d;
      sub_q      <= sub_d;
      wv_q       <= wv_d;
      wd_q       <= wd_d;
      ws_q       <= ws_d;
      wl_q       <= wl_d;
      wbeat_q    <= wbeat_d;
    end
  end

endmodule
