// dlp_uart_rx - 8N1 UART receiver.
//
// rx_i is synchronised (two flops), a start bit is detected on its falling edge and each
// bit is sampled in the middle of its bit time (ClksPerBit clock cycles). A byte is
// presented on data_o with a one-cycle valid_o pulse after the middle of the stop bit;
// a low stop bit (framing error) drops the byte. No flow control: the consumer must take
// the byte in that cycle.
`default_nettype none

module dlp_uart_rx #(
  parameter int ClksPerBit = 868     // clock frequency / baud rate, >= 4
) (
  input  wire logic       clk_i,
  input  wire logic       rst_ni,
  input  wire logic       rx_i,
  output      logic       valid_o,
  output      logic [7:0] data_o
);
  localparam int CntW = $clog2(ClksPerBit + 1);

  typedef enum logic [1:0] {Idle, Start, Data, Stop} state_e;

  state_e            state_q, state_d;
  logic [1:0]        sync_q, sync_d;
  logic [CntW-1:0]   cnt_q, cnt_d;
  logic [2:0]        bit_q, bit_d;
  logic [7:0]        shift_q, shift_d;
  logic              valid_q, valid_d;
  logic              rx;

  assign rx      = sync_q[1];
  assign sync_d  = {sync_q[0], rx_i};
  assign valid_o = valid_q;
  assign data_o  = shift_q;

  always_comb begin
    state_d = state_q;
    cnt_d   = cnt_q;
    bit_d   = bit_q;
    shift_d = shift_q;
    valid_d = 1'b0;
    unique case (state_q)
      Idle: if (!rx) begin
        state_d = Start;
        cnt_d   = CntW'(ClksPerBit / 2);
      end
      Start: if (cnt_q != '0) begin
        cnt_d = cnt_q - 1'b1;
      end else if (rx) begin
        state_d = Idle;                     // glitch, not a start bit
      end else begin
        state_d = Data;
        cnt_d   = CntW'(ClksPerBit - 1);
        bit_d   = '0;
      end
      Data: if (cnt_q != '0) begin
        cnt_d = cnt_q - 1'b1;
      end else begin
        shift_d = {rx, shift_q[7:1]};       // LSB first
        cnt_d   = CntW'(ClksPerBit - 1);
        bit_d   = bit_q + 1'b1;
        if (bit_q == 3'd7) state_d = Stop;
      end
      Stop: if (cnt_q != '0) begin
        cnt_d = cnt_q - 1'b1;
      end else begin
        state_d = Idle;
        valid_d = rx;
      end
      default: state_d = Idle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      sync_q  <= 2'b11;
      cnt_q   <= '0;
      bit_q   <= '0;
      shift_q <= '0;
      valid_q <= 1'b0;
    end else begin
      state_q <= state_d;
      sync_q  <= sync_d;
      cnt_q   <= cnt_d;
      bit_q   <= bit_d;
      shift_q <= shift_d;
      valid_q <= valid_d;
    end
  end
endmodule
