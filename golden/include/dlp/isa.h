/*
 * dlp/isa.h - DLP instruction set: encoding, decoded fields, CSR map, error codes.
 *
 * docs/ARCHITECTURE.md is the prose spec; this header is the same spec in C and must
 * agree with it. An instruction is 256 bits: eight little-endian 32-bit words w[0..7]
 * at increasing byte addresses. Word 0 holds the opcode (bits 7:0) and the four
 * dependency-token flags (bits 11:8); the rest is per opcode.
 */
#ifndef DLP_ISA_H
#define DLP_ISA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DLP_INSN_BYTES 32
#define DLP_INSN_WORDS 8

typedef struct {
    uint32_t w[DLP_INSN_WORDS];
} dlp_insn;

/* ------------------------------------------------------------------ opcodes */
enum {
    DLP_OP_SYNC = 0x01,   /* token-only instruction in a chosen queue */
    DLP_OP_LOAD = 0x02,   /* DMA DDR -> scratchpad            (load queue) */
    DLP_OP_STORE = 0x03,  /* DMA scratchpad -> DDR            (store queue) */
    DLP_OP_GEMM = 0x04,   /* matrix unit                      (compute queue) */
    DLP_OP_VEC = 0x05,    /* vector unit                      (compute queue) */
    DLP_OP_LOOP = 0x06,   /* repeat prefix for the next instruction */
    DLP_OP_FINISH = 0x07, /* end of program */
};

/* Queues. */
enum { DLP_Q_LD = 0, DLP_Q_CMP = 1, DLP_Q_ST = 2, DLP_NUM_QUEUES = 3 };

/* Dependency-token flags, word 0 bits 11:8. "prev"/"next" are the neighbouring queues in
 * the pipeline LD -> CMP -> ST. */
#define DLP_F_POP_PREV  (1u << 8)
#define DLP_F_POP_NEXT  (1u << 9)
#define DLP_F_PUSH_PREV (1u << 10)
#define DLP_F_PUSH_NEXT (1u << 11)
#define DLP_F_MASK      (0xFu << 8)

/* Scratchpads. */
enum { DLP_SP_ACT = 0, DLP_SP_WGT = 1, DLP_SP_ACC = 2 };

/* Vector-unit functions (VEC word 0 bits 23:16). */
enum {
    DLP_VF_REQ = 0x01,     /* ACC -> ACT: clamp(off + mbqm(acc + bias, m, s)) */
    DLP_VF_ADD = 0x02,     /* ACT, ACT -> ACT: TFLite int8 add with rescale */
    DLP_VF_MUL = 0x03,     /* ACT, ACT -> ACT: TFLite int8 mul */
    DLP_VF_LUT = 0x04,     /* ACT -> ACT (or ACC): table lookup */
    DLP_VF_LUTLD = 0x05,   /* ACT rows -> LUT table */
    DLP_VF_MAXPOOL = 0x06, /* ACT -> ACT: lane-wise max over a window of rows */
    DLP_VF_SUMPOOL = 0x07, /* ACT -> ACC: lane-wise sum over a window of rows */
    DLP_VF_SOFTMAX = 0x08, /* ACT -> ACT: integer softmax over vectors of R rows */
    DLP_VF_LNORM = 0x09,   /* ACT -> ACC: integer layernorm normalisation (Q12) */
    DLP_VF_RMAX = 0x0A,    /* ACT -> ACC: max over a vector, broadcast to a row */
    DLP_VF_RSUM = 0x0B,    /* ACT -> ACC: sum over a vector, broadcast to a row */
    DLP_VF_COPY = 0x0C,    /* ACT -> ACT: row copy */
};

/* Number of ACC parameter rows each vector function reads at prm (0: none). */
#define DLP_REQ_PRM_ROWS 4 /* bias, mult, shift, offset */
#define DLP_ADD_PRM_ROWS                                                                           \
    9 /* a_off, a_mult, a_shift, b_off, b_mult, b_shift, o_mult, o_shift, o_off */
#define DLP_MUL_PRM_ROWS 5 /* a_off, b_off, mult, shift, o_off */

/* ------------------------------------------------------------------ decoded fields */
typedef struct {        /* LOAD / STORE */
    uint32_t sp;        /* w0[17:16] DLP_SP_* (3 is illegal) */
    uint32_t pad_value; /* w0[31:24] LOAD only: byte written into padded positions */
    uint32_t dram;      /* w1 byte address in DDR */
    uint32_t sram;      /* w2[15:0] first scratchpad row */
    uint32_t x_size;    /* w2[31:16] elements (rows) per contiguous run, >= 1 */
    uint32_t y_size;    /* w3[15:0] runs per plane, >= 1 */
    uint32_t z_size;    /* w3[31:16] planes, >= 1 */
    uint32_t y_stride;  /* w4 bytes between runs */
    uint32_t z_stride;  /* w5 bytes between planes */
    uint32_t x_pad[2];  /* w6[7:0], w6[15:8]   LOAD only: before/after, elements */
    uint32_t y_pad[2];  /* w6[23:16], w6[31:24] LOAD only */
    uint32_t z_pad[2];  /* w7[7:0], w7[15:8]   LOAD only */
} dlp_dma_f;

typedef struct {    /* GEMM */
    uint32_t clr;   /* w0[16]: overwrite instead of accumulate on the first reduction step */
    uint32_t act;   /* w1[15:0] ACT row */
    uint32_t acc;   /* w1[31:16] ACC row */
    uint32_t wgt;   /* w2[15:0] WGT row of the first weight tile */
    uint32_t n_pix; /* w2[31:16] rows streamed per weight tile, >= 1 */
    uint32_t n_r1;  /* w3[15:0] inner reduction count, >= 1 */
    uint32_t n_r2;  /* w3[31:16] outer reduction count, >= 1 */
    uint32_t s_pix; /* w4[15:0] ACT stride per pixel (rows) */
    uint32_t s_r1;  /* w4[31:16] ACT stride per inner reduction step */
    uint32_t s_r2;  /* w5[15:0] ACT stride per outer reduction step */
} dlp_gemm_f;

typedef struct {      /* VEC */
    uint32_t func;    /* w0[23:16] DLP_VF_* */
    uint32_t src;     /* w1[15:0] */
    uint32_t src2;    /* w1[31:16] ADD/MUL second operand (ACT) */
    uint32_t dst;     /* w2[15:0] */
    uint32_t count;   /* w2[31:16] items, >= 1 */
    uint32_t s_src;   /* w3[15:0] source stride per item (rows) */
    uint32_t s_dst;   /* w3[31:16] destination stride per item (rows) */
    uint32_t s_src2;  /* w4[15:0] */
    uint32_t prm;     /* w4[31:16] ACC row of the parameter block */
    int32_t lo, hi;   /* w5[7:0], w5[15:8] int8 output clamp */
    uint32_t dst_acc; /* w5[16] LUT: write int32 to ACC instead of int8 to ACT */
    int32_t zo;       /* w5[23:16] int8  SOFTMAX output offset */
    int32_t shift;    /* w5[31:24] int8  SOFTMAX output shift */
    uint32_t k0;  /* w6[15:0]  R (SOFTMAX/LNORM/RMAX/RSUM), window rows (pools), left_shift (ADD) */
    uint32_t k1;  /* w6[31:16] L (SOFTMAX/LNORM/RMAX/RSUM), window columns (pools) */
    uint32_t imm; /* w7 SOFTMAX multiplier, LNORM eps term, pools: s_kh | s_kw << 16 */
} dlp_vec_f;

typedef struct {    /* LOOP */
    uint32_t count; /* w1[15:0] repetitions, >= 1 */
    int32_t inc[3]; /* w2, w3, w4: increments of address slots 0, 1, 2 */
} dlp_loop_f;

typedef struct {
    uint32_t opcode; /* w0[7:0] */
    uint32_t flags;  /* w0 & DLP_F_MASK */
    uint32_t queue;  /* SYNC: w0[17:16]; others: derived from the opcode */
    union {
        dlp_dma_f dma;
        dlp_gemm_f gemm;
        dlp_vec_f vec;
        dlp_loop_f loop;
    } u;
} dlp_decoded;

/* Encode/decode. dlp_encode takes the decoded form and returns 0, or -1 when a field does
 * not fit its bit width, leaving *out untouched (nothing else is checked: legality is the
 * ISS's job).
 * dlp_decode never fails: it extracts fields; unknown opcodes keep opcode set. */
int dlp_encode(const dlp_decoded *d, dlp_insn *out);
void dlp_decode(const dlp_insn *in, dlp_decoded *d);

/* Queue an opcode is dispatched to, or -1 (LOOP, FINISH, illegal). */
int dlp_opcode_queue(uint32_t opcode);

/* One-line disassembly; returns buf. */
char *dlp_disasm(const dlp_insn *in, char *buf, size_t len);
const char *dlp_opcode_name(uint32_t opcode);
const char *dlp_vfunc_name(uint32_t func);

/* Byte (de)serialisation of instructions (little-endian words). */
void dlp_insn_to_bytes(const dlp_insn *in, uint8_t out[DLP_INSN_BYTES]);
void dlp_insn_from_bytes(const uint8_t in[DLP_INSN_BYTES], dlp_insn *out);

/* ------------------------------------------------------------------ error codes */
enum {
    DLP_ERR_NONE = 0,
    DLP_ERR_ILLEGAL_OPCODE = 1, /* opcode not in the table above */
    DLP_ERR_ILLEGAL_FIELD = 2,  /* field value outside its legal set (count 0, sp 3, ...) */
    DLP_ERR_LOOP = 3,           /* LOOP misuse: count 0, nesting > 2, prefixing SYNC/FINISH */
    DLP_ERR_TOKEN = 4,          /* token flag without that neighbour queue; tokens left at FINISH */
    DLP_ERR_DEADLOCK = 5,       /* no queue can make progress */
    DLP_ERR_SP_RANGE = 6,       /* scratchpad row out of range */
    DLP_ERR_DMA_ALIGN = 7,      /* DDR address/stride not a multiple of the element size */
    DLP_ERR_DMA_WINDOW = 8,     /* DDR footprint outside [WIN_BASE, WIN_LIMIT] */
    DLP_ERR_AXI_READ = 9,       /* SLVERR/DECERR on a read (data or instruction fetch) */
    DLP_ERR_AXI_WRITE = 10,     /* SLVERR/DECERR on a write response */
    DLP_ERR_NO_FINISH = 11,     /* INSN_COUNT instructions fetched without FINISH */
    DLP_NUM_ERRS
};
const char *dlp_err_name(uint32_t code); /* "ILLEGAL_OPCODE" */
const char *dlp_err_desc(uint32_t code); /* one sentence a user can act on */

#define DLP_ERR_INDEX_FETCH 0xFFFFFFFFu /* ERR_INDEX when the program range itself is bad */

/* ------------------------------------------------------------------ CSR map (byte offsets) */
#define DLP_CSR_ID      0x000 /* RO 0x444C5000 ("DLP") */
#define DLP_CSR_VERSION 0x004 /* RO major << 16 | minor << 8 | patch */
#define DLP_CSR_CAPS0                                                                              \
    0x008 /* RO [7:0] N, [15:8] AXI bytes, [23:16] queue depth, [27:24] loop depth, [31:28] token  \
             bits */
#define DLP_CSR_CAPS1 0x00C /* RO [15:0] ACT KiB, [31:16] WGT KiB */
#define DLP_CSR_CAPS2 0x010 /* RO [15:0] ACC KiB, [23:16] instruction bytes */
#define DLP_CSR_CTRL                                                                               \
    0x020 /* RW [0] START (W1), [1] SOFT_RESET (W1), [8] IRQ_EN_DONE, [9] IRQ_EN_ERR */
#define DLP_CSR_STATUS     0x024 /* RO [0] BUSY, [1] DONE, [2] ERROR */
#define DLP_CSR_IRQ_STATUS 0x028 /* W1C [0] DONE, [1] ERROR */
#define DLP_CSR_INSN_BASE  0x030 /* RW program byte address, 32-byte aligned */
#define DLP_CSR_INSN_COUNT 0x034 /* RW instructions in the program */
#define DLP_CSR_WIN_BASE   0x040 /* RW first byte the DMA may access */
#define DLP_CSR_WIN_LIMIT  0x044 /* RW last byte the DMA may access (inclusive) */
#define DLP_CSR_ERR_CODE   0x050 /* RO DLP_ERR_* */
#define DLP_CSR_ERR_INDEX  0x054 /* RO faulting instruction index */
#define DLP_CSR_ERR_ADDR   0x058 /* RO DDR address for DMA/AXI errors, else 0 */
#define DLP_CSR_PERF_BASE  0x100 /* RO 64-bit counters: LO at +8k, HI at +8k+4 */

#define DLP_ID_VALUE      0x444C5000u
#define DLP_VERSION_VALUE 0x00010000u

#define DLP_CTRL_START       (1u << 0)
#define DLP_CTRL_SOFT_RESET  (1u << 1)
#define DLP_CTRL_IRQ_EN_DONE (1u << 8)
#define DLP_CTRL_IRQ_EN_ERR  (1u << 9)
#define DLP_STATUS_BUSY      (1u << 0)
#define DLP_STATUS_DONE      (1u << 1)
#define DLP_STATUS_ERROR     (1u << 2)
#define DLP_IRQ_DONE         (1u << 0)
#define DLP_IRQ_ERROR        (1u << 1)

/* Performance counters (index k; CSR at DLP_CSR_PERF_BASE + 8k). Counters below
 * DLP_PERF_FIRST_TIMING are architectural: the ISS and the RTL agree on them exactly.
 * The others count cycles: the RTL measures them, the ISS fills in its estimate. */
enum {
    DLP_PERF_INSNS = 0,    /* instructions executed (LOOP prefixes and FINISH included) */
    DLP_PERF_MACS = 1,     /* N*N per row streamed through the array */
    DLP_PERF_RD_BYTES = 2, /* bytes read from DDR by LOAD (fetch excluded) */
    DLP_PERF_WR_BYTES = 3, /* bytes written to DDR by STORE */
    DLP_PERF_VEC_ROWS = 4, /* rows written by the vector unit */
    DLP_PERF_FIRST_TIMING = 8,
    DLP_PERF_CYCLES = 8,        /* START to DONE/ERROR */
    DLP_PERF_LD_BUSY = 9,       /* cycles the load unit executes an instruction */
    DLP_PERF_GEMM_BUSY = 10,    /* cycles the matrix unit executes a GEMM */
    DLP_PERF_VEC_BUSY = 11,     /* cycles the vector unit executes a VEC */
    DLP_PERF_ST_BUSY = 12,      /* cycles the store unit executes an instruction */
    DLP_PERF_STALL_TOK_LD = 13, /* cycles a queue head waits for a token */
    DLP_PERF_STALL_TOK_CMP = 14,
    DLP_PERF_STALL_TOK_ST = 15,
    DLP_PERF_STALL_RD = 16,    /* load unit waiting for read data */
    DLP_PERF_STALL_WR = 17,    /* store unit waiting for write channels */
    DLP_PERF_STALL_FETCH = 18, /* a queue is empty while fetch waits for instruction data */
    DLP_PERF_STALL_WGT = 19,   /* matrix unit waiting for a weight tile */
    DLP_NUM_PERF = 20
};
const char *dlp_perf_name(int k);

#ifdef __cplusplus
}
#endif

#endif /* DLP_ISA_H */
