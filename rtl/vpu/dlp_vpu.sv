// dlp_vpu - the vector unit: N lanes executing one VEC repetition per command.
//
// Implements every VEC function of docs/ARCHITECTURE.md section 5.4 bit-exact with the
// golden ISS (golden/src/iss.c exec_vec). Interface: the execution-unit contract of
// rtl/README.md (cmd valid/ready, slot0 = src, slot1 = src2, slot2 = dst, one done_o
// pulse per command with err_o / err_code_o) and three scratchpad request ports: act_*
// (read or write), acc_rd_* (read), acc_wr_* (write). A request is held until granted;
// read data is taken the cycle after the grant.
//
// Sequencing (a micro-step per state; items one after another, each item reads all its
// inputs before it writes, so in place works):
//   CHECK    range check of the repetition (exactly iss.c vec_ranges_ok, 50-bit
//            arithmetic on the 32-bit slots), in three registered steps (SCheck:
//            products, SChk2: sums, SChk3: compares): ERR_SP_RANGE before any access.
//            Then the parameter rows prm.. (REQ 4, ADD 9, MUL 5) are read once into the
//            lanes.
//   REQ      streams: ACC reads and ACT writes overlap, up to 8 rows in flight (FIFO),
//            one row per cycle.
//   others   read the source row(s) (request, data the cycle after the grant, then the
//            row is used), lane arithmetic (mbqm latency 3; LUT and SOFTMAX outputs use
//            the lanes' registered LUT read, one cycle more), write (1 cycle).
//   vectors  SOFTMAX: pass 1 max, pass 2 S = sum e_j, divide 2^30 / S (31 cycles, skipped
//            when S == 0), pass 3 outputs. LNORM: pass 1 S and SS, Q, p, isqrt (33
//            cycles), divide (2^61 - 1) / sd (61 cycles), pass 2 outputs. RMAX/RSUM: one
//            pass, one row written. The row reductions (max, S, SS, sum e) are pipelined
//            (see "row reductions"): 2 cycles after the last row of a pass (SDrn).
// Cycles per item with the grants always high (plus about 5 per repetition, and for REQ /
// ADD / MUL 2 per parameter row):
//   REQ 1 (after ~7 of pipeline fill), COPY 6, LUT 7, MUL 13, ADD 17,
//   MAXPOOL/SUMPOOL 3*KH*KW + 4, RMAX/RSUM 3R + 5, SOFTMAX 16R + 36, LNORM 10R + ~102,
//   LUTLD (2 + N/2) * 512/N per repetition.
// Port requests are a function of the state and registers only (no gnt -> req path).
// perf_rows_o pulses once per row written (VEC_ROWS); busy_o is high while executing.
// dlp_pkg names are package-qualified (Yosys 0.23 cannot parse an import in a module).
`default_nettype none

module dlp_vpu #(
  parameter int N       = 16,
  parameter int ActRows = 8192,
  parameter int AccRows = 1024,
  localparam int ActAw  = $clog2(ActRows),
  localparam int AccAw  = $clog2(AccRows)
) (
  input  wire logic             clk_i,
  input  wire logic             rst_ni,
  // command
  input  wire logic             cmd_valid_i,
  output      logic             cmd_ready_o,
  input  wire logic [255:0]     cmd_insn_i,
  input  wire logic [31:0]      cmd_slot0_i,
  input  wire logic [31:0]      cmd_slot1_i,
  input  wire logic [31:0]      cmd_slot2_i,
  output      logic             done_o,
  output      logic             err_o,
  output      logic [3:0]       err_code_o,
  output      logic [31:0]      err_addr_o,
  // ACT scratchpad port (read or write)
  output      logic             act_req_o,
  output      logic             act_we_o,
  output      logic [ActAw-1:0] act_addr_o,
  output      logic [8*N-1:0]   act_wdata_o,
  input  wire logic             act_gnt_i,
  input  wire logic [8*N-1:0]   act_rdata_i,
  // ACC scratchpad read port
  output      logic             acc_rd_req_o,
  output      logic [AccAw-1:0] acc_rd_addr_o,
  input  wire logic             acc_rd_gnt_i,
  input  wire logic [32*N-1:0]  acc_rd_rdata_i,
  // ACC scratchpad write port
  output      logic             acc_wr_req_o,
  output      logic [AccAw-1:0] acc_wr_addr_o,
  output      logic [32*N-1:0]  acc_wr_wdata_o,
  input  wire logic             acc_wr_gnt_i,
  // status
  output      logic             perf_rows_o,
  output      logic             busy_o
);

  localparam int LutRows = 512 / N;
  localparam int LogN    = $clog2(N);
  localparam int Half    = N / 2;

  // lane control encodings (dlp_vpu_lane)
  localparam logic [2:0] MqReq = 3'd0, MqAdd1 = 3'd1, MqAdd2 = 3'd2, MqAdd3 = 3'd3,
                         MqT1 = 3'd4, MqSmx = 3'd5;
  localparam logic [1:0] T1Y = 2'd0, T1Mul = 2'd1, T1Smx = 2'd2, T1Ln = 2'd3;

  typedef enum logic [5:0] {
    SIdle, SCheck, SChk2, SChk3, SPrmRd, SPrmCap, SItem, SRd, SRdw, SRdB, SWr, SEx, SNext,
    SPool, SLl, SRed, SRedC, SDrn, SSm1, SSm2, SSmZ, SSmDiv, SVNext, SLn1, SLnA, SLnQ,
    SLnQ2, SLnP, SLnP2, SLnSq, SLnDiv, SReq, SDone
  } state_e;

  // row reduction kinds (which accumulators a reduced row updates)
  localparam logic [2:0] RkNone = 3'd0, RkRed = 3'd1, RkMax = 3'd2, RkExp = 3'd3,
                         RkLn = 3'd4;

  // REQ streams: reads and writes use different scratchpads, so up to ReqDepth rows are in
  // flight (read granted, not yet written) and one row per cycle goes through.
  localparam int ReqDepth = 8;

  // ---------------------------------------------------------------- registers
  state_e          st_d, st_q, ret_d, ret_q;
  logic [255:0]    insn_d, insn_q;
  logic [31:0]     x_d, x_q, x2_d, x2_q, y_d, y_q;      // item rows
  logic [15:0]     item_d, item_q;                      // items done
  logic [15:0]     idx_d, idx_q, idx2_d, idx2_q;        // row / window / entry counters
  logic [31:0]     woa_d, woa_q, wob_d, wob_q;          // pool window offsets
  logic [3:0]      wait_d, wait_q;
  logic [31:0]     rd_addr_d, rd_addr_q, wr_addr_d, wr_addr_q;
  logic            rd_acc_d, rd_acc_q, rd_b_d, rd_b_q, wr_acc_d, wr_acc_q;
  logic [8*N-1:0]  arow_d, arow_q, brow_d, brow_q, wact_d, wact_q;
  logic [32*N-1:0] crow_d, crow_q, wacc_d, wacc_q;
  logic [7:0]      mx_d, mx_q;                          // vector max
  logic [31:0]     s_d, s_q, ss_d, ss_q;                // vector sums
  logic [63:0]     qv_d, qv_q;                          // LNORM Q
  logic [4:0]      p_d, p_q;                            // LNORM p
  logic            zero_d, zero_q;                      // S == 0 / Q <= 0
  logic [31:0]     r_d, r_q;                            // reciprocal / inv
  logic            err_d, err_q;
  // REQ stream
  logic [15:0]     srd_d, srd_q, swr_d, swr_q;          // rows read (granted) / written
  logic            rv_d, rv_q;                          // read data valid this cycle
  logic [3:0]      vp_d, vp_q;                          // valid along the mbqm pipeline
  logic [ReqDepth*8*N-1:0] fifo_d, fifo_q;              // results waiting for the write
  logic [2:0]      fwp_d, fwp_q, frp_d, frp_q;
  logic [3:0]      fcnt_d, fcnt_q;

  // ---------------------------------------------------------------- fields
  logic [7:0]  f_func, f_lo, f_hi, f_zo, f_sh;
  logic [15:0] f_count, f_ssrc, f_sdst, f_ssrc2, f_prm, f_k0, f_k1, f_skh, f_skw;
  logic        f_dacc;
  logic [31:0] f_imm;

  // Instruction fields (continuous assigns).
  assign f_func  = insn_q[dlp_pkg::FVecFunc +: 8];
  assign f_count = insn_q[dlp_pkg::FVecCount +: 16];
  assign f_ssrc  = insn_q[dlp_pkg::FVecSSrc +: 16];
  assign f_sdst  = insn_q[dlp_pkg::FVecSDst +: 16];
  assign f_ssrc2 = insn_q[dlp_pkg::FVecSSrc2 +: 16];
  assign f_prm   = insn_q[dlp_pkg::FVecPrm +: 16];
  assign f_lo    = insn_q[dlp_pkg::FVecLo +: 8];
  assign f_hi    = insn_q[dlp_pkg::FVecHi +: 8];
  assign f_dacc  = insn_q[dlp_pkg::FVecDstAcc];
  assign f_zo    = insn_q[dlp_pkg::FVecZo +: 8];
  assign f_sh    = insn_q[dlp_pkg::FVecShift +: 8];
  assign f_k0    = insn_q[dlp_pkg::FVecK0 +: 16];
  assign f_k1    = insn_q[dlp_pkg::FVecK1 +: 16];
  assign f_imm   = insn_q[dlp_pkg::FVecImm +: 32];
  assign f_skh   = f_imm[15:0];
  assign f_skw   = f_imm[31:16];

  // ---------------------------------------------------------------- range check
  // last(base, stride, span) = base + (count - 1) * stride + span - 1, in 50 bits (mod
  // 2^50, count = 0 included). Three registered steps (states SCheck, SChk2, SChk3, all
  // registers loaded every cycle; insn_q and the slots are stable from SIdle on):
  // products (k_*), then the sums (l_*), then the compares (range_ok, used in SChk3).
  // The registers also keep Yosys `share` from merging these multipliers with the lanes'
  // into one combinational path.
  logic [49:0] k_src_d, k_src_q, k_src2_d, k_src2_q, k_dst_d, k_dst_q;
  logic [49:0] k_kh_d, k_kh_q, k_kw_d, k_kw_q;
  logic [49:0] l_src_d, l_src_q, l_src2_d, l_src2_q, l_dst_d, l_dst_q, l_pool_d, l_pool_q;
  logic [49:0] l_vsrc_d, l_vsrc_q, l_vdst_d, l_vdst_q, prm_end_d, prm_end_q, l_ll_d, l_ll_q;
  logic [49:0] act_rows, acc_rows, k0m1w;
  logic [15:0] k0m1, k1m1, cntm1;
  logic [3:0]  nprm, nprm_q;  // nprm_q: registered decode of f_func (used from SCheck on)
  logic        range_ok;

  always_comb begin
    act_rows  = 50'(ActRows);
    acc_rows  = 50'(AccRows);
    // (count - 1) * stride mod 2^50: count = 0 is (2^50 - 1) * stride = -stride.
    cntm1     = f_count - 16'd1;
    k_src_d   = (f_count == 16'd0) ? 50'd0 - 50'(f_ssrc)  : 50'(cntm1) * 50'(f_ssrc);
    k_src2_d  = (f_count == 16'd0) ? 50'd0 - 50'(f_ssrc2) : 50'(cntm1) * 50'(f_ssrc2);
    k_dst_d   = (f_count == 16'd0) ? 50'd0 - 50'(f_sdst)  : 50'(cntm1) * 50'(f_sdst);
    k0m1      = f_k0 - 16'd1;
    k1m1      = f_k1 - 16'd1;
    k_kh_d    = 50'(k0m1) * 50'(f_skh);
    k_kw_d    = 50'(k1m1) * 50'(f_skw);
    k0m1w     = 50'(f_k0) - 50'd1;
    case (f_func)
      dlp_pkg::VfReq:   nprm = 4'd4;
      dlp_pkg::VfAdd:   nprm = 4'd9;
      dlp_pkg::VfMul:   nprm = 4'd5;
      default: nprm = 4'd0;
    endcase
    // span_pool = k_kh + k_kw + 1; l_pool = l_src + span_pool - 1
    l_src_d   = 50'(x_q) + k_src_q;
    l_src2_d  = 50'(x2_q) + k_src2_q;
    l_dst_d   = 50'(y_q) + k_dst_q;
    l_pool_d  = (50'(x_q) + k_src_q) + (k_kh_q + k_kw_q);
    l_vsrc_d  = (50'(x_q) + k_src_q) + k0m1w;
    l_vdst_d  = (50'(y_q) + k_dst_q) + k0m1w;
    prm_end_d = 50'(f_prm) + 50'(nprm_q);
    l_ll_d    = 50'(x_q) + 50'(LutRows);
    case (f_func)
      dlp_pkg::VfReq:     range_ok = l_src_q < acc_rows && l_dst_q < act_rows &&
                                     prm_end_q <= acc_rows;
      dlp_pkg::VfAdd, dlp_pkg::VfMul:
                 range_ok = l_src_q < act_rows && l_src2_q < act_rows && l_dst_q < act_rows &&
                            prm_end_q <= acc_rows;
      dlp_pkg::VfLut:     range_ok = l_src_q < act_rows &&
                                     l_dst_q < (f_dacc ? acc_rows : act_rows);
      dlp_pkg::VfLutld:   range_ok = l_ll_q <= act_rows;
      dlp_pkg::VfMaxpool: range_ok = l_pool_q < act_rows && l_dst_q < act_rows;
      dlp_pkg::VfSumpool: range_ok = l_pool_q < act_rows && l_dst_q < acc_rows;
      dlp_pkg::VfSoftmax: range_ok = l_vsrc_q < act_rows && l_vdst_q < act_rows;
      dlp_pkg::VfLnorm:   range_ok = l_vsrc_q < act_rows && l_vdst_q < acc_rows;
      dlp_pkg::VfRmax, dlp_pkg::VfRsum:
                 range_ok = l_vsrc_q < act_rows && l_dst_q < acc_rows;
      default:   range_ok = l_src_q < act_rows && l_dst_q < act_rows;  // COPY
    endcase
  end

  always_ff @(posedge clk_i) begin
    k_src_q   <= k_src_d;
    k_src2_q  <= k_src2_d;
    k_dst_q   <= k_dst_d;
    k_kh_q    <= k_kh_d;
    k_kw_q    <= k_kw_d;
    l_src_q   <= l_src_d;
    l_src2_q  <= l_src2_d;
    l_dst_q   <= l_dst_d;
    l_pool_q  <= l_pool_d;
    l_vsrc_q  <= l_vsrc_d;
    l_vdst_q  <= l_vdst_d;
    prm_end_q <= prm_end_d;
    l_ll_q    <= l_ll_d;
    nprm_q    <= nprm;
  end

  // ---------------------------------------------------------------- row reductions
  // Over the lanes j = idx*N + l < L of the current ACT row arow_q, pipelined so that no
  // path chains the lanes serially:
  //   A (SRed, SSm1, SSm2, SLn1: arow_q and the lanes' e valid): the per-lane operands,
  //     masked by vmask_q, into r1_* (invalid lanes give the identity: 0x80 / 0);
  //   B: balanced trees over the N lanes (log2 N levels) into r2_*;
  //   C: one 2-input step into the accumulators (mx_q, s_q, ss_q), by the kind rk2_q.
  // Max and the wrapping 32-bit sums are associative and commutative, so the result is
  // the same as the serial order. Rows are >= 3 cycles apart (SRd, SRdw, A), so a row's C
  // is before the next row's A; after the last row of a pass the FSM waits in SDrn (B) and
  // takes the totals red_* (C) or the accumulators (D on).
  // vmask_q is valid[] of the previous cycle: idx_q is stable from SRd to the use (A, SEx).
  logic [N-1:0]    valid, vmask_q;
  logic [31:0]     rn;
  logic [7:0]      red_mx;
  logic [31:0]     red_s, red_ss, red_e;
  logic [16*N-1:0] lane_e;
  logic [8*N-1:0]  r1_mx_d, r1_mx_q, r1_s_d, r1_s_q;
  logic [16*N-1:0] r1_ss_d, r1_ss_q, r1_e_d, r1_e_q;
  logic [2:0]      rk1_d, rk1_q, rk2_q;
  logic [7:0]      r2_mx_d, r2_mx_q;
  logic [31:0]     r2_s_d, r2_s_q, r2_ss_d, r2_ss_q, r2_e_d, r2_e_q;
  logic [8*2*N-1:0]  t_mx;   // heap: node i at [8i +: 8], leaves N..2N-1, root 1
  logic [16*2*N-1:0] t_s;    // signed sums
  logic [20*2*N-1:0] t_ss, t_e;

  always_comb begin
    rn = {16'd0, idx_q} << LogN;
    for (int l = 0; l < N; l++) begin
      logic [7:0]  a;
      logic [15:0] sq;
      a        = arow_q[8*l +: 8];
      sq       = 16'($signed(a) * $signed(a));   // 0 .. 16384
      valid[l] = (rn + 32'(l)) < {16'd0, f_k1};
      r1_mx_d[8*l +: 8]   = vmask_q[l] ? a : 8'h80;
      r1_s_d[8*l +: 8]    = vmask_q[l] ? a : 8'h00;
      r1_ss_d[16*l +: 16] = vmask_q[l] ? sq : 16'd0;
      r1_e_d[16*l +: 16]  = vmask_q[l] ? lane_e[16*l +: 16] : 16'd0;
    end
    case (st_q)
      SRed:    rk1_d = RkRed;
      SSm1:    rk1_d = RkMax;
      SSm2:    rk1_d = RkExp;
      SLn1:    rk1_d = RkLn;
      default: rk1_d = RkNone;
    endcase
    t_mx = '0;
    t_s  = '0;
    t_ss = '0;
    t_e  = '0;
    for (int l = 0; l < N; l++) begin
      t_mx[8*(N+l) +: 8]   = r1_mx_q[8*l +: 8];
      t_s[16*(N+l) +: 16]  = 16'($signed(r1_s_q[8*l +: 8]));
      t_ss[20*(N+l) +: 20] = {4'd0, r1_ss_q[16*l +: 16]};
      t_e[20*(N+l) +: 20]  = {4'd0, r1_e_q[16*l +: 16]};
    end
    for (int i = N - 1; i >= 1; i--) begin
      t_mx[8*i +: 8] = ($signed(t_mx[8*(2*i+1) +: 8]) > $signed(t_mx[8*(2*i) +: 8])) ?
                       t_mx[8*(2*i+1) +: 8] : t_mx[8*(2*i) +: 8];
      t_s[16*i +: 16]  = t_s[16*(2*i) +: 16] + t_s[16*(2*i+1) +: 16];
      t_ss[20*i +: 20] = t_ss[20*(2*i) +: 20] + t_ss[20*(2*i+1) +: 20];
      t_e[20*i +: 20]  = t_e[20*(2*i) +: 20] + t_e[20*(2*i+1) +: 20];
    end
    r2_mx_d = t_mx[8 +: 8];
    r2_s_d  = 32'($signed(t_s[16 +: 16]));
    r2_ss_d = {12'd0, t_ss[20 +: 20]};
    r2_e_d  = {12'd0, t_e[20 +: 20]};
    // C: the totals including the row in r2_*
    red_mx = ($signed(r2_mx_q) > $signed(mx_q)) ? r2_mx_q : mx_q;
    red_s  = s_q + r2_s_q;
    red_ss = ss_q + r2_ss_q;
    red_e  = s_q + r2_e_q;
  end

  // Only the inner nodes 1..N-1 and the leaves are used (node 0 is padding).
  logic unused_t;
  assign unused_t = ^{t_mx[7:0], t_s[15:0], t_ss[19:0], t_e[19:0]};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rk1_q <= RkNone;
      rk2_q <= RkNone;
    end else begin
      rk1_q <= rk1_d;
      rk2_q <= rk1_q;
    end
  end

  always_ff @(posedge clk_i) begin
    vmask_q <= valid;
    r1_mx_q <= r1_mx_d;
    r1_s_q  <= r1_s_d;
    r1_ss_q <= r1_ss_d;
    r1_e_q  <= r1_e_d;
    r2_mx_q <= r2_mx_d;
    r2_s_q  <= r2_s_d;
    r2_ss_q <= r2_ss_d;
    r2_e_q  <= r2_e_d;
  end

  // ---------------------------------------------------------------- LNORM helpers
  logic [63:0] lnq, sq_in, lnm1_q, lnm2_q;
  logic [6:0]  bitlen;
  logic [4:0]  p_new;
  logic        isq_start, isq_done, div_start, div_done;
  logic [31:0] isq_root, div_q;
  logic [63:0] div_dividend;
  logic [6:0]  div_steps;

  // Q = D*SS - S*S + eps_term (64-bit signed): the products are registered every cycle
  // (lnm*_q, valid in SLnQ2, one cycle after s_q / ss_q are final), the sum in SLnQ2.
  // p (SLnP) is registered before the shift sq_in (SLnP2).
  always_ff @(posedge clk_i) begin
    lnm1_q <= 64'($signed({47'd0, f_k1}) * $signed({32'd0, ss_q}));
    lnm2_q <= 64'($signed(s_q) * $signed(s_q));
  end

  // bitlen = index of the highest set bit + 1 (0 for Q = 0): a balanced tree (heap,
  // node i over children 2i (upper half) and 2i + 1, leaves 64 + j = bit 63 - j) of
  // (any bit set, highest set bit in the subtree), not a 64-step priority chain.
  logic [127:0]   hb_nz;
  logic [6*128-1:0] hb_ix;
  always_comb begin
    lnq = lnm1_q - lnm2_q + {32'd0, f_imm};
    hb_nz = '0;
    hb_ix = '0;
    for (int j = 0; j < 64; j++) hb_nz[64 + j] = qv_q[63 - j];
    for (int i = 63; i >= 1; i--) begin
      // the children's width: 1 for nodes 32..63, 2 for 16..31, ..., 32 for the root
      hb_nz[i] = hb_nz[2*i] | hb_nz[2*i + 1];
      hb_ix[6*i +: 6] = hb_nz[2*i] ? (hb_ix[12*i +: 6] |
                                      ((i >= 32) ? 6'd1 : (i >= 16) ? 6'd2 : (i >= 8) ? 6'd4 :
                                       (i >= 4) ? 6'd8 : (i >= 2) ? 6'd16 : 6'd32))
                                   : hb_ix[6*(2*i + 1) +: 6];
    end
    bitlen = hb_nz[1] ? 7'({1'b0, hb_ix[6 +: 6]} + 7'd1) : 7'd0;
    p_new = 5'((7'd62 - bitlen) >> 1);
    sq_in = qv_q << {p_q, 1'b0};
  end

  logic unused_hb;
  assign unused_hb = ^{hb_nz[0], hb_ix[5:0]};

  // The LNORM output rounding shift e = 61 - 12 - p (18..49: p is 0..31) as e - 18 = 31 - p,
  // and the lanes' rounding addend 2^(e-1) - 1, registered from p_q (set in SLnP, used
  // from the first output row on).
  logic [4:0]  ln_esh_q;
  logic [63:0] ln_zh_q;
  always_ff @(posedge clk_i) begin
    ln_esh_q <= ~p_q;
    ln_zh_q  <= (64'd1 << (6'd48 - {1'b0, p_q})) - 64'd1;
  end

  dlp_vpu_isqrt u_isqrt (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (isq_start),
    .v_i     (sq_in),
    .done_o  (isq_done),
    .root_o  (isq_root)
  );

  dlp_vpu_div u_div (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .start_i    (div_start),
    .dividend_i (div_dividend),
    .steps_i    (div_steps),
    .divisor_i  ((f_func == dlp_pkg::VfLnorm) ? isq_root : red_e),
    .done_o     (div_done),
    .quotient_o (div_q)
  );

  // ---------------------------------------------------------------- lanes
  logic        prm_we, lut_we, t1_en, t2_en, p_en, pool_clr, pool_en;
  logic [3:0]  prm_idx;
  logic [7:0]  lut_widx;
  logic [15:0] lut_wd;
  logic [2:0]  mq_sel_d;  // the next cycle's lane selects (each lane registers its own)
  logic [1:0]  t1_sel_d;
  logic [8*N-1:0]  lane_wact;
  logic [32*N-1:0] lane_wacc;

  for (genvar l = 0; l < N; l++) begin : g_lane
    dlp_vpu_lane u_lane (
      .clk_i      (clk_i),
      .rst_ni     (rst_ni),
      .func_i     (f_func),
      .prm_we_i   (prm_we),
      .prm_idx_i  (prm_idx),
      .prm_d_i    (acc_rd_rdata_i[32*l +: 32]),
      .lut_we_i   (lut_we),
      .lut_widx_i (lut_widx),
      .lut_wd_i   (lut_wd),
      .acc_i      (crow_q[32*l +: 32]),
      .a_i        (arow_q[8*l +: 8]),
      .b_i        (brow_q[8*l +: 8]),
      .ls_i       (f_k0[4:0]),
      .lo_i       (f_lo),
      .hi_i       (f_hi),
      .zo_i       (f_zo),
      .sh_i       (f_sh),
      .mult_i     (f_imm),
      .m_i        (mx_q),
      .r_i        (r_q),
      .s_i        (s_q),
      .d_i        ({1'b0, f_k1}),
      .inv_i      (r_q),
      .esh_i      (ln_esh_q),
      .zh_i       (ln_zh_q),
      .mq_sel_nx_i(mq_sel_d),
      .t1_sel_nx_i(t1_sel_d),
      .t1_en_i    (t1_en),
      .t2_en_i    (t2_en),
      .p_en_i     (p_en),
      .pool_clr_i (pool_clr),
      .pool_en_i  (pool_en),
      .e_o        (lane_e[16*l +: 16]),
      .wact_o     (lane_wact[8*l +: 8]),
      .wacc_o     (lane_wacc[32*l +: 32])
    );
  end

  // SOFTMAX lanes beyond L (or S == 0) get clamp(zo, lo, hi); LNORM lanes beyond L
  // (or Q <= 0) get 0.
  logic [7:0]      zo_cl;
  logic [8*N-1:0]  out_act;
  logic [32*N-1:0] out_acc;
  logic [3:0]      ex_last;

  always_comb begin
    zo_cl = ($signed(f_zo) < $signed(f_lo)) ? f_lo :
            ($signed(f_zo) > $signed(f_hi)) ? f_hi : f_zo;
    out_act = lane_wact;
    out_acc = lane_wacc;
    for (int l = 0; l < N; l++) begin
      if (f_func == dlp_pkg::VfSoftmax && (!vmask_q[l] || zero_q)) out_act[8*l +: 8] = zo_cl;
      if (f_func == dlp_pkg::VfLnorm && (!vmask_q[l] || zero_q)) out_acc[32*l +: 32] = '0;
    end
    case (f_func)
      dlp_pkg::VfReq:     ex_last = 4'd3;
      dlp_pkg::VfAdd:     ex_last = 4'd8;
      dlp_pkg::VfMul:     ex_last = 4'd4;
      dlp_pkg::VfSoftmax: ex_last = 4'd5;
      dlp_pkg::VfLut:     ex_last = 4'd1;  // the lane's registered LUT read
      dlp_pkg::VfLnorm:   ex_last = 4'd2;
      default:   ex_last = 4'd0;
    endcase
  end

  // ---------------------------------------------------------------- port requests
  // From the state and registers only (never from a grant), so the top's arbiters see no
  // combinational path from gnt back to req.
  logic req_rd;  // REQ stream: a row may be read
  assign req_rd = (srd_q != f_count) && ((srd_q - swr_q) < 16'(ReqDepth));

  // always @*, not always_comb (here and in the FSM block below): Icarus 11.0
  // always_comb sensitivity bug (iverilog issue 508, fixed after 11.0); with always_comb
  // here vvp loops at zero delay (at the first VEC command, in SOFTMAX). See dlp_ctrl.
  always @* begin
    act_req_o      = 1'b0;
    act_we_o       = 1'b0;
    act_addr_o     = rd_addr_q[ActAw-1:0];
    act_wdata_o    = wact_q;
    acc_rd_req_o   = 1'b0;
    acc_rd_addr_o  = rd_addr_q[AccAw-1:0];
    acc_wr_req_o   = 1'b0;
    acc_wr_addr_o  = wr_addr_q[AccAw-1:0];
    acc_wr_wdata_o = wacc_q;
    case (st_q)
      SPrmRd: begin
        acc_rd_req_o  = 1'b1;
        acc_rd_addr_o = AccAw'(f_prm + idx_q);
      end
      SRd: begin
        acc_rd_req_o = rd_acc_q;
        act_req_o    = !rd_acc_q;
      end
      SWr: begin
        acc_wr_req_o = wr_acc_q;
        act_req_o    = !wr_acc_q;
        act_we_o     = 1'b1;
        act_addr_o   = wr_addr_q[ActAw-1:0];
      end
      SReq: begin
        acc_rd_req_o  = req_rd;
        acc_rd_addr_o = x_q[AccAw-1:0];
        act_req_o     = (fcnt_q != 4'd0);
        act_we_o      = 1'b1;
        act_addr_o    = y_q[ActAw-1:0];
        act_wdata_o   = fifo_q[8*N*frp_q +: 8*N];
      end
      default: ;
    endcase
  end

  // ---------------------------------------------------------------- FSM
  logic is_vec_out;  // output rows y + idx (SOFTMAX, LNORM)
  assign is_vec_out = (f_func == dlp_pkg::VfSoftmax) || (f_func == dlp_pkg::VfLnorm);

  // always @*, not always_comb: Icarus 11.0 always_comb bug (see the port requests).
  always @* begin
    // Loop indices declared and set here, not in the for headers: Yosys 0.23 infers a
    // latch for a for-declared index of a loop inside a branch of an always @* block.
    int l, r;
    l = 0;
    r = 0;
    st_d      = st_q;
    ret_d     = ret_q;
    insn_d    = insn_q;
    x_d       = x_q;
    x2_d      = x2_q;
    y_d       = y_q;
    item_d    = item_q;
    idx_d     = idx_q;
    idx2_d    = idx2_q;
    woa_d     = woa_q;
    wob_d     = wob_q;
    wait_d    = wait_q;
    rd_addr_d = rd_addr_q;
    rd_acc_d  = rd_acc_q;
    rd_b_d    = rd_b_q;
    wr_addr_d = wr_addr_q;
    wr_acc_d  = wr_acc_q;
    arow_d    = arow_q;
    brow_d    = brow_q;
    crow_d    = crow_q;
    wact_d    = wact_q;
    wacc_d    = wacc_q;
    mx_d      = mx_q;
    s_d       = s_q;
    ss_d      = ss_q;
    qv_d      = qv_q;
    p_d       = p_q;
    zero_d    = zero_q;
    r_d       = r_q;
    err_d     = err_q;
    srd_d     = srd_q;
    swr_d     = swr_q;
    rv_d      = 1'b0;
    vp_d      = '0;
    fifo_d    = fifo_q;
    fwp_d     = fwp_q;
    frp_d     = frp_q;
    fcnt_d    = fcnt_q;
    // row reductions, step C (see the row reductions)
    case (rk2_q)
      RkRed: begin mx_d = red_mx; s_d = red_s; end
      RkMax: mx_d = red_mx;
      RkExp: s_d = red_e;
      RkLn:  begin s_d = red_s; ss_d = red_ss; end
      default: ;
    endcase

    cmd_ready_o   = 1'b0;
    done_o        = 1'b0;
    perf_rows_o   = 1'b0;

    prm_we   = 1'b0;
    prm_idx  = idx_q[3:0];
    lut_we   = 1'b0;
    lut_widx = 8'(idx_q * 16'(Half) + idx2_q);
    lut_wd   = arow_q[16*idx2_q[LogN-1:0] +: 16];
    t1_en    = 1'b0;
    t2_en    = 1'b0;
    p_en     = 1'b0;
    pool_clr = 1'b0;
    pool_en  = 1'b0;
    isq_start = 1'b0;
    div_start = 1'b0;
    div_dividend = 64'd1 << 63;  // 2^30, 31 steps
    div_steps    = 7'd31;

    case (st_q)
      SIdle: begin
        cmd_ready_o = 1'b1;
        if (cmd_valid_i) begin
          insn_d = cmd_insn_i;
          x_d    = cmd_slot0_i;
          x2_d   = cmd_slot1_i;
          y_d    = cmd_slot2_i;
          err_d  = 1'b0;
          st_d   = SCheck;
        end
      end

      SCheck: st_d = SChk2;  // products into k_*_q
      SChk2:  st_d = SChk3;  // sums into l_*_q

      SChk3: begin
        item_d = '0;
        idx_d  = '0;
        if (!range_ok) begin
          err_d = 1'b1;
          st_d  = SDone;
        end else if (nprm_q != 4'd0) begin
          st_d = SPrmRd;
        end else begin
          st_d = SItem;
        end
      end

      SPrmRd: begin
        if (acc_rd_gnt_i) st_d = SPrmCap;
      end

      SPrmCap: begin
        prm_we = 1'b1;
        if (idx_q == 16'(nprm_q) - 16'd1) begin
          srd_d  = '0;
          swr_d  = '0;
          fwp_d  = '0;
          frp_d  = '0;
          fcnt_d = '0;
          if (f_func == dlp_pkg::VfReq) st_d = SReq;
          else                          st_d = SItem;
        end else begin
          idx_d = idx_q + 16'd1;
          st_d  = SPrmRd;
        end
      end

      // Start an item: clear the per-item state, read the first source row.
      SItem: begin
        idx_d     = '0;
        idx2_d    = '0;
        woa_d     = '0;
        wob_d     = '0;
        wait_d    = '0;
        mx_d      = 8'h80;
        s_d       = '0;
        ss_d      = '0;
        zero_d    = 1'b0;
        pool_clr  = 1'b1;
        rd_addr_d = x_q;
        rd_acc_d  = (f_func == dlp_pkg::VfReq);
        rd_b_d    = 1'b0;
        st_d      = SRd;
        case (f_func)
          dlp_pkg::VfAdd, dlp_pkg::VfMul:         ret_d = SRdB;
          dlp_pkg::VfLutld:              ret_d = SLl;
          dlp_pkg::VfMaxpool, dlp_pkg::VfSumpool: ret_d = SPool;
          dlp_pkg::VfRmax, dlp_pkg::VfRsum:       ret_d = SRed;
          dlp_pkg::VfSoftmax:            ret_d = SSm1;
          dlp_pkg::VfLnorm:              ret_d = SLn1;
          default:              ret_d = SEx;  // REQ, LUT, COPY
        endcase
      end

      // Read subroutine: request rd_addr_q, capture the data, continue at ret_q.
      SRd: begin
        if (rd_acc_q ? acc_rd_gnt_i : act_gnt_i) st_d = SRdw;
      end

      SRdw: begin
        if (rd_acc_q)  crow_d = acc_rd_rdata_i;
        else if (rd_b_q) brow_d = act_rdata_i;
        else           arow_d = act_rdata_i;
        st_d = ret_q;
      end

      SRdB: begin
        rd_addr_d = x2_q;
        rd_acc_d  = 1'b0;
        rd_b_d    = 1'b1;
        ret_d     = SEx;
        st_d      = SRd;
      end

      // Write subroutine: write wact_q / wacc_q to wr_addr_q, continue at ret_q.
      SWr: begin
        if (wr_acc_q ? acc_wr_gnt_i : act_gnt_i) begin
          perf_rows_o = 1'b1;
          st_d        = ret_q;
        end
      end

      // Lane arithmetic of one output row; the result is taken at wait_q == ex_last.
      SEx: begin
        wait_d = wait_q + 4'd1;
        case (f_func)
          dlp_pkg::VfAdd: begin
            t1_en  = (wait_q == 4'd3);
            t2_en  = (wait_q == 4'd4);
          end
          dlp_pkg::VfMul: begin
            t1_en  = (wait_q == 4'd0);
          end
          dlp_pkg::VfSoftmax: begin
            t1_en  = (wait_q == 4'd1);  // e * r from the lane's registered LUT read
          end
          dlp_pkg::VfLnorm: begin
            t1_en  = (wait_q == 4'd0);
            p_en   = (wait_q == 4'd1);
          end
          default: ;
        endcase
        if (wait_q == ex_last) begin
          wait_d    = '0;
          wact_d    = out_act;
          wacc_d    = out_acc;
          wr_addr_d = is_vec_out ? y_q + {16'd0, idx_q} : y_q;
          wr_acc_d  = (f_func == dlp_pkg::VfLut && f_dacc) || f_func == dlp_pkg::VfSumpool ||
                      f_func == dlp_pkg::VfLnorm;
          if (is_vec_out) ret_d = SVNext;
          else            ret_d = SNext;
          st_d      = SWr;
        end
      end

      SNext: begin
        x_d    = x_q + {16'd0, f_ssrc};
        x2_d   = x2_q + {16'd0, f_ssrc2};
        y_d    = y_q + {16'd0, f_sdst};
        item_d = item_q + 16'd1;
        if (item_q + 16'd1 == f_count) st_d = SDone;
        else                           st_d = SItem;
      end

      SPool: begin
        pool_en = 1'b1;
        if (idx2_q + 16'd1 == f_k1 && idx_q + 16'd1 == f_k0) begin
          st_d = SEx;
        end else begin
          if (idx2_q + 16'd1 == f_k1) begin
            idx2_d = '0;
            wob_d  = '0;
            idx_d  = idx_q + 16'd1;
            woa_d  = woa_q + {16'd0, f_skh};
          end else begin
            idx2_d = idx2_q + 16'd1;
            wob_d  = wob_q + {16'd0, f_skw};
          end
          rd_addr_d = x_q + woa_d + wob_d;
          ret_d     = SPool;
          st_d      = SRd;
        end
      end

      // LUTLD: entries idx*N/2 + idx2 from bytes 2*idx2, 2*idx2 + 1 of row src + idx.
      SLl: begin
        lut_we = 1'b1;
        if (idx2_q == 16'(Half - 1)) begin
          idx2_d = '0;
          if (idx_q == 16'(LutRows - 1)) begin
            st_d = SDone;
          end else begin
            idx_d     = idx_q + 16'd1;
            rd_addr_d = x_q + {16'd0, idx_q} + 32'd1;
            ret_d     = SLl;
            st_d      = SRd;
          end
        end else begin
          idx2_d = idx2_q + 16'd1;
        end
      end

      SRed: begin
        if (idx_q + 16'd1 == f_k0) begin
          ret_d = SRedC;
          st_d  = SDrn;
        end else begin
          idx_d     = idx_q + 16'd1;
          rd_addr_d = x_q + {16'd0, idx_q} + 32'd1;
          st_d      = SRd;
        end
      end

      // The last row's reduction step B; continue at ret_q (its step C).
      SDrn: st_d = ret_q;

      SRedC: begin
        for (l = 0; l < N; l++) begin
          wacc_d[32*l +: 32] = (f_func == dlp_pkg::VfRmax) ? {{24{red_mx[7]}}, red_mx} : red_s;
        end
        wr_addr_d = y_q;
        wr_acc_d  = 1'b1;
        ret_d     = SNext;
        st_d      = SWr;
      end

      // SOFTMAX pass 1: max (mx_q is final from the first SRdw of pass 2 on).
      SSm1: begin
        st_d = SRd;
        if (idx_q + 16'd1 == f_k0) begin
          idx_d     = '0;
          rd_addr_d = x_q;
          ret_d     = SSm2;
        end else begin
          idx_d     = idx_q + 16'd1;
          rd_addr_d = x_q + {16'd0, idx_q} + 32'd1;
        end
      end

      // SOFTMAX pass 2: S = sum of e_j, then r = floor(2^30 / S).
      SSm2: begin
        if (idx_q + 16'd1 == f_k0) begin
          idx_d = '0;
          ret_d = SSmZ;
          st_d  = SDrn;
        end else begin
          idx_d     = idx_q + 16'd1;
          rd_addr_d = x_q + {16'd0, idx_q} + 32'd1;
          st_d      = SRd;
        end
      end

      SSmZ: begin
        if (red_e == 32'd0) begin
          zero_d    = 1'b1;
          rd_addr_d = x_q;
          ret_d     = SEx;
          st_d      = SRd;
        end else begin
          div_start = 1'b1;  // divisor red_e
          st_d      = SSmDiv;
        end
      end

      SSmDiv: begin
        if (div_done) begin
          r_d       = div_q;
          rd_addr_d = x_q;
          ret_d     = SEx;
          st_d      = SRd;
        end
      end

      // Output passes of SOFTMAX / LNORM: next row.
      SVNext: begin
        if (idx_q + 16'd1 == f_k0) begin
          st_d = SNext;
        end else begin
          idx_d     = idx_q + 16'd1;
          rd_addr_d = x_q + {16'd0, idx_q} + 32'd1;
          ret_d     = SEx;
          st_d      = SRd;
        end
      end

      // LNORM pass 1: S and SS.
      SLn1: begin
        if (idx_q + 16'd1 == f_k0) begin
          ret_d = SLnA;
          st_d  = SDrn;
        end else begin
          idx_d     = idx_q + 16'd1;
          rd_addr_d = x_q + {16'd0, idx_q} + 32'd1;
          st_d      = SRd;
        end
      end

      SLnA: st_d = SLnQ;   // s_q, ss_q final at the end of this cycle
      SLnQ: st_d = SLnQ2;  // products into lnm*_q

      SLnQ2: begin
        qv_d = lnq;
        st_d = SLnP;
      end

      SLnP: begin
        idx_d = '0;
        if ($signed(qv_q) <= 64'sd0) begin
          zero_d    = 1'b1;
          rd_addr_d = x_q;
          ret_d     = SEx;
          st_d      = SRd;
        end else begin
          p_d  = p_new;
          st_d = SLnP2;
        end
      end

      SLnP2: begin
        isq_start = 1'b1;  // sq_in from p_q
        st_d      = SLnSq;
      end

      SLnSq: begin
        div_dividend = 64'h1FFF_FFFF_FFFF_FFFF << 3;  // 2^61 - 1, 61 steps
        div_steps    = 7'd61;
        if (isq_done) begin
          div_start = 1'b1;
          st_d      = SLnDiv;
        end
      end

      SLnDiv: begin
        if (div_done) begin
          r_d       = div_q;
          rd_addr_d = x_q;
          ret_d     = SEx;
          st_d      = SRd;
        end
      end

      // REQ stream: ACC row read (granted at c0, data at c1, captured into crow_q), mbqm
      // (y at c5, vp_q[3]), result into the FIFO, ACT write from the FIFO head.
      SReq: begin
        if (req_rd) begin
          if (acc_rd_gnt_i) begin
            rv_d  = 1'b1;
            srd_d = srd_q + 16'd1;
            x_d   = x_q + {16'd0, f_ssrc};
          end
        end
        if (rv_q) crow_d = acc_rd_rdata_i;
        vp_d = {vp_q[2:0], rv_q};
        if (vp_q[3]) begin
          // one enable per entry (constant selects): a variable part-select write of
          // the ReqDepth*8N-bit FIFO made Yosys build two barrel shifters that wide
          for (r = 0; r < ReqDepth; r++) begin
            if (fwp_q == 3'(r)) fifo_d[8*N*r +: 8*N] = lane_wact;
          end
          fwp_d = fwp_q + 3'd1;
        end
        if (fcnt_q != 4'd0) begin
          if (act_gnt_i) begin
            perf_rows_o = 1'b1;
            frp_d = frp_q + 3'd1;
            swr_d = swr_q + 16'd1;
            y_d   = y_q + {16'd0, f_sdst};
            if (swr_q + 16'd1 == f_count) st_d = SDone;
          end
        end
        fcnt_d = fcnt_q + {3'd0, vp_q[3]} - {3'd0, (fcnt_q != 4'd0 && act_gnt_i)};
      end

      SDone: begin
        done_o = 1'b1;
        st_d   = SIdle;
      end

      default: st_d = SIdle;
    endcase
  end

  // Lane operand selects, registered in each lane (its sel_q, t1s_q): in a cycle they are
  // the decode of that cycle's st_q, wait_q and f_func (SEx: by function and wait_q, else
  // MqReq / T1Y), computed here one cycle ahead (mq_sel_d, t1_sel_d), which keeps the FSM
  // decode off the lanes' multiplier paths and its fanout to N x 5 flip-flops.
  // The next state is SEx exactly when SRdw returns to SEx or SEx is not at ex_last (or
  // SPool ends, only for the pools, whose selects are the defaults); insn_q does not
  // change outside SIdle, and the next wait_q is wait_q (SRdw) or wait_q + 1 (SEx).
  logic       nx_ex;
  logic [3:0] nx_wait;
  always_comb begin
    nx_ex    = (st_q == SRdw && ret_q == SEx) || (st_q == SEx && wait_q != ex_last);
    nx_wait  = (st_q == SEx) ? wait_q + 4'd1 : wait_q;
    mq_sel_d = MqReq;
    t1_sel_d = T1Y;
    if (nx_ex) begin
      case (f_func)
        dlp_pkg::VfAdd:     mq_sel_d = (nx_wait == 4'd0) ? MqAdd1 :
                                       (nx_wait == 4'd1) ? MqAdd2 : MqAdd3;
        dlp_pkg::VfMul:     begin mq_sel_d = MqT1;  t1_sel_d = T1Mul; end
        dlp_pkg::VfSoftmax: begin mq_sel_d = MqSmx; t1_sel_d = T1Smx; end
        dlp_pkg::VfLnorm:   t1_sel_d = T1Ln;
        default: ;
      endcase
    end
  end

  assign err_o      = done_o && err_q;
  assign err_code_o = (done_o && err_q) ? dlp_pkg::ErrSpRange : dlp_pkg::ErrNone;
  assign err_addr_o = '0;
  assign busy_o     = (st_q != SIdle);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q  <= SIdle;
      ret_q <= SIdle;
      err_q <= 1'b0;
      rv_q  <= 1'b0;
      vp_q  <= '0;
    end else begin
      st_q  <= st_d;
      ret_q <= ret_d;
      err_q <= err_d;
      rv_q  <= rv_d;
      vp_q  <= vp_d;
    end
  end

  // Datapath registers: no reset (every use is preceded by a load in the same command).
  always_ff @(posedge clk_i) begin
    insn_q    <= insn_d;
    x_q       <= x_d;
    x2_q      <= x2_d;
    y_q       <= y_d;
    item_q    <= item_d;
    idx_q     <= idx_d;
    idx2_q    <= idx2_d;
    woa_q     <= woa_d;
    wob_q     <= wob_d;
    wait_q    <= wait_d;
    rd_addr_q <= rd_addr_d;
    rd_acc_q  <= rd_acc_d;
    rd_b_q    <= rd_b_d;
    wr_addr_q <= wr_addr_d;
    wr_acc_q  <= wr_acc_d;
    arow_q    <= arow_d;
    brow_q    <= brow_d;
    crow_q    <= crow_d;
    wact_q    <= wact_d;
    wacc_q    <= wacc_d;
    mx_q      <= mx_d;
    s_q       <= s_d;
    ss_q      <= ss_d;
    qv_q      <= qv_d;
    p_q       <= p_d;
    zero_q    <= zero_d;
    r_q       <= r_d;
    srd_q     <= srd_d;
    swr_q     <= swr_d;
    fifo_q    <= fifo_d;
    fwp_q     <= fwp_d;
    frp_q     <= frp_d;
    fcnt_q    <= fcnt_d;
  end

endmodule
