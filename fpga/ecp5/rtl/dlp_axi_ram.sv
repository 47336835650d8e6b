// dlp_axi_ram - on-chip memory behind an AXI4 slave, plus a host port.
//
// The ULX3S has no DDR on the DLP's AXI master, so the board wrapper gives it this block
// RAM instead (RamBytes, DataW wide). AXI side: one transaction at a time, reads before
// writes when both are waiting; INCR bursts of full-width beats (the DLP issues only
// those; arsize/awsize are ignored, FIXED/WRAP treated as INCR); OKAY responses; IDs
// echoed. Addresses wrap modulo RamBytes (the RAM is aliased over the whole 4 GiB).
// Latency: a read beat takes two cycles (RAM read, then R valid), a write beat one.
//
// Host port (the UART bridge): host_req_i is granted (host_gnt_o) in a cycle when the AXI
// side does not use the RAM and no R beat is waiting; a granted read returns host_rdata_o the next cycle. The RAM
// has one port, so Yosys maps it to single-port block RAM (one per byte lane).
`default_nettype none

module dlp_axi_ram #(
  parameter int DataW    = 128,
  parameter int IdW      = 5,
  parameter int RamBytes = 32768,
  localparam int StrbW   = DataW / 8,
  localparam int Words   = RamBytes / StrbW,
  localparam int WordAW  = $clog2(Words),
  localparam int ByteOff = $clog2(StrbW)
) (
  input  wire logic              clk_i,
  input  wire logic              rst_ni,
  // AXI4 slave: read
  input  wire logic [IdW-1:0]    s_axi_arid_i,
  input  wire logic [31:0]       s_axi_araddr_i,
  input  wire logic [7:0]        s_axi_arlen_i,
  input  wire logic              s_axi_arvalid_i,
  output      logic              s_axi_arready_o,
  output      logic [IdW-1:0]    s_axi_rid_o,
  output      logic [DataW-1:0]  s_axi_rdata_o,
  output      logic [1:0]        s_axi_rresp_o,
  output      logic              s_axi_rlast_o,
  output      logic              s_axi_rvalid_o,
  input  wire logic              s_axi_rready_i,
  // AXI4 slave: write
  input  wire logic [IdW-1:0]    s_axi_awid_i,
  input  wire logic [31:0]       s_axi_awaddr_i,
  input  wire logic [7:0]        s_axi_awlen_i,
  input  wire logic              s_axi_awvalid_i,
  output      logic              s_axi_awready_o,
  input  wire logic [DataW-1:0]  s_axi_wdata_i,
  input  wire logic [StrbW-1:0]  s_axi_wstrb_i,
  input  wire logic              s_axi_wlast_i,
  input  wire logic              s_axi_wvalid_i,
  output      logic              s_axi_wready_o,
  output      logic [IdW-1:0]    s_axi_bid_o,
  output      logic [1:0]        s_axi_bresp_o,
  output      logic              s_axi_bvalid_o,
  input  wire logic              s_axi_bready_i,
  // host port (word addressed)
  input  wire logic              host_req_i,
  input  wire logic              host_we_i,
  input  wire logic [WordAW-1:0] host_addr_i,
  input  wire logic [DataW-1:0]  host_wdata_i,
  input  wire logic [StrbW-1:0]  host_strb_i,
  output      logic              host_gnt_o,
  output      logic [DataW-1:0]  host_rdata_o
);
  typedef enum logic [2:0] {Idle, RdMem, RdBeat, Wr, WrResp} state_e;

  state_e            state_q, state_d;
  logic [IdW-1:0]    id_q, id_d;
  logic [WordAW-1:0] addr_q, addr_d;
  logic [7:0]        left_q, left_d;      // beats after the current one

  // the RAM port: the AXI side's request (axi_*), else the host's
  logic              axi_en, axi_we;
  logic              ram_en, ram_we;
  logic [WordAW-1:0] ram_addr;
  logic [DataW-1:0]  ram_wdata, ram_rdata;
  logic [StrbW-1:0]  ram_strb;

  always_comb begin
    state_d         = state_q;
    id_d            = id_q;
    addr_d          = addr_q;
    left_d          = left_q;
    s_axi_arready_o = 1'b0;
    s_axi_awready_o = 1'b0;
    s_axi_wready_o  = 1'b0;
    s_axi_rvalid_o  = 1'b0;
    s_axi_bvalid_o  = 1'b0;
    axi_en          = 1'b0;
    axi_we          = 1'b0;
    unique case (state_q)
      Idle: begin
        if (s_axi_arvalid_i) begin
          s_axi_arready_o = 1'b1;
          id_d    = s_axi_arid_i;
          addr_d  = s_axi_araddr_i[ByteOff +: WordAW];
          left_d  = s_axi_arlen_i;
          state_d = RdMem;
        end else if (s_axi_awvalid_i) begin
          s_axi_awready_o = 1'b1;
          id_d    = s_axi_awid_i;
          addr_d  = s_axi_awaddr_i[ByteOff +: WordAW];
          left_d  = s_axi_awlen_i;
          state_d = Wr;
        end
      end
      RdMem: begin
        axi_en  = 1'b1;
        state_d = RdBeat;
      end
      RdBeat: begin
        s_axi_rvalid_o = 1'b1;
        if (s_axi_rready_i) begin
          addr_d  = addr_q + 1'b1;
          left_d  = left_q - 1'b1;
          if (left_q == '0) state_d = Idle;
          else              state_d = RdMem;
        end
      end
      Wr: begin
        s_axi_wready_o = 1'b1;
        if (s_axi_wvalid_i) begin
          axi_en  = 1'b1;
          axi_we  = 1'b1;
          addr_d  = addr_q + 1'b1;
          left_d  = left_q - 1'b1;
          if (s_axi_wlast_i || left_q == '0) state_d = WrResp;
        end
      end
      WrResp: begin
        s_axi_bvalid_o = 1'b1;
        if (s_axi_bready_i) state_d = Idle;
      end
      default: state_d = Idle;
    endcase
  end

  // the host gets the RAM in any cycle the AXI side leaves it free, except while an R beat
  // waits (its data is the RAM's read register)
  assign host_gnt_o = host_req_i && !axi_en && (state_q != RdBeat);
  assign ram_en     = axi_en || host_gnt_o;
  assign ram_we     = axi_en ? axi_we : host_we_i;
  assign ram_addr   = axi_en ? addr_q : host_addr_i;
  assign ram_wdata  = axi_en ? s_axi_wdata_i : host_wdata_i;
  assign ram_strb   = axi_en ? s_axi_wstrb_i : host_strb_i;

  // only the word-address bits of the AXI addresses are used (the RAM is aliased)
  logic [63:0] unused_addr;
  assign unused_addr = {s_axi_araddr_i, s_axi_awaddr_i};

  assign s_axi_rid_o   = id_q;
  assign s_axi_rdata_o = ram_rdata;
  assign s_axi_rresp_o = 2'b00;
  assign s_axi_rlast_o = (left_q == '0);
  assign s_axi_bid_o   = id_q;
  assign s_axi_bresp_o = 2'b00;
  assign host_rdata_o  = ram_rdata;

  // one single-port RAM per byte lane (byte write enables without a byte-enable RAM
  // primitive; also keeps Verilator's BLKLOOPINIT rule)
  for (genvar b = 0; b < StrbW; b++) begin : g_lane
    logic [7:0] mem_q [Words];
    logic [7:0] rd_q;
    always_ff @(posedge clk_i) begin
      if (ram_en) begin
        if (ram_we && ram_strb[b]) mem_q[ram_addr] <= ram_wdata[8*b +: 8];
        rd_q <= mem_q[ram_addr];
      end
    end
    assign ram_rdata[8*b +: 8] = rd_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      id_q    <= '0;
      addr_q  <= '0;
      left_q  <= '0;
    end else begin
      state_q <= state_d;
      id_q    <= id_d;
      addr_q  <= addr_d;
      left_q  <= left_d;
    end
  end
endmodule
