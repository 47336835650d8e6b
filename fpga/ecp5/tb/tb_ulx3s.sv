// tb_ulx3s - Icarus test of the ULX3S wrapper: UART bridge + on-chip RAM + dlp_top.
//
// Drives the FTDI pins like a host at 8 clocks per bit and checks, through the UART
// protocol of dlp_uart_axil:
//   1. CSR read of ID (0x000) = 0x444C5000 and of CAPS0[7:0] = N;
//   2. CSR write + read back of INSN_BASE;
//   3. RAM writes and reads (address bit 31 set), including a word in every lane;
//   4. a program run from the RAM: a FINISH instruction (fetched by the DLP's AXI master
//      from dlp_axi_ram), START with IRQ enables, STATUS.DONE, the irq bit of the UART
//      status byte and led[0], IRQ_STATUS W1C.
// Prints "fpga_ulx3s: N passed, N failed". Ends on a timeout if the bridge hangs.
`timescale 1ns / 1ps
`default_nettype none

module tb_ulx3s;
  localparam int N        = 4;
  localparam int AxiDataW = 64;
  localparam int Baud     = 1000000;
  localparam int ClkHz    = 8 * Baud;      // 8 clocks per UART bit
  localparam int BitNs    = 8 * 10;        // clock period 10 ns

  logic       clk = 1'b0;
  logic [0:0] btn = 1'b0;
  logic       host_tx = 1'b1;              // host -> FPGA (ftdi_txd)
  logic       fpga_tx;                     // FPGA -> host (ftdi_rxd)
  logic [7:0] led;
  logic       wifi_gpio0;
  int         passed = 0, failed = 0;

  always #5 clk = ~clk;

  dlp_ulx3s #(
    .N(N), .AxiDataW(AxiDataW), .ActBytes(8192), .WgtBytes(8192), .AccBytes(8192),
    .RamBytes(4096), .ClkHz(ClkHz), .Baud(Baud)
  ) dut (
    .clk_25mhz(clk), .btn, .ftdi_txd(host_tx), .ftdi_rxd(fpga_tx), .led, .wifi_gpio0
  );

  task automatic send_byte(input logic [7:0] b);
    host_tx = 1'b0;
    #(BitNs);
    for (int i = 0; i < 8; i++) begin
      host_tx = b[i];
      #(BitNs);
    end
    host_tx = 1'b1;
    #(BitNs);
  endtask

  task automatic recv_byte(output logic [7:0] b);
    @(negedge fpga_tx);
    #(BitNs / 2);
    for (int i = 0; i < 8; i++) begin
      #(BitNs);
      b[i] = fpga_tx;
    end
    #(BitNs);                                // stop bit
  endtask

  task automatic send_word(input logic [31:0] w);
    for (int i = 0; i < 4; i++) send_byte(w[8*i +: 8]);
  endtask

  task automatic recv_word(output logic [31:0] w);
    logic [7:0] b;
    for (int i = 0; i < 4; i++) begin
      recv_byte(b);
      w[8*i +: 8] = b;
    end
  endtask

  // 'R': returns data and status; the reply is collected while the command is sent
  task automatic rd(input logic [31:0] addr, output logic [31:0] data, output logic [7:0] st);
    fork
      begin
        send_byte(8'h52);
        send_word(addr);
      end
      begin
        recv_word(data);
        recv_byte(st);
      end
    join
  endtask

  task automatic wr(input logic [31:0] addr, input logic [31:0] data, output logic [7:0] st);
    fork
      begin
        send_byte(8'h57);
        send_word(addr);
        send_word(data);
      end
      recv_byte(st);
    join
  endtask

  task automatic check(input string what, input logic [31:0] got, input logic [31:0] exp);
    if (got === exp) passed++;
    else begin
      failed++;
      $display("FAIL %s: got 0x%08x, expected 0x%08x", what, got, exp);
    end
  endtask

  logic [31:0] d;
  logic [7:0]  st;

  initial begin
    repeat (10) @(posedge clk);
    btn = 1'b1;                              // release the PWR button: out of reset
    repeat (10) @(posedge clk);

    // 1. identification
    rd(32'h000, d, st);
    check("ID", d, 32'h444C5000);
    check("ID status", {24'd0, st}, 32'h00);
    rd(32'h008, d, st);
    check("CAPS0.N", {24'd0, d[7:0]}, N);
    check("CAPS0.AXI bytes", {24'd0, d[15:8]}, AxiDataW / 8);

    $display("identification done at %0t ps", $time);
    // 2. CSR write / read back
    wr(32'h030, 32'h0000_0120, st);
    check("INSN_BASE write status", {24'd0, st}, 32'h00);
    rd(32'h030, d, st);
    check("INSN_BASE", d, 32'h0000_0120);

    // 3. RAM: a word in each 32-bit lane of a 64-bit RAM word, then read back
    wr(32'h8000_0100, 32'h1122_3344, st);
    wr(32'h8000_0104, 32'h5566_7788, st);
    wr(32'h8000_0ff8, 32'hcafe_f00d, st);
    rd(32'h8000_0100, d, st);
    check("RAM 0x100", d, 32'h1122_3344);
    rd(32'h8000_0104, d, st);
    check("RAM 0x104", d, 32'h5566_7788);
    rd(32'h8000_0ff8, d, st);
    check("RAM 0xff8", d, 32'hcafe_f00d);

    $display("CSR and RAM accesses done at %0t ps", $time);
    // 4. a one-instruction program (FINISH, 32 bytes) at RAM address 0x200
    for (int i = 0; i < 8; i++) wr(32'h8000_0200 + 4 * i, (i == 0) ? 32'h7 : 32'h0, st);
    wr(32'h040, 32'h0000_0000, st);          // WIN_BASE
    wr(32'h044, 32'h0000_0fff, st);          // WIN_LIMIT
    wr(32'h030, 32'h0000_0200, st);          // INSN_BASE
    wr(32'h034, 32'h0000_0001, st);          // INSN_COUNT
    wr(32'h020, 32'h0000_0301, st);          // CTRL: IRQ_EN_DONE | IRQ_EN_ERR | START
    d = '0;
    for (int t = 0; t < 20 && !d[1]; t++) rd(32'h024, d, st);   // STATUS
    check("STATUS (DONE, no ERROR)", d & 32'h7, 32'h2);
    check("irq bit in the UART status", {31'd0, st[7]}, 32'h1);
    check("led[0] = irq", {31'd0, led[0]}, 32'h1);
    rd(32'h050, d, st);
    check("ERR_CODE", d, 32'h0);
    wr(32'h028, 32'h0000_0003, st);          // IRQ_STATUS: clear
    rd(32'h028, d, st);
    check("IRQ_STATUS after W1C", d, 32'h0);
    check("irq low after W1C", {31'd0, st[7]}, 32'h0);

    $display("fpga_ulx3s: %0d passed, %0d failed", passed, failed);
    $finish;
  end

  initial begin
    #(5_000_000);
    $display("FAIL timeout");
    $display("fpga_ulx3s: %0d passed, %0d failed", passed, failed + 1);
    $finish;
  end
endmodule
