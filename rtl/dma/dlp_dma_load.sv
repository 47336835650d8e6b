// dlp_dma_load - LOAD engine: DDR -> scratchpad over an AXI4 read master.
//
// Executes one repetition of a LOAD per command (rtl/README.md execution-unit contract;
// cmd_slot0_i = first scratchpad row, cmd_slot1_i = DDR byte address, slot 2 unused).
//
//   IDLE --cmd--> CHECK (3 cycles SCheck/SCheck2/SCheck3: SP_RANGE, DMA_ALIGN, DMA_WINDOW
//   in the spec's order, dlp_dma_check, two register stages) --fail--> DONE (err, no
//   request issued)
//                 --pass--> RUN --> DONE (done_o pulse) --> IDLE
//
// RUN has two independent walkers over the same repetition:
//  - dlp_dma_bursts walks the runs and issues INCR bursts on AR (full-width beats,
//    <= 256 beats, never across 4 KiB), up to MaxOutstanding bursts ahead of the data.
//    All bursts use ID 0, so R data returns in order.
//  - the row walker visits the Z' x Y' x X' box in row-major order and writes one
//    scratchpad row per granted request: padding rows get the pad value without waiting
//    for data, data rows take the next element of the R stream.
// Elements never straddle beats unevenly: E (N or 4N bytes) and the bus width are powers
// of two and DDR addresses are multiples of E, so an element is either a slot of one beat
// (E < bus: selected by the low address bits) or exactly E/bus whole beats (gathered in
// buf_q). A beat is released after its last element of the run, so partial first/last
// beats of a run just have unused slots.
//
// An R beat with RRESP != OKAY ends the repetition with ERR_AXI_READ: no further AR
// (a presented AR is held until accepted) and no further scratchpad write (a request
// already presented is held until granted), the remaining beats of all issued bursts
// are drained, then done_o. err_addr_o is the repetition's dram (0 for SP_RANGE).
//
// Combinational paths: m_axi_rready_o depends on the grant input of the selected
// scratchpad (a beat is accepted in the cycle its buffer is emptied).
`default_nettype none

module dlp_dma_load #(
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
  input  wire logic                clk_i,
  input  wire logic                rst_ni,
  input  wire logic [31:0]         win_base_i,
  input  wire logic [31:0]         win_limit_i,
  // command (execution-unit contract)
  input  wire logic                cmd_valid_i,
  output      logic                cmd_ready_o,
  /* verilator lint_off UNUSEDSIGNAL */ // the whole instruction; LOAD uses its DMA fields
  input  wire logic [255:0]        cmd_insn_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire logic [31:0]         cmd_slot0_i,
  input  wire logic [31:0]         cmd_slot1_i,
  /* verilator lint_off UNUSEDSIGNAL */ // contract port; LOAD has two address slots
  input  wire logic [31:0]         cmd_slot2_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output      logic                done_o,
  output      logic                err_o,
  output      logic [3:0]          err_code_o,
  output      logic [31:0]         err_addr_o,
  // scratchpad request ports (rtl/README.md); LOAD only writes
  output      logic                act_req_o,
  output      logic                act_we_o,
  output      logic [ActAw-1:0]    act_addr_o,
  output      logic [N*8-1:0]      act_wdata_o,
  input  wire logic                act_gnt_i,
  /* verilator lint_off UNUSEDSIGNAL */ // contract port; LOAD never reads
  input  wire logic [N*8-1:0]      act_rdata_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output      logic                wgt_req_o,
  output      logic                wgt_we_o,
  output      logic [WgtAw-1:0]    wgt_addr_o,
  output      logic [N*8-1:0]      wgt_wdata_o,
  input  wire logic                wgt_gnt_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire logic [N*8-1:0]      wgt_rdata_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output      logic                acc_req_o,
  output      logic                acc_we_o,
  output      logic [AccAw-1:0]    acc_addr_o,
  output      logic [N*32-1:0]     acc_wdata_o,
  input  wire logic                acc_gnt_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire logic [N*32-1:0]     acc_rdata_i,
  /* verilator lint_on UNUSEDSIGNAL */
  // AXI4 read master
  output      logic [AxiIdW-1:0]   m_axi_arid_o,
  output      logic [31:0]         m_axi_araddr_o,
  output      logic [7:0]          m_axi_arlen_o,
  output      logic [2:0]          m_axi_arsize_o,
  output      logic [1:0]          m_axi_arburst_o,
  output      logic                m_axi_arlock_o,
  output      logic [3:0]          m_axi_arcache_o,
  output      logic [2:0]          m_axi_arprot_o,
  output      logic                m_axi_arvalid_o,
  input  wire logic                m_axi_arready_i,
  /* verilator lint_off UNUSEDSIGNAL */ // single ID: responses need no routing
  input  wire logic [AxiIdW-1:0]   m_axi_rid_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire logic [AxiDataW-1:0] m_axi_rdata_i,
  input  wire logic [1:0]          m_axi_rresp_i,
  input  wire logic                m_axi_rlast_i,
  input  wire logic                m_axi_rvalid_i,
  output      logic                m_axi_rready_o,
  // performance: bytes written to the scratchpad this cycle; cycle waiting for R data
  output      logic [7:0]          perf_bytes_o,
  output      logic                perf_stall_o
);

  localparam int B      = AxiDataW / 8;
  localparam int LgB    = $clog2(B);
  localparam int LgN    = $clog2(N);
  localparam int BufW   = (N * 32 > AxiDataW) ? N * 32 : AxiDataW;
  localparam int MaxK   = BufW / AxiDataW;          // beats per element, at most
  localparam int KW     = $clog2(MaxK) + 1;
  localparam int OutW   = $clog2(MaxOutstanding + 1);

  typedef enum logic [2:0] {SIdle, SCheck, SCheck2, SCheck3, SRun, SDone} state_e;
  state_e state_q, state_d;

  // ---------------------------------------------------------------- command registers
  logic [1:0]  sp_q;
  logic [7:0]  pad_q;
  logic [31:0] dram_q, sram_q, ystr_q, zstr_q;
  logic [15:0] xs_q, ym1_q, zm1_q;        // x_size, y_size - 1, z_size - 1
  logic [16:0] bx_q, by_q, bz_q;          // box dims (size + padding)
  logic [16:0] xlo_q, ylo_q, zlo_q;       // first data index in the box (pad before)
  logic [16:0] xhi_q, yhi_q, zhi_q;       // one past the last data index
  logic [2:0]  lge_q;
  logic [6:0]  e_q;                       // element bytes
  logic [KW-1:0] km1_q;                   // beats per element - 1 (0 when E <= bus)

  logic [1:0]  sp_c;
  logic [2:0]  lge_c;
  logic [16:0] bx_c, by_c, bz_c;

  assign sp_c  = cmd_insn_i[dlp_pkg::FDmaSp +: 2];
  assign lge_c = (sp_c == dlp_pkg::SpAcc) ? 3'(LgN + 2) : 3'(LgN);
  assign bx_c  = 17'(cmd_insn_i[dlp_pkg::FDmaXSize +: 16]) + 17'(cmd_insn_i[dlp_pkg::FDmaXPadB +: 8])
               + 17'(cmd_insn_i[dlp_pkg::FDmaXPadA +: 8]);
  assign by_c  = 17'(cmd_insn_i[dlp_pkg::FDmaYSize +: 16]) + 17'(cmd_insn_i[dlp_pkg::FDmaYPadB +: 8])
               + 17'(cmd_insn_i[dlp_pkg::FDmaYPadA +: 8]);
  assign bz_c  = 17'(cmd_insn_i[dlp_pkg::FDmaZSize +: 16]) + 17'(cmd_insn_i[dlp_pkg::FDmaZPadB +: 8])
               + 17'(cmd_insn_i[dlp_pkg::FDmaZPadA +: 8]);

  logic cmd_fire;
  assign cmd_ready_o = (state_q == SIdle);
  assign cmd_fire    = cmd_valid_i && cmd_ready_o;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sp_q   <= '0;
      pad_q  <= '0;
      dram_q <= '0;
      sram_q <= '0;
      ystr_q <= '0;
      zstr_q <= '0;
      xs_q   <= '0;
      ym1_q  <= '0;
      zm1_q  <= '0;
      bx_q   <= '0;
      by_q   <= '0;
      bz_q   <= '0;
      xlo_q  <= '0;
      ylo_q  <= '0;
      zlo_q  <= '0;
      xhi_q  <= '0;
      yhi_q  <= '0;
      zhi_q  <= '0;
      lge_q  <= '0;
      e_q    <= '0;
      km1_q  <= '0;
    end else if (cmd_fire) begin
      sp_q   <= sp_c;
      pad_q  <= cmd_insn_i[dlp_pkg::FDmaPadValue +: 8];
      dram_q <= cmd_slot1_i;
      sram_q <= cmd_slot0_i;
      ystr_q <= cmd_insn_i[dlp_pkg::FDmaYStride +: 32];
      zstr_q <= cmd_insn_i[dlp_pkg::FDmaZStride +: 32];
      xs_q   <= cmd_insn_i[dlp_pkg::FDmaXSize +: 16];
      ym1_q  <= cmd_insn_i[dlp_pkg::FDmaYSize +: 16] - 16'd1;
      zm1_q  <= cmd_insn_i[dlp_pkg::FDmaZSize +: 16] - 16'd1;
      bx_q   <= bx_c;
      by_q   <= by_c;
      bz_q   <= bz_c;
      xlo_q  <= 17'(cmd_insn_i[dlp_pkg::FDmaXPadB +: 8]);
      ylo_q  <= 17'(cmd_insn_i[dlp_pkg::FDmaYPadB +: 8]);
      zlo_q  <= 17'(cmd_insn_i[dlp_pkg::FDmaZPadB +: 8]);
      xhi_q  <= 17'(cmd_insn_i[dlp_pkg::FDmaXPadB +: 8]) + 17'(cmd_insn_i[dlp_pkg::FDmaXSize +: 16]);
      yhi_q  <= 17'(cmd_insn_i[dlp_pkg::FDmaYPadB +: 8]) + 17'(cmd_insn_i[dlp_pkg::FDmaYSize +: 16]);
      zhi_q  <= 17'(cmd_insn_i[dlp_pkg::FDmaZPadB +: 8]) + 17'(cmd_insn_i[dlp_pkg::FDmaZSize +: 16]);
      lge_q  <= lge_c;
      e_q    <= 7'd1 << lge_c;
      km1_q  <= (32'(lge_c) > LgB) ? KW'((32'd1 << (32'(lge_c) - LgB)) - 32'd1) : '0;
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
    .box_x_i     (bx_q),
    .box_y_i     (by_q),
    .box_z_i     (bz_q),
    .y_stride_i  (ystr_q),
    .z_stride_i  (zstr_q),
    .lg_e_i      (lge_q),
    .rows_i      (rows),
    .win_base_i  (win_base_i),
    .win_limit_i (win_limit_i),
    .err_o       (chk_err),
    .err_code_o  (chk_code)
  );

  // ---------------------------------------------------------------- AR: burst generator
  logic            start;
  logic            gen_valid, gen_ready;
  logic [31:0]     gen_addr;
  logic [7:0]      gen_len;
  logic            err_q, err_d;
  logic            ar_hold_q;
  logic [OutW-1:0] out_q, out_d;
  logic            ar_fire, rlast_fire;

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

  assign m_axi_arid_o    = '0;
  assign m_axi_araddr_o  = gen_addr;
  assign m_axi_arlen_o   = gen_len;
  assign m_axi_arsize_o  = 3'(LgB);
  assign m_axi_arburst_o = 2'b01;    // INCR
  assign m_axi_arlock_o  = 1'b0;
  assign m_axi_arcache_o = 4'b0011;  // normal non-cacheable bufferable
  assign m_axi_arprot_o  = 3'b000;
  assign m_axi_arvalid_o = (state_q == SRun) && gen_valid &&
                           (ar_hold_q || (!err_q && out_q < OutW'(MaxOutstanding)));
  assign gen_ready       = m_axi_arvalid_o && m_axi_arready_i;
  assign ar_fire         = gen_ready;
  assign rlast_fire      = m_axi_rvalid_i && m_axi_rready_o && m_axi_rlast_i;

  always_comb begin
    out_d = out_q;
    if (ar_fire && !rlast_fire) out_d = out_q + 1'b1;
    if (rlast_fire && !ar_fire) out_d = out_q - 1'b1;
  end

  // ---------------------------------------------------------------- row walker
  // Low address bits (offsets inside a beat) and the first row, sliced once here.
  logic [LgB-1:0] ystr_lo, zstr_lo, dram_lo, e_lo;
  logic [16:0]    sram_row;
  assign ystr_lo  = ystr_q[LgB-1:0];
  assign zstr_lo  = zstr_q[LgB-1:0];
  assign dram_lo  = dram_q[LgB-1:0];
  assign e_lo     = e_q[LgB-1:0];
  assign sram_row = sram_q[16:0];

  logic [16:0]    xp_q, xp_d, yp_q, yp_d, zp_q, zp_d;
  logic [16:0]    row_q, row_d;
  logic [LgB-1:0] elem_lo_q, elem_lo_d, run_lo_q, run_lo_d, plane_lo_q, plane_lo_d;
  logic           walk_done_q, walk_done_d;
  logic           hold_q;
  logic           in_x_q, in_x_d, in_y_q, in_y_d, in_z_q, in_z_d;   // (xp, yp, zp) in data
  logic           in_x0, in_y0, in_z0, in_x_inc, in_y_inc, in_z_inc;
  logic [16:0]    bxm1_q, bym1_q, bzm1_q, xlast_q;
  logic           is_pad, last_x;
  logic           wr_req, gnt, fire, consume;
  logic [LgB-1:0] lo_sum;      // element's end offset in its beat (mod bus bytes)
  logic [BufW-1:0] buf_q, buf_d, elem;
  logic           full_q, full_d;
  logic [KW-1:0]  fill_q, fill_d, fill_pos;
  logic           r_fire;

  // Timing: "is (xp, yp, zp) a data position" is kept in registers (in_*_q, for the
  // position in xp_q/yp_q/zp_q during RUN), updated from the range checks of the next
  // index (in_*_inc) or of index 0 (in_*0); the box ends (b*m1_q) and the last data
  // column (xlast_q) are computed in the CHECK cycles.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bxm1_q  <= '0;
      bym1_q  <= '0;
      bzm1_q  <= '0;
      xlast_q <= '0;
    end else if (state_q == SCheck) begin
      bxm1_q  <= bx_q - 17'd1;
      bym1_q  <= by_q - 17'd1;
      bzm1_q  <= bz_q - 17'd1;
      xlast_q <= xhi_q - 17'd1;
    end
  end
  assign in_x0    = (xlo_q == '0) && (xhi_q != '0);
  assign in_y0    = (ylo_q == '0) && (yhi_q != '0);
  assign in_z0    = (zlo_q == '0) && (zhi_q != '0);
  assign in_x_inc = (xp_q + 17'd1 >= xlo_q) && (xp_q + 17'd1 < xhi_q);
  assign in_y_inc = (yp_q + 17'd1 >= ylo_q) && (yp_q + 17'd1 < yhi_q);
  assign in_z_inc = (zp_q + 17'd1 >= zlo_q) && (zp_q + 17'd1 < zhi_q);
  assign is_pad   = !(in_x_q && in_y_q && in_z_q);
  assign last_x   = (xp_q == xlast_q);

  assign wr_req = (state_q == SRun) && !walk_done_q &&
                  (hold_q || (!err_q && (is_pad || full_q)));
  always_comb begin
    case (sp_q)
      dlp_pkg::SpWgt:   gnt = wgt_gnt_i;
      dlp_pkg::SpAcc:   gnt = acc_gnt_i;
      default: gnt = act_gnt_i;
    endcase
  end
  assign fire    = wr_req && gnt;
  assign lo_sum  = elem_lo_q + e_lo;
  assign consume = fire && !is_pad && (last_x || lo_sum == '0);

  assign act_req_o  = wr_req && (sp_q == dlp_pkg::SpAct);
  assign wgt_req_o  = wr_req && (sp_q == dlp_pkg::SpWgt);
  assign acc_req_o  = wr_req && (sp_q == dlp_pkg::SpAcc);
  assign act_we_o   = 1'b1;
  assign wgt_we_o   = 1'b1;
  assign acc_we_o   = 1'b1;
  assign act_addr_o = row_q[ActAw-1:0];
  assign wgt_addr_o = row_q[WgtAw-1:0];
  assign acc_addr_o = row_q[AccAw-1:0];
  assign elem       = buf_q >> {elem_lo_q, 3'b000};
  assign act_wdata_o = is_pad ? {N{pad_q}} : elem[N*8-1:0];
  assign wgt_wdata_o = is_pad ? {N{pad_q}} : elem[N*8-1:0];
  assign acc_wdata_o = is_pad ? {N{{24{pad_q[7]}}, pad_q}} : elem[N*32-1:0];

  // Next run / plane offsets (outside the always_comb, which must not read its own
  // outputs: Icarus re-triggers on them).
  logic [LgB-1:0] run_lo_y, plane_lo_z;
  assign run_lo_y   = run_lo_q + ((in_z_q && in_y_q) ? ystr_lo : '0);
  assign plane_lo_z = plane_lo_q + (in_z_q ? zstr_lo : '0);

  always_comb begin
    xp_d        = xp_q;
    yp_d        = yp_q;
    zp_d        = zp_q;
    row_d       = row_q;
    elem_lo_d   = elem_lo_q;
    run_lo_d    = run_lo_q;
    plane_lo_d  = plane_lo_q;
    walk_done_d = walk_done_q;
    in_x_d      = in_x_q;
    in_y_d      = in_y_q;
    in_z_d      = in_z_q;
    if (start) begin
      xp_d        = '0;
      yp_d        = '0;
      zp_d        = '0;
      in_x_d      = in_x0;
      in_y_d      = in_y0;
      in_z_d      = in_z0;
      row_d       = sram_row;
      elem_lo_d   = dram_lo;
      run_lo_d    = dram_lo;
      plane_lo_d  = dram_lo;
      walk_done_d = 1'b0;
    end else if (fire) begin
      row_d = row_q + 17'd1;
      if (xp_q != bxm1_q) begin
        xp_d   = xp_q + 17'd1;
        in_x_d = in_x_inc;
        if (!is_pad) elem_lo_d = lo_sum;
      end else begin
        xp_d   = '0;
        in_x_d = in_x0;
        if (yp_q != bym1_q) begin
          yp_d   = yp_q + 17'd1;
          in_y_d = in_y_inc;
          run_lo_d  = run_lo_y;
          elem_lo_d = run_lo_y;
        end else begin
          yp_d   = '0;
          in_y_d = in_y0;
          plane_lo_d = plane_lo_z;
          run_lo_d   = plane_lo_z;
          elem_lo_d  = plane_lo_z;
          if (zp_q != bzm1_q) begin
            zp_d   = zp_q + 17'd1;
            in_z_d = in_z_inc;
          end else begin
            walk_done_d = 1'b1;
          end
        end
      end
    end
  end

  // ---------------------------------------------------------------- R: beat buffer
  assign m_axi_rready_o = (state_q == SRun) && (err_q || !full_q || consume);
  assign r_fire         = m_axi_rvalid_i && m_axi_rready_o;
  assign fill_pos       = consume ? '0 : fill_q;
  // The R beat placed at beat position fill_pos of the element buffer.
  logic [BufW-1:0] beat_mask, beat_in;
  assign beat_mask = BufW'({AxiDataW{1'b1}}) << (32'(fill_pos) * AxiDataW);
  assign beat_in   = BufW'(m_axi_rdata_i) << (32'(fill_pos) * AxiDataW);

  always_comb begin
    buf_d  = buf_q;
    full_d = full_q;
    fill_d = fill_q;
    err_d  = err_q;
    if (start) begin
      full_d = 1'b0;
      fill_d = '0;
      err_d  = 1'b0;
    end else begin
      if (consume) begin
        full_d = 1'b0;
        fill_d = '0;
      end
      if (r_fire) begin
        if (m_axi_rresp_i != 2'b00) begin
          err_d = 1'b1;
        end else if (!err_q) begin
          buf_d = (buf_q & ~beat_mask) | beat_in;
          fill_d = fill_pos + 1'b1;
          full_d = (fill_pos == km1_q);
        end
      end
    end
  end

  // ---------------------------------------------------------------- control
  logic        res_err_q, res_err_d;
  logic [3:0]  res_code_q, res_code_d;
  logic [31:0] res_addr_q, res_addr_d;

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
        if (!err_q && walk_done_q && !gen_valid && out_q == '0) begin
          state_d    = SDone;
          res_err_d  = 1'b0;
          res_code_d = dlp_pkg::ErrNone;
          res_addr_d = '0;
        end else if (err_q && !ar_hold_q && !hold_q && out_q == '0) begin
          state_d    = SDone;
          res_err_d  = 1'b1;
          res_code_d = dlp_pkg::ErrAxiRead;
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

  assign perf_bytes_o = (fire && !is_pad) ? 8'(e_q) : 8'd0;
  assign perf_stall_o = (state_q == SRun) && !walk_done_q && !err_q && !is_pad && !full_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= SIdle;
      res_err_q   <= 1'b0;
      res_code_q  <= '0;
      res_addr_q  <= '0;
      err_q       <= 1'b0;
      ar_hold_q   <= 1'b0;
      out_q       <= '0;
      xp_q        <= '0;
      yp_q        <= '0;
      zp_q        <= '0;
      in_x_q      <= 1'b0;
      in_y_q      <= 1'b0;
      in_z_q      <= 1'b0;
      row_q       <= '0;
      elem_lo_q   <= '0;
      run_lo_q    <= '0;
      plane_lo_q  <= '0;
      walk_done_q <= 1'b1;
      hold_q      <= 1'b0;
      buf_q       <= '0;
      full_q      <= 1'b0;
      fill_q      <= '0;
    end else begin
      state_q     <= state_d;
      res_err_q   <= res_err_d;
      res_code_q  <= res_code_d;
      res_addr_q  <= res_addr_d;
      err_q       <= err_d;
      ar_hold_q   <= m_axi_arvalid_o && !m_axi_arready_i;
      out_q       <= out_d;
      xp_q        <= xp_d;
      yp_q        <= yp_d;
      zp_q        <= zp_d;
      in_x_q      <= in_x_d;
      in_y_q      <= in_y_d;
      in_z_q      <= in_z_d;
      row_q       <= row_d;
      elem_lo_q   <= elem_lo_d;
      run_lo_q    <= run_lo_d;
      plane_lo_q  <= plane_lo_d;
      walk_done_q <= walk_done_d;
      hold_q      <= wr_req && !gnt;
      buf_q       <= buf_d;
      full_q      <= full_d;
      fill_q      <= fill_d;
    end
  end

endmodule
