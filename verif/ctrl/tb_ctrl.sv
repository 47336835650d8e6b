// tb_ctrl - verification top: dlp_csr + dlp_ctrl wired as the top level will wire them.
// The C++ harness (tb_ctrl.cpp) drives the AXI4-Lite slave, serves the AXI4 read master
// and models the four execution units.
`default_nettype none

module tb_ctrl #(
  parameter int N          = 16,
  parameter int AxiDataW   = 128,
  parameter int QueueDepth = 8,
  parameter int TokenBits  = 8
) (
  input  wire logic                clk_i,
  input  wire logic                rst_ni,
  input  wire logic                s_axil_awvalid_i,
  output      logic                s_axil_awready_o,
  input  wire logic [11:0]         s_axil_awaddr_i,
  input  wire logic                s_axil_wvalid_i,
  output      logic                s_axil_wready_o,
  input  wire logic [31:0]         s_axil_wdata_i,
  input  wire logic [3:0]          s_axil_wstrb_i,
  output      logic                s_axil_bvalid_o,
  input  wire logic                s_axil_bready_i,
  output      logic [1:0]          s_axil_bresp_o,
  input  wire logic                s_axil_arvalid_i,
  output      logic                s_axil_arready_o,
  input  wire logic [11:0]         s_axil_araddr_i,
  output      logic                s_axil_rvalid_o,
  input  wire logic                s_axil_rready_i,
  output      logic [31:0]         s_axil_rdata_o,
  output      logic [1:0]          s_axil_rresp_o,
  output      logic                irq_o,
  output      logic                busy_o,
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
  input  wire logic                m_axi_rlast_i,
  // units 0 LD, 1 MXU, 2 VPU, 3 ST (flattened for the harness)
  output      logic [3:0]          cmd_valid_o,
  input  wire logic [3:0]          cmd_ready_i,
  output      logic [255:0]        cmd_insn_o [4],
  output      logic [31:0]         cmd_slot0_o [4],
  output      logic [31:0]         cmd_slot1_o [4],
  output      logic [31:0]         cmd_slot2_o [4],
  input  wire logic [3:0]          done_i,
  input  wire logic [3:0]          err_i,
  input  wire logic [15:0]         err_code_i,
  input  wire logic [127:0]        err_addr_i,
  input  wire logic                ev_mxu_row_i,
  input  wire logic [15:0]         ev_rd_bytes_i,
  input  wire logic [15:0]         ev_wr_bytes_i,
  input  wire logic [3:0]          ev_vec_rows_i,
  input  wire logic                ev_stall_rd_i,
  input  wire logic                ev_stall_wr_i,
  input  wire logic                ev_stall_wgt_i
);

  logic        start, soft_reset, busy, done, error, done_evt, err_evt;
  logic [31:0] insn_base, insn_count, win_base, win_limit, err_index, err_addr;
  logic [3:0]  err_code;
  logic [4:0]  perf_sel;
  logic [63:0] perf_val;

  assign busy_o = busy;

  dlp_csr #(
    .N(N), .AxiDataW(AxiDataW), .QueueDepth(QueueDepth), .TokenBits(TokenBits),
    .ActRows(131072 / N), .WgtRows(131072 / N), .AccRows(65536 / (4 * N))
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

  dlp_ctrl #(.N(N), .AxiDataW(AxiDataW), .QueueDepth(QueueDepth), .TokenBits(TokenBits)) u_ctrl (
    .clk_i, .rst_ni,
    .start_i(start), .soft_reset_i(soft_reset),
    .insn_base_i(insn_base), .insn_count_i(insn_count),
    .win_base_i(win_base), .win_limit_i(win_limit),
    .busy_o(busy), .done_o(done), .error_o(error), .done_evt_o(done_evt), .err_evt_o(err_evt),
    .err_code_o(err_code), .err_index_o(err_index), .err_addr_o(err_addr),
    .perf_sel_i(perf_sel), .perf_val_o(perf_val),
    .m_axi_arvalid_o, .m_axi_arready_i, .m_axi_araddr_o, .m_axi_arlen_o, .m_axi_arsize_o,
    .m_axi_arburst_o, .m_axi_rvalid_i, .m_axi_rready_o, .m_axi_rdata_i, .m_axi_rresp_i,
    .m_axi_rlast_i,
    .ld_cmd_valid_o(cmd_valid_o[0]), .ld_cmd_ready_i(cmd_ready_i[0]),
    .ld_cmd_insn_o(cmd_insn_o[0]), .ld_cmd_slot0_o(cmd_slot0_o[0]),
    .ld_cmd_slot1_o(cmd_slot1_o[0]), .ld_cmd_slot2_o(cmd_slot2_o[0]),
    .ld_done_i(done_i[0]), .ld_err_i(err_i[0]), .ld_err_code_i(err_code_i[3:0]),
    .ld_err_addr_i(err_addr_i[31:0]),
    .mxu_cmd_valid_o(cmd_valid_o[1]), .mxu_cmd_ready_i(cmd_ready_i[1]),
    .mxu_cmd_insn_o(cmd_insn_o[1]), .mxu_cmd_slot0_o(cmd_slot0_o[1]),
    .mxu_cmd_slot1_o(cmd_slot1_o[1]), .mxu_cmd_slot2_o(cmd_slot2_o[1]),
    .mxu_done_i(done_i[1]), .mxu_err_i(err_i[1]), .mxu_err_code_i(err_code_i[7:4]),
    .mxu_err_addr_i(err_addr_i[63:32]),
    .vpu_cmd_valid_o(cmd_valid_o[2]), .vpu_cmd_ready_i(cmd_ready_i[2]),
    .vpu_cmd_insn_o(cmd_insn_o[2]), .vpu_cmd_slot0_o(cmd_slot0_o[2]),
    .vpu_cmd_slot1_o(cmd_slot1_o[2]), .vpu_cmd_slot2_o(cmd_slot2_o[2]),
    .vpu_done_i(done_i[2]), .vpu_err_i(err_i[2]), .vpu_err_code_i(err_code_i[11:8]),
    .vpu_err_addr_i(err_addr_i[95:64]),
    .st_cmd_valid_o(cmd_valid_o[3]), .st_cmd_ready_i(cmd_ready_i[3]),
    .st_cmd_insn_o(cmd_insn_o[3]), .st_cmd_slot0_o(cmd_slot0_o[3]),
    .st_cmd_slot1_o(cmd_slot1_o[3]), .st_cmd_slot2_o(cmd_slot2_o[3]),
    .st_done_i(done_i[3]), .st_err_i(err_i[3]), .st_err_code_i(err_code_i[15:12]),
    .st_err_addr_i(err_addr_i[127:96]),
    .ev_mxu_row_i, .ev_rd_bytes_i, .ev_wr_bytes_i, .ev_vec_rows_i,
    .ev_stall_rd_i, .ev_stall_wr_i, .ev_stall_wgt_i
  );

endmodule
