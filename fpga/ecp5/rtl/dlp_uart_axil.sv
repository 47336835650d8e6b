// dlp_uart_axil - UART (8N1) to AXI4-Lite master and RAM host port, for board bring-up.
//
// Commands from the host (bytes; multi-byte values little endian):
//   'R' (0x52) a0 a1 a2 a3            -> d0 d1 d2 d3 st     read the 32-bit word at a
//   'W' (0x57) a0 a1 a2 a3 d0 d1 d2 d3 -> st                  write the 32-bit word at a
// Address bit 31 selects the target: 0 = the DLP's CSRs (AXI4-Lite, a[11:0]), 1 = the
// on-chip RAM (host port of dlp_axi_ram; a[30:0] is the RAM byte address, 4-byte
// aligned). st = {irq_i, 5'b0, resp}: resp is the AXI-Lite BRESP/RRESP (0 for the RAM).
// Bytes other than 'R'/'W' between commands are ignored; a command whose bytes stop
// arriving for TimeoutClks cycles is dropped, so a host can always resynchronise.
// One command at a time; the AXI-Lite master holds valid until ready (AW and W together).
`default_nettype none

module dlp_uart_axil #(
  parameter int ClksPerBit  = 868,
  parameter int DataW       = 128,     // RAM word width
  parameter int RamWordAW   = 11,      // RAM word address bits
  parameter int TimeoutClks = 1 << 20,
  localparam int StrbW      = DataW / 8,
  localparam int ByteOff    = $clog2(StrbW)
) (
  input  wire logic                 clk_i,
  input  wire logic                 rst_ni,
  input  wire logic                 rx_i,
  output      logic                 tx_o,
  input  wire logic                 irq_i,
  // AXI4-Lite master
  output      logic                 m_axil_awvalid_o,
  input  wire logic                 m_axil_awready_i,
  output      logic [11:0]          m_axil_awaddr_o,
  output      logic                 m_axil_wvalid_o,
  input  wire logic                 m_axil_wready_i,
  output      logic [31:0]          m_axil_wdata_o,
  output      logic [3:0]           m_axil_wstrb_o,
  input  wire logic                 m_axil_bvalid_i,
  output      logic                 m_axil_bready_o,
  input  wire logic [1:0]           m_axil_bresp_i,
  output      logic                 m_axil_arvalid_o,
  input  wire logic                 m_axil_arready_i,
  output      logic [11:0]          m_axil_araddr_o,
  input  wire logic                 m_axil_rvalid_i,
  output      logic                 m_axil_rready_o,
  input  wire logic [31:0]          m_axil_rdata_i,
  input  wire logic [1:0]           m_axil_rresp_i,
  // RAM host port (dlp_axi_ram)
  output      logic                 ram_req_o,
  output      logic                 ram_we_o,
  output      logic [RamWordAW-1:0] ram_addr_o,
  output      logic [DataW-1:0]     ram_wdata_o,
  output      logic [StrbW-1:0]     ram_strb_o,
  input  wire logic                 ram_gnt_i,
  input  wire logic [DataW-1:0]     ram_rdata_i
);
  localparam int ToW = $clog2(TimeoutClks + 1);

  typedef enum logic [2:0] {Cmd, Arg, Axi, AxiResp, Ram, RamData, Send} state_e;

  logic       rx_valid, tx_valid, tx_ready;
  logic [7:0] rx_data, tx_data;

  dlp_uart_rx #(.ClksPerBit(ClksPerBit)) u_rx (
    .clk_i, .rst_ni, .rx_i, .valid_o(rx_valid), .data_o(rx_data)
  );
  dlp_uart_tx #(.ClksPerBit(ClksPerBit)) u_tx (
    .clk_i, .rst_ni, .valid_i(tx_valid), .ready_o(tx_ready), .data_i(tx_data), .tx_o
  );

  state_e         state_q, state_d;
  logic           write_q, write_d;      // 'W' command
  logic [3:0]     need_q, need_d;        // argument bytes still to receive
  logic [63:0]    arg_q, arg_d;          // argument bytes, shifted in from the top
  logic           aw_done_q, aw_done_d, w_done_q, w_done_d;
  logic [39:0]    out_q, out_d;          // reply bytes, sent from bit 0
  logic [2:0]     out_left_q, out_left_d;
  logic [ToW-1:0] idle_q, idle_d;        // cycles since the last argument byte

  logic [31:0] addr, wdata, ram_word;
  logic [1:0]  resp;
  logic [ByteOff-3:0] sel;               // 32-bit word within the RAM word

  // after 8 bytes ('W') the address is in arg[31:0]; after 4 ('R') in arg[63:32]
  assign addr  = write_q ? arg_q[31:0] : arg_q[63:32];
  assign wdata = arg_q[63:32];
  assign sel   = addr[ByteOff-1:2];
  logic [31:0] unused_addr;              // bits above the CSR / RAM range are ignored
  assign unused_addr = addr;

  assign m_axil_awaddr_o = addr[11:0];
  assign m_axil_araddr_o = addr[11:0];
  assign m_axil_wdata_o  = wdata;
  assign m_axil_wstrb_o  = 4'hF;
  assign ram_addr_o      = addr[ByteOff +: RamWordAW];
  assign ram_wdata_o     = {(StrbW / 4){wdata}};
  assign ram_strb_o      = StrbW'(4'hF) << (4 * sel);
  assign ram_we_o        = write_q;
  assign ram_word        = 32'(ram_rdata_i >> (32 * sel));
  assign tx_data         = out_q[7:0];
  assign resp            = write_q ? m_axil_bresp_i : m_axil_rresp_i;

  always_comb begin
    state_d          = state_q;
    write_d          = write_q;
    need_d           = need_q;
    arg_d            = arg_q;
    aw_done_d        = aw_done_q;
    w_done_d         = w_done_q;
    out_d            = out_q;
    out_left_d       = out_left_q;
    idle_d           = idle_q;
    m_axil_awvalid_o = 1'b0;
    m_axil_wvalid_o  = 1'b0;
    m_axil_bready_o  = 1'b0;
    m_axil_arvalid_o = 1'b0;
    m_axil_rready_o  = 1'b0;
    ram_req_o        = 1'b0;
    tx_valid         = 1'b0;
    unique case (state_q)
      Cmd: if (rx_valid && (rx_data == 8'h52 || rx_data == 8'h57)) begin
        write_d = (rx_data == 8'h57);
        need_d  = (rx_data == 8'h57) ? 4'd8 : 4'd4;
        idle_d  = '0;
        state_d = Arg;
      end
      Arg: begin
        if (rx_valid) begin
          arg_d  = {rx_data, arg_q[63:8]};
          need_d = need_q - 1'b1;
          idle_d = '0;
          if (need_q == 4'd1) begin
            // address bit 31: RAM or CSR
            if (write_q ? arg_d[31] : arg_d[63]) state_d = Ram;
            else                                 state_d = Axi;
          end
        end else if (idle_q == ToW'(TimeoutClks)) begin
          state_d = Cmd;
        end else begin
          idle_d = idle_q + 1'b1;
        end
        aw_done_d = 1'b0;
        w_done_d  = 1'b0;
      end
      Axi: begin
        if (write_q) begin
          m_axil_awvalid_o = !aw_done_q;
          m_axil_wvalid_o  = !w_done_q;
          aw_done_d = aw_done_q | m_axil_awready_i;
          w_done_d  = w_done_q | m_axil_wready_i;
          if (aw_done_d && w_done_d) state_d = AxiResp;
        end else begin
          m_axil_arvalid_o = 1'b1;
          if (m_axil_arready_i) state_d = AxiResp;
        end
      end
      AxiResp: begin
        m_axil_bready_o = write_q;
        m_axil_rready_o = !write_q;
        if (write_q ? m_axil_bvalid_i : m_axil_rvalid_i) begin
          out_d      = write_q ? {32'd0, irq_i, 5'd0, resp}
                               : {irq_i, 5'd0, resp, m_axil_rdata_i};
          out_left_d = write_q ? 3'd1 : 3'd5;
          state_d    = Send;
        end
      end
      Ram: begin
        ram_req_o = 1'b1;
        if (ram_gnt_i) begin
          if (write_q) begin
            out_d      = {32'd0, irq_i, 7'd0};
            out_left_d = 3'd1;
            state_d    = Send;
          end else begin
            state_d = RamData;
          end
        end
      end
      RamData: begin
        out_d      = {irq_i, 7'd0, ram_word};
        out_left_d = 3'd5;
        state_d    = Send;
      end
      Send: begin
        tx_valid = 1'b1;
        if (tx_ready) begin
          out_d      = {8'd0, out_q[39:8]};
          out_left_d = out_left_q - 1'b1;
          if (out_left_q == 3'd1) state_d = Cmd;
        end
      end
      default: state_d = Cmd;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= Cmd;
      write_q    <= 1'b0;
      need_q     <= '0;
      arg_q      <= '0;
      aw_done_q  <= 1'b0;
      w_done_q   <= 1'b0;
      out_q      <= '0;
      out_left_q <= '0;
      idle_q     <= '0;
    end else begin
      state_q    <= state_d;
      write_q    <= write_d;
      need_q     <= need_d;
      arg_q      <= arg_d;
      aw_done_q  <= aw_done_d;
      w_done_q   <= w_done_d;
      out_q      <= out_d;
      out_left_q <= out_left_d;
      idle_q     <= idle_d;
    end
  end
endmodule
