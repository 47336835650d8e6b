// dlp_sram - true dual-port synchronous RAM, one word per row, no reset.
//
// Written in the form FPGA tools infer as block RAM (Yosys memory_bram, Vivado): each
// port reads with one cycle of latency (rdata_o valid the cycle after a read request,
// read-first on a same-port write) and writes on the clock edge.
//
// Cross-port collisions: an access of the same row on both ports in one cycle with at
// least one write (write/write, or a read on one port of the row the other port writes)
// is UNDEFINED and not used. The simulation model returns the old word on the read port,
// but the FPGA flow maps this RAM with a block-RAM description that assumes exactly that
// (Yosys `wrtrans all old`), which ECP5 DP16KD does not guarantee, so no result may
// depend on it. In dlp_top no race-free program causes one: port A of ACT/WGT serves
// the DMA engines (LD and ST queues) and port B the compute units (CMP queue), which
// only touch the same rows when ordered by tokens (else the program is racy and its
// results undefined, docs/ARCHITECTURE.md "Determinism"); on ACC, port B is the compute
// writes and port A the reads (matrix unit, vector unit, DMA): the matrix unit forwards
// pending sums instead of reading a row it is writing (verif/mxu checks it), the
// vector unit reads an item's inputs before it writes, and MXU and VPU commands do not
// overlap (one CMP instruction at a time, done after the last write). The check below
// stops a simulation (Verilator, Icarus) at the first collision.
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

`ifndef SYNTHESIS
  always @(posedge clk_i) begin
    if (a_en_i && b_en_i && (a_we_i || b_we_i) && a_addr_i == b_addr_i) begin
      $error("dlp_sram: same-row access on both ports with a write (row %0d, we a/b %0b/%0b)",
             a_addr_i, a_we_i, b_we_i);
    end
  end
`endif

endmodule
