// dlp_ctrl - DLP control: instruction fetch, dispatch with the dispatch-time checks, LOOP
// prefixes, the LD/CMP/ST queues, dependency tokens, completion / error / deadlock
// detection and the performance counters (docs/ARCHITECTURE.md sections 4, 5, 7, 8).
//
// Structure: dlp_ctrl_fetch prefetches instructions over AXI4 (AR/R); the dispatch stage
// here decodes the oldest one, checks it in the spec's order (opcode, LOOP structure,
// token flags, fields; SYNC's queue before its flags), absorbs LOOP prefixes and
// appends the instruction with its normalised loop counts to its queue (dlp_fifo,
// QueueDepth entries). One dlp_ctrl_issue per queue starts the head when its token pops
// succeed (the entry leaves the queue then), hands the unit one repetition at a time
// and pushes the tokens after the last one. The CMP stage drives the matrix unit (GEMM)
// or the vector unit (VEC), one instruction at a time. SYNC runs in its stage without a
// unit.
//
// Control from dlp_csr: start_i (pulse, only while !busy_o; the START-time program-range
// checks are made here, registered: fetch starts, or the error drains, in the cycle after
// start_i), soft_reset_i (pulse). Status: busy_o, done_o, error_o levels,
// done_evt_o / err_evt_o one-cycle pulses for IRQ_STATUS. After an error or a soft reset
// the block stops fetch and issue and waits until every unit holding a command has
// answered and no fetch burst is outstanding before it goes idle.
//
// Unit ports follow rtl/README.md (one repetition per command; the unused slot 2 of
// LOAD/STORE is 0). Perf event inputs count while busy: ev_mxu_row_i (one row through
// the array: MACS += N*N), ev_rd_bytes_i / ev_wr_bytes_i (bytes this cycle; zero-extend
// the DMA's 8-bit counts), ev_vec_rows_i (rows written this cycle), and the stall levels
// ev_stall_rd_i / ev_stall_wr_i / ev_stall_wgt_i. The busy counters come from the issue
// stages (a unit holds a command), the token-stall counters from the queue heads, and
// STALL_FETCH counts cycles a queue is empty while the prefetcher waits for memory.
//
// Timing: one instruction dispatched per cycle; a unit gets its next repetition the cycle
// after its done_i; an instruction starts the cycle after it reaches its queue head.
// FetchDepth instructions are buffered or in flight (AXI latency hiding), plus one in the
// dispatch register (an instruction is dispatched at the earliest the cycle after it
// reaches the prefetch buffer's head). Fetch starts the cycle after start_i (the range
// checks are registered). A deadlock is reported DlCands (6) cycles after it arises (the
// blocked index is scanned, see below). The performance counters add the increments of
// a cycle in the next one (one cycle behind; final one cycle after BUSY clears).
`default_nettype none

module dlp_ctrl #(
  parameter int N          = 16,
  parameter int AxiDataW   = 128,
  parameter int QueueDepth = 8,
  parameter int TokenBits  = 8,
  parameter int FetchDepth = 4     // instructions buffered or in flight in the prefetcher
) (
  input  wire logic                clk_i,
  input  wire logic                rst_ni,
  // from / to dlp_csr
  input  wire logic                start_i,
  input  wire logic                soft_reset_i,
  input  wire logic [31:0]         insn_base_i,
  input  wire logic [31:0]         insn_count_i,
  input  wire logic [31:0]         win_base_i,
  input  wire logic [31:0]         win_limit_i,
  output      logic                busy_o,
  output      logic                done_o,
  output      logic                error_o,
  output      logic                done_evt_o,
  output      logic                err_evt_o,
  output      logic [3:0]          err_code_o,
  output      logic [31:0]         err_index_o,
  output      logic [31:0]         err_addr_o,
  input  wire logic [4:0]          perf_sel_i,
  output      logic [63:0]         perf_val_o,
  // AXI4 read master (instruction fetch)
  output      logic                m_axi_arvalid_o,
  input  wire logic                m_axi_arready_i,
  output      logic [31:0]         m_axi_araddr_o,
  output      logic [7:0]          m_axi_arlen_o,
  output      logic [2:0]          m_axi_arsize_o,
  output      logic [1:0]          m_axi_arburst_o,
  input  wire logic                m_axi_rvalid_i,
  output      logic                m_axi_rready_o,
  input  wire logic [AxiDataW-1:0] m_axi_rdata_i,
  input  wire logic [1:0]          m_axi_rresp_i,
  input  wire logic                m_axi_rlast_i,
  // load unit (LOAD)
  output      logic                ld_cmd_valid_o,
  input  wire logic                ld_cmd_ready_i,
  output      logic [255:0]        ld_cmd_insn_o,
  output      logic [31:0]         ld_cmd_slot0_o,
  output      logic [31:0]         ld_cmd_slot1_o,
  output      logic [31:0]         ld_cmd_slot2_o,
  input  wire logic                ld_done_i,
  input  wire logic                ld_err_i,
  input  wire logic [3:0]          ld_err_code_i,
  input  wire logic [31:0]         ld_err_addr_i,
  // matrix unit (GEMM)
  output      logic                mxu_cmd_valid_o,
  input  wire logic                mxu_cmd_ready_i,
  output      logic [255:0]        mxu_cmd_insn_o,
  output      logic [31:0]         mxu_cmd_slot0_o,
  output      logic [31:0]         mxu_cmd_slot1_o,
  output      logic [31:0]         mxu_cmd_slot2_o,
  input  wire logic                mxu_done_i,
  input  wire logic                mxu_err_i,
  input  wire logic [3:0]          mxu_err_code_i,
  input  wire logic [31:0]         mxu_err_addr_i,
  // vector unit (VEC)
  output      logic                vpu_cmd_valid_o,
  input  wire logic                vpu_cmd_ready_i,
  output      logic [255:0]        vpu_cmd_insn_o,
  output      logic [31:0]         vpu_cmd_slot0_o,
  output      logic [31:0]         vpu_cmd_slot1_o,
  output      logic [31:0]         vpu_cmd_slot2_o,
  input  wire logic                vpu_done_i,
  input  wire logic                vpu_err_i,
  input  wire logic [3:0]          vpu_err_code_i,
  input  wire logic [31:0]         vpu_err_addr_i,
  // store unit (STORE)
  output      logic                st_cmd_valid_o,
  input  wire logic                st_cmd_ready_i,
  output      logic [255:0]        st_cmd_insn_o,
  output      logic [31:0]         st_cmd_slot0_o,
  output      logic [31:0]         st_cmd_slot1_o,
  output      logic [31:0]         st_cmd_slot2_o,
  input  wire logic                st_done_i,
  input  wire logic                st_err_i,
  input  wire logic [3:0]          st_err_code_i,
  input  wire logic [31:0]         st_err_addr_i,
  // performance events
  input  wire logic                ev_mxu_row_i,
  input  wire logic [15:0]         ev_rd_bytes_i,
  input  wire logic [15:0]         ev_wr_bytes_i,
  input  wire logic [3:0]          ev_vec_rows_i,
  input  wire logic                ev_stall_rd_i,
  input  wire logic                ev_stall_wr_i,
  input  wire logic                ev_stall_wgt_i
);

  localparam int EntryW = 512;
  localparam int NumPerf = 20;
  localparam logic [TokenBits-1:0] TokMax = '1;
  localparam int QCntW = $clog2(QueueDepth + 1);

  // ------------------------------------------------------------------ run state
  typedef enum logic [1:0] {SIdle, SRun, SDrain, SReset} state_e;
  state_e state_q, state_d;

  logic        done_q, done_d, error_q, error_d;
  logic [3:0]  ecode_q, ecode_d;
  logic [31:0] eindex_q, eindex_d, eaddr_q, eaddr_d;
  logic [31:0] pc_q, pc_d;
  logic        fin_q, fin_d;
  logic [31:0] fin_idx_q, fin_idx_d;
  logic [1:0]  nloops_q, nloops_d;
  logic [31:0]  lcnt_q, lcnt_d;     // two LOOP counts, 16 bits each
  logic [191:0] linc_q, linc_d;     // two LOOPs x three 32-bit increments
  logic [4*TokenBits-1:0] tok_q, tok_d;
  logic [64*NumPerf-1:0] perf_q, perf_d;

  localparam int TokLC = 0, TokCL = 1, TokCS = 2, TokSC = 3;

  // ------------------------------------------------------------------ fetch
  logic         f_start, f_stop, f_idle, f_waiting;
  logic         fb_valid, fb_err, fb_pop;   // the prefetch buffer's head
  logic [255:0] fb_insn;

  dlp_ctrl_fetch #(.AxiDataW(AxiDataW), .BufInsns(FetchDepth)) u_fetch (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .start_i         (f_start),
    .stop_i          (f_stop),
    .base_i          (insn_base_i),
    .count_i         (insn_count_i),
    .head_valid_o    (fb_valid),
    .head_insn_o     (fb_insn),
    .head_err_o      (fb_err),
    .pop_i           (fb_pop),
    .idle_o          (f_idle),
    .waiting_o       (f_waiting),
    .m_axi_arvalid_o (m_axi_arvalid_o),
    .m_axi_arready_i (m_axi_arready_i),
    .m_axi_araddr_o  (m_axi_araddr_o),
    .m_axi_arlen_o   (m_axi_arlen_o),
    .m_axi_arsize_o  (m_axi_arsize_o),
    .m_axi_arburst_o (m_axi_arburst_o),
    .m_axi_rvalid_i  (m_axi_rvalid_i),
    .m_axi_rready_o  (m_axi_rready_o),
    .m_axi_rdata_i   (m_axi_rdata_i),
    .m_axi_rresp_i   (m_axi_rresp_i),
    .m_axi_rlast_i   (m_axi_rlast_i)
  );

  // ------------------------------------------------------------------ dispatch register
  // The prefetch buffer's head moves into a register (f_head_valid / f_insn / f_head_err)
  // together with its decode and the checks that do not depend on dispatch state (f_dec,
  // see below), and dispatch works on that register: the buffer's LUT-RAM read, the
  // decode and the field compares are then off the dispatch decision (and so off the
  // queue write, the fetch pop, the error registers and the counters). The register is
  // refilled in the cycle it is dispatched (f_pop), so dispatch keeps one instruction per
  // cycle; an instruction reaches dispatch one cycle after it reaches the buffer head.
  // decode: {LOOP, FINISH, SYNC, queue one-hot (LD, CMP, ST; none for SYNC queue 3),
  //          error code of the checks, ErrNone if they pass}
  localparam int DecW = 3 + 3 + 4;
  logic            f_head_valid, f_head_err, f_pop;
  logic            fhv_d, fhe_d;
  logic [255:0]    f_insn, fi_d;
  logic [DecW-1:0] f_dec, fdec_d, fb_dec;

  // always @*, not always_comb: reads f_pop of the control block (Icarus 11.0
  // always_comb bug, see the tok_dec block).
  always @* begin
    fb_pop = fb_valid && (!f_head_valid || f_pop) && !f_stop;
    fhv_d  = f_head_valid && !f_pop;
    fi_d   = f_insn;
    fhe_d  = f_head_err;
    fdec_d = f_dec;
    if (fb_pop) begin
      fhv_d  = 1'b1;
      fi_d   = fb_insn;
      fhe_d  = fb_err;
      fdec_d = fb_dec;
    end
    if (f_start || f_stop) fhv_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_head_valid <= 1'b0;
      f_head_err   <= 1'b0;
      f_dec        <= '0;
      f_insn       <= '0;
    end else begin
      f_head_valid <= fhv_d;
      f_head_err   <= fhe_d;
      f_dec        <= fdec_d;
      f_insn       <= fi_d;
    end
  end

  // ------------------------------------------------------------------ dispatch checks
  // On the prefetch buffer's head; the result is registered with it (f_dec).
  logic [7:0]  b_op;
  logic        vec_fields_ok, dma_fields_ok, gemm_fields_ok, fields_ok;

  logic [7:0]  v_func;
  logic [15:0] v_count, v_k0, v_k1;
  logic signed [7:0] v_lo, v_hi;
  logic        v_clamp, v_vecop;

  // Instruction fields (continuous assigns, so the checks below read them as inputs).
  assign b_op    = fb_insn[dlp_pkg::FOpcode +: 8];
  assign v_func  = fb_insn[dlp_pkg::FVecFunc +: 8];
  assign v_count = fb_insn[dlp_pkg::FVecCount +: 16];
  assign v_k0    = fb_insn[dlp_pkg::FVecK0 +: 16];
  assign v_k1    = fb_insn[dlp_pkg::FVecK1 +: 16];
  assign v_lo    = fb_insn[dlp_pkg::FVecLo +: 8];
  assign v_hi    = fb_insn[dlp_pkg::FVecHi +: 8];

  always_comb begin
    dma_fields_ok = (fb_insn[dlp_pkg::FDmaSp +: 2] != 2'd3) &&
                    (fb_insn[dlp_pkg::FDmaXSize +: 16] != '0) &&
                    (fb_insn[dlp_pkg::FDmaYSize +: 16] != '0) &&
                    (fb_insn[dlp_pkg::FDmaZSize +: 16] != '0);
    gemm_fields_ok = (fb_insn[dlp_pkg::FGemmNPix +: 16] != '0) &&
                     (fb_insn[dlp_pkg::FGemmNR1 +: 16] != '0) &&
                     (fb_insn[dlp_pkg::FGemmNR2 +: 16] != '0);

    v_clamp = (v_func == dlp_pkg::VfReq) || (v_func == dlp_pkg::VfAdd) ||
              (v_func == dlp_pkg::VfMul) || (v_func == dlp_pkg::VfSoftmax) ||
              ((v_func == dlp_pkg::VfLut) && !fb_insn[dlp_pkg::FVecDstAcc]);
    v_vecop = (v_func == dlp_pkg::VfSoftmax) || (v_func == dlp_pkg::VfLnorm) ||
              (v_func == dlp_pkg::VfRmax) || (v_func == dlp_pkg::VfRsum);
    vec_fields_ok = 1'b1;
    if (v_func < dlp_pkg::VfReq || v_func > dlp_pkg::VfCopy) vec_fields_ok = 1'b0;
    if (v_func != dlp_pkg::VfLutld && v_count == '0) vec_fields_ok = 1'b0;
    if (v_clamp && (v_lo > v_hi)) vec_fields_ok = 1'b0;
    if (v_func == dlp_pkg::VfAdd && v_k0 > 16'd31) vec_fields_ok = 1'b0;
    if ((v_func == dlp_pkg::VfMaxpool || v_func == dlp_pkg::VfSumpool) &&
        (v_k0 == '0 || v_k1 == '0))
      vec_fields_ok = 1'b0;
    if (v_vecop && (v_k0 == '0 || v_k1 == '0 || 32'(v_k1) > 32'(v_k0) * N))
      vec_fields_ok = 1'b0;

    unique case (b_op)
      dlp_pkg::OpLoad, dlp_pkg::OpStore: fields_ok = dma_fields_ok;
      dlp_pkg::OpGemm:          fields_ok = gemm_fields_ok;
      dlp_pkg::OpVec:           fields_ok = vec_fields_ok;
      default:         fields_ok = 1'b1;
    endcase
  end

  logic [1:0]  b_queue;
  logic [2:0]  b_qsel;
  logic [3:0]  b_flags, b_code;
  logic        b_is_q_insn, flags_ok;

  assign b_flags = fb_insn[11:8];

  always_comb begin
    unique case (b_op)
      dlp_pkg::OpLoad:                 b_queue = 2'd0;
      dlp_pkg::OpGemm, dlp_pkg::OpVec: b_queue = 2'd1;
      dlp_pkg::OpStore:                b_queue = 2'd2;
      default:                         b_queue = fb_insn[dlp_pkg::FSyncQueue +: 2];
    endcase
    // one-hot rather than q_full[d_queue] / q_push[d_queue] at dispatch (Yosys builds
    // index arithmetic for those)
    b_qsel = {b_queue == 2'd2, b_queue == 2'd1, b_queue == 2'd0};
    b_is_q_insn = (b_op == dlp_pkg::OpSync) || (b_op == dlp_pkg::OpLoad) ||
                  (b_op == dlp_pkg::OpStore) || (b_op == dlp_pkg::OpGemm) ||
                  (b_op == dlp_pkg::OpVec);

    // b_flags: [0] pop_prev [1] pop_next [2] push_prev [3] push_next
    flags_ok = !((b_queue == 2'd0) && (b_flags[0] || b_flags[2])) &&
               !((b_queue == 2'd2) && (b_flags[1] || b_flags[3]));

    // The first failing check, in the spec's order, but for the LOOP-nesting ones, which
    // need the dispatch state (nloops_q; applied at dispatch, below).
    b_code = dlp_pkg::ErrNone;
    if (b_op == dlp_pkg::OpLoop) begin
      if (fb_insn[dlp_pkg::FLoopCount +: 16] == '0) b_code = dlp_pkg::ErrLoop;
      else if (b_flags != '0)                      b_code = dlp_pkg::ErrToken;
    end else if (b_op == dlp_pkg::OpFinish) begin
      if (b_flags != '0)                           b_code = dlp_pkg::ErrToken;
    end else if (b_is_q_insn) begin
      if (b_op == dlp_pkg::OpSync && b_queue == 2'd3) b_code = dlp_pkg::ErrIllegalField;
      else if (!flags_ok)                         b_code = dlp_pkg::ErrToken;
      else if (!fields_ok)                        b_code = dlp_pkg::ErrIllegalField;
    end else begin
      b_code = dlp_pkg::ErrIllegalOpcode;
    end
    fb_dec = {b_op == dlp_pkg::OpLoop, b_op == dlp_pkg::OpFinish, b_op == dlp_pkg::OpSync,
              b_qsel, b_code};
  end

  // At dispatch: the decode register plus the LOOP-nesting checks (they come first in
  // the spec's order: LOOP with two open or FINISH/SYNC inside a LOOP body).
  logic        d_is_loop, d_is_fin, d_is_sync;
  logic [2:0]  d_qsel;         // the instruction's queue, one-hot
  logic        d_qfull;        // that queue is full
  logic        d_err;
  logic [3:0]  d_code;

  always_comb begin
    {d_is_loop, d_is_fin, d_is_sync, d_qsel} = f_dec[DecW-1 -: 6];
    d_qfull = |(q_full & d_qsel);
    if ((d_is_loop && nloops_q == 2'd2) || ((d_is_fin || d_is_sync) && nloops_q != '0))
      d_code = dlp_pkg::ErrLoop;
    else
      d_code = f_dec[3:0];
    d_err = (d_code != dlp_pkg::ErrNone);
  end

  // ------------------------------------------------------------------ queues
  logic [2:0]             q_push, q_pop, q_empty, q_full;
  logic [EntryW-1:0]      q_wdata;
  logic [3*EntryW-1:0]    q_head;
  logic [3*QCntW-1:0]     q_count;
  logic                   q_flush;

  // Entry: {index, c_out, c_in, inc_out, inc_in, insn}; see dlp_ctrl_issue.
  always_comb begin
    logic [15:0] c_out, c_in;
    logic [95:0] i_out, i_in;
    c_out = 16'd1;
    c_in  = 16'd1;
    i_out = '0;
    i_in  = '0;
    if (nloops_q != '0) begin
      c_out = lcnt_q[0*16 +: 16];
      i_out = linc_q[0*96 +: 96];
    end
    if (nloops_q == 2'd2) begin
      c_in = lcnt_q[1*16 +: 16];
      i_in = linc_q[1*96 +: 96];
    end
    q_wdata = {pc_q, c_out, c_in, i_out, i_in, f_insn};
  end

  for (genvar q = 0; q < 3; q++) begin : g_queue
    dlp_fifo #(.Width(EntryW), .Depth(QueueDepth)) u_q (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .flush_i (q_flush),
      .push_i  (q_push[q]),
      .wdata_i (q_wdata),
      .pop_i   (q_pop[q]),
      .rdata_o (q_head[q*EntryW +: EntryW]),
      .empty_o (q_empty[q]),
      .full_o  (q_full[q]),
      .count_o (q_count[q*QCntW +: QCntW])
    );
  end

  // ------------------------------------------------------------------ tokens
  // Counter per link: LC (LD->CMP), CL (CMP->LD), CS (CMP->ST), SC (ST->CMP).
  logic [11:0] h_flags;
  logic [11:0] p_flags;
  logic [2:0]  pops_ok, pushes_ok, is_start, is_push;
  logic [3:0]  tok_nz, tok_lt;
  logic [3:0]  tok_inc, tok_dec;

  always_comb begin
    for (int t = 0; t < 4; t++) begin
      tok_nz[t] = tok_q[t*TokenBits +: TokenBits] != '0;
      tok_lt[t] = tok_q[t*TokenBits +: TokenBits] != TokMax;
    end
    for (int q = 0; q < 3; q++) h_flags[q*4 +: 4] = q_head[(q)*EntryW + 8 +: 4];
  end

  always_comb begin
    // flags [0] pop_prev [1] pop_next [2] push_prev [3] push_next
    pops_ok[0]   = !h_flags[(0)*4 + 1] || tok_nz[TokCL];
    pops_ok[1]   = (!h_flags[(1)*4 + 0] || tok_nz[TokLC]) && (!h_flags[(1)*4 + 1] || tok_nz[TokSC]);
    pops_ok[2]   = !h_flags[(2)*4 + 0] || tok_nz[TokCS];
    pushes_ok[0] = !p_flags[(0)*4 + 3] || tok_lt[TokLC];
    pushes_ok[1] = (!p_flags[(1)*4 + 2] || tok_lt[TokCL]) && (!p_flags[(1)*4 + 3] || tok_lt[TokCS]);
    pushes_ok[2] = !p_flags[(2)*4 + 2] || tok_lt[TokSC];
  end

  // always @* rather than always_comb (here and in two more blocks of this file, two of
  // dlp_vpu): Icarus 11.0 (Debian) has an always_comb sensitivity bug (iverilog issue
  // 508, fixed after the 11.0 release) under which these blocks and others of the
  // control path retrigger each other at zero delay and simulated time stops at the
  // first instruction issue. Found by minimising the set of blocks that must be
  // @* for verif/icarus to run; the logic is identical.
  always @* begin
    tok_dec[TokCL] = is_start[0] && h_flags[(0)*4 + 1];
    tok_dec[TokLC] = is_start[1] && h_flags[(1)*4 + 0];
    tok_dec[TokSC] = is_start[1] && h_flags[(1)*4 + 1];
    tok_dec[TokCS] = is_start[2] && h_flags[(2)*4 + 0];
    tok_inc[TokLC] = is_push[0] && p_flags[(0)*4 + 3];
    tok_inc[TokCL] = is_push[1] && p_flags[(1)*4 + 2];
    tok_inc[TokCS] = is_push[1] && p_flags[(1)*4 + 3];
    tok_inc[TokSC] = is_push[2] && p_flags[(2)*4 + 2];
  end

  // ------------------------------------------------------------------ issue stages
  logic        iss_stop;
  logic [2:0]  s_idle, s_exec, s_pushw, s_move, s_done, s_err;
  logic [95:0] s_index;
  logic [11:0] s_code;
  logic [95:0] s_addr;
  logic [2:0]  c_valid, c_ready, u_done, u_err;
  logic [767:0] c_insn;
  logic [95:0] c_s0;
  logic [95:0] c_s1;
  logic [95:0] c_s2;
  logic [11:0] u_code;
  logic [95:0] u_addr;
  logic        cmp_gemm;

  assign cmp_gemm = (c_insn[(1)*256 + 0 +: 8] == dlp_pkg::OpGemm);
  assign c_ready  = {st_cmd_ready_i, cmp_gemm ? mxu_cmd_ready_i : vpu_cmd_ready_i,
                     ld_cmd_ready_i};
  assign u_done   = {st_done_i, mxu_done_i | vpu_done_i, ld_done_i};
  assign u_err    = {st_err_i, mxu_done_i ? mxu_err_i : vpu_err_i, ld_err_i};
  assign u_code[0*4 +: 4] = ld_err_code_i;
  assign u_code[1*4 +: 4] = mxu_done_i ? mxu_err_code_i : vpu_err_code_i;
  assign u_code[2*4 +: 4] = st_err_code_i;
  assign u_addr[0*32 +: 32] = ld_err_addr_i;
  assign u_addr[1*32 +: 32] = mxu_done_i ? mxu_err_addr_i : vpu_err_addr_i;
  assign u_addr[2*32 +: 32] = st_err_addr_i;

  for (genvar q = 0; q < 3; q++) begin : g_issue
    dlp_ctrl_issue #(.EntryW(EntryW)) u_issue (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .stop_i       (iss_stop),
      .head_valid_i (!q_empty[q]),
      .head_i       (q_head[q*EntryW +: EntryW]),
      .pops_ok_i    (pops_ok[q]),
      .start_o      (is_start[q]),
      .held_flags_o (p_flags[q*4 +: 4]),
      .pushes_ok_i  (pushes_ok[q]),
      .push_o       (is_push[q]),
      .cmd_valid_o  (c_valid[q]),
      .cmd_ready_i  (c_ready[q]),
      .cmd_insn_o   (c_insn[q*256 +: 256]),
      .cmd_slot0_o  (c_s0[q*32 +: 32]),
      .cmd_slot1_o  (c_s1[q*32 +: 32]),
      .cmd_slot2_o  (c_s2[q*32 +: 32]),
      .done_i       (u_done[q]),
      .err_i        (u_err[q]),
      .err_code_i   (u_code[q*4 +: 4]),
      .err_addr_i   (u_addr[q*32 +: 32]),
      .idle_o       (s_idle[q]),
      .exec_o       (s_exec[q]),
      .push_wait_o  (s_pushw[q]),
      .can_move_o   (s_move[q]),
      .held_index_o (s_index[q*32 +: 32]),
      .insn_done_o  (s_done[q]),
      .err_o        (s_err[q]),
      .err_code_o   (s_code[q*4 +: 4]),
      .err_addr_o   (s_addr[q*32 +: 32])
    );
  end
  assign q_pop = is_start;

  assign ld_cmd_valid_o  = c_valid[0];
  assign ld_cmd_insn_o   = c_insn[0*256 +: 256];
  assign ld_cmd_slot0_o  = c_s0[0*32 +: 32];
  assign ld_cmd_slot1_o  = c_s1[0*32 +: 32];
  assign ld_cmd_slot2_o  = c_s2[0*32 +: 32];
  assign mxu_cmd_valid_o = c_valid[1] && cmp_gemm;
  assign mxu_cmd_insn_o  = c_insn[1*256 +: 256];
  assign mxu_cmd_slot0_o = c_s0[1*32 +: 32];
  assign mxu_cmd_slot1_o = c_s1[1*32 +: 32];
  assign mxu_cmd_slot2_o = c_s2[1*32 +: 32];
  assign vpu_cmd_valid_o = c_valid[1] && !cmp_gemm;
  assign vpu_cmd_insn_o  = c_insn[1*256 +: 256];
  assign vpu_cmd_slot0_o = c_s0[1*32 +: 32];
  assign vpu_cmd_slot1_o = c_s1[1*32 +: 32];
  assign vpu_cmd_slot2_o = c_s2[1*32 +: 32];
  assign st_cmd_valid_o  = c_valid[2];
  assign st_cmd_insn_o   = c_insn[2*256 +: 256];
  assign st_cmd_slot0_o  = c_s0[2*32 +: 32];
  assign st_cmd_slot1_o  = c_s1[2*32 +: 32];
  assign st_cmd_slot2_o  = c_s2[2*32 +: 32];

  // ------------------------------------------------------------------ control
  logic        running, err_pend_q, err_pend_d;
  logic        starting_q, starting_d;   // the cycle after START: range checks
  logic [3:0]  schk_q, schk_d;           // START's check result (ErrNone: may run)
  logic [40:0] pend_q;                   // INSN_BASE + 32 * INSN_COUNT
  logic        salign_q, scnt0_q, slo_q;  // misaligned, count 0, base >= window base
  logic        fetch_stopped, all_idle, none_move, dl_cond, deadlock, prog_done;
  logic [2:0]  dispatch_insns;

  assign running  = (state_q == SRun) && !err_pend_q && !starting_q;
  assign all_idle = &s_idle;
  assign none_move = !(|s_move) && !(|s_exec);

  // The START-time checks in the spec's order, computed every cycle from the configuration
  // inputs in two register stages (the program end and the simple tests, then the window
  // compare into schk_q) and used in the cycle after START: the 41-bit sum and compares
  // are off the control path. schk_q at start_i reflects the inputs of two and one cycles
  // before; dlp_csr changes INSN_* / WIN_* at most every second cycle (one write per B
  // response) and raises start_i the cycle after the START write, so they are the values
  // at start_i. (The program end is > INSN_BASE whenever INSN_COUNT != 0, which is
  // tested first.)
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pend_q   <= '0;
      salign_q <= 1'b0;
      scnt0_q  <= 1'b0;
      slo_q    <= 1'b0;
    end else begin
      pend_q   <= {9'd0, insn_base_i} + {4'd0, insn_count_i, 5'd0};
      salign_q <= (insn_base_i[4:0] != '0);
      scnt0_q  <= (insn_count_i == '0);
      slo_q    <= (insn_base_i >= win_base_i);
    end
  end

  always_comb begin
    if (salign_q)     schk_d = dlp_pkg::ErrDmaAlign;
    else if (scnt0_q) schk_d = dlp_pkg::ErrNoFinish;
    else if (!slo_q || pend_q - 41'd1 > {9'd0, win_limit_i})
                      schk_d = dlp_pkg::ErrDmaWindow;
    else              schk_d = dlp_pkg::ErrNone;
  end

  // Deadlock index: the smallest index among the blocked instructions, i.e. the queue
  // heads and the stages that completed and wait to push ('1 if none). Six 32-bit compare-and-selects in one cycle were the longest path of the
  // block, so the candidates are scanned one per cycle into dl_min_q while the deadlock
  // condition (dl_cond) holds; ErrDeadlock is raised, with dl_min_q, once the condition
  // has held for the whole scan (DlCands cycles; it restarts if the condition breaks).
  // While dl_cond holds nothing moves (no dispatch, no start, no push, no unit busy), so
  // the candidates are constant over the scan and the minimum equals the one-cycle
  // minimum; deadlock is terminal, the error just comes DlCands cycles later.
  localparam int DlCands = 6;
  logic [2:0]  dl_cnt_q, dl_cnt_d;
  logic [31:0] dl_min_q, dl_min_d;
  logic        dl_scanned, dl_cand_v;
  logic [31:0] dl_cand;

  assign dl_scanned = (dl_cnt_q == 3'(DlCands));

  always_comb begin
    // candidate 2q: queue q's head; 2q+1: stage q's held instruction if it waits to push
    unique case (dl_cnt_q)
      3'd0:    begin dl_cand_v = !q_empty[0]; dl_cand = q_head[0*EntryW + 480 +: 32]; end
      3'd1:    begin dl_cand_v = s_pushw[0];  dl_cand = s_index[0*32 +: 32];          end
      3'd2:    begin dl_cand_v = !q_empty[1]; dl_cand = q_head[1*EntryW + 480 +: 32]; end
      3'd3:    begin dl_cand_v = s_pushw[1];  dl_cand = s_index[1*32 +: 32];          end
      3'd4:    begin dl_cand_v = !q_empty[2]; dl_cand = q_head[2*EntryW + 480 +: 32]; end
      3'd5:    begin dl_cand_v = s_pushw[2];  dl_cand = s_index[2*32 +: 32];          end
      default: begin dl_cand_v = 1'b0;        dl_cand = '1;                           end
    endcase
  end

  // always @*, not always_comb: reads dl_cond of the control block below (Icarus 11.0
  // always_comb bug, see the tok_dec block).
  always @* begin
    dl_cnt_d = '0;
    dl_min_d = '1;
    if (dl_cond) begin
      dl_cnt_d = dl_scanned ? dl_cnt_q : dl_cnt_q + 1'b1;
      dl_min_d = (dl_cand_v && dl_cand < dl_min_q) ? dl_cand : dl_min_q;
    end
  end

  // always @*, not always_comb: Icarus 11.0 always_comb bug, see the tok_dec block.
  always @* begin
    // Loop indices declared and set here, not in the for headers: Yosys 0.23 infers a
    // latch for a for-declared index of a loop inside a branch of an always @* block.
    int q, t;
    q = 0;
    t = 0;
    state_d   = state_q;
    done_d    = done_q;
    error_d   = error_q;
    ecode_d   = ecode_q;
    eindex_d  = eindex_q;
    eaddr_d   = eaddr_q;
    pc_d      = pc_q;
    fin_d     = fin_q;
    fin_idx_d = fin_idx_q;
    nloops_d  = nloops_q;
    lcnt_d    = lcnt_q;
    linc_d    = linc_q;
    err_pend_d = err_pend_q;
    starting_d = starting_q;
    f_start   = 1'b0;
    f_pop     = 1'b0;
    q_push    = '0;
    q_flush   = 1'b0;
    done_evt_o = 1'b0;
    err_evt_o  = 1'b0;
    dispatch_insns = '0;
    fetch_stopped = 1'b0;
    dl_cond   = 1'b0;
    deadlock  = 1'b0;
    prog_done = 1'b0;
    for (t = 0; t < 4; t++)
      tok_d[t*TokenBits +: TokenBits] = tok_q[t*TokenBits +: TokenBits] +
                                        TokenBits'(tok_inc[t]) - TokenBits'(tok_dec[t]);

    // Errors are recorded only while running without a pending error, so the first one is
    // kept; in one cycle a unit error wins over dispatch's, the LD stage's over the others.
    if (running) begin
      // dispatch
      if (!fin_q) begin
        if (pc_q == insn_count_i) begin
          err_pend_d = 1'b1;
          ecode_d    = dlp_pkg::ErrNoFinish;
          eindex_d   = insn_count_i;
          eaddr_d    = '0;
        end else if (f_head_valid) begin
          if (f_head_err) begin
            err_pend_d = 1'b1;
            ecode_d    = dlp_pkg::ErrAxiRead;
            eindex_d   = pc_q;
            eaddr_d    = insn_base_i + {pc_q[26:0], 5'd0};
          end else if (d_err) begin
            err_pend_d = 1'b1;
            ecode_d    = d_code;
            eindex_d   = pc_q;
            eaddr_d    = '0;
          end else if (d_is_loop) begin
            f_pop    = 1'b1;
            pc_d     = pc_q + 1'b1;
            nloops_d = nloops_q + 1'b1;
            // constant part-selects: a nloops_q-indexed one costs Yosys index arithmetic
            if (nloops_q[0]) begin
              lcnt_d[16 +: 16] = f_insn[dlp_pkg::FLoopCount +: 16];
              linc_d[96 +: 96] = {f_insn[dlp_pkg::FLoopInc2 +: 32],
                                  f_insn[dlp_pkg::FLoopInc1 +: 32],
                                  f_insn[dlp_pkg::FLoopInc0 +: 32]};
            end else begin
              lcnt_d[0 +: 16] = f_insn[dlp_pkg::FLoopCount +: 16];
              linc_d[0 +: 96] = {f_insn[dlp_pkg::FLoopInc2 +: 32],
                                 f_insn[dlp_pkg::FLoopInc1 +: 32],
                                 f_insn[dlp_pkg::FLoopInc0 +: 32]};
            end
            dispatch_insns = 3'd1;
          end else if (d_is_fin) begin
            f_pop     = 1'b1;
            pc_d      = pc_q + 1'b1;
            fin_d     = 1'b1;
            fin_idx_d = pc_q;
            dispatch_insns = 3'd1;
          end else if (!d_qfull) begin
            f_pop    = 1'b1;
            pc_d     = pc_q + 1'b1;
            nloops_d = '0;
            q_push   = d_qsel;
          end else begin
            fetch_stopped = 1'b1;   // next queue full
          end
        end
      end else begin
        fetch_stopped = 1'b1;       // FINISH reached
      end

      for (q = 2; q >= 0; q--) begin
        if (s_err[q]) begin
          err_pend_d = 1'b1;
          ecode_d    = s_code[q*4 +: 4];
          eindex_d   = s_index[q*32 +: 32];
          eaddr_d    = s_addr[q*32 +: 32];
        end
      end

      // completion and deadlock (only when nothing else happened this cycle)
      if (!err_pend_d) begin
        if (fin_q && (&q_empty) && all_idle) begin
          if (f_idle) begin
            prog_done = 1'b1;
            if (tok_q != '0) begin
              err_pend_d = 1'b1;
              ecode_d    = dlp_pkg::ErrToken;
              eindex_d   = fin_idx_q;
              eaddr_d    = '0;
            end else begin
              state_d    = SIdle;
              done_d     = 1'b1;
              done_evt_o = 1'b1;
            end
          end
        end else if (fetch_stopped && none_move) begin
          dl_cond = 1'b1;
          if (dl_scanned) begin     // the condition held for the whole scan (above)
            deadlock   = 1'b1;
            err_pend_d = 1'b1;
            ecode_d    = dlp_pkg::ErrDeadlock;
            eindex_d   = dl_min_q;
            eaddr_d    = '0;
          end
        end
      end
    end

    // Error drain: wait for units holding commands and for outstanding fetch bursts.
    if ((state_q == SRun && err_pend_q) || state_q == SDrain) begin
      if (all_idle && f_idle) begin
        state_d    = SIdle;
        error_d    = 1'b1;
        err_evt_o  = 1'b1;
        err_pend_d = 1'b0;
      end
    end

    if (state_q == SReset && all_idle && f_idle) begin
      state_d = SIdle;
      q_flush = 1'b1;
      for (t = 0; t < 4; t++) tok_d[t*TokenBits +: TokenBits] = '0;
    end

    // START's program-range checks (schk_q, registered in the START cycle): the cycle after
    // START, either the run starts (fetch) or the error drains.
    if (starting_q) begin
      starting_d = 1'b0;
      if (schk_q != dlp_pkg::ErrNone) begin
        state_d = SDrain;
        ecode_d = schk_q;
        if (schk_q != dlp_pkg::ErrNoFinish) begin
          eindex_d = '1;
          eaddr_d  = insn_base_i;
        end
      end else begin
        f_start = 1'b1;
      end
    end

    if (soft_reset_i) begin
      starting_d = 1'b0;
      state_d    = SReset;
      done_d     = 1'b0;
      error_d    = 1'b0;
      ecode_d    = dlp_pkg::ErrNone;
      eindex_d   = '0;
      eaddr_d    = '0;
      err_pend_d = 1'b0;
    end else if (start_i && state_q == SIdle) begin
      done_d     = 1'b0;
      error_d    = 1'b0;
      eindex_d   = '0;
      eaddr_d    = '0;
      ecode_d    = dlp_pkg::ErrNone;
      pc_d       = '0;
      fin_d      = 1'b0;
      nloops_d   = '0;
      q_flush    = 1'b1;
      for (t = 0; t < 4; t++) tok_d[t*TokenBits +: TokenBits] = '0;
      state_d    = SRun;          // checked in the next cycle (starting_q, above)
      starting_d = 1'b1;
    end
  end

  assign iss_stop = (state_q != SRun) || err_pend_q;
  assign f_stop   = (state_q != SRun) || err_pend_q || fin_q;

  // ------------------------------------------------------------------ counters
  // The increments of a cycle are registered (pinc_q) and added in the next one, so the
  // 64-bit adds start at registers: a counter lags its events by one cycle, and the values
  // are final one cycle after BUSY clears (at most one increment is pending, none once
  // idle for a cycle). A clear drops the pending increments with the counts.
  localparam int IncW = 17;   // widest increment: ev_rd_bytes_i, 16 bits; N*N
  logic busy, perf_clr;
  logic [IncW*NumPerf-1:0] pinc_q, pinc_d;
  assign busy     = (state_q == SRun) || (state_q == SDrain);
  assign perf_clr = (start_i && state_q == SIdle) || soft_reset_i ||
                    (state_q == SReset && all_idle && f_idle);

  // always @*, not always_comb: Icarus 11.0 always_comb bug, see the tok_dec block.
  always @* begin
    // Loop indices declared and set here, not in the for headers: Yosys 0.23 infers a
    // latch for a for-declared index of a loop inside a branch of an always @* block.
    int q, k;
    q = 0;
    k = 0;
    pinc_d = '0;
    if (busy) begin
      // Instructions completing while an error drains are not counted (as in the ISS).
      pinc_d[0*IncW +: IncW]  = IncW'(dispatch_insns) +
                   (running ? IncW'(s_done[0]) + IncW'(s_done[1]) + IncW'(s_done[2]) : '0);
      pinc_d[1*IncW +: IncW]  = ev_mxu_row_i ? IncW'(N * N) : '0;
      pinc_d[2*IncW +: IncW]  = IncW'(ev_rd_bytes_i);
      pinc_d[3*IncW +: IncW]  = IncW'(ev_wr_bytes_i);
      pinc_d[4*IncW +: IncW]  = IncW'(ev_vec_rows_i);
      pinc_d[8*IncW +: IncW]  = IncW'(1);
      pinc_d[9*IncW +: IncW]  = IncW'(s_exec[0]);
      pinc_d[10*IncW +: IncW] = IncW'(s_exec[1] && cmp_gemm);
      pinc_d[11*IncW +: IncW] = IncW'(s_exec[1] && !cmp_gemm);
      pinc_d[12*IncW +: IncW] = IncW'(s_exec[2]);
      for (q = 0; q < 3; q++)
        pinc_d[(13+q)*IncW +: IncW] = IncW'(s_idle[q] && !q_empty[q] && !pops_ok[q]);
      pinc_d[16*IncW +: IncW] = IncW'(ev_stall_rd_i);
      pinc_d[17*IncW +: IncW] = IncW'(ev_stall_wr_i);
      pinc_d[18*IncW +: IncW] = IncW'(f_waiting && !f_head_valid && (|q_empty));
      pinc_d[19*IncW +: IncW] = IncW'(ev_stall_wgt_i);
    end
    for (k = 0; k < NumPerf; k++)
      perf_d[k*64 +: 64] = perf_q[k*64 +: 64] + 64'(pinc_q[k*IncW +: IncW]);
    if (perf_clr) begin
      pinc_d = '0;
      perf_d = '0;
    end
    for (k = 5; k < 8; k++) perf_d[k*64 +: 64] = '0;
  end

  // ------------------------------------------------------------------ flops
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= SIdle;
      done_q     <= 1'b0;
      error_q    <= 1'b0;
      ecode_q    <= '0;
      eindex_q   <= '0;
      eaddr_q    <= '0;
      pc_q       <= '0;
      fin_q      <= 1'b0;
      fin_idx_q  <= '0;
      nloops_q   <= '0;
      lcnt_q     <= '0;
      linc_q     <= '0;
      tok_q      <= '0;
      err_pend_q <= 1'b0;
      starting_q <= 1'b0;
      schk_q     <= '0;
      dl_cnt_q   <= '0;
      dl_min_q   <= '1;
      pinc_q     <= '0;
      perf_q     <= '0;
    end else begin
      state_q    <= state_d;
      done_q     <= done_d;
      error_q    <= error_d;
      ecode_q    <= ecode_d;
      eindex_q   <= eindex_d;
      eaddr_q    <= eaddr_d;
      pc_q       <= pc_d;
      fin_q      <= fin_d;
      fin_idx_q  <= fin_idx_d;
      nloops_q   <= nloops_d;
      lcnt_q     <= lcnt_d;
      linc_q     <= linc_d;
      tok_q      <= tok_d;
      err_pend_q <= err_pend_d;
      starting_q <= starting_d;
      schk_q     <= schk_d;
      dl_cnt_q   <= dl_cnt_d;
      dl_min_q   <= dl_min_d;
      pinc_q     <= pinc_d;
      perf_q     <= perf_d;
    end
  end

  assign busy_o      = state_q != SIdle;
  assign done_o      = done_q;
  assign error_o     = error_q;
  assign err_code_o  = ecode_q;
  assign err_index_o = eindex_q;
  assign err_addr_o  = eaddr_q;
  assign perf_val_o  = (32'(perf_sel_i) < NumPerf) ? perf_q[32'(perf_sel_i)*64 +: 64] : 64'd0;

  logic unused;
  // Flag bits a queue has no link for are rejected at dispatch, so never read here;
  // deadlock / prog_done only name conditions for waveforms.
  assign unused = ^{h_flags, p_flags, q_count, deadlock, prog_done};

endmodule
