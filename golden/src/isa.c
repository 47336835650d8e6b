/*
 * isa.c - instruction encode/decode, disassembly and the name tables of dlp/isa.h.
 * Field positions are documented once, in dlp/isa.h and docs/ARCHITECTURE.md.
 */
#include <stdio.h>
#include <string.h>

#include "dlp/isa.h"

/* Extract / insert bits [lo, lo+width) of a word. */
static uint32_t get(uint32_t w, int lo, int width)
{
    return width == 32 ? w : (w >> lo) & ((1u << width) - 1u);
}

static int put(uint32_t *w, int lo, int width, uint32_t v)
{
    if (width < 32 && v >= (1u << width))
        return -1;
    *w |= width == 32 ? v : v << lo;
    return 0;
}

/* Signed 8-bit field stored as its two's-complement byte. */
static int put_s8(uint32_t *w, int lo, int32_t v)
{
    if (v < -128 || v > 127)
        return -1;
    return put(w, lo, 8, (uint32_t)v & 0xFFu);
}

static int32_t get_s8(uint32_t w, int lo)
{
    return (int32_t)(int8_t)(uint8_t)get(w, lo, 8);
}

int dlp_opcode_queue(uint32_t opcode)
{
    switch (opcode) {
    case DLP_OP_LOAD: return DLP_Q_LD;
    case DLP_OP_STORE: return DLP_Q_ST;
    case DLP_OP_GEMM:
    case DLP_OP_VEC: return DLP_Q_CMP;
    default: return -1;
    }
}

int dlp_encode(const dlp_decoded *d, dlp_insn *out)
{
    dlp_insn tmp = {{0}};
    uint32_t *w = tmp.w;
    int e = 0;
    e |= put(&w[0], 0, 8, d->opcode);
    if (d->flags & ~DLP_F_MASK)
        return -1;
    w[0] |= d->flags;
    switch (d->opcode) {
    case DLP_OP_SYNC: e |= put(&w[0], 16, 2, d->queue); break;
    case DLP_OP_LOAD:
    case DLP_OP_STORE: {
        const dlp_dma_f *m = &d->u.dma;
        e |= put(&w[0], 16, 2, m->sp);
        e |= put(&w[0], 24, 8, m->pad_value);
        w[1] = m->dram;
        e |= put(&w[2], 0, 16, m->sram);
        e |= put(&w[2], 16, 16, m->x_size);
        e |= put(&w[3], 0, 16, m->y_size);
        e |= put(&w[3], 16, 16, m->z_size);
        w[4] = m->y_stride;
        w[5] = m->z_stride;
        e |= put(&w[6], 0, 8, m->x_pad[0]);
        e |= put(&w[6], 8, 8, m->x_pad[1]);
        e |= put(&w[6], 16, 8, m->y_pad[0]);
        e |= put(&w[6], 24, 8, m->y_pad[1]);
        e |= put(&w[7], 0, 8, m->z_pad[0]);
        e |= put(&w[7], 8, 8, m->z_pad[1]);
        break;
    }
    case DLP_OP_GEMM: {
        const dlp_gemm_f *g = &d->u.gemm;
        e |= put(&w[0], 16, 1, g->clr);
        e |= put(&w[1], 0, 16, g->act);
        e |= put(&w[1], 16, 16, g->acc);
        e |= put(&w[2], 0, 16, g->wgt);
        e |= put(&w[2], 16, 16, g->n_pix);
        e |= put(&w[3], 0, 16, g->n_r1);
        e |= put(&w[3], 16, 16, g->n_r2);
        e |= put(&w[4], 0, 16, g->s_pix);
        e |= put(&w[4], 16, 16, g->s_r1);
        e |= put(&w[5], 0, 16, g->s_r2);
        break;
    }
    case DLP_OP_VEC: {
        const dlp_vec_f *v = &d->u.vec;
        e |= put(&w[0], 16, 8, v->func);
        e |= put(&w[1], 0, 16, v->src);
        e |= put(&w[1], 16, 16, v->src2);
        e |= put(&w[2], 0, 16, v->dst);
        e |= put(&w[2], 16, 16, v->count);
        e |= put(&w[3], 0, 16, v->s_src);
        e |= put(&w[3], 16, 16, v->s_dst);
        e |= put(&w[4], 0, 16, v->s_src2);
        e |= put(&w[4], 16, 16, v->prm);
        e |= put_s8(&w[5], 0, v->lo);
        e |= put_s8(&w[5], 8, v->hi);
        e |= put(&w[5], 16, 1, v->dst_acc);
        /* zo/shift share w5[31:16] with dst_acc's neighbours: SOFTMAX only */
        if (v->func == DLP_VF_SOFTMAX) {
            if (v->dst_acc)
                return -1;
            w[5] &= 0x0000FFFFu;
            e |= put_s8(&w[5], 16, v->zo);
            e |= put_s8(&w[5], 24, v->shift);
        }
        e |= put(&w[6], 0, 16, v->k0);
        e |= put(&w[6], 16, 16, v->k1);
        w[7] = v->imm;
        break;
    }
    case DLP_OP_LOOP: {
        const dlp_loop_f *l = &d->u.loop;
        e |= put(&w[1], 0, 16, l->count);
        w[2] = (uint32_t)l->inc[0];
        w[3] = (uint32_t)l->inc[1];
        w[4] = (uint32_t)l->inc[2];
        break;
    }
    default: break;
    }
    if (e)
        return -1;
    *out = tmp;
    return 0;
}

void dlp_decode(const dlp_insn *in, dlp_decoded *d)
{
    const uint32_t *w = in->w;
    memset(d, 0, sizeof *d);
    d->opcode = get(w[0], 0, 8);
    d->flags = w[0] & DLP_F_MASK;
    d->queue = (uint32_t)dlp_opcode_queue(d->opcode);
    switch (d->opcode) {
    case DLP_OP_SYNC: d->queue = get(w[0], 16, 2); break;
    case DLP_OP_LOAD:
    case DLP_OP_STORE: {
        dlp_dma_f *m = &d->u.dma;
        m->sp = get(w[0], 16, 2);
        m->pad_value = get(w[0], 24, 8);
        m->dram = w[1];
        m->sram = get(w[2], 0, 16);
        m->x_size = get(w[2], 16, 16);
        m->y_size = get(w[3], 0, 16);
        m->z_size = get(w[3], 16, 16);
        m->y_stride = w[4];
        m->z_stride = w[5];
        m->x_pad[0] = get(w[6], 0, 8);
        m->x_pad[1] = get(w[6], 8, 8);
        m->y_pad[0] = get(w[6], 16, 8);
        m->y_pad[1] = get(w[6], 24, 8);
        m->z_pad[0] = get(w[7], 0, 8);
        m->z_pad[1] = get(w[7], 8, 8);
        break;
    }
    case DLP_OP_GEMM: {
        dlp_gemm_f *g = &d->u.gemm;
        g->clr = get(w[0], 16, 1);
        g->act = get(w[1], 0, 16);
        g->acc = get(w[1], 16, 16);
        g->wgt = get(w[2], 0, 16);
        g->n_pix = get(w[2], 16, 16);
        g->n_r1 = get(w[3], 0, 16);
        g->n_r2 = get(w[3], 16, 16);
        g->s_pix = get(w[4], 0, 16);
        g->s_r1 = get(w[4], 16, 16);
        g->s_r2 = get(w[5], 0, 16);
        break;
    }
    case DLP_OP_VEC: {
        dlp_vec_f *v = &d->u.vec;
        v->func = get(w[0], 16, 8);
        v->src = get(w[1], 0, 16);
        v->src2 = get(w[1], 16, 16);
        v->dst = get(w[2], 0, 16);
        v->count = get(w[2], 16, 16);
        v->s_src = get(w[3], 0, 16);
        v->s_dst = get(w[3], 16, 16);
        v->s_src2 = get(w[4], 0, 16);
        v->prm = get(w[4], 16, 16);
        v->lo = get_s8(w[5], 0);
        v->hi = get_s8(w[5], 8);
        if (v->func == DLP_VF_SOFTMAX) {
            v->zo = get_s8(w[5], 16);
            v->shift = get_s8(w[5], 24);
        } else {
            v->dst_acc = get(w[5], 16, 1);
        }
        v->k0 = get(w[6], 0, 16);
        v->k1 = get(w[6], 16, 16);
        v->imm = w[7];
        break;
    }
    case DLP_OP_LOOP: {
        dlp_loop_f *l = &d->u.loop;
        l->count = get(w[1], 0, 16);
        l->inc[0] = (int32_t)w[2];
        l->inc[1] = (int32_t)w[3];
        l->inc[2] = (int32_t)w[4];
        break;
    }
    default: break;
    }
}

void dlp_insn_to_bytes(const dlp_insn *in, uint8_t out[DLP_INSN_BYTES])
{
    for (int i = 0; i < DLP_INSN_WORDS; i++)
        for (int b = 0; b < 4; b++)
            out[4 * i + b] = (uint8_t)(in->w[i] >> (8 * b));
}

void dlp_insn_from_bytes(const uint8_t in[DLP_INSN_BYTES], dlp_insn *out)
{
    for (int i = 0; i < DLP_INSN_WORDS; i++)
        out->w[i] = (uint32_t)in[4 * i] | (uint32_t)in[4 * i + 1] << 8 |
                    (uint32_t)in[4 * i + 2] << 16 | (uint32_t)in[4 * i + 3] << 24;
}

const char *dlp_opcode_name(uint32_t opcode)
{
    static const char *const names[] = {
        [DLP_OP_SYNC] = "SYNC",     [DLP_OP_LOAD] = "LOAD", [DLP_OP_STORE] = "STORE",
        [DLP_OP_GEMM] = "GEMM",     [DLP_OP_VEC] = "VEC",   [DLP_OP_LOOP] = "LOOP",
        [DLP_OP_FINISH] = "FINISH",
    };
    if (opcode < sizeof names / sizeof names[0] && names[opcode])
        return names[opcode];
    return "ILLEGAL";
}

const char *dlp_vfunc_name(uint32_t func)
{
    static const char *const names[] = {
        [DLP_VF_REQ] = "REQ",         [DLP_VF_ADD] = "ADD",         [DLP_VF_MUL] = "MUL",
        [DLP_VF_LUT] = "LUT",         [DLP_VF_LUTLD] = "LUTLD",     [DLP_VF_MAXPOOL] = "MAXPOOL",
        [DLP_VF_SUMPOOL] = "SUMPOOL", [DLP_VF_SOFTMAX] = "SOFTMAX", [DLP_VF_LNORM] = "LNORM",
        [DLP_VF_RMAX] = "RMAX",       [DLP_VF_RSUM] = "RSUM",       [DLP_VF_COPY] = "COPY",
    };
    if (func < sizeof names / sizeof names[0] && names[func])
        return names[func];
    return "ILLEGAL";
}

static const char *sp_name(uint32_t sp)
{
    static const char *const names[] = {"ACT", "WGT", "ACC", "sp3"};
    return names[sp & 3u];
}

static const char *q_name(uint32_t q)
{
    static const char *const names[] = {"LD", "CMP", "ST", "q3"};
    return names[q & 3u];
}

char *dlp_disasm(const dlp_insn *in, char *buf, size_t len)
{
    dlp_decoded d;
    char fl[48] = "";
    dlp_decode(in, &d);
    if (d.flags)
        snprintf(fl, sizeof fl, " [%s%s%s%s]", d.flags & DLP_F_POP_PREV ? " pop_prev" : "",
                 d.flags & DLP_F_POP_NEXT ? " pop_next" : "",
                 d.flags & DLP_F_PUSH_PREV ? " push_prev" : "",
                 d.flags & DLP_F_PUSH_NEXT ? " push_next" : "");
    switch (d.opcode) {
    case DLP_OP_SYNC: snprintf(buf, len, "SYNC %s%s", q_name(d.queue), fl); break;
    case DLP_OP_LOAD:
    case DLP_OP_STORE: {
        const dlp_dma_f *m = &d.u.dma;
        int n = snprintf(buf, len, "%s %s[%u] %s 0x%08x x=%u y=%u/%u z=%u/%u",
                         dlp_opcode_name(d.opcode), sp_name(m->sp), m->sram,
                         d.opcode == DLP_OP_LOAD ? "<-" : "->", m->dram, m->x_size, m->y_size,
                         m->y_stride, m->z_size, m->z_stride);
        if (d.opcode == DLP_OP_LOAD && n > 0 && (size_t)n < len &&
            (m->x_pad[0] | m->x_pad[1] | m->y_pad[0] | m->y_pad[1] | m->z_pad[0] | m->z_pad[1]))
            n += snprintf(buf + n, len - (size_t)n, " pad=%u,%u/%u,%u/%u,%u val=%d", m->x_pad[0],
                          m->x_pad[1], m->y_pad[0], m->y_pad[1], m->z_pad[0], m->z_pad[1],
                          (int8_t)m->pad_value);
        if (n > 0 && (size_t)n < len)
            snprintf(buf + n, len - (size_t)n, "%s", fl);
        break;
    }
    case DLP_OP_GEMM: {
        const dlp_gemm_f *g = &d.u.gemm;
        snprintf(buf, len, "GEMM%s acc[%u] += act[%u] * wgt[%u] pix=%u/%u r1=%u/%u r2=%u/%u%s",
                 g->clr ? ".clr" : "", g->acc, g->act, g->wgt, g->n_pix, g->s_pix, g->n_r1, g->s_r1,
                 g->n_r2, g->s_r2, fl);
        break;
    }
    case DLP_OP_VEC: {
        const dlp_vec_f *v = &d.u.vec;
        snprintf(buf, len,
                 "VEC.%s dst=%u/%u src=%u/%u src2=%u/%u n=%u prm=%u clamp=[%d,%d] k=%u,%u "
                 "imm=0x%08x%s",
                 dlp_vfunc_name(v->func), v->dst, v->s_dst, v->src, v->s_src, v->src2, v->s_src2,
                 v->count, v->prm, v->lo, v->hi, v->k0, v->k1, v->imm, fl);
        break;
    }
    case DLP_OP_LOOP:
        snprintf(buf, len, "LOOP %u inc=%d,%d,%d", d.u.loop.count, d.u.loop.inc[0], d.u.loop.inc[1],
                 d.u.loop.inc[2]);
        break;
    case DLP_OP_FINISH: snprintf(buf, len, "FINISH%s", fl); break;
    default: snprintf(buf, len, "ILLEGAL opcode 0x%02x", d.opcode); break;
    }
    return buf;
}

static const char *const err_names[DLP_NUM_ERRS] = {
    "NONE",     "ILLEGAL_OPCODE", "ILLEGAL_FIELD", "LOOP",     "TOKEN",     "DEADLOCK",
    "SP_RANGE", "DMA_ALIGN",      "DMA_WINDOW",    "AXI_READ", "AXI_WRITE", "NO_FINISH",
};

static const char *const err_descs[DLP_NUM_ERRS] = {
    "no error",
    "the instruction's opcode is not defined by the ISA",
    "an instruction field holds a value outside its legal set (zero count, scratchpad 3, "
    "unknown vector function, vector length longer than its rows)",
    "LOOP misuse: zero count, more than two nested LOOPs, or a LOOP before SYNC, FINISH "
    "or another illegal target",
    "dependency-token misuse: a flag names a queue the instruction's queue has no link to, "
    "FINISH carries flags, or tokens were left over at FINISH",
    "deadlock: every queue waits for a token or for space that can never come",
    "a scratchpad row address (after LOOP offsets) is outside the scratchpad",
    "a DDR address or stride is not a multiple of the DMA element size",
    "a DDR access (or the program itself) lies outside the protection window "
    "[WIN_BASE, WIN_LIMIT]",
    "the memory system answered a read with SLVERR or DECERR",
    "the memory system answered a write with SLVERR or DECERR",
    "the program ran out of instructions (INSN_COUNT) before FINISH",
};

const char *dlp_err_name(uint32_t code)
{
    return code < DLP_NUM_ERRS ? err_names[code] : "UNKNOWN";
}

const char *dlp_err_desc(uint32_t code)
{
    return code < DLP_NUM_ERRS ? err_descs[code] : "unknown error code";
}

const char *dlp_perf_name(int k)
{
    static const char *const names[DLP_NUM_PERF] = {
        [DLP_PERF_INSNS] = "insns",
        [DLP_PERF_MACS] = "macs",
        [DLP_PERF_RD_BYTES] = "rd_bytes",
        [DLP_PERF_WR_BYTES] = "wr_bytes",
        [DLP_PERF_VEC_ROWS] = "vec_rows",
        [DLP_PERF_CYCLES] = "cycles",
        [DLP_PERF_LD_BUSY] = "ld_busy",
        [DLP_PERF_GEMM_BUSY] = "gemm_busy",
        [DLP_PERF_VEC_BUSY] = "vec_busy",
        [DLP_PERF_ST_BUSY] = "st_busy",
        [DLP_PERF_STALL_TOK_LD] = "stall_tok_ld",
        [DLP_PERF_STALL_TOK_CMP] = "stall_tok_cmp",
        [DLP_PERF_STALL_TOK_ST] = "stall_tok_st",
        [DLP_PERF_STALL_RD] = "stall_rd",
        [DLP_PERF_STALL_WR] = "stall_wr",
        [DLP_PERF_STALL_FETCH] = "stall_fetch",
        [DLP_PERF_STALL_WGT] = "stall_wgt",
    };
    if (k >= 0 && k < DLP_NUM_PERF && names[k])
        return names[k];
    return "reserved";
}
