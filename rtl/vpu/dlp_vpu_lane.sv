// dlp_vpu_lane - one lane of the vector unit: parameter registers, LUT replica, the
// pipelined mbqm and the per-function output stage. All control comes from dlp_vpu.
//
// Operands are held stable by dlp_vpu while it steps this lane through a function:
//   mq_sel_nx_i is the next cycle's mbqm input select (x, m, s) and t1_sel_nx_i the next
//   cycle's t1 source; the lane registers its own copy of both (sel_q, t1s_q), so the
//   select muxes start at a register next to them rather than at one register in dlp_vpu
//   that drives every lane. The mbqm result y appears 3 cycles after its inputs.
//   The shift s is clamped ahead: lr_q holds {left, right} (dlp_vpu_shamt) of each
//   parameter row that can be s and of sh_i, registered from prm_q (final one cycle
//   before any use), and sel_q picks one for mbqm stage 1.
//   The ADD inputs (a + prm0) << ls and (b + prm3) << ls are registered (eash_q, ebsh_q):
//   valid one cycle after a_i / b_i (dlp_vpu reads b after a, and selects MqAdd2 one
//   cycle after b is loaded).
//   t1_en_i loads t1 (mbqm y, MUL product, SOFTMAX e*r or LNORM x*D - S, per t1_sel_i),
//   t2_en_i loads t2 = y, p_en_i loads the 64-bit LNORM product t1 * inv.
//   pool_clr_i / pool_en_i clear / accumulate the MAXPOOL max and SUMPOOL sum of a_i.
// wact_o / wacc_o are the lane's ACT / ACC output for func_i, combinational from the
// registers and y; e_o is the SOFTMAX exponent max(LUT[m - a], 0), combinational from
// a_i and m_i (dlp_vpu registers it for its row reductions).
//
// The LUT replica (256 x int16) is written one entry per cycle (lut_we_i) and read
// asynchronously; it has no reset and keeps its contents between instructions. The
// lane's own uses of the read (the LUT function's output in wact_o / wacc_o, the SOFTMAX
// product e * r_i into t1) take a registered copy lutv_q: valid one cycle after a_i /
// m_i / func_i are (so the LUT-RAM read and the multiplier are not in one path).
// dlp_pkg names are package-qualified (Yosys 0.23 cannot parse an import in a module).
`default_nettype none

module dlp_vpu_lane (
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  input  wire logic [7:0]  func_i,
  // parameter rows
  input  wire logic        prm_we_i,
  input  wire logic [3:0]  prm_idx_i,
  input  wire logic [31:0] prm_d_i,
  // LUT write
  input  wire logic        lut_we_i,
  input  wire logic [7:0]  lut_widx_i,
  input  wire logic [15:0] lut_wd_i,
  // operands
  input  wire logic [31:0] acc_i,     // ACC source lane (REQ)
  input  wire logic [7:0]  a_i,       // ACT source lane
  input  wire logic [7:0]  b_i,       // ACT second source lane (ADD, MUL)
  input  wire logic [4:0]  ls_i,      // ADD left shift
  input  wire logic [7:0]  lo_i,
  input  wire logic [7:0]  hi_i,
  input  wire logic [7:0]  zo_i,      // SOFTMAX output offset
  input  wire logic [7:0]  sh_i,      // SOFTMAX shift
  input  wire logic [31:0] mult_i,    // SOFTMAX multiplier
  input  wire logic [7:0]  m_i,       // SOFTMAX vector max
  input  wire logic [31:0] r_i,       // SOFTMAX reciprocal floor(2^30 / S)
  input  wire logic [31:0] s_i,       // LNORM sum S
  input  wire logic [16:0] d_i,       // LNORM length D
  input  wire logic [31:0] inv_i,     // LNORM floor((2^61 - 1) / sd)
  input  wire logic [4:0]  esh_i,     // LNORM rounding shift e = 61 - 12 - p, minus 18
  input  wire logic [63:0] zh_i,      // LNORM 2^(e - 1) - 1
  // control
  input  wire logic [2:0]  mq_sel_nx_i,  // the next cycle's mbqm select
  input  wire logic [1:0]  t1_sel_nx_i,  // the next cycle's t1 source
  input  wire logic        t1_en_i,
  input  wire logic        t2_en_i,
  input  wire logic        p_en_i,
  input  wire logic        pool_clr_i,
  input  wire logic        pool_en_i,
  // outputs
  output      logic [15:0] e_o,
  output      logic [7:0]  wact_o,
  output      logic [31:0] wacc_o
);

  // mq_sel_nx_i encodings
  localparam logic [2:0] MqReq = 3'd0, MqAdd1 = 3'd1, MqAdd2 = 3'd2, MqAdd3 = 3'd3,
                         MqT1 = 3'd4, MqSmx = 3'd5;
  // t1_sel_nx_i encodings
  localparam logic [1:0] T1Y = 2'd0, T1Mul = 2'd1, T1Smx = 2'd2, T1Ln = 2'd3;

  // ---------------------------------------------------------------- registers
  logic [9*32-1:0]  prm_d, prm_q;      // 9 parameter rows, row k at [32k +: 32]
  logic [31:0]      t1_d, t1_q, t2_d, t2_q;
  logic [63:0]      p_d, p_q;
  logic [7:0]       mx_d, mx_q;
  logic [31:0]      sum_d, sum_q;
  logic [15:0]      lut_q [256];
  logic [15:0]      lutv_q;           // registered LUT read (no reset, like lut_q)
  logic [7:0]       lut_idx;
  logic [31:0]      eash_q, ebsh_q;   // ADD: (a + prm0) << ls, (b + prm3) << ls
  // Output offset and function flags, registered from func_i / prm_q / zo_i (constant
  // over an instruction's items; the first output is many cycles after they are set).
  logic [31:0]      off_q;
  logic             f_lut_q, f_copy_q, f_maxp_q;

  always_ff @(posedge clk_i) begin
    if (lut_we_i) lut_q[lut_widx_i] <= lut_wd_i;
    lutv_q   <= lut_q[lut_idx];
    eash_q   <= ea << ls_i;
    ebsh_q   <= eb << ls_i;
    off_q    <= off;
    f_lut_q  <= (func_i == dlp_pkg::VfLut);
    f_copy_q <= (func_i == dlp_pkg::VfCopy);
    f_maxp_q <= (func_i == dlp_pkg::VfMaxpool);
  end

  // ---------------------------------------------------------------- datapath
  logic [31:0] a32, b32, y, mq_x, mq_m, off, v, lo32, hi32;
  logic [31:0] mul_prod, smx_prod, ln_d, ea, eb;
  logic [15:0] lut_v, e, er;
  logic        v_lt_lo, v_gt_hi;

  // Per-lane select registers. keep: the N lanes' copies hold the same value, and
  // merged they would again be one register driving every lane (Yosys needs
  // fpga/yosys/keep_ffs.ys to carry the attribute to the flip-flops). No FSM recoding.
  (* keep, fsm_encoding = "none" *) logic [2:0] sel_q;
  (* keep, fsm_encoding = "none" *) logic [1:0] t1s_q;

  // {left, right} of the shift for each source of s, by mq select: 0 MqReq / MqAdd1
  // (prm 2), 1 MqAdd2 (prm 5), 2 MqAdd3 (prm 7), 3 MqT1 (prm 3), 4 MqSmx (sh_i).
  localparam int NShift = 5;
  logic [10*NShift-1:0] lr_d, lr_q;
  logic [4:0]           mq_left, mq_right;
  for (genvar k = 0; k < NShift; k++) begin : g_shamt
    localparam int Row = (k == 0) ? 2 : (k == 1) ? 5 : (k == 2) ? 7 : 3;
    dlp_vpu_shamt u_shamt (
      .s_i     ((k == 4) ? {{24{sh_i[7]}}, sh_i} : prm_q[32*Row +: 32]),
      .left_o  (lr_d[10*k + 5 +: 5]),
      .right_o (lr_d[10*k +: 5])
    );
  end

  always_ff @(posedge clk_i) begin
    lr_q <= lr_d;
  end

  dlp_vpu_mbqm u_mbqm (
    .clk_i   (clk_i),
    .x_i     (mq_x),
    .m_i     (mq_m),
    .left_i  (mq_left),
    .right_i (mq_right),
    .y_o     (y)
  );

  always_comb begin
    a32 = {{24{a_i[7]}}, a_i};
    b32 = {{24{b_i[7]}}, b_i};
    ea  = a32 + prm_q[32*0 +: 32];
    eb  = b32 + prm_q[32*3 +: 32];
    lo32 = {{24{lo_i[7]}}, lo_i};
    hi32 = {{24{hi_i[7]}}, hi_i};

    // LUT lookup: SOFTMAX indexes m - x, LUT indexes x + 128.
    lut_idx = (func_i == dlp_pkg::VfSoftmax) ? (m_i - a_i) : (a_i ^ 8'h80);
    lut_v   = lut_q[lut_idx];
    e       = lut_v[15] ? 16'd0 : lut_v;
    e_o     = e;
    er      = lutv_q[15] ? 16'd0 : lutv_q;  // e of the previous cycle's a_i, m_i

    mul_prod = ea * (b32 + prm_q[32*1 +: 32]);
    smx_prod = {16'd0, er} * r_i;
    ln_d     = 32'($signed(a32) * $signed({15'd0, d_i})) - s_i;

    case (sel_q)
      MqReq:  begin mq_x = acc_i + prm_q[32*0 +: 32];   mq_m = prm_q[32*1 +: 32]; end
      MqAdd1: begin mq_x = eash_q;             mq_m = prm_q[32*1 +: 32]; end
      MqAdd2: begin mq_x = ebsh_q;             mq_m = prm_q[32*4 +: 32]; end
      MqAdd3: begin mq_x = t1_q + t2_q;        mq_m = prm_q[32*6 +: 32]; end
      MqT1:   begin mq_x = t1_q;               mq_m = prm_q[32*2 +: 32]; end
      MqSmx:  begin mq_x = t1_q;               mq_m = mult_i; end
      default: begin mq_x = '0; mq_m = '0; end
    endcase
    case (sel_q)
      MqReq, MqAdd1: {mq_left, mq_right} = lr_q[10*0 +: 10];
      MqAdd2:        {mq_left, mq_right} = lr_q[10*1 +: 10];
      MqAdd3:        {mq_left, mq_right} = lr_q[10*2 +: 10];
      MqT1:          {mq_left, mq_right} = lr_q[10*3 +: 10];
      MqSmx:         {mq_left, mq_right} = lr_q[10*4 +: 10];
      default:       {mq_left, mq_right} = '0;
    endcase

    // Output offset by function, then clamp to [lo, hi].
    case (func_i)
      dlp_pkg::VfAdd:     off = prm_q[32*8 +: 32];
      dlp_pkg::VfMul:     off = prm_q[32*4 +: 32];
      dlp_pkg::VfSoftmax: off = {{24{zo_i[7]}}, zo_i};
      default:   off = prm_q[32*3 +: 32];  // REQ
    endcase
    v = f_lut_q ? {{16{lutv_q[15]}}, lutv_q} : off_q + y;
    v_lt_lo = $signed(v) < $signed(lo32);
    v_gt_hi = $signed(v) > $signed(hi32);
    if (f_copy_q)                  wact_o = a_i;
    else if (f_maxp_q)             wact_o = mx_q;
    else if (v_lt_lo)              wact_o = lo_i;
    else if (v_gt_hi)              wact_o = hi_i;
    else                           wact_o = v[7:0];

    case (func_i)
      dlp_pkg::VfSumpool: wacc_o = sum_q;
      dlp_pkg::VfLnorm:   wacc_o = z;
      default:   wacc_o = {{16{lutv_q[15]}}, lutv_q};  // LUT with dst_acc
    endcase
  end

  // LNORM: z = rdbpot64(p, e), low 32 bits (dlp_vpu_rnd64).
  logic [31:0] z;
  dlp_vpu_rnd64 u_rnd (
    .p_i   (p_q),
    .esh_i (esh_i),
    .zh_i  (zh_i),
    .z_o   (z)
  );

  // ---------------------------------------------------------------- next state
  always_comb begin
    // One enable per row (constant selects), not prm_d[32*prm_idx_i +: 32]: the variable
    // part-select write made Yosys build two 288-bit barrel shifters per lane.
    prm_d = prm_q;
    for (int k = 0; k < 9; k++) begin
      if (prm_we_i && prm_idx_i == 4'(k)) prm_d[32*k +: 32] = prm_d_i;
    end

    // An AND-OR select, not a case: Yosys `share` merges multipliers whose results a mux
    // selects exclusively, and the merged one (operand muxes in front, ln_d's subtract
    // behind) was the lane's longest path.
    t1_d = t1_q;
    if (t1_en_i) begin
      t1_d = ({32{t1s_q == T1Mul}} & mul_prod) | ({32{t1s_q == T1Smx}} & smx_prod) |
             ({32{t1s_q == T1Ln}} & ln_d) | ({32{t1s_q == T1Y}} & y);
    end
    t2_d = t2_en_i ? y : t2_q;
    p_d  = p_en_i ? 64'($signed(t1_q) * $signed({32'd0, inv_i})) : p_q;

    mx_d  = mx_q;
    sum_d = sum_q;
    if (pool_clr_i) begin
      mx_d  = 8'h80;
      sum_d = '0;
    end else if (pool_en_i) begin
      if ($signed(a_i) > $signed(mx_q)) mx_d = a_i;
      sum_d = sum_q + a32;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      prm_q <= '0;
      sel_q <= MqReq;
      t1s_q <= T1Y;
      t1_q  <= '0;
      t2_q  <= '0;
      p_q   <= '0;
      mx_q  <= '0;
      sum_q <= '0;
    end else begin
      prm_q <= prm_d;
      sel_q <= mq_sel_nx_i;
      t1s_q <= t1_sel_nx_i;
      t1_q  <= t1_d;
      t2_q  <= t2_d;
      p_q   <= p_d;
      mx_q  <= mx_d;
      sum_q <= sum_d;
    end
  end

endmodule
