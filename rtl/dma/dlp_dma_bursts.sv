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
`default_nettype none

module dlp_dma_bursts #(
  parameter int AxiDataBytes = 16
) (
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  input  wire logic        start_i,
  input  wire logic [31:0] dram_i,
  input  wire logic [22:0] run_bytes_i,
  input  wire logic [15:0] y_size_i,
  input  wire logic [15:0] z_size_i,
  input  wire logic [31:0] y_stride_i,
  input  wire logic [31:0] z_stride_i,
  output      logic        valid_o,
  input  wire logic        ready_i,
  output      logic [31:0] addr_o,
  output      logic [7:0]  len_o
);

  localparam int LgB = $clog2(AxiDataBytes);
  localparam int PageBeats = 4096 / AxiDataBytes;

  logic        busy_q, busy_d;
  logic [31:0] cur_q, cur_d;      // address of the next beat (beat aligned)
  logic [31:0] last_q, last_d;    // address of the run's last beat (beat aligned)
  logic [31:0] run_q, run_d;      // first byte of the current run
  logic [31:0] plane_q, plane_d;  // first byte of the current plane
  logic [15:0] y_q, y_d, z_q, z_d;

  logic [31:0] span_beats;        // beats left in the run - 1
  logic [9:0]  to_page;           // beats up to the 4 KiB boundary, 1..PageBeats
  logic [9:0]  lim;               // largest burst allowed here, 1..256
  logic        run_end;           // this burst ends the run
  logic [9:0]  nbeats;
  logic [31:0] run_n, plane_n;
  logic        fire;

  function automatic logic [31:0] beat_of(input logic [31:0] a);
    beat_of = a & ~32'(AxiDataBytes - 1);  // Yosys 0.23 has no `return`
  endfunction

  assign span_beats = (last_q - cur_q) >> LgB;
  assign to_page    = 10'(PageBeats) - 10'(cur_q[11:LgB]);
  assign lim        = (to_page > 10'd256) ? 10'd256 : to_page;
  assign run_end    = (span_beats < 32'(lim));
  assign nbeats     = run_end ? 10'(span_beats) + 10'd1 : lim;

  assign valid_o = busy_q;
  assign addr_o  = cur_q;
  assign len_o   = 8'(nbeats - 10'd1);
  assign fire    = busy_q && ready_i;

  // Start of the next run (kept out of the next-state always_comb, which must not read
  // its own outputs: Icarus re-triggers on them).
  logic y_last;
  assign y_last  = (y_q == y_size_i - 16'd1);
  assign plane_n = y_last ? plane_q + z_stride_i : plane_q;
  assign run_n   = y_last ? plane_q + z_stride_i : run_q + y_stride_i;

  always_comb begin
    busy_d  = busy_q;
    cur_d   = cur_q;
    last_d  = last_q;
    run_d   = run_q;
    plane_d = plane_q;
    y_d     = y_q;
    z_d     = z_q;
    if (start_i) begin
      busy_d  = 1'b1;
      run_d   = dram_i;
      plane_d = dram_i;
      y_d     = '0;
      z_d     = '0;
      cur_d   = beat_of(dram_i);
      last_d  = beat_of(dram_i + 32'(run_bytes_i) - 32'd1);
    end else if (fire) begin
      if (!run_end) begin
        cur_d = cur_q + (32'(nbeats) << LgB);
      end else if (y_last && z_q == z_size_i - 16'd1) begin
        busy_d = 1'b0;
      end else begin
        if (y_last) begin
          y_d = '0;
          z_d = z_q + 16'd1;
        end else begin
          y_d = y_q + 16'd1;
        end
        run_d   = run_n;
        plane_d = plane_n;
        cur_d   = beat_of(run_n);
        last_d  = beat_of(run_n + 32'(run_bytes_i) - 32'd1);
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q  <= 1'b0;
      cur_q   <= '0;
      last_q  <= '0;
      run_q   <= '0;
      plane_q <= '0;
      y_q     <= '0;
      z_q     <= '0;
    end else begin
      busy_q  <= busy_d;
      cur_q   <= cur_d;
      last_q  <= last_d;
      run_q   <= run_d;
      plane_q <= plane_d;
      y_q     <= y_d;
      z_q     <= z_d;
    end
  end

endmodule
