// dlp_ulx3s - the DLP on a ULX3S (LFE5U-85F): a board wrapper that keeps every block of
// dlp_top alive without DDR or a host CPU.
//
//   clk_25mhz -> EHXPLLL (dlp_ecp5_pll) -> clk (ClkHz; the Makefile sets the dividers)
//   FTDI UART (ftdi_txd in, ftdi_rxd out) -> dlp_uart_axil -> dlp_top s_axil (CSRs)
//                                                           -> dlp_axi_ram host port
//   dlp_top m_axi (fetch, LOAD, STORE) -> dlp_axi_ram (RamBytes of block RAM)
//   irq_o -> led[0]; led[1] = PLL locked; led[7] = heartbeat
// Reset: PLL not locked or btn[0] (PWR button, active low when pressed) resets everything;
// released synchronously. wifi_gpio0 is held high so the ESP32 leaves the FPGA alone.
// The host writes a program and its tensors into the RAM (address bit 31 set in the UART
// command), points INSN_BASE/WIN_* at RAM addresses (the DLP sees the RAM at every
// address modulo RamBytes), starts the DLP and polls STATUS or watches led[0].
`default_nettype none

module dlp_ulx3s #(
  parameter int N          = 4,
  parameter int AxiDataW   = 128,
  parameter int ActBytes   = 131072,
  parameter int WgtBytes   = 131072,
  parameter int AccBytes   = 65536,
  parameter int LutMulRows = 0,
  parameter int RamBytes   = 32768,
  parameter int ClkHz      = 50000000,
  parameter int Baud       = 115200,
  parameter int PllClkiDiv  = 1,
  parameter int PllClkfbDiv = 2,
  parameter int PllClkopDiv = 12
) (
  input  wire logic       clk_25mhz,
  input  wire logic [0:0] btn,
  input  wire logic       ftdi_txd,     // FTDI -> FPGA
  output      logic       ftdi_rxd,     // FPGA -> FTDI
  output      logic [7:0] led,
  output      logic       wifi_gpio0
);
  localparam int IdW       = 5;
  localparam int StrbW     = AxiDataW / 8;
  localparam int RamWordAW = $clog2(RamBytes / StrbW);

  logic clk, locked, rst_n;
  logic [1:0] rst_sync_q;

  dlp_ecp5_pll #(
    .ClkiDiv(PllClkiDiv), .ClkfbDiv(PllClkfbDiv), .ClkopDiv(PllClkopDiv)
  ) u_pll (
    .clk_i(clk_25mhz), .clk_o(clk), .locked_o(locked)
  );

  // asynchronous assertion, synchronous release
  always_ff @(posedge clk or negedge locked) begin
    if (!locked) rst_sync_q <= 2'b00;
    else         rst_sync_q <= {rst_sync_q[0], btn[0]};
  end
  assign rst_n = rst_sync_q[1];

  // ------------------------------------------------------------------ AXI-Lite (CSRs)
  logic        awvalid, awready, wvalid, wready, bvalid, bready;
  logic        arvalid, arready, rvalid, rready;
  logic [11:0] awaddr, araddr;
  logic [31:0] wdata, rdata;
  logic [3:0]  wstrb;
  logic [1:0]  bresp, rresp;
  logic        irq;

  // ------------------------------------------------------------------ AXI4 (memory)
  logic [IdW-1:0]      arid, rid, awid, bid;
  logic [31:0]         m_araddr, m_awaddr;
  logic [7:0]          arlen, awlen;
  logic                m_arvalid, m_arready, m_rvalid, m_rready, m_rlast;
  logic                m_awvalid, m_awready, m_wvalid, m_wready, m_wlast;
  logic                m_bvalid, m_bready;
  logic [AxiDataW-1:0] m_rdata, m_wdata;
  logic [StrbW-1:0]    m_wstrb;
  logic [1:0]          m_rresp, m_bresp;
  // burst attributes: the RAM takes every burst as INCR of full-width beats
  logic [2:0]          unused_arsize, unused_awsize, unused_arprot, unused_awprot;
  logic [1:0]          unused_arburst, unused_awburst;
  logic [3:0]          unused_arcache, unused_awcache;
  logic                unused_arlock, unused_awlock;

  // RAM host port
  logic                 ram_req, ram_we, ram_gnt;
  logic [RamWordAW-1:0] ram_addr;
  logic [AxiDataW-1:0]  ram_wdata, ram_rdata;
  logic [StrbW-1:0]     ram_strb;

  dlp_uart_axil #(
    .ClksPerBit(ClkHz / Baud), .DataW(AxiDataW), .RamWordAW(RamWordAW)
  ) u_uart (
    .clk_i(clk), .rst_ni(rst_n),
    .rx_i(ftdi_txd), .tx_o(ftdi_rxd), .irq_i(irq),
    .m_axil_awvalid_o(awvalid), .m_axil_awready_i(awready), .m_axil_awaddr_o(awaddr),
    .m_axil_wvalid_o(wvalid), .m_axil_wready_i(wready), .m_axil_wdata_o(wdata),
    .m_axil_wstrb_o(wstrb),
    .m_axil_bvalid_i(bvalid), .m_axil_bready_o(bready), .m_axil_bresp_i(bresp),
    .m_axil_arvalid_o(arvalid), .m_axil_arready_i(arready), .m_axil_araddr_o(araddr),
    .m_axil_rvalid_i(rvalid), .m_axil_rready_o(rready), .m_axil_rdata_i(rdata),
    .m_axil_rresp_i(rresp),
    .ram_req_o(ram_req), .ram_we_o(ram_we), .ram_addr_o(ram_addr), .ram_wdata_o(ram_wdata),
    .ram_strb_o(ram_strb), .ram_gnt_i(ram_gnt), .ram_rdata_i(ram_rdata)
  );

  dlp_top #(
    .N(N), .AxiDataW(AxiDataW), .ActBytes(ActBytes), .WgtBytes(WgtBytes),
    .AccBytes(AccBytes), .LutMulRows(LutMulRows)
  ) u_dlp (
    .clk_i(clk), .rst_ni(rst_n),
    .s_axil_awvalid_i(awvalid), .s_axil_awready_o(awready), .s_axil_awaddr_i(awaddr),
    .s_axil_wvalid_i(wvalid), .s_axil_wready_o(wready), .s_axil_wdata_i(wdata),
    .s_axil_wstrb_i(wstrb),
    .s_axil_bvalid_o(bvalid), .s_axil_bready_i(bready), .s_axil_bresp_o(bresp),
    .s_axil_arvalid_i(arvalid), .s_axil_arready_o(arready), .s_axil_araddr_i(araddr),
    .s_axil_rvalid_o(rvalid), .s_axil_rready_i(rready), .s_axil_rdata_o(rdata),
    .s_axil_rresp_o(rresp),
    .m_axi_arid_o(arid), .m_axi_araddr_o(m_araddr), .m_axi_arlen_o(arlen),
    .m_axi_arsize_o(unused_arsize), .m_axi_arburst_o(unused_arburst),
    .m_axi_arlock_o(unused_arlock), .m_axi_arcache_o(unused_arcache),
    .m_axi_arprot_o(unused_arprot), .m_axi_arvalid_o(m_arvalid), .m_axi_arready_i(m_arready),
    .m_axi_rid_i(rid), .m_axi_rdata_i(m_rdata), .m_axi_rresp_i(m_rresp),
    .m_axi_rlast_i(m_rlast), .m_axi_rvalid_i(m_rvalid), .m_axi_rready_o(m_rready),
    .m_axi_awid_o(awid), .m_axi_awaddr_o(m_awaddr), .m_axi_awlen_o(awlen),
    .m_axi_awsize_o(unused_awsize), .m_axi_awburst_o(unused_awburst),
    .m_axi_awlock_o(unused_awlock), .m_axi_awcache_o(unused_awcache),
    .m_axi_awprot_o(unused_awprot), .m_axi_awvalid_o(m_awvalid), .m_axi_awready_i(m_awready),
    .m_axi_wdata_o(m_wdata), .m_axi_wstrb_o(m_wstrb), .m_axi_wlast_o(m_wlast),
    .m_axi_wvalid_o(m_wvalid), .m_axi_wready_i(m_wready),
    .m_axi_bid_i(bid), .m_axi_bresp_i(m_bresp), .m_axi_bvalid_i(m_bvalid),
    .m_axi_bready_o(m_bready),
    .irq_o(irq)
  );

  dlp_axi_ram #(.DataW(AxiDataW), .IdW(IdW), .RamBytes(RamBytes)) u_ram (
    .clk_i(clk), .rst_ni(rst_n),
    .s_axi_arid_i(arid), .s_axi_araddr_i(m_araddr), .s_axi_arlen_i(arlen),
    .s_axi_arvalid_i(m_arvalid), .s_axi_arready_o(m_arready),
    .s_axi_rid_o(rid), .s_axi_rdata_o(m_rdata), .s_axi_rresp_o(m_rresp),
    .s_axi_rlast_o(m_rlast), .s_axi_rvalid_o(m_rvalid), .s_axi_rready_i(m_rready),
    .s_axi_awid_i(awid), .s_axi_awaddr_i(m_awaddr), .s_axi_awlen_i(awlen),
    .s_axi_awvalid_i(m_awvalid), .s_axi_awready_o(m_awready),
    .s_axi_wdata_i(m_wdata), .s_axi_wstrb_i(m_wstrb), .s_axi_wlast_i(m_wlast),
    .s_axi_wvalid_i(m_wvalid), .s_axi_wready_o(m_wready),
    .s_axi_bid_o(bid), .s_axi_bresp_o(m_bresp), .s_axi_bvalid_o(m_bvalid),
    .s_axi_bready_i(m_bready),
    .host_req_i(ram_req), .host_we_i(ram_we), .host_addr_i(ram_addr),
    .host_wdata_i(ram_wdata), .host_strb_i(ram_strb), .host_gnt_o(ram_gnt),
    .host_rdata_o(ram_rdata)
  );

  // ------------------------------------------------------------------ LEDs
  logic [25:0] beat_q, beat_d;
  assign beat_d = beat_q + 1'b1;
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) beat_q <= '0;
    else        beat_q <= beat_d;
  end

  assign led        = {beat_q[25], 5'd0, locked, irq};
  assign wifi_gpio0 = 1'b1;
endmodule
