// dlp_mxu_fifo - small synchronous FIFO used inside the matrix unit.
//
// Storage is a memory array (no reset; FPGA tools map it to distributed RAM), pointers
// and count are flops. The head is read combinationally: rdata_o is valid whenever
// count_o != 0. push_i must be low when full (count_o == Depth) and pop_i low when empty;
// the users guarantee this with credits, so there is no ready/valid here. A push and a
// pop in the same cycle are allowed; the pushed word becomes visible the next cycle.
`default_nettype none

module dlp_mxu_fifo #(
  parameter int Width = 8,
  parameter int Depth = 4,
  localparam int PtrW = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int CntW = $clog2(Depth + 1)
) (
  input  wire logic             clk_i,
  input  wire logic             rst_ni,
  input  wire logic             push_i,
  input  wire logic [Width-1:0] wdata_i,
  input  wire logic             pop_i,
  output      logic [Width-1:0] rdata_o,
  output      logic [CntW-1:0]  count_o
);

  logic [Width-1:0] mem_q [Depth];
  logic [PtrW-1:0]  wptr_q, wptr_d, rptr_q, rptr_d;
  logic [CntW-1:0]  count_q, count_d;

  logic [PtrW-1:0] wptr_inc, rptr_inc;

  assign wptr_inc = (wptr_q == PtrW'(Depth - 1)) ? PtrW'(0) : wptr_q + PtrW'(1);
  assign rptr_inc = (rptr_q == PtrW'(Depth - 1)) ? PtrW'(0) : rptr_q + PtrW'(1);
  assign wptr_d   = push_i ? wptr_inc : wptr_q;
  assign rptr_d   = pop_i  ? rptr_inc : rptr_q;
  assign count_d  = count_q + CntW'(push_i) - CntW'(pop_i);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wptr_q  <= '0;
      rptr_q  <= '0;
      count_q <= '0;
    end else begin
      wptr_q  <= wptr_d;
      rptr_q  <= rptr_d;
      count_q <= count_d;
    end
  end

  // Memory write port (no reset, like dlp_sram).
  always_ff @(posedge clk_i) begin
    if (push_i) mem_q[wptr_q] <= wdata_i;
  end

  assign rdata_o = mem_q[rptr_q];
  assign count_o = count_q;

endmodule
