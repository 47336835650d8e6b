// dlp_sp_arb - arbiter of several scratchpad request ports onto one SRAM port.
//
// Clients use the request-port protocol of rtl/README.md: req/we/addr/wdata held until
// gnt; read data comes from the SRAM the cycle after a granted read and is broadcast to
// every client (each knows when its own read was granted). One grant per cycle.
// RoundRobin = 0: fixed priority, client 0 highest (compute units, which must stream).
// RoundRobin = 1: the client after the last granted one goes first (the two DMA engines).
// Combinational from req to gnt and to the SRAM port; no added latency.
`default_nettype none

module dlp_sp_arb #(
  parameter int Clients    = 2,
  parameter int AddrW      = 13,
  parameter int Width      = 128,
  parameter bit RoundRobin = 1'b0,
  localparam int IdxW = (Clients > 1) ? $clog2(Clients) : 1
) (
  input  wire logic                     clk_i,
  input  wire logic                     rst_ni,
  input  wire logic [Clients-1:0]       req_i,
  input  wire logic [Clients-1:0]       we_i,
  input  wire logic [Clients*AddrW-1:0] addr_i,
  input  wire logic [Clients*Width-1:0] wdata_i,
  output      logic [Clients-1:0]       gnt_o,
  output      logic                     en_o,
  output      logic                     we_o,
  output      logic [AddrW-1:0]         addr_o,
  output      logic [Width-1:0]         wdata_o
);

  logic [IdxW-1:0] last_d, last_q, sel;
  logic            found;

  logic [IdxW:0] cand;  // one bit wider: last_q + 1 + k < 2 * Clients

  always_comb begin
    found = 1'b0;
    sel   = '0;
    cand  = '0;
    for (int k = 0; k < Clients; k++) begin
      // Candidate k places after the round-robin pointer (or k itself for fixed priority).
      cand = RoundRobin ? {1'b0, last_q} + (IdxW + 1)'(1 + k) : (IdxW + 1)'(k);
      if (cand >= (IdxW + 1)'(Clients)) cand = cand - (IdxW + 1)'(Clients);
      if (!found && req_i[cand[IdxW-1:0]]) begin
        found = 1'b1;
        sel   = cand[IdxW-1:0];
      end
    end
    gnt_o   = found ? (Clients'(1) << sel) : '0;
    en_o    = found;
    we_o    = found & we_i[sel];
    // A mux over constant slices, not addr_i[sel*AddrW +: AddrW]: Yosys builds the
    // multiplied index as a multiplier (a MULT18X18D on ECP5) in front of a shifter.
    // Same value: client 0's when no request (sel = 0).
    addr_o  = addr_i[AddrW-1:0];
    wdata_o = wdata_i[Width-1:0];
    for (int k = 1; k < Clients; k++) begin
      if (sel == IdxW'(k)) begin
        addr_o  = addr_i[k*AddrW +: AddrW];
        wdata_o = wdata_i[k*Width +: Width];
      end
    end
    last_d  = found ? sel : last_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) last_q <= IdxW'(Clients - 1);
    else         last_q <= last_d;
  end

endmodule
