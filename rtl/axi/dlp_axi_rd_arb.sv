// dlp_axi_rd_arb - two AXI4 read masters onto one AXI4 read port.
//
// Instruction fetch (s0) and the load DMA (s1) share the read channel. AR: round-robin
// between the masters with a valid request; once an AR is presented downstream the
// choice is locked until ARREADY, so the downstream ARVALID/payload follow the AXI rule
// (held stable until accepted). The master index is prepended to the ID
// (m_axi_arid = {index, s_arid}); R beats are routed back by that bit with the original
// ID, so each master sees its own responses in its own order; bursts of different
// masters may interleave on R (different IDs), which AXI allows.
// No storage, no added latency: AR and R are combinational through the arbiter
// (s*_arready depends on m_axi_arready_i, m_axi_rready_o on the addressed s*_rready).
`default_nettype none

module dlp_axi_rd_arb #(
  parameter int AxiIdW = 4,
  parameter int AxiDataW = 128,
  localparam int MIdW = AxiIdW + 1
) (
  input  wire logic                clk_i,
  input  wire logic                rst_ni,
  // slave port 0 (fetch)
  input  wire logic [AxiIdW-1:0]   s0_axi_arid_i,
  input  wire logic [31:0]         s0_axi_araddr_i,
  input  wire logic [7:0]          s0_axi_arlen_i,
  input  wire logic [2:0]          s0_axi_arsize_i,
  input  wire logic [1:0]          s0_axi_arburst_i,
  input  wire logic                s0_axi_arlock_i,
  input  wire logic [3:0]          s0_axi_arcache_i,
  input  wire logic [2:0]          s0_axi_arprot_i,
  input  wire logic                s0_axi_arvalid_i,
  output      logic                s0_axi_arready_o,
  output      logic [AxiIdW-1:0]   s0_axi_rid_o,
  output      logic [AxiDataW-1:0] s0_axi_rdata_o,
  output      logic [1:0]          s0_axi_rresp_o,
  output      logic                s0_axi_rlast_o,
  output      logic                s0_axi_rvalid_o,
  input  wire logic                s0_axi_rready_i,
  // slave port 1 (load DMA)
  input  wire logic [AxiIdW-1:0]   s1_axi_arid_i,
  input  wire logic [31:0]         s1_axi_araddr_i,
  input  wire logic [7:0]          s1_axi_arlen_i,
  input  wire logic [2:0]          s1_axi_arsize_i,
  input  wire logic [1:0]          s1_axi_arburst_i,
  input  wire logic                s1_axi_arlock_i,
  input  wire logic [3:0]          s1_axi_arcache_i,
  input  wire logic [2:0]          s1_axi_arprot_i,
  input  wire logic                s1_axi_arvalid_i,
  output      logic                s1_axi_arready_o,
  output      logic [AxiIdW-1:0]   s1_axi_rid_o,
  output      logic [AxiDataW-1:0] s1_axi_rdata_o,
  output      logic [1:0]          s1_axi_rresp_o,
  output      logic                s1_axi_rlast_o,
  output      logic                s1_axi_rvalid_o,
  input  wire logic                s1_axi_rready_i,
  // master port
  output      logic [MIdW-1:0]     m_axi_arid_o,
  output      logic [31:0]         m_axi_araddr_o,
  output      logic [7:0]          m_axi_arlen_o,
  output      logic [2:0]          m_axi_arsize_o,
  output      logic [1:0]          m_axi_arburst_o,
  output      logic                m_axi_arlock_o,
  output      logic [3:0]          m_axi_arcache_o,
  output      logic [2:0]          m_axi_arprot_o,
  output      logic                m_axi_arvalid_o,
  input  wire logic                m_axi_arready_i,
  input  wire logic [MIdW-1:0]     m_axi_rid_i,
  input  wire logic [AxiDataW-1:0] m_axi_rdata_i,
  input  wire logic [1:0]          m_axi_rresp_i,
  input  wire logic                m_axi_rlast_i,
  input  wire logic                m_axi_rvalid_i,
  output      logic                m_axi_rready_o
);

  logic lock_q, lock_d;   // an AR is presented and not yet accepted
  logic sel_q, sel_d;     // master of the locked AR
  logic last_q, last_d;   // master granted last (round robin)
  logic sel;
  logic rsel;

  always_comb begin
    if (lock_q)                                   sel = sel_q;
    else if (s0_axi_arvalid_i && s1_axi_arvalid_i) sel = !last_q;
    else                                          sel = s1_axi_arvalid_i;
  end

  always_comb begin
    if (sel) begin
      m_axi_arid_o    = {1'b1, s1_axi_arid_i};
      m_axi_araddr_o  = s1_axi_araddr_i;
      m_axi_arlen_o   = s1_axi_arlen_i;
      m_axi_arsize_o  = s1_axi_arsize_i;
      m_axi_arburst_o = s1_axi_arburst_i;
      m_axi_arlock_o  = s1_axi_arlock_i;
      m_axi_arcache_o = s1_axi_arcache_i;
      m_axi_arprot_o  = s1_axi_arprot_i;
      m_axi_arvalid_o = s1_axi_arvalid_i;
    end else begin
      m_axi_arid_o    = {1'b0, s0_axi_arid_i};
      m_axi_araddr_o  = s0_axi_araddr_i;
      m_axi_arlen_o   = s0_axi_arlen_i;
      m_axi_arsize_o  = s0_axi_arsize_i;
      m_axi_arburst_o = s0_axi_arburst_i;
      m_axi_arlock_o  = s0_axi_arlock_i;
      m_axi_arcache_o = s0_axi_arcache_i;
      m_axi_arprot_o  = s0_axi_arprot_i;
      m_axi_arvalid_o = s0_axi_arvalid_i;
    end
  end

  assign s0_axi_arready_o = !sel && m_axi_arready_i;
  assign s1_axi_arready_o = sel && m_axi_arready_i;

  always_comb begin
    lock_d = m_axi_arvalid_o && !m_axi_arready_i;
    sel_d  = sel;
    last_d = (m_axi_arvalid_o && m_axi_arready_i) ? sel : last_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lock_q <= 1'b0;
      sel_q  <= 1'b0;
      last_q <= 1'b1;
    end else begin
      lock_q <= lock_d;
      sel_q  <= sel_d;
      last_q <= last_d;
    end
  end

  // R: routed by the master bit of the ID.
  assign rsel            = m_axi_rid_i[AxiIdW];
  assign s0_axi_rid_o    = m_axi_rid_i[AxiIdW-1:0];
  assign s1_axi_rid_o    = m_axi_rid_i[AxiIdW-1:0];
  assign s0_axi_rdata_o  = m_axi_rdata_i;
  assign s1_axi_rdata_o  = m_axi_rdata_i;
  assign s0_axi_rresp_o  = m_axi_rresp_i;
  assign s1_axi_rresp_o  = m_axi_rresp_i;
  assign s0_axi_rlast_o  = m_axi_rlast_i;
  assign s1_axi_rlast_o  = m_axi_rlast_i;
  assign s0_axi_rvalid_o = m_axi_rvalid_i && !rsel;
  assign s1_axi_rvalid_o = m_axi_rvalid_i && rsel;
  assign m_axi_rready_o  = rsel ? s1_axi_rready_i : s0_axi_rready_i;

endmodule
