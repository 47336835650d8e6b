// dlp_vpu_isqrt - sequential 64-bit integer square root, floor(sqrt(v)), bit-serial.
//
// The classic digit-by-digit method of golden layernorm.c isqrt64: bit runs from 2^62
// down by factors of 4, 32 steps, one per cycle. start_i (while idle) loads v_i; done_o
// pulses 32 cycles later with root_o valid in that cycle (root < 2^32).
// The bit 4^k is kept as its index k (5 bits, 31 down to 0) and decoded each cycle, not
// as a 64-bit register shifted by two: with the shifted register Yosys proved its odd
// bits constant one per opt iteration (~31 full passes over the design).
`default_nettype none

module dlp_vpu_isqrt (
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  input  wire logic        start_i,
  input  wire logic [63:0] v_i,
  output      logic        done_o,
  output      logic [31:0] root_o
);

  logic        busy_d, busy_q;
  logic [63:0] rem_d, rem_q, root_d, root_q;
  logic [4:0]  k_d, k_q;      // the current bit is 4^k
  logic [63:0] bit_v, trial;

  always_comb begin
    busy_d = busy_q;
    rem_d  = rem_q;
    root_d = root_q;
    k_d    = k_q;
    done_o = 1'b0;
    bit_v  = 64'd1 << {k_q, 1'b0};
    trial  = root_q + bit_v;
    if (!busy_q) begin
      if (start_i) begin
        busy_d = 1'b1;
        rem_d  = v_i;
        root_d = '0;
        k_d    = 5'd31;
      end
    end else begin
      if (rem_q >= trial) begin
        rem_d  = rem_q - trial;
        root_d = (root_q >> 1) + bit_v;
      end else begin
        root_d = root_q >> 1;
      end
      k_d = k_q - 5'd1;
      if (k_q == 5'd0) begin
        busy_d = 1'b0;
        done_o = 1'b1;
      end
    end
  end

  assign root_o = root_d[31:0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      rem_q  <= '0;
      root_q <= '0;
      k_q    <= '0;
    end else begin
      busy_q <= busy_d;
      rem_q  <= rem_d;
      root_q <= root_d;
      k_q    <= k_d;
    end
  end

  logic unused_root;
  assign unused_root = ^root_d[63:32];

endmodule
