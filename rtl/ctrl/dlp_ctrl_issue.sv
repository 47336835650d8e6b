// dlp_ctrl_issue - one queue's issue stage: starts the queue head, expands its LOOP
// repetitions into unit commands and pushes its tokens.
//
// Entry layout (dlp_ctrl packs it at dispatch): {index, c_out, c_in, inc_out[3], inc_in[3],
// insn} with the loop counts normalised (no LOOP: 1 x 1; one LOOP: outer = it, inner = 1).
// States: Idle -> (head valid, pops_ok_i: start_o pops the queue and the tokens) Issue
// -> (cmd handshake) Wait -> (done_i) Issue for the next repetition, or Push after the
// last -> (pushes_ok_i: push_o) Idle. SYNC goes from Idle straight to Push. Slot
// addresses: slot[s] = field[s] + i*inc_out[s] + j*inc_in[s] (mod 2^32), kept
// incrementally. A faulting repetition (done_i && err_i) ends the instruction (err_o).
// stop_i: start nothing new; a presented command stays valid until accepted, its done is
// awaited, then the stage returns to Idle (a pending push is dropped).
// A unit must raise done_i no earlier than the cycle after it accepted the command (a
// done_i in the handshake cycle itself would be missed).
`default_nettype none

module dlp_ctrl_issue #(
  parameter int EntryW = 512
) (
  input  wire logic              clk_i,
  input  wire logic              rst_ni,
  input  wire logic              stop_i,
  // queue head
  input  wire logic              head_valid_i,
  input  wire logic [EntryW-1:0] head_i,
  input  wire logic              pops_ok_i,     // the head's pops can be made now
  output      logic              start_o,       // pop the queue and the head's tokens
  // pushes of the held instruction
  output      logic [3:0]        held_flags_o,
  input  wire logic              pushes_ok_i,
  output      logic              push_o,
  // unit command
  output      logic              cmd_valid_o,
  input  wire logic              cmd_ready_i,
  output      logic [255:0]      cmd_insn_o,
  output      logic [31:0]       cmd_slot0_o,
  output      logic [31:0]       cmd_slot1_o,
  output      logic [31:0]       cmd_slot2_o,
  input  wire logic              done_i,
  input  wire logic              err_i,
  input  wire logic [3:0]        err_code_i,
  input  wire logic [31:0]       err_addr_i,
  // status
  output      logic              idle_o,
  output      logic              exec_o,        // a unit holds (or is offered) a command
  output      logic              push_wait_o,   // completed, waiting to push
  output      logic              can_move_o,    // Idle head can start or Push can push
  output      logic [31:0]       held_index_o,
  output      logic              insn_done_o,   // instruction completed (INSNS)
  output      logic              err_o,
  output      logic [3:0]        err_code_o,
  output      logic [31:0]       err_addr_o
);

  typedef enum logic [1:0] {SIdle, SIssue, SWait, SPush} state_e;

  state_e       state_q, state_d;
  logic [255:0] insn_q, insn_d;
  logic [31:0]  index_q, index_d;
  // Repetitions left (outer i, inner j) rather than indices, so the last repetition and
  // the inner wrap are zero tests instead of 16-bit compares against count - 1.
  logic [15:0]  cinm1_q, cinm1_d, il_q, il_d, jl_q, jl_d;
  logic [95:0]  incout_q, incout_d, incin_q, incin_d;
  logic [95:0]  row_q, row_d, slot_q, slot_d;   // three 32-bit slots each

  // head fields
  logic [255:0] h_insn;
  logic [31:0]  h_index;
  logic [15:0]  h_cout, h_cin;
  logic [95:0]  h_incout, h_incin, h_base, h_mask;
  logic [7:0]   h_op;

  assign h_insn   = head_i[255:0];
  assign h_incin  = head_i[351:256];
  assign h_incout = head_i[447:352];
  assign h_cin    = head_i[463:448];
  assign h_cout   = head_i[479:464];
  assign h_index  = head_i[511:480];
  assign h_op     = h_insn[7:0];

  // Slot fields per opcode (spec 5.6); unused slots are 0 and ignore their increment.
  always_comb begin
    h_base = '0;
    h_mask = '1;
    unique case (h_op)
      dlp_pkg::OpLoad, dlp_pkg::OpStore: begin
        h_base = {32'd0, h_insn[dlp_pkg::FDmaDram +: 32], 16'd0, h_insn[dlp_pkg::FDmaSram +: 16]};
        h_mask = {32'd0, {64{1'b1}}};
      end
      dlp_pkg::OpGemm: h_base = {16'd0, h_insn[dlp_pkg::FGemmAcc +: 16],
                                 16'd0, h_insn[dlp_pkg::FGemmWgt +: 16],
                                 16'd0, h_insn[dlp_pkg::FGemmAct +: 16]};
      dlp_pkg::OpVec:  h_base = {16'd0, h_insn[dlp_pkg::FVecDst +: 16],
                                 16'd0, h_insn[dlp_pkg::FVecSrc2 +: 16],
                                 16'd0, h_insn[dlp_pkg::FVecSrc +: 16]};
      default: h_mask = '0;
    endcase
  end

  function automatic logic [95:0] add3(logic [95:0] a, logic [95:0] b);
    add3 = {a[95:64] + b[95:64], a[63:32] + b[63:32], a[31:0] + b[31:0]};
  endfunction

  logic last_rep;
  assign last_rep = (il_q == '0) && (jl_q == '0);

  always_comb begin
    state_d  = state_q;
    insn_d   = insn_q;
    index_d  = index_q;
    cinm1_d  = cinm1_q;
    il_d     = il_q;
    jl_d     = jl_q;
    incout_d = incout_q;
    incin_d  = incin_q;
    row_d    = row_q;
    slot_d   = slot_q;
    start_o  = 1'b0;
    push_o   = 1'b0;
    insn_done_o = 1'b0;
    err_o    = 1'b0;

    unique case (state_q)
      SIdle: begin
        if (head_valid_i && pops_ok_i && !stop_i) begin
          start_o  = 1'b1;
          insn_d   = h_insn;
          index_d  = h_index;
          cinm1_d  = h_cin - 1'b1;     // counts are >= 1 (normalised at dispatch)
          il_d     = h_cout - 1'b1;
          jl_d     = h_cin - 1'b1;
          incout_d = h_incout & h_mask;
          incin_d  = h_incin & h_mask;
          row_d    = h_base;
          slot_d   = h_base;
          if (h_op == dlp_pkg::OpSync) begin
            insn_done_o = 1'b1;
            state_d     = SPush;
          end else begin
            state_d = SIssue;
          end
        end
      end
      SIssue: begin
        if (cmd_ready_i) state_d = SWait;
      end
      SWait: begin
        if (done_i) begin
          if (err_i) begin
            err_o   = 1'b1;
            state_d = SIdle;
          end else if (last_rep) begin
            insn_done_o = 1'b1;
            if (stop_i) state_d = SIdle;
            else        state_d = SPush;
          end else begin
            if (stop_i) state_d = SIdle;
            else        state_d = SIssue;
            if (jl_q != '0) begin
              jl_d   = jl_q - 1'b1;
              slot_d = add3(slot_q, incin_q);
            end else begin
              jl_d   = cinm1_q;
              il_d   = il_q - 1'b1;
              row_d  = add3(row_q, incout_q);
              slot_d = add3(row_q, incout_q);
            end
          end
        end
      end
      SPush: begin
        if (stop_i) begin
          state_d = SIdle;
        end else if (pushes_ok_i) begin
          push_o  = 1'b1;
          state_d = SIdle;
        end
      end
      default: state_d = SIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= SIdle;
      insn_q   <= '0;
      index_q  <= '0;
      cinm1_q  <= '0;
      il_q     <= '0;
      jl_q     <= '0;
      incout_q <= '0;
      incin_q  <= '0;
      row_q    <= '0;
      slot_q   <= '0;
    end else begin
      state_q  <= state_d;
      insn_q   <= insn_d;
      index_q  <= index_d;
      cinm1_q  <= cinm1_d;
      il_q     <= il_d;
      jl_q     <= jl_d;
      incout_q <= incout_d;
      incin_q  <= incin_d;
      row_q    <= row_d;
      slot_q   <= slot_d;
    end
  end

  assign held_flags_o = insn_q[11:8];
  assign cmd_valid_o  = (state_q == SIssue);
  assign cmd_insn_o   = insn_q;
  assign cmd_slot0_o  = slot_q[31:0];
  assign cmd_slot1_o  = slot_q[63:32];
  assign cmd_slot2_o  = slot_q[95:64];
  assign idle_o       = (state_q == SIdle);
  assign exec_o       = (state_q == SIssue) || (state_q == SWait);
  assign push_wait_o  = (state_q == SPush);
  assign can_move_o   = ((state_q == SIdle) && head_valid_i && pops_ok_i) ||
                        ((state_q == SPush) && pushes_ok_i);
  assign held_index_o = index_q;
  assign err_code_o   = err_code_i;
  assign err_addr_o   = err_addr_i;

endmodule
