// dlp_dma_fifo - small synchronous FIFO for the DMA engines (distributed RAM or flops).
//
// First-word fall-through: rdata_o shows the head whenever empty_o is low. push_i is
// ignored when full_o, pop_i when empty_o; push and pop may happen in the same cycle.
// clr_i empties the FIFO (the contents are not cleared). No combinational path from
// push_i/pop_i to any output.
`default_nettype none

module dlp_dma_fifo #(
  parameter int Width = 8,
  parameter int Depth = 4,
  localparam int PtrW = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int CntW = $clog2(Depth + 1)
) (
  input  wire logic             clk_i,
  input  wire logic             rst_ni,
  input  wire logic             clr_i,
  input  wire logic             push_i,
  input  wire logic [Width-1:0] wdata_i,
  input  wire logic             pop_i,
  output      logic [Width-1:0] rdata_o,
  output      logic             empty_o,
  output      logic             full_o,
  output      logic [CntW-1:0]  count_o
);

  logic [Width-1:0] mem_q [Depth];
  logic [PtrW-1:0]  wptr_q, wptr_d, rptr_q, rptr_d;
  logic [CntW-1:0]  cnt_q, cnt_d;
  logic             do_push, do_pop;

  assign empty_o = (cnt_q == '0);
  assign full_o  = (cnt_q == CntW'(Depth));
  assign count_o = cnt_q;
  assign rdata_o = mem_q[rptr_q];
  assign do_push = push_i && !full_o;
  assign do_pop  = pop_i && !empty_o;

  logic [PtrW-1:0] wptr_inc, rptr_inc;
  assign wptr_inc = (32'(wptr_q) == Depth - 1) ? '0 : wptr_q + 1'b1;
  assign rptr_inc = (32'(rptr_q) == Depth - 1) ? '0 : rptr_q + 1'b1;

  always_comb begin
    wptr_d = wptr_q;
    rptr_d = rptr_q;
    cnt_d  = cnt_q;
    if (clr_i) begin
      wptr_d = '0;
      rptr_d = '0;
      cnt_d  = '0;
    end else begin
      if (do_push) wptr_d = wptr_inc;
      if (do_pop)  rptr_d = rptr_inc;
      if (do_push && !do_pop) cnt_d = cnt_q + 1'b1;
      if (do_pop && !do_push) cnt_d = cnt_q - 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wptr_q <= '0;
      rptr_q <= '0;
      cnt_q  <= '0;
    end else begin
      wptr_q <= wptr_d;
      rptr_q <= rptr_d;
      cnt_q  <= cnt_d;
    end
  end

  // Storage has no reset (like dlp_sram); written at the write pointer.
  always_ff @(posedge clk_i) begin
    if (do_push && !clr_i) mem_q[wptr_q] <= wdata_i;
  end

endmodule
