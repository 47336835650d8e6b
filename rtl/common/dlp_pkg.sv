// dlp_pkg - ISA constants of the DLP shared by all RTL blocks.
//
// Bit positions of the 256-bit instruction (docs/ARCHITECTURE.md section 5; the C twin is
// golden/include/dlp/isa.h). Word w occupies bits [32*w +: 32]; a field "wK[hi:lo]" sits
// at insn[32*K + lo +: hi-lo+1]. Blocks use qualified names (dlp_pkg::OpGemm): no import,
// which the Icarus/Yosys versions we support do not both accept (rtl/README.md).
`default_nettype none

// A constants package: no block uses every item, so unused-parameter lint is off here.
/* verilator lint_off UNUSEDPARAM */
package dlp_pkg;

  localparam int InsnBits = 256;

  // Opcodes, w0[7:0]
  localparam logic [7:0] OpSync   = 8'h01;
  localparam logic [7:0] OpLoad   = 8'h02;
  localparam logic [7:0] OpStore  = 8'h03;
  localparam logic [7:0] OpGemm   = 8'h04;
  localparam logic [7:0] OpVec    = 8'h05;
  localparam logic [7:0] OpLoop   = 8'h06;
  localparam logic [7:0] OpFinish = 8'h07;

  // Token flags, w0[11:8]
  localparam int FlagPopPrev  = 8;
  localparam int FlagPopNext  = 9;
  localparam int FlagPushPrev = 10;
  localparam int FlagPushNext = 11;

  // Scratchpads
  localparam logic [1:0] SpAct = 2'd0;
  localparam logic [1:0] SpWgt = 2'd1;
  localparam logic [1:0] SpAcc = 2'd2;

  // Vector functions, w0[23:16]
  localparam logic [7:0] VfReq     = 8'h01;
  localparam logic [7:0] VfAdd     = 8'h02;
  localparam logic [7:0] VfMul     = 8'h03;
  localparam logic [7:0] VfLut     = 8'h04;
  localparam logic [7:0] VfLutld   = 8'h05;
  localparam logic [7:0] VfMaxpool = 8'h06;
  localparam logic [7:0] VfSumpool = 8'h07;
  localparam logic [7:0] VfSoftmax = 8'h08;
  localparam logic [7:0] VfLnorm   = 8'h09;
  localparam logic [7:0] VfRmax    = 8'h0A;
  localparam logic [7:0] VfRsum    = 8'h0B;
  localparam logic [7:0] VfCopy    = 8'h0C;

  // Error codes (section 8)
  localparam logic [3:0] ErrNone          = 4'd0;
  localparam logic [3:0] ErrIllegalOpcode = 4'd1;
  localparam logic [3:0] ErrIllegalField  = 4'd2;
  localparam logic [3:0] ErrLoop          = 4'd3;
  localparam logic [3:0] ErrToken         = 4'd4;
  localparam logic [3:0] ErrDeadlock      = 4'd5;
  localparam logic [3:0] ErrSpRange       = 4'd6;
  localparam logic [3:0] ErrDmaAlign      = 4'd7;
  localparam logic [3:0] ErrDmaWindow     = 4'd8;
  localparam logic [3:0] ErrAxiRead       = 4'd9;
  localparam logic [3:0] ErrAxiWrite      = 4'd10;
  localparam logic [3:0] ErrNoFinish      = 4'd11;

  // ---------------------------------------------------------------- field LSBs
  // common
  localparam int FOpcode = 0;        // [7:0]
  localparam int FSyncQueue = 16;    // [1:0]
  // LOAD / STORE
  localparam int FDmaSp = 16;        // [1:0]
  localparam int FDmaPadValue = 24;  // [7:0]
  localparam int FDmaDram = 32;      // [31:0]  w1
  localparam int FDmaSram = 64;      // [15:0]  w2[15:0]
  localparam int FDmaXSize = 80;     // [15:0]  w2[31:16]
  localparam int FDmaYSize = 96;     // [15:0]  w3[15:0]
  localparam int FDmaZSize = 112;    // [15:0]  w3[31:16]
  localparam int FDmaYStride = 128;  // [31:0]  w4
  localparam int FDmaZStride = 160;  // [31:0]  w5
  localparam int FDmaXPadB = 192;    // [7:0]   w6
  localparam int FDmaXPadA = 200;
  localparam int FDmaYPadB = 208;
  localparam int FDmaYPadA = 216;
  localparam int FDmaZPadB = 224;    // [7:0]   w7
  localparam int FDmaZPadA = 232;
  // GEMM
  localparam int FGemmClr = 16;      // [0]
  localparam int FGemmAct = 32;      // [15:0]  w1[15:0]
  localparam int FGemmAcc = 48;      // [15:0]  w1[31:16]
  localparam int FGemmWgt = 64;      // [15:0]  w2[15:0]
  localparam int FGemmNPix = 80;     // [15:0]  w2[31:16]
  localparam int FGemmNR1 = 96;      // [15:0]  w3[15:0]
  localparam int FGemmNR2 = 112;     // [15:0]  w3[31:16]
  localparam int FGemmSPix = 128;    // [15:0]  w4[15:0]
  localparam int FGemmSR1 = 144;     // [15:0]  w4[31:16]
  localparam int FGemmSR2 = 160;     // [15:0]  w5[15:0]
  // VEC
  localparam int FVecFunc = 16;      // [7:0]
  localparam int FVecSrc = 32;       // [15:0]
  localparam int FVecSrc2 = 48;      // [15:0]
  localparam int FVecDst = 64;       // [15:0]
  localparam int FVecCount = 80;     // [15:0]
  localparam int FVecSSrc = 96;      // [15:0]
  localparam int FVecSDst = 112;     // [15:0]
  localparam int FVecSSrc2 = 128;    // [15:0]
  localparam int FVecPrm = 144;      // [15:0]
  localparam int FVecLo = 160;       // [7:0]   w5[7:0]
  localparam int FVecHi = 168;       // [7:0]
  localparam int FVecDstAcc = 176;   // [0]
  localparam int FVecZo = 176;       // [7:0]   SOFTMAX only
  localparam int FVecShift = 184;    // [7:0]   SOFTMAX only
  localparam int FVecK0 = 192;       // [15:0]  w6[15:0]
  localparam int FVecK1 = 208;       // [15:0]  w6[31:16]
  localparam int FVecImm = 224;      // [31:0]  w7
  // LOOP
  localparam int FLoopCount = 32;    // [15:0]
  localparam int FLoopInc0 = 64;     // [31:0]
  localparam int FLoopInc1 = 96;
  localparam int FLoopInc2 = 128;

endpackage
/* verilator lint_on UNUSEDPARAM */
