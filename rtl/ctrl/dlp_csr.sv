// dlp_csr - DLP control/status registers on a 32-bit AXI4-Lite slave
// (docs/ARCHITECTURE.md section 7).
//
// AW and W are accepted independently (either order, or together) into one-entry holding
// registers; the write happens once both are held and no B response is pending; B is
// OKAY. A read is accepted when no R response is pending and answered the next cycle,
// OKAY; unmapped offsets read 0 and ignore writes. WSTRB masks writes byte-wise.
// CTRL writes set IRQ_EN_DONE/IRQ_EN_ERR; SOFT_RESET (bit 1) gives soft_reset_o, else
// START (bit 0) gives start_o when !busy_i (START while busy is ignored). Both clear
// IRQ_STATUS. start_o / soft_reset_o are registered one-cycle pulses (the cycle after
// the write; the B response goes out in the same cycle, so a following STATUS read
// already sees BUSY). IRQ_STATUS bits are set by done_evt_i / err_evt_i and cleared by writing 1.
// irq_o = |(IRQ_STATUS & enables). PERF[k]_LO reads perf_val_i (selected by perf_sel_o
// from the read address) and latches its high word for PERF[k]_HI.
`default_nettype none

module dlp_csr #(
  parameter int N          = 16,
  parameter int AxiDataW   = 128,
  parameter int QueueDepth = 8,
  parameter int TokenBits  = 8,
  parameter int ActRows    = 8192,
  parameter int WgtRows    = 8192,
  parameter int AccRows    = 1024
) (
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  // AXI4-Lite slave
  input  wire logic        s_axil_awvalid_i,
  output      logic        s_axil_awready_o,
  input  wire logic [11:0] s_axil_awaddr_i,
  input  wire logic        s_axil_wvalid_i,
  output      logic        s_axil_wready_o,
  input  wire logic [31:0] s_axil_wdata_i,
  input  wire logic [3:0]  s_axil_wstrb_i,
  output      logic        s_axil_bvalid_o,
  input  wire logic        s_axil_bready_i,
  output      logic [1:0]  s_axil_bresp_o,
  input  wire logic        s_axil_arvalid_i,
  output      logic        s_axil_arready_o,
  input  wire logic [11:0] s_axil_araddr_i,
  output      logic        s_axil_rvalid_o,
  input  wire logic        s_axil_rready_i,
  output      logic [31:0] s_axil_rdata_o,
  output      logic [1:0]  s_axil_rresp_o,
  output      logic        irq_o,
  // to / from dlp_ctrl
  output      logic        start_o,
  output      logic        soft_reset_o,
  output      logic [31:0] insn_base_o,
  output      logic [31:0] insn_count_o,
  output      logic [31:0] win_base_o,
  output      logic [31:0] win_limit_o,
  input  wire logic        busy_i,
  input  wire logic        done_i,
  input  wire logic        error_i,
  input  wire logic        done_evt_i,
  input  wire logic        err_evt_i,
  input  wire logic [3:0]  err_code_i,
  input  wire logic [31:0] err_index_i,
  input  wire logic [31:0] err_addr_i,
  output      logic [4:0]  perf_sel_o,
  input  wire logic [63:0] perf_val_i
);

  localparam logic [31:0] IdValue      = 32'h444C5000;
  localparam logic [31:0] VersionValue = 32'h00010000;
  localparam logic [31:0] Caps0 = {4'(TokenBits), 4'd2, 8'(QueueDepth), 8'(AxiDataW / 8),
                                   8'(N)};
  localparam logic [31:0] Caps1 = {16'(WgtRows * N / 1024), 16'(ActRows * N / 1024)};
  localparam logic [31:0] Caps2 = {8'd0, 8'd32, 16'(AccRows * 4 * N / 1024)};

  logic        aw_have_q, aw_have_d, w_have_q, w_have_d, b_q, b_d, r_q, r_d;
  logic [11:0] awaddr_q, awaddr_d;
  logic [31:0] wdata_q, wdata_d, rdata_q, rdata_d;
  logic [3:0]  wstrb_q, wstrb_d;
  logic [1:0]  irq_en_q, irq_en_d, irq_st_q, irq_st_d;
  logic [31:0] base_q, base_d, count_q, count_d, wbase_q, wbase_d, wlim_q, wlim_d;
  logic [31:0] hi_q, hi_d;
  logic        start_q, start_d, srst_q, srst_d;

  logic        do_write, do_read;
  logic [11:2] waddr;
  logic [31:0] wval, wmask;
  logic [11:0] raddr;

  assign s_axil_awready_o = !aw_have_q;
  assign s_axil_wready_o  = !w_have_q;
  assign s_axil_arready_o = !r_q;
  assign raddr      = s_axil_araddr_i;
  assign perf_sel_o = raddr[7:3];

  function automatic logic [31:0] merge(logic [31:0] old, logic [31:0] val, logic [31:0] m);
    merge = (old & ~m) | (val & m);
  endfunction

  always_comb begin
    aw_have_d = aw_have_q;
    w_have_d  = w_have_q;
    awaddr_d  = awaddr_q;
    wdata_d   = wdata_q;
    wstrb_d   = wstrb_q;
    b_d       = b_q;
    r_d       = r_q;
    rdata_d   = rdata_q;
    irq_en_d  = irq_en_q;
    irq_st_d  = irq_st_q;
    base_d    = base_q;
    count_d   = count_q;
    wbase_d   = wbase_q;
    wlim_d    = wlim_q;
    hi_d      = hi_q;
    start_d   = 1'b0;
    srst_d    = 1'b0;

    if (s_axil_awvalid_i && !aw_have_q) begin
      aw_have_d = 1'b1;
      awaddr_d  = s_axil_awaddr_i;
    end
    if (s_axil_wvalid_i && !w_have_q) begin
      w_have_d = 1'b1;
      wdata_d  = s_axil_wdata_i;
      wstrb_d  = s_axil_wstrb_i;
    end
    if (b_q && s_axil_bready_i) b_d = 1'b0;
    if (r_q && s_axil_rready_i) r_d = 1'b0;

    // Write once address and data are held and B is free.
    do_write = aw_have_q && w_have_q && !b_q;
    waddr    = awaddr_q[11:2];
    wval     = wdata_q;
    wmask    = {{8{wstrb_q[3]}}, {8{wstrb_q[2]}}, {8{wstrb_q[1]}}, {8{wstrb_q[0]}}};


    if (do_write) begin
      aw_have_d = 1'b0;
      w_have_d  = 1'b0;
      b_d       = 1'b1;
      unique case ({waddr, 2'b00})
        12'h020: begin
          if (wmask[15:8] != '0) irq_en_d = wval[9:8];
          if (wmask[1] && wval[1]) begin
            srst_d   = 1'b1;
            irq_st_d     = '0;
          end else if (wmask[0] && wval[0] && !busy_i) begin
            start_d  = 1'b1;
            irq_st_d = '0;
          end
        end
        12'h028: irq_st_d = irq_st_d & ~(wval[1:0] & wmask[1:0]);
        12'h030: base_d  = merge(base_q, wval, wmask);
        12'h034: count_d = merge(count_q, wval, wmask);
        12'h040: wbase_d = merge(wbase_q, wval, wmask);
        12'h044: wlim_d  = merge(wlim_q, wval, wmask);
        default: ;
      endcase
    end

    // Status events after the host's W1C: an event in the same cycle is not lost.
    if (done_evt_i) irq_st_d[0] = 1'b1;
    if (err_evt_i)  irq_st_d[1] = 1'b1;

    do_read = s_axil_arvalid_i && !r_q;
    if (do_read) begin
      r_d = 1'b1;
      rdata_d = '0;
      if (raddr >= 12'h100 && raddr < 12'h1A0) begin
        if (raddr[2] == 1'b0) begin
          rdata_d = perf_val_i[31:0];
          hi_d    = perf_val_i[63:32];
        end else begin
          rdata_d = hi_q;
        end
      end else begin
        unique case ({raddr[11:2], 2'b00})
          12'h000: rdata_d = IdValue;
          12'h004: rdata_d = VersionValue;
          12'h008: rdata_d = Caps0;
          12'h00C: rdata_d = Caps1;
          12'h010: rdata_d = Caps2;
          12'h020: rdata_d = {22'd0, irq_en_q, 8'd0};
          12'h024: rdata_d = {29'd0, error_i, done_i, busy_i};
          12'h028: rdata_d = {30'd0, irq_st_q};
          12'h030: rdata_d = base_q;
          12'h034: rdata_d = count_q;
          12'h040: rdata_d = wbase_q;
          12'h044: rdata_d = wlim_q;
          12'h050: rdata_d = {28'd0, err_code_i};
          12'h054: rdata_d = err_index_i;
          12'h058: rdata_d = err_addr_i;
          default: rdata_d = '0;
        endcase
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_have_q <= 1'b0;
      w_have_q  <= 1'b0;
      awaddr_q  <= '0;
      wdata_q   <= '0;
      wstrb_q   <= '0;
      b_q       <= 1'b0;
      r_q       <= 1'b0;
      rdata_q   <= '0;
      irq_en_q  <= '0;
      irq_st_q  <= '0;
      base_q    <= '0;
      count_q   <= '0;
      wbase_q   <= '0;
      wlim_q    <= '0;
      hi_q      <= '0;
      start_q   <= 1'b0;
      srst_q    <= 1'b0;
    end else begin
      aw_have_q <= aw_have_d;
      w_have_q  <= w_have_d;
      awaddr_q  <= awaddr_d;
      wdata_q   <= wdata_d;
      wstrb_q   <= wstrb_d;
      b_q       <= b_d;
      r_q       <= r_d;
      rdata_q   <= rdata_d;
      irq_en_q  <= irq_en_d;
      irq_st_q  <= irq_st_d;
      base_q    <= base_d;
      count_q   <= count_d;
      wbase_q   <= wbase_d;
      wlim_q    <= wlim_d;
      hi_q      <= hi_d;
      start_q   <= start_d;
      srst_q    <= srst_d;
    end
  end

  assign s_axil_bvalid_o = b_q;
  assign s_axil_bresp_o  = 2'b00;
  assign s_axil_rvalid_o = r_q;
  assign s_axil_rdata_o  = rdata_q;
  assign s_axil_rresp_o  = 2'b00;
  assign start_o      = start_q;
  assign soft_reset_o = srst_q;
  assign irq_o        = |(irq_st_q & irq_en_q);
  assign insn_base_o  = base_q;
  assign insn_count_o = count_q;
  assign win_base_o   = wbase_q;
  assign win_limit_o  = wlim_q;

endmodule
