// dlp_uart_tx - 8N1 UART transmitter.
//
// valid_i/ready_o handshake: a byte is accepted when both are high and sent LSB first
// (start bit, 8 data bits, stop bit; ClksPerBit clock cycles each). ready_o is high while
// idle; tx_o idles high.
`default_nettype none

module dlp_uart_tx #(
  parameter int ClksPerBit = 868     // clock frequency / baud rate
) (
  input  wire logic       clk_i,
  input  wire logic       rst_ni,
  input  wire logic       valid_i,
  output      logic       ready_o,
  input  wire logic [7:0] data_i,
  output      logic       tx_o
);
  localparam int CntW = $clog2(ClksPerBit + 1);

  logic [9:0]      shift_q, shift_d;     // {stop, data, start}, sent from bit 0
  logic [3:0]      left_q, left_d;       // bits still to send
  logic [CntW-1:0] cnt_q, cnt_d;

  assign ready_o = (left_q == '0);
  assign tx_o    = (left_q == '0) ? 1'b1 : shift_q[0];

  always_comb begin
    shift_d = shift_q;
    left_d  = left_q;
    cnt_d   = cnt_q;
    if (left_q == '0) begin
      if (valid_i) begin
        shift_d = {1'b1, data_i, 1'b0};
        left_d  = 4'd10;
        cnt_d   = CntW'(ClksPerBit - 1);
      end
    end else if (cnt_q != '0) begin
      cnt_d = cnt_q - 1'b1;
    end else begin
      shift_d = {1'b1, shift_q[9:1]};
      left_d  = left_q - 1'b1;
      cnt_d   = CntW'(ClksPerBit - 1);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      shift_q <= '1;
      left_q  <= '0;
      cnt_q   <= '0;
    end else begin
      shift_q <= shift_d;
      left_q  <= left_d;
      cnt_q   <= cnt_d;
    end
  end
endmodule
