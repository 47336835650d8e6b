// dlp_sram - true dual-port synchronous RAM, one word per row, no reset.
//
// Written in the form FPGA tools infer as block RAM (Yosys memory_bram, Vivado): each
// port reads with one cycle of latency (rdata_o valid the cycle after a read request,
// read-first on a same-port write) and writes on the clock edge. A same-address write
// on both ports in one cycle is undefined; the controllers never issue one.
`default_nettype none

module dlp_sram #(
  parameter int Width = 128,
  parameter int Depth = 8192,
  localparam int AddrW = $clog2(Depth)
) (
  input  wire logic             clk_i,
  // port A
  input  wire logic             a_en_i,
  input  wire logic             a_we_i,
  input  wire logic [AddrW-1:0] a_addr_i,
  input  wire logic [Width-1:0] a_wdata_i,
  output      logic [Width-1:0] a_rdata_o,
  // port B
  input  wire logic             b_en_i,
  input  wire logic             b_we_i,
  input  wire logic [AddrW-1:0] b_addr_i,
  input  wire logic [Width-1:0] b_wdata_i,
  output      logic [Width-1:0] b_rdata_o
);

  logic [Width-1:0] mem_q [Depth];

  always_ff @(posedge clk_i) begin
    if (a_en_i) begin
      if (a_we_i) mem_q[a_addr_i] <= a_wdata_i;
      a_rdata_o <= mem_q[a_addr_i];
    end
  end

  always_ff @(posedge clk_i) begin
    if (b_en_i) begin
      if (b_we_i) mem_q[b_addr_i] <= b_wdata_i;
      b_rdata_o <= mem_q[b_addr_i];
    end
  end

endmodule
