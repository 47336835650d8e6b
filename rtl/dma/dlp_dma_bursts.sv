// dlp_dma_bursts - splits the runs of one DMA repetition into AXI4 INCR bursts.
//
// A repetition moves z_size x y_size runs of run_bytes contiguous bytes; run (z, y)
// starts at dram + z*z_stride + y*y_stride. Each run is covered by the bus beats
// (AxiDataBytes-aligned) it touches, cut into bursts of at most 256 beats that never
// cross a 4 KiB boundary. Runs are never merged, so the beats of each run form their own
// bursts in run order (the data paths rely on that).
//
// Handshake: start_i (one cycle, while idle) loads the first run from the *_i inputs,
// which must then stay stable until busy_o falls. valid_o/addr_o/len_o is a burst
// request, payload stable while valid_o && !ready_i (it is a function of registers
// only). busy_o is valid_o. The caller may keep valid_o from reaching the bus (outstanding
// limit, abort); the generator only advances on valid_o && ready_i.
// The caller guarantees that the footprint does not wrap at 2^32 (window check).
//
// Timing: the burst at cur_q is sized from registers only (beats left in the run, left_q,
// against the beats to the 4 KiB boundary, ~cur_q[11:LgB]) and the next in-run address is
// the next page boundary (or cur_q + 256 beats), so the size does not feed an adder. The
// next run's start is the registered run/plane address plus a stride; its beat count is
// (its offset in the beat + run_bytes - 1) >> LgB. One burst per cycle while ready_i, as
// before (the same (addr, len) sequence, cycle for cycle).
`default_nettype none

module dlp_dma_bursts #(
  parameter int AxiDataBytes = 16
) (
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  input  wire logic        start_i,
  input  wire logic [31:0] dram_i,
  input  wire logic [22:0] run_bytes_i,
  input  wire logic [15:0] y_size_m1_i,  // y_size - 1
  input  wire logic [15:0] z_size_m1_i,  // z_size - 1
  input  wire logic [31:0] y_stride_i,
  input  wire logic [31:0] z_stride_i,
  output      logic        valid_o,
  input  wire logic        ready_i,
  output      logic [31:0] addr_o,
  output      logic [7:0]  len_o
);

  localparam int LgB       = $clog2(AxiDataBytes);
  localparam int PW        = 12 - LgB;        // beat index inside a 4 KiB page (4096/B beats)

  logic        busy_q, busy_d;
  logic [31:0] cur_q, cur_d;      // address of the next beat (beat aligned)
  logic [22:0] left_q, left_d;    // beats left in the run - 1 (from cur_q on)
  logic [31:0] run_q, run_d;      // first byte of the current run
  logic [31:0] plane_q, plane_d;  // first byte of the current plane
  logic [15:0] yl_q, yl_d;        // runs left in the plane after this one
  logic [15:0] zl_q, zl_d;        // planes left after this one
  logic [22:0] rbm1_q, rbm1_d;    // run_bytes - 1

  logic [PW-1:0] pg_m1;           // beats up to the 4 KiB boundary - 1
  logic [7:0]    lim_m1;          // largest burst allowed here - 1 (0..255)
  logic          pg_cut;          // a burst of lim beats ends at the 4 KiB boundary
  logic          run_end;         // this burst ends the run
  logic [31:0]   cur_in;          // next beat after a burst that does not end the run
  logic [22:0]   left_in;
  logic          y_last, z_last;
  logic [31:0]   run_n, plane_n;  // start of the next run / its plane
  logic [23:0]   span_n, span_s;  // offset in beat + run_bytes - 1 (next run / first run)
  logic [22:0]   rbm1_s;
  logic          fire;

  function automatic logic [31:0] beat_of(input logic [31:0] a);
    beat_of = a & ~32'(AxiDataBytes - 1);  // Yosys 0.23 has no `return`
  endfunction

  assign pg_m1   = ~cur_q[11:LgB];
  assign pg_cut  = ((32'(pg_m1) >> 8) == 32'd0);   // constant 1 when a page is <= 256 beats
  assign lim_m1  = pg_cut ? 8'(pg_m1) : 8'd255;
  assign run_end = (left_q <= 23'(lim_m1));
  assign cur_in  = pg_cut ? {cur_q[31:12] + 20'd1, 12'd0} : cur_q + (32'd256 << LgB);
  assign left_in = left_q + ~{15'd0, lim_m1};   // left_q - (lim_m1 + 1)

  assign valid_o = busy_q;
  assign addr_o  = cur_q;
  assign len_o   = run_end ? left_q[7:0] : lim_m1;
  assign fire    = busy_q && ready_i;

  // Start of the next run (kept out of the next-state always_comb, which must not read
  // its own outputs: Icarus re-triggers on them).
  assign y_last  = (yl_q == '0);
  assign z_last  = (zl_q == '0);
  assign plane_n = y_last ? plane_q + z_stride_i : plane_q;
  assign run_n   = y_last ? plane_q + z_stride_i : run_q + y_stride_i;
  assign span_n  = 24'(run_n[LgB-1:0]) + 24'(rbm1_q);
  assign rbm1_s  = run_bytes_i - 23'd1;
  assign span_s  = 24'(dram_i[LgB-1:0]) + 24'(rbm1_s);

  always_comb begin
    busy_d  = busy_q;
    cur_d   = cur_q;
    left_d  = left_q;
    run_d   = run_q;
    plane_d = plane_q;
    yl_d    = yl_q;
    zl_d    = zl_q;
    rbm1_d  = rbm1_q;
    if (start_i) begin
      busy_d  = 1'b1;
      run_d   = dram_i;
      plane_d = dram_i;
      yl_d    = y_size_m1_i;
      zl_d    = z_size_m1_i;
      rbm1_d  = rbm1_s;
      cur_d   = beat_of(dram_i);
      left_d  = 23'(span_s >> LgB);
    end else if (fire) begin
      if (!run_end) begin
        cur_d  = cur_in;
        left_d = left_in;
      end else if (y_last && z_last) begin
        busy_d = 1'b0;
      end else begin
        if (y_last) begin
          yl_d = y_size_m1_i;
          zl_d = zl_q - 16'd1;
        end else begin
          yl_d = yl_q - 16'd1;
        end
        run_d   = run_n;
        plane_d = plane_n;
        cur_d   = beat_of(run_n);
        left_d  = 23'(span_n >> LgB);
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q  <= 1'b0;
      cur_q   <= '0;
      left_q  <= '0;
      run_q   <= '0;
      plane_q <= '0;
      yl_q    <= '0;
      zl_q    <= '0;
      rbm1_q  <= '0;
    end else begin
      busy_q  <= busy_d;
      cur_q   <= cur_d;
      left_q  <= left_d;
      run_q   <= run_d;
      plane_q <= plane_d;
      yl_q    <= yl_d;
      zl_q    <= zl_d;
      rbm1_q  <= rbm1_d;
    end
  end

endmodule
