// dlp_fifo - synchronous FIFO with a registered count; storage without reset.
//
// rdata_o shows the head entry combinationally (valid while !empty_o). push_i and pop_i
// may be asserted in the same cycle, also when full (one entry leaves, one arrives).
// Pushing into a full FIFO without popping, or popping an empty one, is a caller error
// (the blocks use credits so it never happens). flush_i empties the FIFO in one cycle and
// wins over push/pop. Depth need not be a power of two.
`default_nettype none

module dlp_fifo #(
  parameter int Width = 32,
  parameter int Depth = 8,
  localparam int PtrW = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int CntW = $clog2(Depth + 1)
) (
  input  wire logic             clk_i,
  input  wire logic             rst_ni,
  input  wire logic             flush_i,
  input  wire logic             push_i,
  input  wire logic [Width-1:0] wdata_i,
  input  wire logic             pop_i,
  output      logic [Width-1:0] rdata_o,
  output      logic             empty_o,
  output      logic             full_o,
  output      logic [CntW-1:0]  count_o
);

  logic [Width-1:0] mem_q [Depth];
  logic [PtrW-1:0]  rptr_q, rptr_d, wptr_q, wptr_d, rptr_inc, wptr_inc;
  logic [CntW-1:0]  cnt_q, cnt_d;

  assign wptr_inc = (32'(wptr_q) == Depth - 1) ? '0 : wptr_q + 1'b1;
  assign rptr_inc = (32'(rptr_q) == Depth - 1) ? '0 : rptr_q + 1'b1;

  always_comb begin
    rptr_d = rptr_q;
    wptr_d = wptr_q;
    cnt_d  = cnt_q;
    if (flush_i) begin
      rptr_d = '0;
      wptr_d = '0;
      cnt_d  = '0;
    end else begin
      if (push_i) wptr_d = wptr_inc;
      if (pop_i) rptr_d = rptr_inc;
      if (push_i && !pop_i) cnt_d = cnt_q + 1'b1;
      else if (pop_i && !push_i) cnt_d = cnt_q - 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rptr_q <= '0;
      wptr_q <= '0;
      cnt_q  <= '0;
    end else begin
      rptr_q <= rptr_d;
      wptr_q <= wptr_d;
      cnt_q  <= cnt_d;
    end
  end

  // Storage: written only, no reset (like dlp_sram).
  always_ff @(posedge clk_i) begin
    if (push_i && !flush_i) mem_q[wptr_q] <= wdata_i;
  end

  assign rdata_o = mem_q[rptr_q];
  assign empty_o = (cnt_q == '0);
  assign full_o  = (32'(cnt_q) == Depth);
  assign count_o = cnt_q;

endmodule
