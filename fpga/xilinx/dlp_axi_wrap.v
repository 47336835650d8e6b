// dlp_axi_wrap - plain-Verilog shell of dlp_top for Vivado IP integrator.
//
// Vivado's block-design "module reference" needs a Verilog (not SystemVerilog) top, and
// infers AXI interfaces from port-name prefixes: s_axil_* (AXI4-Lite slave, CSRs),
// m_axi_* (AXI4 master, DDR), plus an interrupt, clock and active-low reset. The ports
// are those of dlp_top with the _i/_o suffixes dropped (Vivado matches the AXI names
// exactly); everything else is dlp_top. Used by fpga/pynq-z2 and fpga/kv260 build.tcl.
`default_nettype none

module dlp_axi_wrap #(
  parameter N          = 16,
  parameter AxiDataW   = 128,
  parameter ActBytes   = 131072,
  parameter WgtBytes   = 131072,
  parameter AccBytes   = 65536,
  parameter LutMulRows = 0
) (
  (* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axil:m_axi, ASSOCIATED_RESET rst_n" *)
  (* X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 clk CLK" *)
  input  wire                  clk,
  (* X_INTERFACE_PARAMETER = "POLARITY ACTIVE_LOW" *)
  (* X_INTERFACE_INFO = "xilinx.com:signal:reset:1.0 rst_n RST" *)
  input  wire                  rst_n,
  // AXI4-Lite slave
  input  wire [11:0]           s_axil_awaddr,
  input  wire [2:0]            s_axil_awprot,
  input  wire                  s_axil_awvalid,
  output wire                  s_axil_awready,
  input  wire [31:0]           s_axil_wdata,
  input  wire [3:0]            s_axil_wstrb,
  input  wire                  s_axil_wvalid,
  output wire                  s_axil_wready,
  output wire [1:0]            s_axil_bresp,
  output wire                  s_axil_bvalid,
  input  wire                  s_axil_bready,
  input  wire [11:0]           s_axil_araddr,
  input  wire [2:0]            s_axil_arprot,
  input  wire                  s_axil_arvalid,
  output wire                  s_axil_arready,
  output wire [31:0]           s_axil_rdata,
  output wire [1:0]            s_axil_rresp,
  output wire                  s_axil_rvalid,
  input  wire                  s_axil_rready,
  // AXI4 master
  output wire [4:0]            m_axi_arid,
  output wire [31:0]           m_axi_araddr,
  output wire [7:0]            m_axi_arlen,
  output wire [2:0]            m_axi_arsize,
  output wire [1:0]            m_axi_arburst,
  output wire                  m_axi_arlock,
  output wire [3:0]            m_axi_arcache,
  output wire [2:0]            m_axi_arprot,
  output wire                  m_axi_arvalid,
  input  wire                  m_axi_arready,
  input  wire [4:0]            m_axi_rid,
  input  wire [AxiDataW-1:0]   m_axi_rdata,
  input  wire [1:0]            m_axi_rresp,
  input  wire                  m_axi_rlast,
  input  wire                  m_axi_rvalid,
  output wire                  m_axi_rready,
  output wire [4:0]            m_axi_awid,
  output wire [31:0]           m_axi_awaddr,
  output wire [7:0]            m_axi_awlen,
  output wire [2:0]            m_axi_awsize,
  output wire [1:0]            m_axi_awburst,
  output wire                  m_axi_awlock,
  output wire [3:0]            m_axi_awcache,
  output wire [2:0]            m_axi_awprot,
  output wire                  m_axi_awvalid,
  input  wire                  m_axi_awready,
  output wire [AxiDataW-1:0]   m_axi_wdata,
  output wire [AxiDataW/8-1:0] m_axi_wstrb,
  output wire                  m_axi_wlast,
  output wire                  m_axi_wvalid,
  input  wire                  m_axi_wready,
  input  wire [4:0]            m_axi_bid,
  input  wire [1:0]            m_axi_bresp,
  input  wire                  m_axi_bvalid,
  output wire                  m_axi_bready,
  (* X_INTERFACE_PARAMETER = "SENSITIVITY LEVEL_HIGH" *)
  (* X_INTERFACE_INFO = "xilinx.com:signal:interrupt:1.0 irq INTERRUPT" *)
  output wire                  irq
);
  // AxPROT of the CSR port carries nothing the DLP uses
  wire [5:0] unused_prot = {s_axil_awprot, s_axil_arprot};

  dlp_top #(
    .N(N), .AxiDataW(AxiDataW), .ActBytes(ActBytes), .WgtBytes(WgtBytes),
    .AccBytes(AccBytes), .LutMulRows(LutMulRows)
  ) u_dlp (
    .clk_i(clk), .rst_ni(rst_n),
    .s_axil_awvalid_i(s_axil_awvalid), .s_axil_awready_o(s_axil_awready),
    .s_axil_awaddr_i(s_axil_awaddr),
    .s_axil_wvalid_i(s_axil_wvalid), .s_axil_wready_o(s_axil_wready),
    .s_axil_wdata_i(s_axil_wdata), .s_axil_wstrb_i(s_axil_wstrb),
    .s_axil_bvalid_o(s_axil_bvalid), .s_axil_bready_i(s_axil_bready),
    .s_axil_bresp_o(s_axil_bresp),
    .s_axil_arvalid_i(s_axil_arvalid), .s_axil_arready_o(s_axil_arready),
    .s_axil_araddr_i(s_axil_araddr),
    .s_axil_rvalid_o(s_axil_rvalid), .s_axil_rready_i(s_axil_rready),
    .s_axil_rdata_o(s_axil_rdata), .s_axil_rresp_o(s_axil_rresp),
    .m_axi_arid_o(m_axi_arid), .m_axi_araddr_o(m_axi_araddr), .m_axi_arlen_o(m_axi_arlen),
    .m_axi_arsize_o(m_axi_arsize), .m_axi_arburst_o(m_axi_arburst),
    .m_axi_arlock_o(m_axi_arlock), .m_axi_arcache_o(m_axi_arcache),
    .m_axi_arprot_o(m_axi_arprot), .m_axi_arvalid_o(m_axi_arvalid),
    .m_axi_arready_i(m_axi_arready),
    .m_axi_rid_i(m_axi_rid), .m_axi_rdata_i(m_axi_rdata), .m_axi_rresp_i(m_axi_rresp),
    .m_axi_rlast_i(m_axi_rlast), .m_axi_rvalid_i(m_axi_rvalid), .m_axi_rready_o(m_axi_rready),
    .m_axi_awid_o(m_axi_awid), .m_axi_awaddr_o(m_axi_awaddr), .m_axi_awlen_o(m_axi_awlen),
    .m_axi_awsize_o(m_axi_awsize), .m_axi_awburst_o(m_axi_awburst),
    .m_axi_awlock_o(m_axi_awlock), .m_axi_awcache_o(m_axi_awcache),
    .m_axi_awprot_o(m_axi_awprot), .m_axi_awvalid_o(m_axi_awvalid),
    .m_axi_awready_i(m_axi_awready),
    .m_axi_wdata_o(m_axi_wdata), .m_axi_wstrb_o(m_axi_wstrb), .m_axi_wlast_o(m_axi_wlast),
    .m_axi_wvalid_o(m_axi_wvalid), .m_axi_wready_i(m_axi_wready),
    .m_axi_bid_i(m_axi_bid), .m_axi_bresp_i(m_axi_bresp), .m_axi_bvalid_i(m_axi_bvalid),
    .m_axi_bready_o(m_axi_bready),
    .irq_o(irq)
  );
endmodule
