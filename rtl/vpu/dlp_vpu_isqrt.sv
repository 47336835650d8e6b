// dlp_vpu_isqrt - sequential 64-bit integer square root, floor(sqrt(v)), bit-serial.
//
// The classic digit-by-digit method of golden layernorm.c isqrt64: bit runs from 2^62
// down by factors of 4, 32 steps, one per cycle. start_i (while idle) loads v_i; done_o
// pulses 33 cycles later (32 steps, then one cycle to register the result) with root_o
// valid in that cycle and held until the next start_i (root < 2^32; root_o is a register).
// The bit 4^k is kept as a 32-bit one-hot register oh_q (bit k set) shifted right once per
// step; bit_v spreads it to the even bit positions. (A 64-bit register shifted by two made
// Yosys prove its odd bits constant one per opt iteration, ~31 full passes.)
// No adders on the bit: at the step with bit 4^k, root is a multiple of 4^(k+1)
// (induction: root' = root/2 + 4^k is a multiple of 4^k), so root + bit = root | bit and
// root/2 + bit = (root >> 1) | bit. rem >= trial and rem - trial share one subtractor.
`default_nettype none

module dlp_vpu_isqrt (
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  input  wire logic        start_i,
  input  wire logic [63:0] v_i,
  output      logic        done_o,
  output      logic [31:0] root_o
);

  logic        busy_d, busy_q, done_d, done_q;
  logic [63:0] rem_d, rem_q, root_d, root_q;
  logic [31:0] oh_d, oh_q;     // the current bit is 4^k, k = the set bit of oh_q
  logic [63:0] bit_v, trial;
  logic [64:0] diff;

  always_comb begin
    busy_d = busy_q;
    rem_d  = rem_q;
    root_d = root_q;
    oh_d   = oh_q;
    done_d = 1'b0;
    for (int k = 0; k < 32; k++) begin
      bit_v[2*k]     = oh_q[k];
      bit_v[2*k + 1] = 1'b0;
    end
    trial  = root_q | bit_v;
    diff   = {1'b0, rem_q} - {1'b0, trial};
    if (!busy_q) begin
      if (start_i) begin
        busy_d = 1'b1;
        rem_d  = v_i;
        root_d = '0;
        oh_d   = 32'h8000_0000;
      end
    end else begin
      if (!diff[64]) begin          // rem >= trial
        rem_d  = diff[63:0];
        root_d = (root_q >> 1) | bit_v;
      end else begin
        root_d = root_q >> 1;
      end
      oh_d = oh_q >> 1;
      if (oh_q[0]) begin
        busy_d = 1'b0;
        done_d = 1'b1;
      end
    end
  end

  assign done_o = done_q;
  assign root_o = root_q[31:0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      done_q <= 1'b0;
      rem_q  <= '0;
      root_q <= '0;
      oh_q   <= '0;
    end else begin
      busy_q <= busy_d;
      done_q <= done_d;
      rem_q  <= rem_d;
      root_q <= root_d;
      oh_q   <= oh_d;
    end
  end

  logic unused_root;
  assign unused_root = ^root_q[63:32];

endmodule
