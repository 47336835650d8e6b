/*
 * iss.c - instruction-set simulator of the DLP (docs/ARCHITECTURE.md).
 *
 * Structure, following the hardware:
 *   fetch    reads instructions in order, absorbs LOOP prefixes, checks dispatch-time
 *            legality and appends to the LD / CMP / ST queue (bounded FIFOs).
 *   units    each queue's head starts when its token pops succeed; it then executes all
 *            its repetitions (functionally, at once) and pushes its tokens, waiting while
 *            a token counter is full.
 *   sched    fetch and the three units are stepped round-robin until the program is done
 *            or nothing can move (deadlock). Fetch + queues + tokens form a Kahn network
 *            with bounded channels, so for race-free programs this schedule gives the
 *            same result as the hardware's.
 * Alongside, a simple timing model (section 9 of the spec) fills the timing counters.
 */
#include <stdlib.h>
#include <string.h>

#include "dlp/iss.h"
#include "dlp/ops.h"
#include "dlp/quant.h"

#define MAX_LOOPS  2
#define MAX_FAULTS 16

/* Token counters: index by producer/consumer link. */
enum { TOK_LC, TOK_CL, TOK_CS, TOK_SC, NUM_TOK };

typedef struct {
    uint32_t count;
    int32_t inc[3];
} loop_t;

typedef struct {
    dlp_decoded d;
    uint32_t index;
    int nloops;
    loop_t loops[MAX_LOOPS];
    uint64_t ready; /* timing model: cycle the instruction reached its queue */
} entry_t;

typedef struct {
    entry_t *buf;
    uint32_t head, len;
} queue_t;

typedef struct {
    uint32_t addr, len;
    int reads, writes;
} fault_t;

/* Timestamps of tokens in flight, for the timing model (FIFO per counter). */
typedef struct {
    uint64_t *t;
    uint32_t head, len, cap;
} tokq_t;

struct dlp_iss {
    dlp_config cfg;
    uint32_t rows[3]; /* ACT, WGT, ACC */
    uint8_t *act, *wgt;
    int32_t *acc;
    int16_t lut[256];

    uint8_t *mem;
    uint32_t mem_base;
    size_t mem_size;
    fault_t faults[MAX_FAULTS];
    int nfaults;

    /* CSRs */
    uint32_t ctrl, status, irq_status, insn_base, insn_count, win_base, win_limit;
    uint32_t err_code, err_index, err_addr, perf_hi_latch;
    int stepped; /* dlp_iss_set_stepped: START only starts; dlp_iss_step advances */
    uint64_t perf[DLP_NUM_PERF];

    /* run state */
    queue_t q[DLP_NUM_QUEUES];
    uint32_t tok[NUM_TOK];
    tokq_t tokt[NUM_TOK];
    int waiting_push[DLP_NUM_QUEUES]; /* completed instruction waiting to push */
    entry_t pushing[DLP_NUM_QUEUES];
    uint64_t push_time[DLP_NUM_QUEUES];
    /* Stepped mode: an instruction whose repetitions ran out of budget is suspended in its
     * unit and resumed first by the next dlp_iss_step (susp_q = unit + 1, 0: none). */
    int executing[DLP_NUM_QUEUES];
    entry_t cur[DLP_NUM_QUEUES];
    uint64_t cur_pos[DLP_NUM_QUEUES], cur_dur[DLP_NUM_QUEUES], cur_start[DLP_NUM_QUEUES];
    int susp_q;
    uint64_t budget; /* repetitions left in this step */
    uint32_t pc;
    int fetch_done;
    int nloops;
    loop_t loops[MAX_LOOPS];
    uint64_t fetch_t, unit_t[DLP_NUM_QUEUES], end_t;

    FILE *trace;
};

/* ------------------------------------------------------------------ configuration */
void dlp_config_default(dlp_config *c)
{
    c->n = 16;
    c->bus_bytes = 16;
    c->act_bytes = 128 * 1024;
    c->wgt_bytes = 128 * 1024;
    c->acc_bytes = 64 * 1024;
    c->queue_depth = 8;
    c->token_bits = 8;
    c->mem_latency = 100;
}

int dlp_config_check(const dlp_config *c, char *buf, size_t len)
{
    const char *why = NULL;
    if (c->n != 4 && c->n != 8 && c->n != 16)
        why = "N must be 4, 8 or 16";
    else if (c->bus_bytes != 8 && c->bus_bytes != 16)
        why = "AXI data width must be 8 or 16 bytes";
    else if (c->act_bytes % 1024 || c->wgt_bytes % 1024 || c->acc_bytes % 1024)
        why = "scratchpad sizes must be multiples of 1 KiB";
    else if (c->wgt_bytes % (c->n * c->n))
        why = "WGT size must hold whole N x N tiles";
    else if (!c->act_bytes || !c->wgt_bytes || !c->acc_bytes)
        why = "scratchpad sizes must be non-zero";
    else if (c->act_bytes / c->n > 65536 || c->wgt_bytes / c->n > 65536 ||
             c->acc_bytes / (4 * c->n) > 65536)
        why = "a scratchpad has more than 65536 rows (16-bit row addresses)";
    else if (c->act_bytes / c->n < 512 / c->n)
        why = "ACT must hold the LUT table";
    else if (c->queue_depth < 2 || c->queue_depth > 255)
        why = "queue depth must be 2..255";
    else if (c->token_bits < 2 || c->token_bits > 15)
        why = "token counter width must be 2..15 bits";
    if (why && buf && len)
        snprintf(buf, len, "%s", why);
    return why ? -1 : 0;
}

dlp_iss *dlp_iss_new(const dlp_config *cfg, uint32_t mem_base, size_t mem_size)
{
    if (!cfg || dlp_config_check(cfg, NULL, 0) || (uint64_t)mem_base + mem_size > (1ull << 32))
        return NULL;
    dlp_iss *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = *cfg;
    s->rows[DLP_SP_ACT] = dlp_act_rows(cfg);
    s->rows[DLP_SP_WGT] = dlp_wgt_rows(cfg);
    s->rows[DLP_SP_ACC] = dlp_acc_rows(cfg);
    s->act = calloc(cfg->act_bytes, 1);
    s->wgt = calloc(cfg->wgt_bytes, 1);
    s->acc = calloc(cfg->acc_bytes / 4, sizeof(int32_t));
    s->mem = calloc(mem_size ? mem_size : 1, 1);
    s->mem_base = mem_base;
    s->mem_size = mem_size;
    int ok = s->act && s->wgt && s->acc && s->mem;
    uint32_t tcap = 1u << cfg->token_bits;
    for (int q = 0; q < DLP_NUM_QUEUES && ok; q++)
        ok = (s->q[q].buf = calloc(cfg->queue_depth, sizeof(entry_t))) != NULL;
    for (int t = 0; t < NUM_TOK && ok; t++) {
        s->tokt[t].cap = tcap;
        ok = (s->tokt[t].t = calloc(tcap, sizeof(uint64_t))) != NULL;
    }
    if (!ok) {
        dlp_iss_free(s);
        return NULL;
    }
    return s;
}

void dlp_iss_free(dlp_iss *s)
{
    if (!s)
        return;
    for (int q = 0; q < DLP_NUM_QUEUES; q++)
        free(s->q[q].buf);
    for (int t = 0; t < NUM_TOK; t++)
        free(s->tokt[t].t);
    free(s->act);
    free(s->wgt);
    free(s->acc);
    free(s->mem);
    free(s);
}

const dlp_config *dlp_iss_config(const dlp_iss *s)
{
    return &s->cfg;
}

uint8_t *dlp_iss_mem(dlp_iss *s, uint32_t addr, size_t len)
{
    if (addr < s->mem_base || (uint64_t)(addr - s->mem_base) + len > s->mem_size)
        return NULL;
    return s->mem + (addr - s->mem_base);
}

int dlp_iss_add_fault(dlp_iss *s, uint32_t addr, uint32_t len, int reads, int writes)
{
    if (s->nfaults == MAX_FAULTS)
        return -1;
    s->faults[s->nfaults++] = (fault_t){addr, len, reads, writes};
    return 0;
}

void dlp_iss_clear_faults(dlp_iss *s)
{
    s->nfaults = 0;
}

uint8_t *dlp_iss_sp_row(dlp_iss *s, uint32_t sp, uint32_t row)
{
    if (sp > DLP_SP_ACC || row >= s->rows[sp])
        return NULL;
    if (sp == DLP_SP_ACT)
        return s->act + (size_t)row * s->cfg.n;
    if (sp == DLP_SP_WGT)
        return s->wgt + (size_t)row * s->cfg.n;
    return (uint8_t *)(s->acc + (size_t)row * s->cfg.n);
}

const int16_t *dlp_iss_lut(const dlp_iss *s)
{
    return s->lut;
}

void dlp_iss_trace(dlp_iss *s, FILE *f)
{
    s->trace = f;
}

/* ------------------------------------------------------------------ errors */
/* Record the first error; returns -1 so callers can `return raise(...)`. */
static int raise_err(dlp_iss *s, uint32_t code, uint32_t index, uint32_t addr)
{
    if (!s->err_code) {
        s->err_code = code;
        s->err_index = index;
        s->err_addr = addr;
        if (s->trace)
            fprintf(s->trace, "error %s at insn %u addr 0x%08x\n", dlp_err_name(code), index, addr);
    }
    return -1;
}

/* AXI response for the bytes [addr, addr+len): 0 OKAY, else an error (SLVERR/DECERR). */
static int axi_fault(const dlp_iss *s, uint32_t addr, uint32_t len, int write)
{
    if (addr < s->mem_base || (uint64_t)(addr - s->mem_base) + len > s->mem_size)
        return 1; /* DECERR: no memory there */
    for (int i = 0; i < s->nfaults; i++) {
        const fault_t *f = &s->faults[i];
        if ((write ? f->writes : f->reads) && addr < (uint64_t)f->addr + f->len &&
            f->addr < (uint64_t)addr + len)
            return 1; /* SLVERR */
    }
    return 0;
}

static int in_window(const dlp_iss *s, uint64_t first, uint64_t end /* exclusive */)
{
    return first >= s->win_base && end >= first && end - 1 <= s->win_limit && end > first;
}

/* ------------------------------------------------------------------ dispatch checks */
static int token_flags_ok(uint32_t queue, uint32_t flags)
{
    if (queue == DLP_Q_LD && (flags & (DLP_F_POP_PREV | DLP_F_PUSH_PREV)))
        return 0;
    if (queue == DLP_Q_ST && (flags & (DLP_F_POP_NEXT | DLP_F_PUSH_NEXT)))
        return 0;
    return 1;
}

static int vec_uses_clamp(const dlp_vec_f *v)
{
    switch (v->func) {
    case DLP_VF_REQ:
    case DLP_VF_ADD:
    case DLP_VF_MUL:
    case DLP_VF_SOFTMAX: return 1;
    case DLP_VF_LUT: return !v->dst_acc;
    default: return 0;
    }
}

static int vec_is_vector_op(uint32_t func)
{
    return func == DLP_VF_SOFTMAX || func == DLP_VF_LNORM || func == DLP_VF_RMAX ||
           func == DLP_VF_RSUM;
}

/* Field legality (ERR_ILLEGAL_FIELD) of a queue instruction. */
static int fields_ok(const dlp_iss *s, const dlp_decoded *d)
{
    switch (d->opcode) {
    case DLP_OP_LOAD:
    case DLP_OP_STORE: {
        const dlp_dma_f *m = &d->u.dma;
        return m->sp <= DLP_SP_ACC && m->x_size && m->y_size && m->z_size;
    }
    case DLP_OP_GEMM: return d->u.gemm.n_pix && d->u.gemm.n_r1 && d->u.gemm.n_r2;
    case DLP_OP_VEC: {
        const dlp_vec_f *v = &d->u.vec;
        if (v->func < DLP_VF_REQ || v->func > DLP_VF_COPY)
            return 0;
        if (v->func != DLP_VF_LUTLD && !v->count)
            return 0;
        if (vec_uses_clamp(v) && v->lo > v->hi)
            return 0;
        if (v->func == DLP_VF_ADD && v->k0 > 31)
            return 0;
        if ((v->func == DLP_VF_MAXPOOL || v->func == DLP_VF_SUMPOOL) && (!v->k0 || !v->k1))
            return 0;
        if (vec_is_vector_op(v->func) &&
            (!v->k0 || !v->k1 || (uint64_t)v->k1 > (uint64_t)v->k0 * s->cfg.n))
            return 0;
        return 1;
    }
    default: return 1;
    }
}

/* ------------------------------------------------------------------ fetch */
/* One fetch step. Returns 1 on progress, 0 when blocked/finished, -1 on error. */
static int fetch_step(dlp_iss *s)
{
    if (s->fetch_done)
        return 0;
    uint32_t i = s->pc;
    if (i >= s->insn_count)
        return raise_err(s, DLP_ERR_NO_FINISH, s->insn_count, 0);
    uint32_t addr = s->insn_base + 32u * i;
    if (axi_fault(s, addr, DLP_INSN_BYTES, 0))
        return raise_err(s, DLP_ERR_AXI_READ, i, addr);
    dlp_insn insn;
    dlp_insn_from_bytes(dlp_iss_mem(s, addr, DLP_INSN_BYTES), &insn);
    dlp_decoded d;
    dlp_decode(&insn, &d);

    switch (d.opcode) {
    case DLP_OP_LOOP:
        if (s->nloops == MAX_LOOPS || d.u.loop.count == 0)
            return raise_err(s, DLP_ERR_LOOP, i, 0);
        if (d.flags)
            return raise_err(s, DLP_ERR_TOKEN, i, 0);
        s->loops[s->nloops].count = d.u.loop.count;
        memcpy(s->loops[s->nloops].inc, d.u.loop.inc, sizeof d.u.loop.inc);
        s->nloops++;
        break;
    case DLP_OP_FINISH:
        if (s->nloops)
            return raise_err(s, DLP_ERR_LOOP, i, 0);
        if (d.flags)
            return raise_err(s, DLP_ERR_TOKEN, i, 0);
        s->fetch_done = 1;
        break;
    case DLP_OP_SYNC:
    case DLP_OP_LOAD:
    case DLP_OP_STORE:
    case DLP_OP_GEMM:
    case DLP_OP_VEC: {
        if (d.opcode == DLP_OP_SYNC && s->nloops)
            return raise_err(s, DLP_ERR_LOOP, i, 0);
        if (d.opcode == DLP_OP_SYNC && d.queue > DLP_Q_ST)
            return raise_err(s, DLP_ERR_ILLEGAL_FIELD, i, 0);
        if (!token_flags_ok(d.queue, d.flags))
            return raise_err(s, DLP_ERR_TOKEN, i, 0);
        if (!fields_ok(s, &d))
            return raise_err(s, DLP_ERR_ILLEGAL_FIELD, i, 0);
        queue_t *q = &s->q[d.queue];
        if (q->len == s->cfg.queue_depth)
            return 0; /* queue full: fetch waits */
        entry_t *e = &q->buf[(q->head + q->len) % s->cfg.queue_depth];
        e->d = d;
        e->index = i;
        e->nloops = s->nloops;
        memcpy(e->loops, s->loops, sizeof s->loops);
        e->ready = s->fetch_t;
        q->len++;
        s->nloops = 0;
        break;
    }
    default: return raise_err(s, DLP_ERR_ILLEGAL_OPCODE, i, 0);
    }
    if (d.opcode == DLP_OP_LOOP || d.opcode == DLP_OP_FINISH)
        s->perf[DLP_PERF_INSNS]++;
    s->pc++;
    s->fetch_t += DLP_INSN_BYTES / s->cfg.bus_bytes;
    return 1;
}

/* ------------------------------------------------------------------ LOAD / STORE */
static uint8_t *sp_base(dlp_iss *s, uint32_t sp, uint32_t row)
{
    return dlp_iss_sp_row(s, sp, row);
}

/* One repetition of LOAD/STORE with slot addresses sram/dram. Returns 0 or -1. */
static int exec_dma(dlp_iss *s, const entry_t *e, uint32_t sram, uint32_t dram, uint64_t *bytes)
{
    const dlp_dma_f *m = &e->d.u.dma;
    int load = e->d.opcode == DLP_OP_LOAD;
    uint64_t E = dlp_elem_bytes(&s->cfg, m->sp);
    uint64_t X = m->x_size, Y = m->y_size, Z = m->z_size;
    uint64_t Xp = load ? X + m->x_pad[0] + m->x_pad[1] : X;
    uint64_t Yp = load ? Y + m->y_pad[0] + m->y_pad[1] : Y;
    uint64_t Zp = load ? Z + m->z_pad[0] + m->z_pad[1] : Z;

    if ((uint64_t)sram + Xp * Yp * Zp > s->rows[m->sp])
        return raise_err(s, DLP_ERR_SP_RANGE, e->index, 0);
    if (dram % E || m->y_stride % E || m->z_stride % E)
        return raise_err(s, DLP_ERR_DMA_ALIGN, e->index, dram);
    uint64_t end = (uint64_t)dram + (Z - 1) * m->z_stride + (Y - 1) * m->y_stride + X * E;
    if (!in_window(s, dram, end))
        return raise_err(s, DLP_ERR_DMA_WINDOW, e->index, dram);
    /* AXI responses: every run must be answered OKAY (checked before moving data; the
     * state after an AXI error is undefined, so checking first is a legal choice). */
    for (uint64_t z = 0; z < Z; z++)
        for (uint64_t y = 0; y < Y; y++) {
            uint32_t a = (uint32_t)(dram + z * m->z_stride + y * m->y_stride);
            if (axi_fault(s, a, (uint32_t)(X * E), !load))
                return raise_err(s, load ? DLP_ERR_AXI_READ : DLP_ERR_AXI_WRITE, e->index, dram);
        }

    if (load) {
        int sext = m->sp == DLP_SP_ACC;
        for (uint64_t zp = 0; zp < Zp; zp++)
            for (uint64_t yp = 0; yp < Yp; yp++)
                for (uint64_t xp = 0; xp < Xp; xp++) {
                    uint32_t row = (uint32_t)(sram + (zp * Yp + yp) * Xp + xp);
                    uint8_t *dst = sp_base(s, m->sp, row);
                    int64_t z = (int64_t)zp - m->z_pad[0], y = (int64_t)yp - m->y_pad[0],
                            x = (int64_t)xp - m->x_pad[0];
                    if (z >= 0 && z < (int64_t)Z && y >= 0 && y < (int64_t)Y && x >= 0 &&
                        x < (int64_t)X) {
                        uint32_t a = (uint32_t)(dram + (uint64_t)z * m->z_stride +
                                                (uint64_t)y * m->y_stride + (uint64_t)x * E);
                        memcpy(dst, dlp_iss_mem(s, a, E), E);
                    } else if (sext) {
                        int32_t *lane = (int32_t *)dst;
                        for (uint32_t l = 0; l < s->cfg.n; l++)
                            lane[l] = (int8_t)m->pad_value;
                    } else {
                        memset(dst, (int)m->pad_value, E);
                    }
                }
    } else {
        for (uint64_t z = 0; z < Z; z++)
            for (uint64_t y = 0; y < Y; y++)
                for (uint64_t x = 0; x < X; x++) {
                    uint32_t row = (uint32_t)(sram + (z * Y + y) * X + x);
                    uint32_t a = (uint32_t)(dram + z * m->z_stride + y * m->y_stride + x * E);
                    memcpy(dlp_iss_mem(s, a, E), sp_base(s, m->sp, row), E);
                }
    }
    *bytes += X * Y * Z * E;
    s->perf[load ? DLP_PERF_RD_BYTES : DLP_PERF_WR_BYTES] += X * Y * Z * E;
    return 0;
}

/* ------------------------------------------------------------------ GEMM */
static int exec_gemm(dlp_iss *s, const entry_t *e, uint32_t act, uint32_t wgt, uint32_t acc)
{
    const dlp_gemm_f *g = &e->d.u.gemm;
    const uint32_t N = s->cfg.n;
    uint64_t amax = (uint64_t)act + (uint64_t)(g->n_pix - 1) * g->s_pix +
                    (uint64_t)(g->n_r1 - 1) * g->s_r1 + (uint64_t)(g->n_r2 - 1) * g->s_r2;
    if (amax >= s->rows[DLP_SP_ACT] ||
        (uint64_t)wgt + (uint64_t)g->n_r2 * g->n_r1 * N > s->rows[DLP_SP_WGT] ||
        (uint64_t)acc + g->n_pix > s->rows[DLP_SP_ACC])
        return raise_err(s, DLP_ERR_SP_RANGE, e->index, 0);

    for (uint32_t r2 = 0; r2 < g->n_r2; r2++)
        for (uint32_t r1 = 0; r1 < g->n_r1; r1++) {
            const int8_t *t = (const int8_t *)s->wgt + (size_t)(wgt + (r2 * g->n_r1 + r1) * N) * N;
            int first = g->clr && r1 == 0 && r2 == 0;
            for (uint32_t p = 0; p < g->n_pix; p++) {
                uint32_t a = act + p * g->s_pix + r1 * g->s_r1 + r2 * g->s_r2;
                const int8_t *x = (const int8_t *)s->act + (size_t)a * N;
                int32_t *c = s->acc + (size_t)(acc + p) * N;
                for (uint32_t n = 0; n < N; n++) {
                    int32_t dot = 0; /* |dot| <= 16*128*128: no overflow */
                    for (uint32_t k = 0; k < N; k++)
                        dot += (int32_t)x[k] * t[n * N + k];
                    c[n] = dlp_wrap_add(first ? 0 : c[n], dot);
                }
            }
        }
    s->perf[DLP_PERF_MACS] += (uint64_t)g->n_r2 * g->n_r1 * g->n_pix * N * N;
    return 0;
}

/* ------------------------------------------------------------------ VEC */
/* Last row touched by `count` items of `span` rows at stride `stride` from `base`. */
static uint64_t last_row(uint32_t base, uint32_t count, uint32_t stride, uint64_t span)
{
    return (uint64_t)base + (uint64_t)(count - 1) * stride + span - 1;
}

static int vec_ranges_ok(const dlp_iss *s, const dlp_vec_f *v, uint32_t src, uint32_t src2,
                         uint32_t dst)
{
    const uint32_t A = s->rows[DLP_SP_ACT], C = s->rows[DLP_SP_ACC];
    const uint32_t n = v->count;
    switch (v->func) {
    case DLP_VF_REQ:
        return last_row(src, n, v->s_src, 1) < C && last_row(dst, n, v->s_dst, 1) < A &&
               (uint64_t)v->prm + DLP_REQ_PRM_ROWS <= C;
    case DLP_VF_ADD:
    case DLP_VF_MUL:
        return last_row(src, n, v->s_src, 1) < A && last_row(src2, n, v->s_src2, 1) < A &&
               last_row(dst, n, v->s_dst, 1) < A &&
               (uint64_t)v->prm + (v->func == DLP_VF_ADD ? DLP_ADD_PRM_ROWS : DLP_MUL_PRM_ROWS) <=
                   C;
    case DLP_VF_LUT:
        return last_row(src, n, v->s_src, 1) < A &&
               last_row(dst, n, v->s_dst, 1) < (v->dst_acc ? C : A);
    case DLP_VF_LUTLD: return (uint64_t)src + dlp_lut_rows(&s->cfg) <= A;
    case DLP_VF_MAXPOOL:
    case DLP_VF_SUMPOOL: {
        uint64_t win =
            (uint64_t)(v->k0 - 1) * (v->imm & 0xFFFFu) + (uint64_t)(v->k1 - 1) * (v->imm >> 16) + 1;
        return last_row(src, n, v->s_src, win) < A &&
               last_row(dst, n, v->s_dst, 1) < (v->func == DLP_VF_SUMPOOL ? C : A);
    }
    case DLP_VF_SOFTMAX:
        return last_row(src, n, v->s_src, v->k0) < A && last_row(dst, n, v->s_dst, v->k0) < A;
    case DLP_VF_LNORM:
        return last_row(src, n, v->s_src, v->k0) < A && last_row(dst, n, v->s_dst, v->k0) < C;
    case DLP_VF_RMAX:
    case DLP_VF_RSUM:
        return last_row(src, n, v->s_src, v->k0) < A && last_row(dst, n, v->s_dst, 1) < C;
    case DLP_VF_COPY: return last_row(src, n, v->s_src, 1) < A && last_row(dst, n, v->s_dst, 1) < A;
    default: return 0;
    }
}

static int exec_vec(dlp_iss *s, const entry_t *e, uint32_t src, uint32_t src2, uint32_t dst,
                    uint64_t *rows_rw)
{
    const dlp_vec_f *v = &e->d.u.vec;
    const uint32_t N = s->cfg.n;
    int8_t *act = (int8_t *)s->act;
    int32_t *acc = s->acc;
    uint64_t written = 0;

    if (!vec_ranges_ok(s, v, src, src2, dst))
        return raise_err(s, DLP_ERR_SP_RANGE, e->index, 0);

        /* P(j, l): parameter row j, lane l. */
#define P(j, l) acc[(size_t)(v->prm + (j)) * N + (l)]
    int8_t tmp[65536]; /* one SOFTMAX vector: L <= 65535 */
    for (uint32_t i = 0; i < (v->func == DLP_VF_LUTLD ? 1u : v->count); i++) {
        uint32_t x = src + i * v->s_src, x2 = src2 + i * v->s_src2, y = dst + i * v->s_dst;
        switch (v->func) {
        case DLP_VF_REQ:
            for (uint32_t l = 0; l < N; l++)
                act[(size_t)y * N + l] = (int8_t)dlp_requant_lane(
                    acc[(size_t)x * N + l], P(0, l), P(1, l), P(2, l), P(3, l), v->lo, v->hi);
            written++;
            break;
        case DLP_VF_ADD:
            for (uint32_t l = 0; l < N; l++) {
                dlp_add_params p = {.a_offset = P(0, l),
                                    .a_mult = P(1, l),
                                    .a_shift = P(2, l),
                                    .b_offset = P(3, l),
                                    .b_mult = P(4, l),
                                    .b_shift = P(5, l),
                                    .out_mult = P(6, l),
                                    .out_shift = P(7, l),
                                    .out_offset = P(8, l),
                                    .left_shift = (int32_t)v->k0,
                                    .lo = v->lo,
                                    .hi = v->hi};
                act[(size_t)y * N + l] =
                    (int8_t)dlp_add_elem(&p, act[(size_t)x * N + l], act[(size_t)x2 * N + l]);
            }
            written++;
            break;
        case DLP_VF_MUL:
            for (uint32_t l = 0; l < N; l++) {
                dlp_mul_params p = {.a_offset = P(0, l),
                                    .b_offset = P(1, l),
                                    .mult = P(2, l),
                                    .shift = P(3, l),
                                    .out_offset = P(4, l),
                                    .lo = v->lo,
                                    .hi = v->hi};
                act[(size_t)y * N + l] =
                    (int8_t)dlp_mul_elem(&p, act[(size_t)x * N + l], act[(size_t)x2 * N + l]);
            }
            written++;
            break;
        case DLP_VF_LUT:
            for (uint32_t l = 0; l < N; l++) {
                int32_t val = s->lut[act[(size_t)x * N + l] + 128];
                if (v->dst_acc)
                    acc[(size_t)y * N + l] = val;
                else
                    act[(size_t)y * N + l] = (int8_t)dlp_clamp32(val, v->lo, v->hi);
            }
            written++;
            break;
        case DLP_VF_LUTLD: {
            const uint8_t *b = s->act + (size_t)x * N;
            for (int k = 0; k < 256; k++)
                s->lut[k] = (int16_t)(uint16_t)(b[2 * k] | b[2 * k + 1] << 8);
            break;
        }
        case DLP_VF_MAXPOOL:
        case DLP_VF_SUMPOOL: {
            uint32_t skh = v->imm & 0xFFFFu, skw = v->imm >> 16;
            for (uint32_t l = 0; l < N; l++) {
                int32_t mx = -128, sum = 0;
                for (uint32_t a = 0; a < v->k0; a++)
                    for (uint32_t b = 0; b < v->k1; b++) {
                        int32_t val = act[(size_t)(x + a * skh + b * skw) * N + l];
                        mx = val > mx ? val : mx;
                        sum = dlp_wrap_add(sum, val);
                    }
                if (v->func == DLP_VF_MAXPOOL)
                    act[(size_t)y * N + l] = (int8_t)mx;
                else
                    acc[(size_t)y * N + l] = sum;
            }
            written++;
            break;
        }
        case DLP_VF_SOFTMAX: {
            uint32_t R = v->k0, L = v->k1;
            int8_t *in = act + (size_t)x * N, *out = act + (size_t)y * N;
            memcpy(tmp, in, L); /* the hardware reads every pass before writing */
            dlp_softmax_row_s8((int)L, tmp, s->lut, (int32_t)v->imm, v->shift, v->zo, v->lo, v->hi,
                               out);
            for (uint32_t j = L; j < R * N; j++)
                out[j] = (int8_t)dlp_clamp32(v->zo, v->lo, v->hi);
            written += R;
            break;
        }
        case DLP_VF_LNORM: {
            uint32_t R = v->k0, L = v->k1;
            int32_t *out = acc + (size_t)y * N;
            dlp_lnorm_row_s8((int)L, act + (size_t)x * N, v->imm, out);
            for (uint32_t j = L; j < R * N; j++)
                out[j] = 0;
            written += R;
            break;
        }
        case DLP_VF_RMAX:
        case DLP_VF_RSUM: {
            const int8_t *in = act + (size_t)x * N;
            int32_t mx = -128, sum = 0;
            for (uint32_t j = 0; j < v->k1; j++) {
                mx = in[j] > mx ? in[j] : mx;
                sum += in[j]; /* |sum| <= 65535*128 */
            }
            for (uint32_t l = 0; l < N; l++)
                acc[(size_t)y * N + l] = v->func == DLP_VF_RMAX ? mx : sum;
            written++;
            break;
        }
        case DLP_VF_COPY:
            memmove(act + (size_t)y * N, act + (size_t)x * N, N);
            written++;
            break;
        default: break;
        }
    }
#undef P
    s->perf[DLP_PERF_VEC_ROWS] += written;
    *rows_rw += written;
    return 0;
}

/* ------------------------------------------------------------------ units */
static uint32_t *tok_for(dlp_iss *s, uint32_t queue, uint32_t flag, int *which)
{
    int t = -1;
    switch (queue) {
    case DLP_Q_LD:
        t = flag == DLP_F_PUSH_NEXT ? TOK_LC : flag == DLP_F_POP_NEXT ? TOK_CL : -1;
        break;
    case DLP_Q_CMP:
        t = flag == DLP_F_POP_PREV    ? TOK_LC
            : flag == DLP_F_PUSH_PREV ? TOK_CL
            : flag == DLP_F_PUSH_NEXT ? TOK_CS
            : flag == DLP_F_POP_NEXT  ? TOK_SC
                                      : -1;
        break;
    case DLP_Q_ST:
        t = flag == DLP_F_POP_PREV ? TOK_CS : flag == DLP_F_PUSH_PREV ? TOK_SC : -1;
        break;
    default: break;
    }
    *which = t;
    return t >= 0 ? &s->tok[t] : NULL;
}

static int pops_ready(dlp_iss *s, const entry_t *e)
{
    static const uint32_t pops[2] = {DLP_F_POP_PREV, DLP_F_POP_NEXT};
    for (int k = 0; k < 2; k++) {
        int t;
        if ((e->d.flags & pops[k]) && *tok_for(s, e->d.queue, pops[k], &t) == 0)
            return 0;
    }
    return 1;
}

/* Pop tokens; returns the cycle the last popped token became available. */
static uint64_t do_pops(dlp_iss *s, const entry_t *e)
{
    static const uint32_t pops[2] = {DLP_F_POP_PREV, DLP_F_POP_NEXT};
    uint64_t t_av = 0;
    for (int k = 0; k < 2; k++) {
        int t;
        if (!(e->d.flags & pops[k]))
            continue;
        (*tok_for(s, e->d.queue, pops[k], &t))--;
        tokq_t *tq = &s->tokt[t];
        uint64_t ts = tq->t[tq->head];
        tq->head = (tq->head + 1) % tq->cap;
        tq->len--;
        t_av = ts > t_av ? ts : t_av;
    }
    return t_av;
}

static int pushes_ready(dlp_iss *s, uint32_t queue, uint32_t flags)
{
    static const uint32_t pushes[2] = {DLP_F_PUSH_PREV, DLP_F_PUSH_NEXT};
    uint32_t max = (1u << s->cfg.token_bits) - 1u;
    for (int k = 0; k < 2; k++) {
        int t;
        if ((flags & pushes[k]) && *tok_for(s, queue, pushes[k], &t) >= max)
            return 0;
    }
    return 1;
}

static void do_pushes(dlp_iss *s, uint32_t queue, uint32_t flags, uint64_t when)
{
    static const uint32_t pushes[2] = {DLP_F_PUSH_PREV, DLP_F_PUSH_NEXT};
    for (int k = 0; k < 2; k++) {
        int t;
        if (!(flags & pushes[k]))
            continue;
        (*tok_for(s, queue, pushes[k], &t))++;
        tokq_t *tq = &s->tokt[t];
        tq->t[(tq->head + tq->len) % tq->cap] = when;
        tq->len++;
    }
}

/* Execute every repetition of an entry. Returns 0 or -1; *dur gets the estimate. */
/* Execute the repetitions of e from *pos on, adding their duration to *dur. Returns 0 when
 * all are done, 1 when the step's budget ran out (*pos = next repetition), -1 on error. */
static int exec_entry(dlp_iss *s, const entry_t *e, uint64_t *pos, uint64_t *dur)
{
    const uint32_t N = s->cfg.n, bus = s->cfg.bus_bytes, lat = s->cfg.mem_latency;
    uint32_t c0 = e->nloops > 0 ? e->loops[0].count : 1;
    uint32_t c1 = e->nloops > 1 ? e->loops[1].count : 1;
    uint32_t base[3] = {0, 0, 0};
    switch (e->d.opcode) {
    case DLP_OP_LOAD:
    case DLP_OP_STORE:
        base[0] = e->d.u.dma.sram;
        base[1] = e->d.u.dma.dram;
        break;
    case DLP_OP_GEMM:
        base[0] = e->d.u.gemm.act;
        base[1] = e->d.u.gemm.wgt;
        base[2] = e->d.u.gemm.acc;
        break;
    case DLP_OP_VEC:
        base[0] = e->d.u.vec.src;
        base[1] = e->d.u.vec.src2;
        base[2] = e->d.u.vec.dst;
        break;
    default: break;
    }
    for (uint64_t r = *pos; r < (uint64_t)c0 * c1; r++) {
        if (s->budget == 0) {
            *pos = r;
            return 1;
        }
        s->budget--;
        const uint32_t i = (uint32_t)(r / c1), j = (uint32_t)(r % c1);
        {
            uint32_t a[3];
            for (int k = 0; k < 3; k++) {
                a[k] = base[k];
                if (e->nloops > 0)
                    a[k] += i * (uint32_t)e->loops[0].inc[k];
                if (e->nloops > 1)
                    a[k] += j * (uint32_t)e->loops[1].inc[k];
            }
            uint64_t amount = 0;
            int rc = 0;
            switch (e->d.opcode) {
            case DLP_OP_LOAD:
            case DLP_OP_STORE:
                rc = exec_dma(s, e, a[0], a[1], &amount);
                *dur += lat + (amount + bus - 1) / bus;
                break;
            case DLP_OP_GEMM: {
                const dlp_gemm_f *g = &e->d.u.gemm;
                rc = exec_gemm(s, e, a[0], a[1], a[2]);
                uint64_t tiles = (uint64_t)g->n_r1 * g->n_r2;
                *dur += tiles * (g->n_pix > N ? g->n_pix : N) + 2 * N;
                break;
            }
            case DLP_OP_VEC: {
                const dlp_vec_f *v = &e->d.u.vec;
                rc = exec_vec(s, e, a[0], a[1], a[2], &amount);
                if (v->func == DLP_VF_LUTLD)
                    *dur += dlp_lut_rows(&s->cfg);
                else if (v->func == DLP_VF_MAXPOOL || v->func == DLP_VF_SUMPOOL)
                    *dur += (uint64_t)v->count * v->k0 * v->k1;
                else if (vec_is_vector_op(v->func))
                    *dur += (uint64_t)v->count * (3 * v->k0 + 32);
                else
                    *dur += (uint64_t)v->count * (v->func == DLP_VF_ADD ? 2 : 1);
                break;
            }
            default: break;
            }
            if (rc)
                return rc;
        }
    }
    return 0;
}

static const int busy_ctr[DLP_NUM_QUEUES] = {DLP_PERF_LD_BUSY, DLP_PERF_GEMM_BUSY,
                                             DLP_PERF_ST_BUSY};
static const int stall_ctr[DLP_NUM_QUEUES] = {DLP_PERF_STALL_TOK_LD, DLP_PERF_STALL_TOK_CMP,
                                              DLP_PERF_STALL_TOK_ST};

/* One unit step for queue q. Returns 1 on progress, 0 if blocked/idle, -1 on error, 2 when
 * the instruction was suspended (stepped mode budget exhausted). */
static int unit_step(dlp_iss *s, int q)
{
    if (s->executing[q])
        goto resume;
    if (s->waiting_push[q]) {
        const entry_t *e = &s->pushing[q];
        if (!pushes_ready(s, e->d.queue, e->d.flags))
            return 0;
        do_pushes(s, e->d.queue, e->d.flags, s->push_time[q]);
        s->waiting_push[q] = 0;
        return 1;
    }
    queue_t *qq = &s->q[q];
    if (!qq->len)
        return 0;
    entry_t *e = &qq->buf[qq->head];
    if (!pops_ready(s, e))
        return 0;
    entry_t cur = *e;
    uint64_t start;
    qq->head = (qq->head + 1) % s->cfg.queue_depth;
    qq->len--;

    uint64_t t_tok = do_pops(s, &cur);
    uint64_t t_free = s->unit_t[q] > cur.ready ? s->unit_t[q] : cur.ready;
    start = t_tok > t_free ? t_tok : t_free;
    s->perf[stall_ctr[q]] += start - t_free;

    if (s->trace) {
        char buf[200];
        dlp_insn insn = {{0}};
        dlp_encode(&cur.d, &insn);
        fprintf(s->trace, "%4u %-3s %s%s\n", cur.index,
                q == 0   ? "LD"
                : q == 1 ? "CMP"
                         : "ST",
                cur.nloops ? "(looped) " : "", dlp_disasm(&insn, buf, sizeof buf));
    }
    s->cur[q] = cur;
    s->cur_pos[q] = 0;
    s->cur_dur[q] = 1;
    s->cur_start[q] = start;
    s->executing[q] = 1;
resume:;
    const int rc = exec_entry(s, &s->cur[q], &s->cur_pos[q], &s->cur_dur[q]);
    if (rc)
        return rc < 0 ? -1 : 2;
    s->executing[q] = 0;
    cur = s->cur[q];
    start = s->cur_start[q];
    const uint64_t dur = s->cur_dur[q];
    s->perf[DLP_PERF_INSNS]++;
    int ctr = (q == DLP_Q_CMP && cur.d.opcode == DLP_OP_VEC) ? DLP_PERF_VEC_BUSY : busy_ctr[q];
    if (cur.d.opcode != DLP_OP_SYNC)
        s->perf[ctr] += dur;
    s->unit_t[q] = start + dur;
    if (s->unit_t[q] > s->end_t)
        s->end_t = s->unit_t[q];

    if (pushes_ready(s, cur.d.queue, cur.d.flags)) {
        do_pushes(s, cur.d.queue, cur.d.flags, s->unit_t[q]);
    } else {
        s->waiting_push[q] = 1;
        s->pushing[q] = cur;
        s->push_time[q] = s->unit_t[q];
    }
    return 1;
}

/* ------------------------------------------------------------------ run */
static void reset_run_state(dlp_iss *s)
{
    for (int q = 0; q < DLP_NUM_QUEUES; q++) {
        s->q[q].head = s->q[q].len = 0;
        s->waiting_push[q] = 0;
        s->unit_t[q] = 0;
        s->executing[q] = 0;
    }
    s->susp_q = 0;
    for (int t = 0; t < NUM_TOK; t++) {
        s->tok[t] = 0;
        s->tokt[t].head = s->tokt[t].len = 0;
    }
    s->pc = 0;
    s->fetch_done = 0;
    s->nloops = 0;
    s->fetch_t = s->cfg.mem_latency;
    s->end_t = 0;
}

static void finish(dlp_iss *s)
{
    s->status = s->err_code ? DLP_STATUS_ERROR : DLP_STATUS_DONE;
    s->irq_status |= s->err_code ? DLP_IRQ_ERROR : DLP_IRQ_DONE;
    uint64_t end = s->end_t > s->fetch_t ? s->end_t : s->fetch_t;
    s->perf[DLP_PERF_CYCLES] = end;
}

/* Smallest index among blocked instructions (queue heads and pending pushes). */
static uint32_t oldest_blocked(const dlp_iss *s)
{
    uint32_t best = UINT32_MAX;
    for (int q = 0; q < DLP_NUM_QUEUES; q++) {
        if (s->waiting_push[q] && s->pushing[q].index < best)
            best = s->pushing[q].index;
        if (s->q[q].len && s->q[q].buf[s->q[q].head].index < best)
            best = s->q[q].buf[s->q[q].head].index;
    }
    return best;
}

/* Run the program until it ends, or (stepped mode) until s->budget repetitions have run:
 * the instruction that would exceed it is suspended and resumed by the next call, in the
 * same place of the same round, so the schedule is the one of an uninterrupted run. A round
 * lets fetch go as far as it can and gives each unit one instruction. */
static void run_rounds(dlp_iss *s)
{
    while (!s->err_code) {
        int progress = 0, rc, q0 = 0;
        if (s->susp_q) {
            q0 = s->susp_q - 1;
            s->susp_q = 0;
            progress = 1;
        } else {
            while ((rc = fetch_step(s)) > 0)
                progress = 1;
            if (rc < 0)
                break;
        }
        for (int q = q0; q < DLP_NUM_QUEUES && !s->err_code; q++) {
            rc = unit_step(s, q);
            if (rc == 2) {
                s->susp_q = q + 1;
                return;
            }
            if (rc > 0)
                progress = 1;
        }
        if (s->err_code || progress)
            continue;
        int idle = s->fetch_done;
        for (int q = 0; q < DLP_NUM_QUEUES; q++)
            idle = idle && !s->q[q].len && !s->waiting_push[q];
        if (idle) {
            for (int t = 0; t < NUM_TOK; t++)
                if (s->tok[t])
                    raise_err(s, DLP_ERR_TOKEN, s->pc - 1, 0);
            finish(s);
            return;
        }
        raise_err(s, DLP_ERR_DEADLOCK, oldest_blocked(s), 0);
    }
    finish(s);
}

static void start_program(dlp_iss *s)
{
    s->status = DLP_STATUS_BUSY;
    s->irq_status = 0;
    s->err_code = s->err_index = s->err_addr = 0;
    memset(s->perf, 0, sizeof s->perf);
    reset_run_state(s);

    uint64_t end = (uint64_t)s->insn_base + 32ull * s->insn_count;
    if (s->insn_base % DLP_INSN_BYTES)
        raise_err(s, DLP_ERR_DMA_ALIGN, DLP_ERR_INDEX_FETCH, s->insn_base);
    else if (s->insn_count == 0)
        raise_err(s, DLP_ERR_NO_FINISH, 0, 0);
    else if (!in_window(s, s->insn_base, end))
        raise_err(s, DLP_ERR_DMA_WINDOW, DLP_ERR_INDEX_FETCH, s->insn_base);
    if (s->err_code) {
        finish(s);
    } else if (!s->stepped) {
        s->budget = UINT64_MAX;
        run_rounds(s);
    }
}

void dlp_iss_set_stepped(dlp_iss *s, int on)
{
    s->stepped = on != 0;
}

int dlp_iss_step(dlp_iss *s, uint32_t max_reps)
{
    if (s->status & DLP_STATUS_BUSY) {
        s->budget = max_reps ? max_reps : 1;
        run_rounds(s);
    }
    return (s->status & DLP_STATUS_BUSY) != 0;
}

/* ------------------------------------------------------------------ CSRs */
static uint32_t kib(uint32_t bytes)
{
    return bytes / 1024;
}

uint32_t dlp_iss_csr_read(dlp_iss *s, uint32_t off)
{
    const dlp_config *c = &s->cfg;
    if (off >= DLP_CSR_PERF_BASE && off < DLP_CSR_PERF_BASE + 8 * DLP_NUM_PERF) {
        uint32_t k = (off - DLP_CSR_PERF_BASE) / 8;
        if (off % 8 == 0) {
            s->perf_hi_latch = (uint32_t)(s->perf[k] >> 32);
            return (uint32_t)s->perf[k];
        }
        return off % 8 == 4 ? s->perf_hi_latch : 0;
    }
    switch (off) {
    case DLP_CSR_ID: return DLP_ID_VALUE;
    case DLP_CSR_VERSION: return DLP_VERSION_VALUE;
    case DLP_CSR_CAPS0:
        return c->n | c->bus_bytes << 8 | c->queue_depth << 16 | (uint32_t)MAX_LOOPS << 24 |
               c->token_bits << 28;
    case DLP_CSR_CAPS1: return kib(c->act_bytes) | kib(c->wgt_bytes) << 16;
    case DLP_CSR_CAPS2: return kib(c->acc_bytes) | (uint32_t)DLP_INSN_BYTES << 16;
    case DLP_CSR_CTRL: return s->ctrl & (DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR);
    case DLP_CSR_STATUS: return s->status;
    case DLP_CSR_IRQ_STATUS: return s->irq_status;
    case DLP_CSR_INSN_BASE: return s->insn_base;
    case DLP_CSR_INSN_COUNT: return s->insn_count;
    case DLP_CSR_WIN_BASE: return s->win_base;
    case DLP_CSR_WIN_LIMIT: return s->win_limit;
    case DLP_CSR_ERR_CODE: return s->err_code;
    case DLP_CSR_ERR_INDEX: return s->err_index;
    case DLP_CSR_ERR_ADDR: return s->err_addr;
    default: return 0;
    }
}

void dlp_iss_csr_write(dlp_iss *s, uint32_t off, uint32_t value)
{
    switch (off) {
    case DLP_CSR_CTRL:
        s->ctrl = value & (DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR);
        if (value & DLP_CTRL_SOFT_RESET) {
            reset_run_state(s);
            s->status = s->irq_status = 0;
            s->err_code = s->err_index = s->err_addr = 0;
            memset(s->perf, 0, sizeof s->perf);
        } else if ((value & DLP_CTRL_START) && !(s->status & DLP_STATUS_BUSY)) {
            start_program(s);
        }
        break;
    case DLP_CSR_IRQ_STATUS: s->irq_status &= ~value; break;
    case DLP_CSR_INSN_BASE: s->insn_base = value; break;
    case DLP_CSR_INSN_COUNT: s->insn_count = value; break;
    case DLP_CSR_WIN_BASE: s->win_base = value; break;
    case DLP_CSR_WIN_LIMIT: s->win_limit = value; break;
    default: break;
    }
}

int dlp_iss_irq(const dlp_iss *s)
{
    uint32_t en = (s->ctrl & DLP_CTRL_IRQ_EN_DONE ? DLP_IRQ_DONE : 0) |
                  (s->ctrl & DLP_CTRL_IRQ_EN_ERR ? DLP_IRQ_ERROR : 0);
    return (s->irq_status & en) != 0;
}

int dlp_iss_run(dlp_iss *s, uint32_t insn_base, uint32_t insn_count, uint32_t win_base,
                uint32_t win_limit)
{
    dlp_iss_csr_write(s, DLP_CSR_INSN_BASE, insn_base);
    dlp_iss_csr_write(s, DLP_CSR_INSN_COUNT, insn_count);
    dlp_iss_csr_write(s, DLP_CSR_WIN_BASE, win_base);
    dlp_iss_csr_write(s, DLP_CSR_WIN_LIMIT, win_limit);
    dlp_iss_csr_write(s, DLP_CSR_CTRL,
                      (s->ctrl & (DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR)) | DLP_CTRL_START);
    return (int)s->err_code;
}

uint64_t dlp_iss_perf(const dlp_iss *s, int k)
{
    return k >= 0 && k < DLP_NUM_PERF ? s->perf[k] : 0;
}
