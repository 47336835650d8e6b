// dlp_top - the DLP core: CSRs, control, DMA, matrix unit, vector unit, scratchpads.
//
//   s_axil_*  AXI4-Lite slave (32-bit) for the CSRs of docs/ARCHITECTURE.md section 7
//   m_axi_*   AXI4 master (data AxiDataW, address 32, ID 5): instruction fetch and LOAD on
//             the read channels (dlp_axi_rd_arb, ID bit 4 = 1 for LOAD), STORE on the write
//             channels
//   irq_o     level interrupt: IRQ_STATUS & enables
//
// Scratchpads (dlp_sram, dual-ported): ACT and WGT give port A to the two DMA engines
// (round-robin) and port B to the compute units; ACC gives port A to reads (matrix unit,
// vector unit, then the DMA) and port B to compute writes. Compute has priority, so a GEMM
// streams one row per cycle; arbitration only costs the DMA cycles, never changes results.
`default_nettype none

module dlp_top #(
  parameter int N          = 16,
  parameter int AxiDataW   = 128,
  parameter int ActBytes   = 131072,
  parameter int WgtBytes   = 131072,
  parameter int AccBytes   = 65536,
  parameter int QueueDepth = 8,
  parameter int TokenBits  = 8,
  // PE rows of the N x N array whose int8 x int8 multipliers are LUT logic instead of DSP
  // multipliers (0..N; see dlp_mxu / dlp_mxu_pe). For FPGAs with fewer DSPs than PEs,
  // e.g. ECP5-85F (156 MULT18X18D) at N = 16. Results are identical for every value.
  parameter int LutMulRows = 0,
  localparam int UnitIdW = 4,            // IDs of the DMA engines
  localparam int AxiIdW  = UnitIdW + 1,  // the read arbiter prepends the master index
  localparam int ActRows = ActBytes / N,
  localparam int WgtRows = WgtBytes / N,
  localparam int AccRows = AccBytes / (4 * N),
  localparam int ActAW   = $clog2(ActRows),
  localparam int WgtAW   = $clog2(WgtRows),
  localparam int AccAW   = $clog2(AccRows),
  localparam int RowW    = 8 * N,
  localparam int AccW    = 32 * N
) (
  input  wire logic                  clk_i,
  input  wire logic                  rst_ni,
  // AXI4-Lite slave: CSRs
  input  wire logic                  s_axil_awvalid_i,
  output      logic                  s_axil_awready_o,
  input  wire logic [11:0]           s_axil_awaddr_i,
  input  wire logic                  s_axil_wvalid_i,
  output      logic                  s_axil_wready_o,
  input  wire logic [31:0]           s_axil_wdata_i,
  input  wire logic [3:0]            s_axil_wstrb_i,
  output      logic                  s_axil_bvalid_o,
  input  wire logic                  s_axil_bready_i,
  output      logic [1:0]            s_axil_bresp_o,
  input  wire logic                  s_axil_arvalid_i,
  output      logic                  s_axil_arready_o,
  input  wire logic [11:0]           s_axil_araddr_i,
  output      logic                  s_axil_rvalid_o,
  input  wire logic                  s_axil_rready_i,
  output      logic [31:0]           s_axil_rdata_o,
  output      logic [1:0]            s_axil_rresp_o,
  // AXI4 master: read
  output      logic [AxiIdW-1:0]     m_axi_arid_o,
  output      logic [31:0]           m_axi_araddr_o,
  output      logic [7:0]            m_axi_arlen_o,
  output      logic [2:0]            m_axi_arsize_o,
  output      logic [1:0]            m_axi_arburst_o,
  output      logic                  m_axi_arlock_o,
  output      logic [3:0]            m_axi_arcache_o,
  output      logic [2:0]            m_axi_arprot_o,
  output      logic                  m_axi_arvalid_o,
  input  wire logic                  m_axi_arready_i,
  input  wire logic [AxiIdW-1:0]     m_axi_rid_i,
  input  wire logic [AxiDataW-1:0]   m_axi_rdata_i,
  input  wire logic [1:0]            m_axi_rresp_i,
  input  wire logic                  m_axi_rlast_i,
  input  wire logic                  m_axi_rvalid_i,
  output      logic                  m_axi_rready_o,
  // AXI4 master: write
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
  input  wire logic [AxiIdW-1:0]     m_axi_bid_i,
  input  wire logic [1:0]            m_axi_bresp_i,
  input  wire logic                  m_axi_bvalid_i,
  output      logic                  m_axi_bready_o,
  // interrupt
  output      logic                  irq_o
);

  // ------------------------------------------------------------------ CSRs <-> control
  logic        start, soft_reset, busy, done, error, done_evt, err_evt;
  logic [31:0] insn_base, insn_count, win_base, win_limit, err_index, err_addr;
  logic [3:0]  err_code;
  logic [4:0]  perf_sel;
  logic [63:0] perf_val;

  dlp_csr #(
    .N(N), .AxiDataW(AxiDataW), .QueueDepth(QueueDepth), .TokenBits(TokenBits),
    .ActRows(ActRows), .WgtRows(WgtRows), .AccRows(AccRows)
  ) u_csr (
    .clk_i, .rst_ni,
    .s_axil_awvalid_i, .s_axil_awready_o, .s_axil_awaddr_i,
    .s_axil_wvalid_i, .s_axil_wready_o, .s_axil_wdata_i, .s_axil_wstrb_i,
    .s_axil_bvalid_o, .s_axil_bready_i, .s_axil_bresp_o,
    .s_axil_arvalid_i, .s_axil_arready_o, .s_axil_araddr_i,
    .s_axil_rvalid_o, .s_axil_rready_i, .s_axil_rdata_o, .s_axil_rresp_o,
    .irq_o,
    .start_o(start), .soft_reset_o(soft_reset),
    .insn_base_o(insn_base), .insn_count_o(insn_count),
    .win_base_o(win_base), .win_limit_o(win_limit),
    .busy_i(busy), .done_i(done), .error_i(error), .done_evt_i(done_evt), .err_evt_i(err_evt),
    .err_code_i(err_code), .err_index_i(err_index), .err_addr_i(err_addr),
    .perf_sel_o(perf_sel), .perf_val_i(perf_val)
  );

  // ------------------------------------------------------------------ unit commands
  // One bundle per unit: valid/ready, instruction, three slots, done/err.
  logic         ld_valid, ld_ready, ld_done, ld_err;
  logic         mx_valid, mx_ready, mx_done, mx_err;
  logic         vp_valid, vp_ready, vp_done, vp_err;
  logic         st_valid, st_ready, st_done, st_err;
  logic [255:0] ld_insn, mx_insn, vp_insn, st_insn;
  logic [31:0]  ld_s0, ld_s1, ld_s2, mx_s0, mx_s1, mx_s2, vp_s0, vp_s1, vp_s2, st_s0, st_s1, st_s2;
  logic [3:0]   ld_ecode, mx_ecode, vp_ecode, st_ecode;
  logic [31:0]  ld_eaddr, mx_eaddr, vp_eaddr, st_eaddr;

  // performance events
  logic       mx_row, mx_stall_wgt, vp_rows, ld_stall, st_stall;
  logic [7:0] ld_bytes, st_bytes;
  logic       unused_mx_busy, unused_vp_busy;

  // fetch read port (AR/R subset) of the control block
  logic                fe_arvalid, fe_arready, fe_rvalid, fe_rready, fe_rlast;
  logic [31:0]         fe_araddr;
  logic [7:0]          fe_arlen;
  logic [2:0]          fe_arsize;
  logic [1:0]          fe_arburst, fe_rresp;
  logic [AxiDataW-1:0] fe_rdata;

  dlp_ctrl #(
    .N(N), .AxiDataW(AxiDataW), .QueueDepth(QueueDepth), .TokenBits(TokenBits)
  ) u_ctrl (
    .clk_i, .rst_ni,
    .start_i(start), .soft_reset_i(soft_reset),
    .insn_base_i(insn_base), .insn_count_i(insn_count),
    .win_base_i(win_base), .win_limit_i(win_limit),
    .busy_o(busy), .done_o(done), .error_o(error), .done_evt_o(done_evt), .err_evt_o(err_evt),
    .err_code_o(err_code), .err_index_o(err_index), .err_addr_o(err_addr),
    .perf_sel_i(perf_sel), .perf_val_o(perf_val),
    .m_axi_arvalid_o(fe_arvalid), .m_axi_arready_i(fe_arready), .m_axi_araddr_o(fe_araddr),
    .m_axi_arlen_o(fe_arlen), .m_axi_arsize_o(fe_arsize), .m_axi_arburst_o(fe_arburst),
    .m_axi_rvalid_i(fe_rvalid), .m_axi_rready_o(fe_rready), .m_axi_rdata_i(fe_rdata),
    .m_axi_rresp_i(fe_rresp), .m_axi_rlast_i(fe_rlast),
    .ld_cmd_valid_o(ld_valid), .ld_cmd_ready_i(ld_ready), .ld_cmd_insn_o(ld_insn),
    .ld_cmd_slot0_o(ld_s0), .ld_cmd_slot1_o(ld_s1), .ld_cmd_slot2_o(ld_s2),
    .ld_done_i(ld_done), .ld_err_i(ld_err), .ld_err_code_i(ld_ecode), .ld_err_addr_i(ld_eaddr),
    .mxu_cmd_valid_o(mx_valid), .mxu_cmd_ready_i(mx_ready), .mxu_cmd_insn_o(mx_insn),
    .mxu_cmd_slot0_o(mx_s0), .mxu_cmd_slot1_o(mx_s1), .mxu_cmd_slot2_o(mx_s2),
    .mxu_done_i(mx_done), .mxu_err_i(mx_err), .mxu_err_code_i(mx_ecode),
    .mxu_err_addr_i(mx_eaddr),
    .vpu_cmd_valid_o(vp_valid), .vpu_cmd_ready_i(vp_ready), .vpu_cmd_insn_o(vp_insn),
    .vpu_cmd_slot0_o(vp_s0), .vpu_cmd_slot1_o(vp_s1), .vpu_cmd_slot2_o(vp_s2),
    .vpu_done_i(vp_done), .vpu_err_i(vp_err), .vpu_err_code_i(vp_ecode),
    .vpu_err_addr_i(vp_eaddr),
    .st_cmd_valid_o(st_valid), .st_cmd_ready_i(st_ready), .st_cmd_insn_o(st_insn),
    .st_cmd_slot0_o(st_s0), .st_cmd_slot1_o(st_s1), .st_cmd_slot2_o(st_s2),
    .st_done_i(st_done), .st_err_i(st_err), .st_err_code_i(st_ecode), .st_err_addr_i(st_eaddr),
    .ev_mxu_row_i(mx_row), .ev_rd_bytes_i({8'd0, ld_bytes}), .ev_wr_bytes_i({8'd0, st_bytes}),
    .ev_vec_rows_i({3'd0, vp_rows}), .ev_stall_rd_i(ld_stall), .ev_stall_wr_i(st_stall),
    .ev_stall_wgt_i(mx_stall_wgt)
  );

  // ------------------------------------------------------------------ scratchpad ports
  // Client order per SRAM port (index 0 = highest priority where fixed):
  //   ACT A (RR): ld, st            ACT B: mxu, vpu
  //   WGT A (RR): ld, st            WGT B: mxu
  //   ACC A:      mxu rd, vpu rd, ld, st     ACC B: mxu wr, vpu wr
  // split_var: each client's grant depends on the other clients' requests only; without it
  // the linter sees the whole vector as one combinational loop (UNOPTFLAT).
  logic [1:0]        acta_req, acta_we, actb_req, actb_we;
  logic [1:0]        acta_gnt /*verilator split_var*/, actb_gnt /*verilator split_var*/;
  logic [2*ActAW-1:0] acta_addr, actb_addr;
  logic [2*RowW-1:0] acta_wdata, actb_wdata;
  logic [1:0]        wgta_req, wgta_we, wgta_gnt;
  logic [2*WgtAW-1:0] wgta_addr;
  logic [2*RowW-1:0] wgta_wdata;
  logic              wgtb_req, wgtb_we, wgtb_gnt;
  logic [WgtAW-1:0]  wgtb_addr;
  logic [RowW-1:0]   wgtb_wdata;
  logic [3:0]        acca_req, acca_we;
  logic [3:0]        acca_gnt /*verilator split_var*/;
  logic [4*AccAW-1:0] acca_addr;
  logic [4*AccW-1:0] acca_wdata;
  logic [1:0]        accb_req, accb_we, accb_gnt;
  logic [2*AccAW-1:0] accb_addr;
  logic [2*AccW-1:0] accb_wdata;
  logic [RowW-1:0]   acta_rdata, actb_rdata, wgta_rdata, wgtb_rdata;
  logic [AccW-1:0]   acca_rdata, unused_accb_rdata;

  // vector unit ACC ports are read-only / write-only
  logic [AccAW-1:0] vp_accr_addr, vp_accw_addr;
  logic             vp_accr_req, vp_accw_req;
  logic [AccW-1:0]  vp_accw_wdata;

  // ------------------------------------------------------------------ DMA
  logic [UnitIdW-1:0]  ld_arid, st_awid;
  logic [31:0]         ld_araddr;
  logic [7:0]          ld_arlen;
  logic [2:0]          ld_arsize, ld_arprot;
  logic [1:0]          ld_arburst, ld_rresp;
  logic                ld_arlock, ld_arvalid, ld_arready, ld_rlast, ld_rvalid, ld_rready;
  logic [3:0]          ld_arcache;
  logic [UnitIdW-1:0]  ld_rid;
  logic [AxiDataW-1:0] ld_rdata;

  dlp_dma_load #(
    .N(N), .AxiDataW(AxiDataW), .ActRows(ActRows), .WgtRows(WgtRows), .AccRows(AccRows),
    .AxiIdW(UnitIdW)
  ) u_load (
    .clk_i, .rst_ni, .win_base_i(win_base), .win_limit_i(win_limit),
    .cmd_valid_i(ld_valid), .cmd_ready_o(ld_ready), .cmd_insn_i(ld_insn),
    .cmd_slot0_i(ld_s0), .cmd_slot1_i(ld_s1), .cmd_slot2_i(ld_s2),
    .done_o(ld_done), .err_o(ld_err), .err_code_o(ld_ecode), .err_addr_o(ld_eaddr),
    .act_req_o(acta_req[0]), .act_we_o(acta_we[0]), .act_addr_o(acta_addr[0 +: ActAW]),
    .act_wdata_o(acta_wdata[0 +: RowW]), .act_gnt_i(acta_gnt[0]), .act_rdata_i(acta_rdata),
    .wgt_req_o(wgta_req[0]), .wgt_we_o(wgta_we[0]), .wgt_addr_o(wgta_addr[0 +: WgtAW]),
    .wgt_wdata_o(wgta_wdata[0 +: RowW]), .wgt_gnt_i(wgta_gnt[0]), .wgt_rdata_i(wgta_rdata),
    .acc_req_o(acca_req[2]), .acc_we_o(acca_we[2]), .acc_addr_o(acca_addr[2*AccAW +: AccAW]),
    .acc_wdata_o(acca_wdata[2*AccW +: AccW]), .acc_gnt_i(acca_gnt[2]), .acc_rdata_i(acca_rdata),
    .m_axi_arid_o(ld_arid), .m_axi_araddr_o(ld_araddr), .m_axi_arlen_o(ld_arlen),
    .m_axi_arsize_o(ld_arsize), .m_axi_arburst_o(ld_arburst), .m_axi_arlock_o(ld_arlock),
    .m_axi_arcache_o(ld_arcache), .m_axi_arprot_o(ld_arprot), .m_axi_arvalid_o(ld_arvalid),
    .m_axi_arready_i(ld_arready), .m_axi_rid_i(ld_rid), .m_axi_rdata_i(ld_rdata),
    .m_axi_rresp_i(ld_rresp), .m_axi_rlast_i(ld_rlast), .m_axi_rvalid_i(ld_rvalid),
    .m_axi_rready_o(ld_rready),
    .perf_bytes_o(ld_bytes), .perf_stall_o(ld_stall)
  );

  logic [UnitIdW-1:0] unused_fe_rid;
  dlp_axi_rd_arb #(.AxiIdW(UnitIdW), .AxiDataW(AxiDataW)) u_rd_arb (
    .clk_i, .rst_ni,
    // s0: instruction fetch (ID 0, no lock/cache/prot)
    .s0_axi_arid_i({UnitIdW{1'b0}}), .s0_axi_araddr_i(fe_araddr), .s0_axi_arlen_i(fe_arlen),
    .s0_axi_arsize_i(fe_arsize), .s0_axi_arburst_i(fe_arburst), .s0_axi_arlock_i(1'b0),
    .s0_axi_arcache_i(4'b0011), .s0_axi_arprot_i(3'b000), .s0_axi_arvalid_i(fe_arvalid),
    .s0_axi_arready_o(fe_arready), .s0_axi_rid_o(unused_fe_rid), .s0_axi_rdata_o(fe_rdata),
    .s0_axi_rresp_o(fe_rresp), .s0_axi_rlast_o(fe_rlast), .s0_axi_rvalid_o(fe_rvalid),
    .s0_axi_rready_i(fe_rready),
    // s1: LOAD
    .s1_axi_arid_i(ld_arid), .s1_axi_araddr_i(ld_araddr), .s1_axi_arlen_i(ld_arlen),
    .s1_axi_arsize_i(ld_arsize), .s1_axi_arburst_i(ld_arburst), .s1_axi_arlock_i(ld_arlock),
    .s1_axi_arcache_i(ld_arcache), .s1_axi_arprot_i(ld_arprot), .s1_axi_arvalid_i(ld_arvalid),
    .s1_axi_arready_o(ld_arready), .s1_axi_rid_o(ld_rid), .s1_axi_rdata_o(ld_rdata),
    .s1_axi_rresp_o(ld_rresp), .s1_axi_rlast_o(ld_rlast), .s1_axi_rvalid_o(ld_rvalid),
    .s1_axi_rready_i(ld_rready),
    .m_axi_arid_o, .m_axi_araddr_o, .m_axi_arlen_o, .m_axi_arsize_o, .m_axi_arburst_o,
    .m_axi_arlock_o, .m_axi_arcache_o, .m_axi_arprot_o, .m_axi_arvalid_o, .m_axi_arready_i,
    .m_axi_rid_i, .m_axi_rdata_i, .m_axi_rresp_i, .m_axi_rlast_i, .m_axi_rvalid_i,
    .m_axi_rready_o
  );

  logic [UnitIdW-1:0] st_bid;
  logic               unused_bid_top;
  assign st_bid         = m_axi_bid_i[UnitIdW-1:0];
  assign unused_bid_top = m_axi_bid_i[AxiIdW-1];
  assign m_axi_awid_o   = {1'b0, st_awid};

  dlp_dma_store #(
    .N(N), .AxiDataW(AxiDataW), .ActRows(ActRows), .WgtRows(WgtRows), .AccRows(AccRows),
    .AxiIdW(UnitIdW)
  ) u_store (
    .clk_i, .rst_ni, .win_base_i(win_base), .win_limit_i(win_limit),
    .cmd_valid_i(st_valid), .cmd_ready_o(st_ready), .cmd_insn_i(st_insn),
    .cmd_slot0_i(st_s0), .cmd_slot1_i(st_s1), .cmd_slot2_i(st_s2),
    .done_o(st_done), .err_o(st_err), .err_code_o(st_ecode), .err_addr_o(st_eaddr),
    .act_req_o(acta_req[1]), .act_we_o(acta_we[1]), .act_addr_o(acta_addr[ActAW +: ActAW]),
    .act_wdata_o(acta_wdata[RowW +: RowW]), .act_gnt_i(acta_gnt[1]), .act_rdata_i(acta_rdata),
    .wgt_req_o(wgta_req[1]), .wgt_we_o(wgta_we[1]), .wgt_addr_o(wgta_addr[WgtAW +: WgtAW]),
    .wgt_wdata_o(wgta_wdata[RowW +: RowW]), .wgt_gnt_i(wgta_gnt[1]), .wgt_rdata_i(wgta_rdata),
    .acc_req_o(acca_req[3]), .acc_we_o(acca_we[3]), .acc_addr_o(acca_addr[3*AccAW +: AccAW]),
    .acc_wdata_o(acca_wdata[3*AccW +: AccW]), .acc_gnt_i(acca_gnt[3]), .acc_rdata_i(acca_rdata),
    .m_axi_awid_o(st_awid), .m_axi_awaddr_o, .m_axi_awlen_o, .m_axi_awsize_o,
    .m_axi_awburst_o, .m_axi_awlock_o, .m_axi_awcache_o, .m_axi_awprot_o, .m_axi_awvalid_o,
    .m_axi_awready_i, .m_axi_wdata_o, .m_axi_wstrb_o, .m_axi_wlast_o, .m_axi_wvalid_o,
    .m_axi_wready_i, .m_axi_bid_i(st_bid), .m_axi_bresp_i, .m_axi_bvalid_i, .m_axi_bready_o,
    .perf_bytes_o(st_bytes), .perf_stall_o(st_stall)
  );

  // ------------------------------------------------------------------ compute units
  dlp_mxu #(
    .N(N), .ActRows(ActRows), .WgtRows(WgtRows), .AccRows(AccRows), .LutMulRows(LutMulRows)
  ) u_mxu (
    .clk_i, .rst_ni,
    .cmd_valid_i(mx_valid), .cmd_ready_o(mx_ready), .cmd_insn_i(mx_insn),
    .cmd_slot0_i(mx_s0), .cmd_slot1_i(mx_s1), .cmd_slot2_i(mx_s2),
    .done_o(mx_done), .err_o(mx_err), .err_code_o(mx_ecode), .err_addr_o(mx_eaddr),
    .act_req_o(actb_req[0]), .act_we_o(actb_we[0]), .act_addr_o(actb_addr[0 +: ActAW]),
    .act_wdata_o(actb_wdata[0 +: RowW]), .act_gnt_i(actb_gnt[0]), .act_rdata_i(actb_rdata),
    .wgt_req_o(wgtb_req), .wgt_we_o(wgtb_we), .wgt_addr_o(wgtb_addr),
    .wgt_wdata_o(wgtb_wdata), .wgt_gnt_i(wgtb_gnt), .wgt_rdata_i(wgtb_rdata),
    .acc_rd_req_o(acca_req[0]), .acc_rd_we_o(acca_we[0]), .acc_rd_addr_o(acca_addr[0 +: AccAW]),
    .acc_rd_wdata_o(acca_wdata[0 +: AccW]), .acc_rd_gnt_i(acca_gnt[0]),
    .acc_rd_rdata_i(acca_rdata),
    .acc_wr_req_o(accb_req[0]), .acc_wr_we_o(accb_we[0]), .acc_wr_addr_o(accb_addr[0 +: AccAW]),
    .acc_wr_wdata_o(accb_wdata[0 +: AccW]), .acc_wr_gnt_i(accb_gnt[0]),
    .perf_row_o(mx_row), .busy_o(unused_mx_busy), .stall_wgt_o(mx_stall_wgt)
  );

  dlp_vpu #(.N(N), .ActRows(ActRows), .AccRows(AccRows)) u_vpu (
    .clk_i, .rst_ni,
    .cmd_valid_i(vp_valid), .cmd_ready_o(vp_ready), .cmd_insn_i(vp_insn),
    .cmd_slot0_i(vp_s0), .cmd_slot1_i(vp_s1), .cmd_slot2_i(vp_s2),
    .done_o(vp_done), .err_o(vp_err), .err_code_o(vp_ecode), .err_addr_o(vp_eaddr),
    .act_req_o(actb_req[1]), .act_we_o(actb_we[1]), .act_addr_o(actb_addr[ActAW +: ActAW]),
    .act_wdata_o(actb_wdata[RowW +: RowW]), .act_gnt_i(actb_gnt[1]), .act_rdata_i(actb_rdata),
    .acc_rd_req_o(vp_accr_req), .acc_rd_addr_o(vp_accr_addr), .acc_rd_gnt_i(acca_gnt[1]),
    .acc_rd_rdata_i(acca_rdata),
    .acc_wr_req_o(vp_accw_req), .acc_wr_addr_o(vp_accw_addr), .acc_wr_wdata_o(vp_accw_wdata),
    .acc_wr_gnt_i(accb_gnt[1]),
    .perf_rows_o(vp_rows), .busy_o(unused_vp_busy)
  );

  assign acca_req[1]                 = vp_accr_req;
  assign acca_we[1]                  = 1'b0;
  assign acca_addr[AccAW +: AccAW]   = vp_accr_addr;
  assign acca_wdata[AccW +: AccW]    = '0;
  assign accb_req[1]                 = vp_accw_req;
  assign accb_we[1]                  = 1'b1;
  assign accb_addr[AccAW +: AccAW]   = vp_accw_addr;
  assign accb_wdata[AccW +: AccW]    = vp_accw_wdata;

  // ------------------------------------------------------------------ SRAMs and arbiters
  logic            acta_en, acta_we1;
  logic [ActAW-1:0] acta_addr1;
  logic [RowW-1:0]  acta_wdata1;
  dlp_sp_arb #(.Clients(2), .AddrW(ActAW), .Width(RowW), .RoundRobin(1'b1)) u_arb_acta (
    .clk_i, .rst_ni, .req_i(acta_req), .we_i(acta_we), .addr_i(acta_addr), .wdata_i(acta_wdata),
    .gnt_o(acta_gnt), .en_o(acta_en), .we_o(acta_we1), .addr_o(acta_addr1), .wdata_o(acta_wdata1)
  );

  logic            actb_en, actb_we1;
  logic [ActAW-1:0] actb_addr1;
  logic [RowW-1:0]  actb_wdata1;
  dlp_sp_arb #(.Clients(2), .AddrW(ActAW), .Width(RowW), .RoundRobin(1'b0)) u_arb_actb (
    .clk_i, .rst_ni, .req_i(actb_req), .we_i(actb_we), .addr_i(actb_addr), .wdata_i(actb_wdata),
    .gnt_o(actb_gnt), .en_o(actb_en), .we_o(actb_we1), .addr_o(actb_addr1), .wdata_o(actb_wdata1)
  );

  logic            wgta_en, wgta_we1;
  logic [WgtAW-1:0] wgta_addr1;
  logic [RowW-1:0]  wgta_wdata1;
  dlp_sp_arb #(.Clients(2), .AddrW(WgtAW), .Width(RowW), .RoundRobin(1'b1)) u_arb_wgta (
    .clk_i, .rst_ni, .req_i(wgta_req), .we_i(wgta_we), .addr_i(wgta_addr), .wdata_i(wgta_wdata),
    .gnt_o(wgta_gnt), .en_o(wgta_en), .we_o(wgta_we1), .addr_o(wgta_addr1), .wdata_o(wgta_wdata1)
  );

  logic            wgtb_en, wgtb_we1;
  logic [WgtAW-1:0] wgtb_addr1;
  logic [RowW-1:0]  wgtb_wdata1;
  dlp_sp_arb #(.Clients(1), .AddrW(WgtAW), .Width(RowW), .RoundRobin(1'b0)) u_arb_wgtb (
    .clk_i, .rst_ni, .req_i(wgtb_req), .we_i(wgtb_we), .addr_i(wgtb_addr), .wdata_i(wgtb_wdata),
    .gnt_o(wgtb_gnt), .en_o(wgtb_en), .we_o(wgtb_we1), .addr_o(wgtb_addr1), .wdata_o(wgtb_wdata1)
  );

  logic            acca_en, acca_we1;
  logic [AccAW-1:0] acca_addr1;
  logic [AccW-1:0]  acca_wdata1;
  dlp_sp_arb #(.Clients(4), .AddrW(AccAW), .Width(AccW), .RoundRobin(1'b0)) u_arb_acca (
    .clk_i, .rst_ni, .req_i(acca_req), .we_i(acca_we), .addr_i(acca_addr), .wdata_i(acca_wdata),
    .gnt_o(acca_gnt), .en_o(acca_en), .we_o(acca_we1), .addr_o(acca_addr1), .wdata_o(acca_wdata1)
  );

  logic            accb_en, accb_we1;
  logic [AccAW-1:0] accb_addr1;
  logic [AccW-1:0]  accb_wdata1;
  dlp_sp_arb #(.Clients(2), .AddrW(AccAW), .Width(AccW), .RoundRobin(1'b0)) u_arb_accb (
    .clk_i, .rst_ni, .req_i(accb_req), .we_i(accb_we), .addr_i(accb_addr), .wdata_i(accb_wdata),
    .gnt_o(accb_gnt), .en_o(accb_en), .we_o(accb_we1), .addr_o(accb_addr1), .wdata_o(accb_wdata1)
  );

  dlp_sram #(.Width(RowW), .Depth(ActRows)) u_act (
    .clk_i,
    .a_en_i(acta_en), .a_we_i(acta_we1), .a_addr_i(acta_addr1), .a_wdata_i(acta_wdata1),
    .a_rdata_o(acta_rdata),
    .b_en_i(actb_en), .b_we_i(actb_we1), .b_addr_i(actb_addr1), .b_wdata_i(actb_wdata1),
    .b_rdata_o(actb_rdata)
  );

  dlp_sram #(.Width(RowW), .Depth(WgtRows)) u_wgt (
    .clk_i,
    .a_en_i(wgta_en), .a_we_i(wgta_we1), .a_addr_i(wgta_addr1), .a_wdata_i(wgta_wdata1),
    .a_rdata_o(wgta_rdata),
    .b_en_i(wgtb_en), .b_we_i(wgtb_we1), .b_addr_i(wgtb_addr1), .b_wdata_i(wgtb_wdata1),
    .b_rdata_o(wgtb_rdata)
  );

  dlp_sram #(.Width(AccW), .Depth(AccRows)) u_acc (
    .clk_i,
    .a_en_i(acca_en), .a_we_i(acca_we1), .a_addr_i(acca_addr1), .a_wdata_i(acca_wdata1),
    .a_rdata_o(acca_rdata),
    .b_en_i(accb_en), .b_we_i(accb_we1), .b_addr_i(accb_addr1), .b_wdata_i(accb_wdata1),
    .b_rdata_o(unused_accb_rdata)
  );

endmodule
