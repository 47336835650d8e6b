/*
 * gen_random.c - seeded random DLP programs and error-path programs as top-level test
 * vectors (format: case_file.h, version 2).
 *
 *   gen_random DIR N BUS_BYTES COUNT SEED            COUNT random race-free programs
 *   gen_random DIR N BUS_BYTES COUNT SEED errors     COUNT variants of every error class
 *
 * Random programs cover the whole ISA: LOAD/STORE on all three scratchpads (3-D boxes,
 * padding, strides, gaps), GEMM (random loop counts, strides, clr), every VEC function
 * with random legal fields, LOOP prefixes (one or two levels, negative increments),
 * SYNC and dependency tokens. Random ACC parameter blocks and a random LUT table are
 * loaded first. Races are excluded by construction: the scratchpads, the LUT and DDR
 * are split into regions; for every region the generator remembers the last program
 * position each queue read/wrote it, and for every pair of queues how far the first is
 * known to be ordered before the second. An access that conflicts with an unordered
 * access of another queue gets a token pair first (directly between neighbours, through
 * CMP between LD and ST), the push on the other queue's last instruction or on a SYNC,
 * the pop on the instruction itself or on a SYNC. Every pop is matched by an earlier
 * push, so programs cannot deadlock and end with all counters zero. Each program is run
 * on the golden ISS; one that ends in an error is discarded and regenerated.
 *
 * Error programs: a short random prefix, then one instruction (or CSR setting, or fault
 * range) that provokes the error class, then FINISH. Each is checked to end in the
 * intended error on the ISS. Every vector also carries a small recovery program (LOAD,
 * GEMM, VEC COPY, STORE) that the harness runs after SOFT_RESET.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/iss.h"
#include "dlp/prog.h"

#define MEM_BASE  0x40000000u
#define DATA_SIZE (24u << 10) /* random data, used by random LOAD/STORE */
#define FAULT_OFF DATA_SIZE   /* 4 KiB reserved for error programs */
#define REC_IN    (FAULT_OFF + 4096u)
#define REC_OUT   (REC_IN + 2048u)
#define REC_PROG  (REC_OUT + 2048u)
#define PROG_OFF  (REC_PROG + 1024u)
#define MAX_INSNS 240

/* ------------------------------------------------------------------ random numbers */
static uint64_t rs;
static uint32_t rnd32(void)
{
    rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
    return (uint32_t)(rs >> 11);
}
static int64_t rnd(int64_t a, int64_t b) /* inclusive */
{
    if (b <= a)
        return a;
    return a + (int64_t)(rnd32() % (uint64_t)(b - a + 1));
}
static int chance(int pct)
{
    return (int)(rnd32() % 100) < pct;
}

/* ------------------------------------------------------------------ generator state */
enum { S_ACT, S_WGT, S_ACC, S_DDR, S_LUT, NSPACE };
static const uint32_t GRAN[NSPACE] = {32, 32, 16, 1024, 1};

typedef struct {
    int space;
    int64_t lo, hi; /* [lo, hi) rows or bytes (DDR: offset from MEM_BASE) */
    int write;
} acc_t;

typedef struct {
    dlp_config cfg;
    uint32_t rows[3], E[3], use[3];
    dlp_prog *p;
    uint32_t nreg[NSPACE];
    uint32_t *lw[NSPACE][3], *lr[NSPACE][3]; /* last write/read position (index + 1) */
    uint32_t synced[3][3];
    int last[3];        /* index of the last instruction of each queue, -1 */
    uint32_t lastfl[3]; /* its flags */
    int lut_loaded;
    uint32_t pending[4]; /* token counters, for the generator's own checking */
} gen_t;

static void gen_init(gen_t *g, uint32_t n, uint32_t bus)
{
    memset(g, 0, sizeof *g);
    dlp_config_default(&g->cfg);
    g->cfg.n = n, g->cfg.bus_bytes = bus;
    g->rows[0] = dlp_act_rows(&g->cfg), g->rows[1] = dlp_wgt_rows(&g->cfg);
    g->rows[2] = dlp_acc_rows(&g->cfg);
    for (int s = 0; s < 3; s++)
        g->E[s] = dlp_elem_bytes(&g->cfg, (uint32_t)s);
    g->use[0] = 640, g->use[1] = 24 * n, g->use[2] = 192;
    for (int s = 0; s < NSPACE; s++) {
        g->nreg[s] = s < 3 ? g->rows[s] / GRAN[s] + 1 : s == S_DDR ? (1u << 20) / GRAN[s] : 1;
        for (int q = 0; q < 3; q++) {
            g->lw[s][q] = calloc(g->nreg[s], 4);
            g->lr[s][q] = calloc(g->nreg[s], 4);
        }
    }
    g->p = dlp_prog_new();
}

static void gen_reset(gen_t *g)
{
    for (int s = 0; s < NSPACE; s++)
        for (int q = 0; q < 3; q++) {
            memset(g->lw[s][q], 0, g->nreg[s] * 4);
            memset(g->lr[s][q], 0, g->nreg[s] * 4);
        }
    memset(g->synced, 0, sizeof g->synced);
    for (int q = 0; q < 3; q++)
        g->last[q] = -1, g->lastfl[q] = 0;
    g->lut_loaded = 0;
    dlp_prog_reset(g->p);
}

static uint32_t pos(gen_t *g)
{
    return (uint32_t)dlp_prog_len(g->p);
}

static void note_emit(gen_t *g, int q, int idx, uint32_t flags)
{
    g->last[q] = idx;
    g->lastfl[q] = flags;
}

static int emit_sync(gen_t *g, int q, uint32_t flags)
{
    int i = dlp_emit_sync(g->p, q, flags);
    note_emit(g, q, i, flags);
    return i;
}

/* Push from queue q toward neighbour dir (+1 next, -1 prev): on q's last instruction when
 * it does not carry that push yet, else on a new SYNC. */
static void push_from(gen_t *g, int q, int dir)
{
    uint32_t f = dir > 0 ? DLP_F_PUSH_NEXT : DLP_F_PUSH_PREV;
    if (g->last[q] >= 0 && !(g->lastfl[q] & f) && chance(60)) {
        dlp_prog_add_flags(g->p, (size_t)g->last[q], f);
        g->lastfl[q] |= f;
    } else
        emit_sync(g, q, f);
}

/* Order every instruction so far of queue q before the next instruction of qb. Returns
 * the pop flags the next instruction of qb must carry (or 0 when a SYNC popped). */
static uint32_t order(gen_t *g, int q, int qb, int pop_on_insn)
{
    uint32_t now = pos(g);
    uint32_t popf = 0;
    if (q < qb) {
        push_from(g, q, +1);
        if (qb - q == 2) {
            emit_sync(g, DLP_Q_CMP, DLP_F_POP_PREV | DLP_F_PUSH_NEXT);
            g->synced[q][DLP_Q_CMP] = g->synced[DLP_Q_CMP][qb] = now;
        }
        popf = DLP_F_POP_PREV;
    } else {
        push_from(g, q, -1);
        if (q - qb == 2) {
            emit_sync(g, DLP_Q_CMP, DLP_F_POP_NEXT | DLP_F_PUSH_PREV);
            g->synced[q][DLP_Q_CMP] = g->synced[DLP_Q_CMP][qb] = now;
        }
        popf = DLP_F_POP_NEXT;
    }
    g->synced[q][qb] = now;
    if (pop_on_insn)
        return popf;
    emit_sync(g, qb, popf);
    return 0;
}

/* Token flags needed before an instruction of queue qb with accesses a[0..na). Emits the
 * push side and any SYNC pops; returns flags for the instruction itself. */
static uint32_t deps(gen_t *g, int qb, const acc_t *a, int na, int allow_pop_on_insn)
{
    int need[3] = {0, 0, 0};
    for (int k = 0; k < na; k++) {
        const acc_t *x = &a[k];
        uint32_t r0 = (uint32_t)(x->lo / GRAN[x->space]);
        uint32_t r1 = (uint32_t)((x->hi - 1) / GRAN[x->space]);
        for (uint32_t r = r0; r <= r1; r++)
            for (int q = 0; q < 3; q++) {
                if (q == qb)
                    continue;
                uint32_t s = g->synced[q][qb];
                if (g->lw[x->space][q][r] > s || (x->write && g->lr[x->space][q][r] > s))
                    need[q] = 1;
            }
    }
    uint32_t fl = 0;
    for (int q = 0; q < 3; q++)
        if (need[q]) {
            /* the queue after the 2-hop chain and CMP both pop the same counter: one
             * pop per instruction, so the second goes on a SYNC */
            int on = allow_pop_on_insn && chance(50) && !fl;
            uint32_t f = order(g, q, qb, on);
            fl |= f;
        }
    return fl;
}

static void record(gen_t *g, int qb, const acc_t *a, int na, uint32_t idx)
{
    for (int k = 0; k < na; k++) {
        const acc_t *x = &a[k];
        uint32_t r0 = (uint32_t)(x->lo / GRAN[x->space]);
        uint32_t r1 = (uint32_t)((x->hi - 1) / GRAN[x->space]);
        for (uint32_t r = r0; r <= r1; r++) {
            if (x->write)
                g->lw[x->space][qb][r] = idx + 1;
            else
                g->lr[x->space][qb][r] = idx + 1;
        }
    }
}

/* ------------------------------------------------------------------ loops */
typedef struct {
    int n;
    uint32_t count[2];
    int32_t inc[2][3];
} loops_t;

static void gen_loops(loops_t *L, int force_none)
{
    memset(L, 0, sizeof *L);
    if (force_none)
        return;
    int r = (int)rnd(0, 99);
    L->n = r < 60 ? 0 : r < 88 ? 1 : 2;
    for (int i = 0; i < L->n; i++)
        L->count[i] = (uint32_t)(chance(10) ? 1 : rnd(2, 4));
}
/* Offset range of slot s over all repetitions. */
static void loop_span(const loops_t *L, int s, int64_t *mn, int64_t *mx)
{
    *mn = *mx = 0;
    for (int i = 0; i < L->n; i++) {
        int64_t d = (int64_t)(L->count[i] - 1) * L->inc[i][s];
        if (d < 0)
            *mn += d;
        else
            *mx += d;
    }
}
static uint32_t reps(const loops_t *L)
{
    uint32_t r = 1;
    for (int i = 0; i < L->n; i++)
        r *= L->count[i];
    return r;
}

/* Pick a base so that [base + mn, base + mx + ext) lies in [lo, hi); step alignment
 * (multiple of `align` from lo). Returns -1 when impossible. Sometimes at the top. */
static int64_t pick_base(int64_t lo, int64_t hi, int64_t mn, int64_t mx, int64_t ext, int64_t align,
                         int64_t top)
{
    int64_t b0 = lo - mn, b1 = hi - mx - ext;
    if (top > 0 && chance(8)) {
        int64_t t = top - mx - ext;
        t -= t % align;
        if (t >= lo - mn && t + mn >= 0)
            return t;
    }
    if (b1 < b0)
        return -1;
    int64_t b = rnd(b0, b1);
    b -= (b - lo) % align;
    if (b < b0)
        b += align;
    return b <= b1 ? b : -1;
}

static int emit_loops(gen_t *g, const loops_t *L)
{
    for (int i = 0; i < L->n; i++)
        if (dlp_emit_loop(g->p, L->count[i], L->inc[i][0], L->inc[i][1], L->inc[i][2]) < 0)
            return -1;
    return 0;
}

/* Emit an instruction of queue q with accesses; deps first. */
static int emit_insn(gen_t *g, int q, const loops_t *L, dlp_decoded *d, const acc_t *a, int na)
{
    uint32_t fl = deps(g, q, a, na, 1);
    emit_loops(g, L);
    d->flags = fl;
    int i = dlp_emit(g->p, d);
    if (i < 0)
        return -1;
    note_emit(g, q, i, fl);
    record(g, q, a, na, (uint32_t)i);
    return i;
}

/* ------------------------------------------------------------------ LOAD / STORE */
static int gen_dma(gen_t *g, int load, int force_sp, int no_loop)
{
    for (int tries = 0; tries < 50; tries++) {
        dlp_decoded d;
        memset(&d, 0, sizeof d);
        d.opcode = load ? DLP_OP_LOAD : DLP_OP_STORE;
        d.queue = load ? DLP_Q_LD : DLP_Q_ST;
        dlp_dma_f *m = &d.u.dma;
        m->sp = force_sp >= 0 ? (uint32_t)force_sp : (uint32_t)rnd(0, 2);
        int64_t E = g->E[m->sp];
        if (chance(10)) {
            m->x_size = (uint32_t)rnd(8, E >= 64 ? 48 : 160);
            m->y_size = m->z_size = 1;
        } else {
            m->x_size = (uint32_t)rnd(1, 6);
            m->y_size = (uint32_t)rnd(1, 3);
            m->z_size = (uint32_t)(chance(70) ? 1 : rnd(2, 3));
        }
        int64_t ys = (int64_t)m->x_size * E + E * rnd(0, 3);
        if (load && chance(15))
            ys = E * rnd(0, m->x_size);
        int64_t zs = (int64_t)m->y_size * ys + E * rnd(0, 2);
        if (load && chance(15))
            zs = E * rnd(0, 8);
        m->y_stride = (uint32_t)ys, m->z_stride = (uint32_t)zs;
        if (load && chance(35)) {
            m->pad_value = (uint32_t)rnd(0, 255);
            m->x_pad[0] = (uint32_t)rnd(0, 2), m->x_pad[1] = (uint32_t)rnd(0, 2);
            m->y_pad[0] = (uint32_t)rnd(0, 1), m->y_pad[1] = (uint32_t)rnd(0, 1);
            m->z_pad[0] = (uint32_t)rnd(0, 1), m->z_pad[1] = (uint32_t)rnd(0, 1);
        }
        int64_t X = m->x_size + m->x_pad[0] + m->x_pad[1];
        int64_t Y = m->y_size + m->y_pad[0] + m->y_pad[1];
        int64_t Z = m->z_size + m->z_pad[0] + m->z_pad[1];
        int64_t nrows = X * Y * Z;
        int64_t F =
            (int64_t)(m->z_size - 1) * zs + (int64_t)(m->y_size - 1) * ys + (int64_t)m->x_size * E;
        loops_t L;
        gen_loops(&L, no_loop);
        for (int i = 0; i < L.n; i++) {
            L.inc[i][0] = (int32_t)(chance(50) ? rnd(-2, 2) * nrows : rnd(-8, 8));
            L.inc[i][1] = (int32_t)(E * rnd(-12, 12));
            L.inc[i][2] = (int32_t)rnd32(); /* unused slot: ignored */
        }
        int64_t mn0, mx0, mn1, mx1;
        loop_span(&L, 0, &mn0, &mx0);
        loop_span(&L, 1, &mn1, &mx1);
        int64_t sram = pick_base(0, g->use[m->sp], mn0, mx0, nrows, 1, g->rows[m->sp]);
        int64_t dram = pick_base(0, DATA_SIZE, mn1, mx1, F, E, 0);
        if (sram < 0 || dram < 0 || nrows * reps(&L) > 1200)
            continue;
        m->sram = (uint32_t)sram;
        m->dram = MEM_BASE + (uint32_t)dram;
        acc_t a[2] = {{(int)m->sp, sram + mn0, sram + mx0 + nrows, load},
                      {S_DDR, dram + mn1, dram + mx1 + F, !load}};
        return emit_insn(g, d.queue, &L, &d, a, 2);
    }
    return 0;
}

/* ------------------------------------------------------------------ GEMM */
static int gen_gemm(gen_t *g)
{
    const int64_t N = g->cfg.n;
    for (int tries = 0; tries < 50; tries++) {
        dlp_decoded d;
        memset(&d, 0, sizeof d);
        d.opcode = DLP_OP_GEMM, d.queue = DLP_Q_CMP;
        dlp_gemm_f *m = &d.u.gemm;
        m->clr = (uint32_t)chance(50);
        m->n_pix = (uint32_t)(chance(30) ? rnd(N, 2 * N + 3) : rnd(1, 8));
        m->n_r1 = (uint32_t)rnd(1, 3);
        m->n_r2 = (uint32_t)rnd(1, 2);
        m->s_pix = (uint32_t)rnd(0, 3);
        m->s_r1 = (uint32_t)rnd(0, 4);
        m->s_r2 = (uint32_t)rnd(0, 12);
        int64_t aext = (int64_t)(m->n_pix - 1) * m->s_pix + (int64_t)(m->n_r1 - 1) * m->s_r1 +
                       (int64_t)(m->n_r2 - 1) * m->s_r2 + 1;
        int64_t wext = (int64_t)m->n_r2 * m->n_r1 * N, cext = m->n_pix;
        loops_t L;
        gen_loops(&L, 0);
        for (int i = 0; i < L.n; i++) {
            L.inc[i][0] = (int32_t)rnd(-6, 6);
            L.inc[i][1] = (int32_t)(chance(70) ? N * rnd(-2, 2) : rnd(-5, 5));
            L.inc[i][2] = (int32_t)(chance(40) ? 0 : rnd(-8, 8));
        }
        if ((int64_t)reps(&L) * m->n_pix * m->n_r1 * m->n_r2 > 400)
            continue;
        int64_t mn[3], mx[3];
        for (int s = 0; s < 3; s++)
            loop_span(&L, s, &mn[s], &mx[s]);
        int64_t act = pick_base(0, g->use[0], mn[0], mx[0], aext, 1, g->rows[0]);
        int64_t wgt = pick_base(0, g->use[1], mn[1], mx[1], wext, chance(80) ? N : 1, g->rows[1]);
        int64_t acc = pick_base(0, g->use[2], mn[2], mx[2], cext, 1, g->rows[2]);
        if (act < 0 || wgt < 0 || acc < 0)
            continue;
        m->act = (uint32_t)act, m->wgt = (uint32_t)wgt, m->acc = (uint32_t)acc;
        acc_t a[4] = {{S_ACT, act + mn[0], act + mx[0] + aext, 0},
                      {S_WGT, wgt + mn[1], wgt + mx[1] + wext, 0},
                      {S_ACC, acc + mn[2], acc + mx[2] + cext, 0},
                      {S_ACC, acc + mn[2], acc + mx[2] + cext, 1}};
        return emit_insn(g, DLP_Q_CMP, &L, &d, a, 4);
    }
    return 0;
}

/* ------------------------------------------------------------------ VEC */
static int overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
    return a0 < b1 && b0 < a1;
}

static int gen_lutld(gen_t *g)
{
    for (int tries = 0; tries < 50; tries++) {
        dlp_decoded d;
        memset(&d, 0, sizeof d);
        d.opcode = DLP_OP_VEC, d.queue = DLP_Q_CMP;
        dlp_vec_f *v = &d.u.vec;
        v->func = DLP_VF_LUTLD;
        int64_t lr = dlp_lut_rows(&g->cfg);
        v->count = (uint32_t)rnd(0, 3);
        v->dst = (uint32_t)rnd(0, 0xFFFF);
        v->s_src = (uint32_t)rnd(0, 3);
        loops_t L;
        gen_loops(&L, chance(70));
        for (int i = 0; i < L.n; i++)
            L.inc[i][0] = (int32_t)rnd(-4, 4), L.inc[i][1] = L.inc[i][2] = (int32_t)rnd32();
        int64_t mn, mx;
        loop_span(&L, 0, &mn, &mx);
        int64_t src = pick_base(0, g->use[0], mn, mx, lr, 1, 0);
        if (src < 0)
            continue;
        v->src = (uint32_t)src;
        acc_t a[2] = {{S_ACT, src + mn, src + mx + lr, 0}, {S_LUT, 0, 1, 1}};
        int i = emit_insn(g, DLP_Q_CMP, &L, &d, a, 2);
        g->lut_loaded = 1;
        return i;
    }
    return 0;
}

static int gen_vec(gen_t *g, int func)
{
    const int64_t N = g->cfg.n;
    if ((func == DLP_VF_LUT || func == DLP_VF_SOFTMAX) && !g->lut_loaded)
        gen_lutld(g);
    if (func == DLP_VF_LUTLD)
        return gen_lutld(g);
    for (int tries = 0; tries < 80; tries++) {
        dlp_decoded d;
        memset(&d, 0, sizeof d);
        d.opcode = DLP_OP_VEC, d.queue = DLP_Q_CMP;
        dlp_vec_f *v = &d.u.vec;
        v->func = (uint32_t)func;
        v->count = (uint32_t)(chance(15) ? rnd(6, 24) : rnd(1, 5));
        if (chance(50))
            v->lo = -128, v->hi = 127;
        else
            v->lo = (int32_t)rnd(-128, 127), v->hi = (int32_t)rnd(v->lo, 127);
        int vecop = func == DLP_VF_SOFTMAX || func == DLP_VF_LNORM || func == DLP_VF_RMAX ||
                    func == DLP_VF_RSUM;
        int64_t R = 1, Lw = 0;
        if (vecop) {
            R = rnd(1, 3);
            Lw = chance(40) ? R * N : rnd(1, R * N);
            v->k0 = (uint32_t)R, v->k1 = (uint32_t)Lw;
        }
        int64_t kh = 1, kw = 1, skh = 0, skw = 0;
        if (func == DLP_VF_MAXPOOL || func == DLP_VF_SUMPOOL) {
            kh = rnd(1, 3), kw = rnd(1, 3), skh = rnd(0, 8), skw = rnd(0, 3);
            v->k0 = (uint32_t)kh, v->k1 = (uint32_t)kw;
            v->imm = (uint32_t)(skh | skw << 16);
        }
        if (func == DLP_VF_ADD)
            v->k0 = (uint32_t)(chance(60) ? 20 : rnd(0, 31));
        if (func == DLP_VF_SOFTMAX) {
            v->zo = (int32_t)rnd(-128, 127), v->shift = (int32_t)rnd(-128, 127);
            if (chance(70))
                v->shift = (int32_t)rnd(-8, 8);
            v->imm = rnd32();
        }
        if (func == DLP_VF_LNORM)
            v->imm = chance(50) ? (uint32_t)rnd(0, 1000) : rnd32();
        if (func == DLP_VF_LUT)
            v->dst_acc = (uint32_t)chance(40);
        int src_acc = func == DLP_VF_REQ;
        int dst_acc = func == DLP_VF_SUMPOOL || func == DLP_VF_LNORM || func == DLP_VF_RMAX ||
                      func == DLP_VF_RSUM || (func == DLP_VF_LUT && v->dst_acc);
        int two = func == DLP_VF_ADD || func == DLP_VF_MUL;
        int nprm = func == DLP_VF_REQ   ? DLP_REQ_PRM_ROWS
                   : func == DLP_VF_ADD ? DLP_ADD_PRM_ROWS
                   : func == DLP_VF_MUL ? DLP_MUL_PRM_ROWS
                                        : 0;
        int64_t dst_rows = (func == DLP_VF_SOFTMAX || func == DLP_VF_LNORM) ? R : 1;
        int64_t src_rows = vecop ? R : (kh - 1) * skh + (kw - 1) * skw + 1;
        v->s_src = (uint32_t)rnd(0, 2 * src_rows + 1);
        v->s_dst = (uint32_t)rnd(dst_rows, 2 * dst_rows + 1);
        v->s_src2 = (uint32_t)rnd(0, 3);
        int inplace = !src_acc && !dst_acc && chance(25) &&
                      (func == DLP_VF_COPY || func == DLP_VF_LUT || func == DLP_VF_ADD ||
                       func == DLP_VF_MUL || func == DLP_VF_SOFTMAX);
        if (inplace)
            v->s_src = v->s_dst;
        if (func == DLP_VF_REQ && chance(30))
            v->s_src = v->s_dst = (uint32_t)rnd(1, 2);
        int64_t sext = (int64_t)(v->count - 1) * v->s_src + src_rows;
        int64_t dext = (int64_t)(v->count - 1) * v->s_dst + dst_rows;
        int64_t s2ext = (int64_t)(v->count - 1) * v->s_src2 + 1;
        loops_t L;
        gen_loops(&L, 0);
        for (int i = 0; i < L.n; i++) {
            L.inc[i][0] = (int32_t)rnd(-8, 8);
            L.inc[i][1] = two ? (int32_t)rnd(-8, 8) : (int32_t)rnd32();
            L.inc[i][2] = inplace ? L.inc[i][0] : (int32_t)rnd(-8, 8);
        }
        if ((int64_t)reps(&L) * v->count * (src_rows + dst_rows) * (vecop ? 3 : 1) > 600)
            continue;
        int64_t mn[3], mx[3];
        for (int s = 0; s < 3; s++)
            loop_span(&L, s, &mn[s], &mx[s]);
        int ss = src_acc ? S_ACC : S_ACT, ds = dst_acc ? S_ACC : S_ACT;
        int64_t src = pick_base(0, g->use[ss], mn[0], mx[0], sext, 1, g->rows[ss]);
        int64_t dst = inplace ? src : pick_base(0, g->use[ds], mn[2], mx[2], dext, 1, g->rows[ds]);
        int64_t src2 = two ? pick_base(0, g->use[0], mn[1], mx[1], s2ext, 1, g->rows[0]) : 0;
        int64_t prm = nprm ? pick_base(0, g->use[2], 0, 0, nprm, 1, g->rows[2]) : 0;
        if (src < 0 || dst < 0 || src2 < 0 || prm < 0)
            continue;
        acc_t a[5];
        int na = 0;
        a[na++] = (acc_t){ss, src + mn[0], src + mx[0] + sext, 0};
        a[na++] = (acc_t){ds, dst + mn[2], dst + mx[2] + dext, 1};
        if (two)
            a[na++] = (acc_t){S_ACT, src2 + mn[1], src2 + mx[1] + s2ext, 0};
        if (nprm)
            a[na++] = (acc_t){S_ACC, prm, prm + nprm, 0};
        if (func == DLP_VF_LUT || func == DLP_VF_SOFTMAX)
            a[na++] = (acc_t){S_LUT, 0, 1, 0};
        /* destination must not overlap a source (except exactly in place) */
        int bad = 0;
        for (int k = 0; k < na; k++)
            if (k != 1 && a[k].space == ds && overlap(a[1].lo, a[1].hi, a[k].lo, a[k].hi) &&
                !(inplace && k == 0))
                bad = 1;
        if (bad)
            continue;
        v->src = (uint32_t)src, v->dst = (uint32_t)dst, v->src2 = (uint32_t)src2;
        v->prm = (uint32_t)prm;
        if (!two)
            v->src2 = (uint32_t)rnd(0, 0xFFFF), v->s_src2 = (uint32_t)rnd(0, 0xFFFF);
        return emit_insn(g, DLP_Q_CMP, &L, &d, a, na);
    }
    return 0;
}

/* ------------------------------------------------------------------ programs */
static void preamble(gen_t *g, uint32_t rng_act)
{
    /* random ACT, WGT, ACC contents (ACC rows serve as parameter blocks), then a LUT */
    dlp_decoded d;
    for (int sp = 0; sp < 3; sp++) {
        memset(&d, 0, sizeof d);
        d.opcode = DLP_OP_LOAD, d.queue = DLP_Q_LD;
        dlp_dma_f *m = &d.u.dma;
        m->sp = (uint32_t)sp;
        uint32_t E = g->E[sp];
        uint32_t n = sp == 0 ? rng_act : sp == 1 ? 8 * g->cfg.n : 64;
        if (n * E > DATA_SIZE)
            n = DATA_SIZE / E;
        m->x_size = n, m->y_size = m->z_size = 1;
        m->sram = sp == 0 ? 0 : (uint32_t)rnd(0, 8);
        m->dram = MEM_BASE + E * (uint32_t)rnd(0, (DATA_SIZE - n * E) / E);
        loops_t L;
        gen_loops(&L, 1);
        acc_t a[2] = {{sp, m->sram, m->sram + n, 1},
                      {S_DDR, m->dram - MEM_BASE, m->dram - MEM_BASE + n * E, 0}};
        emit_insn(g, DLP_Q_LD, &L, &d, a, 2);
    }
    gen_lutld(g);
}

static void random_body(gen_t *g, int nops)
{
    for (int k = 0; k < nops && dlp_prog_len(g->p) < MAX_INSNS - 40; k++) {
        int r = (int)rnd(0, 99);
        if (r < 22)
            gen_dma(g, 1, -1, 0);
        else if (r < 34)
            gen_dma(g, 0, -1, 0);
        else if (r < 52)
            gen_gemm(g);
        else if (r < 96)
            gen_vec(g, (int)rnd(DLP_VF_REQ, DLP_VF_COPY));
        else {
            /* a spare token pair between random neighbours, via SYNCs or data insns */
            int q = (int)rnd(0, 2), qb = q == 1 ? (chance(50) ? 0 : 2) : 1;
            order(g, q, qb, 0);
        }
    }
}

/* Image: random data, reserved areas, recovery program, program at PROG_OFF. */
typedef struct {
    uint8_t *img;
    uint32_t size, insn_base, insn_count, win_base, win_limit;
    uint32_t nf, fault[4][4];
    uint32_t expect;
    char name[32];
} vec_t;

static void build_recovery(gen_t *g, uint8_t *img)
{
    const uint32_t N = g->cfg.n;
    dlp_prog *p = dlp_prog_new();
    dlp_dma_f m;
    memset(&m, 0, sizeof m);
    m.sp = DLP_SP_ACT, m.dram = MEM_BASE + REC_IN, m.sram = 100, m.x_size = 4, m.y_size = 1;
    m.z_size = 1;
    dlp_emit_load(p, &m, 0);
    m.sp = DLP_SP_WGT, m.dram = MEM_BASE + REC_IN + 256, m.sram = 0, m.x_size = N;
    dlp_emit_load(p, &m, DLP_F_PUSH_NEXT);
    dlp_gemm_f gm = {1, 100, 10, 0, 4, 1, 1, 1, 0, 0};
    dlp_emit_gemm(p, &gm, DLP_F_POP_PREV);
    dlp_vec_f v;
    memset(&v, 0, sizeof v);
    v.func = DLP_VF_COPY, v.src = 100, v.dst = 108, v.count = 4, v.s_src = v.s_dst = 1;
    v.lo = -128, v.hi = 127;
    dlp_emit_vec(p, &v, DLP_F_PUSH_NEXT);
    m.sp = DLP_SP_ACC, m.sram = 10, m.x_size = 4, m.dram = MEM_BASE + REC_OUT;
    dlp_emit_store(p, &m, DLP_F_POP_PREV);
    m.sp = DLP_SP_ACT, m.sram = 108, m.x_size = 4, m.dram = MEM_BASE + REC_OUT + 1024;
    dlp_emit_store(p, &m, 0);
    dlp_emit_finish(p);
    dlp_prog_bytes(p, img + REC_PROG, 1024);
    dlp_prog_free(p);
}

static void place(gen_t *g, vec_t *v, int finish)
{
    if (finish)
        dlp_emit_finish(g->p);
    size_t n = dlp_prog_len(g->p);
    v->size = PROG_OFF + (uint32_t)n * 32;
    v->size = (v->size + 4095) & ~4095u;
    v->img = calloc(1, v->size);
    for (uint32_t i = 0; i < PROG_OFF; i++)
        v->img[i] = (uint8_t)rnd32();
    memset(v->img + REC_OUT, 0, 2048);
    build_recovery(g, v->img);
    dlp_prog_bytes(g->p, v->img + PROG_OFF, n * 32);
    v->insn_base = MEM_BASE + PROG_OFF, v->insn_count = (uint32_t)n;
    v->win_base = MEM_BASE, v->win_limit = MEM_BASE + v->size - 1;
}

static int iss_check(gen_t *g, vec_t *v, uint32_t *idx)
{
    dlp_iss *s = dlp_iss_new(&g->cfg, MEM_BASE, v->size);
    memcpy(dlp_iss_mem(s, MEM_BASE, v->size), v->img, v->size);
    for (uint32_t f = 0; f < v->nf; f++)
        dlp_iss_add_fault(s, v->fault[f][0], v->fault[f][1], (int)v->fault[f][2],
                          (int)v->fault[f][3]);
    int rc = dlp_iss_run(s, v->insn_base, v->insn_count, v->win_base, v->win_limit);
    if (idx)
        *idx = dlp_iss_csr_read(s, DLP_CSR_ERR_INDEX);
    dlp_iss_free(s);
    return rc;
}

static int write_vec(const char *dir, int k, const char *pfx, gen_t *g, const vec_t *v)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s_%05d.bin", dir, pfx, k);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    uint32_t h[16] = {0x43504c44u,       2,
                      g->cfg.n,          g->cfg.bus_bytes,
                      g->cfg.act_bytes,  g->cfg.wgt_bytes,
                      g->cfg.acc_bytes,  g->cfg.queue_depth,
                      g->cfg.token_bits, MEM_BASE,
                      v->size,           v->insn_base,
                      v->insn_count,     v->win_base,
                      v->win_limit,      0};
    int ok = fwrite(h, sizeof h, 1, f) == 1 && fwrite(v->name, 32, 1, f) == 1 &&
             fwrite(v->img, 1, v->size, f) == v->size;
    /* version 2 extension: faults, recovery program, expected error */
    uint32_t x[8 + 16];
    int nx = 0;
    x[nx++] = v->nf;
    for (uint32_t i = 0; i < v->nf; i++)
        for (int j = 0; j < 4; j++)
            x[nx++] = v->fault[i][j];
    x[nx++] = MEM_BASE + REC_PROG, x[nx++] = 7, x[nx++] = MEM_BASE + REC_OUT, x[nx++] = 2048;
    x[nx++] = v->expect;
    ok = ok && fwrite(x, 4, (size_t)nx, f) == (size_t)nx;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* ------------------------------------------------------------------ error programs */
enum { NKINDS = 11 };

/* Append the faulting part for error code `code`, variant `var`. May change v fields
 * (faults, window, insn range) after place(). Returns 1 if it calls place() itself. */
static void err_prog(gen_t *g, vec_t *v, int code, int var)
{
    const uint32_t N = g->cfg.n;
    dlp_decoded d;
    dlp_dma_f m;
    memset(&m, 0, sizeof m);
    m.sp = DLP_SP_ACT, m.x_size = 4, m.y_size = m.z_size = 1, m.sram = 600;
    m.dram = MEM_BASE + FAULT_OFF;
    dlp_vec_f vv;
    memset(&vv, 0, sizeof vv);
    vv.func = DLP_VF_COPY, vv.src = 600, vv.dst = 620, vv.count = 2, vv.s_src = vv.s_dst = 1;
    vv.lo = -128, vv.hi = 127;
    dlp_gemm_f gm = {1, 600, 150, 0, 4, 1, 1, 1, 0, 0};
    int nb = var % 5;
    int fin = 1;
    snprintf(v->name, sizeof v->name, "err_%s_%d", dlp_err_name((uint32_t)code), var);
    switch (code) {
    case DLP_ERR_ILLEGAL_OPCODE:
        memset(&d, 0, sizeof d);
        d.opcode = nb == 0 ? 0 : nb == 1 ? 8 : nb == 2 ? 0xFF : (uint32_t)rnd(8, 255);
        {
            dlp_insn in = {{d.opcode | (uint32_t)rnd(0, 15) << 8, rnd32(), rnd32(), 0, 0, 0, 0, 0}};
            /* raw: via decode then emit keeps it simple */
            dlp_decode(&in, &d);
            dlp_emit(g->p, &d);
        }
        break;
    case DLP_ERR_ILLEGAL_FIELD:
        switch (var % 10) {
        case 0: dlp_emit_sync(g->p, 3, 0); break;
        case 1:
            m.sp = 3;
            dlp_emit_load(g->p, &m, 0);
            break;
        case 2:
            m.x_size = 0;
            dlp_emit_store(g->p, &m, 0);
            break;
        case 3:
            gm.n_r1 = 0;
            dlp_emit_gemm(g->p, &gm, 0);
            break;
        case 4:
            vv.count = 0;
            dlp_emit_vec(g->p, &vv, 0);
            break;
        case 5:
            vv.func = (uint32_t)rnd(13, 255);
            dlp_emit_vec(g->p, &vv, 0);
            break;
        case 6:
            vv.func = DLP_VF_REQ, vv.lo = 5, vv.hi = 4;
            dlp_emit_vec(g->p, &vv, 0);
            break;
        case 7:
            vv.func = DLP_VF_ADD, vv.k0 = 32;
            dlp_emit_vec(g->p, &vv, 0);
            break;
        case 8:
            vv.func = DLP_VF_MAXPOOL, vv.k0 = 0, vv.k1 = 2;
            dlp_emit_vec(g->p, &vv, 0);
            break;
        default:
            vv.func = DLP_VF_SOFTMAX, vv.k0 = 2, vv.k1 = 2 * N + 1;
            dlp_emit_vec(g->p, &vv, 0);
            break;
        }
        break;
    case DLP_ERR_LOOP:
        switch (var % 4) {
        case 0:
            dlp_emit_loop(g->p, 0, 1, 0, 0);
            dlp_emit_vec(g->p, &vv, 0);
            break;
        case 1:
            dlp_emit_loop(g->p, 2, 1, 0, 0), dlp_emit_loop(g->p, 2, 1, 0, 0);
            dlp_emit_loop(g->p, 2, 1, 0, 0), dlp_emit_vec(g->p, &vv, 0);
            break;
        case 2:
            dlp_emit_loop(g->p, 2, 1, 0, 0);
            dlp_emit_sync(g->p, (int)rnd(0, 2), 0);
            break;
        default:
            dlp_emit_loop(g->p, 2, 1, 0, 0);
            dlp_emit_finish(g->p);
            fin = 0;
            break;
        }
        break;
    case DLP_ERR_TOKEN:
        switch (var % 6) {
        case 0: dlp_emit_load(g->p, &m, DLP_F_POP_PREV); break;
        case 1: dlp_emit_store(g->p, &m, DLP_F_PUSH_NEXT); break;
        case 2: {
            dlp_insn in = {{DLP_OP_LOOP | 1u << 9, 2, 1, 0, 0, 0, 0, 0}};
            dlp_decode(&in, &d);
            dlp_emit(g->p, &d);
            dlp_emit_vec(g->p, &vv, 0);
        } break;
        case 3: {
            dlp_emit_finish(g->p);
            dlp_prog_add_flags(g->p, dlp_prog_len(g->p) - 1, 1u << (8 + rnd(0, 3)));
            fin = 0;
        } break;
        case 4: dlp_emit_sync(g->p, DLP_Q_LD, DLP_F_PUSH_PREV); break;
        default: dlp_emit_sync(g->p, (int)rnd(0, 1), DLP_F_PUSH_NEXT); break; /* left over */
        }
        break;
    case DLP_ERR_DEADLOCK:
        switch (var % 4) {
        case 0: dlp_emit_sync(g->p, DLP_Q_CMP, DLP_F_POP_PREV); break;
        case 1: dlp_emit_gemm(g->p, &gm, DLP_F_POP_NEXT); break;
        case 2: dlp_emit_load(g->p, &m, DLP_F_POP_NEXT); break;
        default: { /* a saturated counter: the push waits, the pops are never fetched */
            int q = (int)rnd(0, 2), dir = q == 0 ? 1 : q == 2 ? -1 : chance(50) ? 1 : -1;
            /* counter full, one push waiting in the unit, a full queue, one more */
            uint32_t np = (1u << g->cfg.token_bits) - 1 + 1 + g->cfg.queue_depth + 1;
            for (uint32_t i = 0; i < np; i++)
                dlp_emit_sync(g->p, q, dir > 0 ? DLP_F_PUSH_NEXT : DLP_F_PUSH_PREV);
            for (uint32_t i = 0; i < np; i++)
                dlp_emit_sync(g->p, q + dir, dir > 0 ? DLP_F_POP_PREV : DLP_F_POP_NEXT);
        } break;
        }
        dlp_emit_vec(g->p, &vv, 0);
        break;
    case DLP_ERR_SP_RANGE:
        switch (var % 5) {
        case 0:
            m.sram = g->rows[0] - 3;
            dlp_emit_load(g->p, &m, 0);
            break;
        case 1:
            m.sp = DLP_SP_ACC, m.sram = g->rows[2] - 2;
            dlp_emit_store(g->p, &m, 0);
            break;
        case 2:
            gm.wgt = g->rows[1] - N + 1;
            dlp_emit_gemm(g->p, &gm, 0);
            break;
        case 3:
            vv.func = DLP_VF_REQ, vv.prm = g->rows[2] - 3;
            dlp_emit_vec(g->p, &vv, 0);
            break;
        default: /* third repetition wraps below row 0 */
            dlp_emit_loop(g->p, 4, -300, 0, 0);
            dlp_emit_vec(g->p, &vv, 0);
            break;
        }
        break;
    case DLP_ERR_DMA_ALIGN:
        switch (var % 3) {
        case 0:
            m.dram += (uint32_t)rnd(1, N - 1);
            dlp_emit_load(g->p, &m, 0);
            break;
        case 1:
            m.y_size = 2, m.y_stride = 4 * N + (uint32_t)rnd(1, N - 1);
            m.sp = DLP_SP_ACC;
            dlp_emit_load(g->p, &m, 0);
            break;
        default: dlp_emit_vec(g->p, &vv, 0); break; /* INSN_BASE, below */
        }
        break;
    case DLP_ERR_DMA_WINDOW:
        switch (var % 6) {
        case 0:
            m.dram = MEM_BASE - 64;
            dlp_emit_load(g->p, &m, 0);
            break;
        case 1:
            m.dram = MEM_BASE - N;
            m.x_size = 8;
            dlp_emit_store(g->p, &m, 0);
            break;
        case 2:
            m.dram = 0xFFFFFFC0u & ~(N - 1);
            dlp_emit_load(g->p, &m, 0);
            break;
        case 3: /* straddles WIN_LIMIT: set after place() */
            m.dram = 0;
            dlp_emit_store(g->p, &m, 0);
            break;
        default: dlp_emit_vec(g->p, &vv, 0); break; /* program outside, below */
        }
        break;
    case DLP_ERR_AXI_READ:
    case DLP_ERR_AXI_WRITE:
        if (code == DLP_ERR_AXI_READ && var % 3 == 1) {
            dlp_emit_vec(g->p, &vv, 0); /* instruction fetch fault, below */
        } else if (code == DLP_ERR_AXI_READ) {
            m.sp = (uint32_t)rnd(0, 2), m.sram = 40;
            m.x_size = (uint32_t)rnd(1, 6), m.y_size = 2, m.y_stride = 8 * 64;
            dlp_emit_load(g->p, &m, 0); /* fault range or DECERR */
        } else {
            m.sp = (uint32_t)rnd(0, 2), m.sram = 40, m.x_size = (uint32_t)rnd(1, 6);
            dlp_emit_store(g->p, &m, 0);
        }
        break;
    case DLP_ERR_NO_FINISH:
        dlp_emit_vec(g->p, &vv, 0);
        fin = 0;
        break;
    }
    place(g, v, fin);
    v->expect = (uint32_t)code;
    uint32_t pend = dlp_prog_len(g->p);
    switch (code) {
    case DLP_ERR_DMA_ALIGN:
        if (var % 3 == 2)
            v->insn_base += (uint32_t)rnd(1, 31);
        break;
    case DLP_ERR_DMA_WINDOW:
        if (var % 6 == 3) { /* patch the STORE's dram so that it straddles WIN_LIMIT */
            dlp_insn in;
            uint8_t *b = v->img + PROG_OFF + 32 * (pend - 2);
            dlp_insn_from_bytes(b, &in);
            in.w[1] = v->win_limit + 1 - 2 * N;
            dlp_insn_to_bytes(&in, b);
        } else if (var % 6 == 4)
            v->win_base = v->insn_base + 32;
        else if (var % 6 == 5)
            v->win_limit = v->insn_base + 32 * v->insn_count - 2;
        break;
    case DLP_ERR_AXI_READ:
        if (var % 3 == 1) {
            uint32_t k = (uint32_t)rnd(0, pend - 1);
            v->nf = 1, v->fault[0][0] = v->insn_base + 32 * k + (uint32_t)rnd(0, 31);
            v->fault[0][1] = 1, v->fault[0][2] = 1, v->fault[0][3] = 0;
        } else if (var % 3 == 2) { /* DECERR: inside the window, outside memory */
            v->win_limit = v->win_base + v->size + 65535;
            uint8_t *b = v->img + PROG_OFF + 32 * (pend - 2);
            dlp_insn in;
            dlp_insn_from_bytes(b, &in);
            in.w[1] = MEM_BASE + v->size + 4096 - 64 * (uint32_t)rnd(0, 4);
            dlp_insn_to_bytes(&in, b);
        } else {
            v->nf = 1, v->fault[0][0] = MEM_BASE + FAULT_OFF + 512 + (uint32_t)rnd(0, 200);
            v->fault[0][1] = (uint32_t)rnd(1, 64), v->fault[0][2] = 1, v->fault[0][3] = 0;
        }
        break;
    case DLP_ERR_AXI_WRITE:
        v->nf = 1, v->fault[0][0] = MEM_BASE + FAULT_OFF + (uint32_t)rnd(0, 4 * N);
        v->fault[0][1] = (uint32_t)rnd(1, 16), v->fault[0][2] = 0, v->fault[0][3] = 1;
        break;
    case DLP_ERR_NO_FINISH:
        if (var % 2)
            v->insn_count = 0;
        break;
    }
    /* fault ranges cover whole bus beats: the memory model answers per beat */
    for (uint32_t f = 0; f < v->nf; f++) {
        uint32_t B = g->cfg.bus_bytes, a = v->fault[f][0] & ~(B - 1);
        uint32_t e = (v->fault[f][0] + v->fault[f][1] + B - 1) & ~(B - 1);
        v->fault[f][0] = a, v->fault[f][1] = e - a;
    }
}

static const int ERR_CODES[NKINDS] = {
    DLP_ERR_ILLEGAL_OPCODE, DLP_ERR_ILLEGAL_FIELD, DLP_ERR_LOOP,      DLP_ERR_TOKEN,
    DLP_ERR_DEADLOCK,       DLP_ERR_SP_RANGE,      DLP_ERR_DMA_ALIGN, DLP_ERR_DMA_WINDOW,
    DLP_ERR_AXI_READ,       DLP_ERR_AXI_WRITE,     DLP_ERR_NO_FINISH};
static const int ERR_VARIANTS[NKINDS] = {4, 10, 4, 6, 4, 5, 3, 6, 3, 2, 2};

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s DIR N BUS_BYTES COUNT SEED [errors]\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    uint32_t n = (uint32_t)atoi(argv[2]), bus = (uint32_t)atoi(argv[3]);
    int count = atoi(argv[4]);
    uint64_t seed = strtoull(argv[5], NULL, 0);
    int errors = argc > 6 && !strcmp(argv[6], "errors");
    gen_t g;
    gen_init(&g, n, bus);
    long discarded = 0, insns = 0;
    int written = 0;
    if (!errors) {
        for (int k = 0; k < count; k++) {
            for (int attempt = 0;; attempt++) {
                rs = (seed * 1000003u + (uint64_t)k) * 0x9E3779B97F4A7C15ull +
                     (uint64_t)attempt * 77 + 1;
                for (int w = 0; w < 4; w++)
                    rnd32();
                gen_reset(&g);
                preamble(&g, (uint32_t)rnd(32, 256));
                random_body(&g, (int)rnd(12, 45));
                vec_t v;
                memset(&v, 0, sizeof v);
                place(&g, &v, 1);
                snprintf(v.name, sizeof v.name, "rand_s%llu_%d_%d", (unsigned long long)seed, k,
                         attempt);
                const char *pe = dlp_prog_error(g.p);
                int rc = pe ? -1 : iss_check(&g, &v, NULL);
                if (rc == 0) {
                    if (write_vec(dir, k, "rand", &g, &v)) {
                        fprintf(stderr, "cannot write in %s\n", dir);
                        return 1;
                    }
                    insns += v.insn_count;
                    written++;
                    free(v.img);
                    break;
                }
                if (getenv("GEN_VERBOSE"))
                    fprintf(stderr, "discard %d/%d: %s\n", k, attempt,
                            pe ? pe : dlp_err_name((uint32_t)rc));
                discarded++;
                free(v.img);
                if (attempt > 50) {
                    fprintf(stderr, "gen_random: cannot make program %d\n", k);
                    return 1;
                }
            }
        }
        printf("gen_random: %d programs (%ld instructions), %ld discarded\n", written, insns,
               discarded);
        return 0;
    }
    int idx = 0;
    for (int kind = 0; kind < NKINDS; kind++)
        for (int var = 0; var < ERR_VARIANTS[kind] * count; var++) {
            int ok = 0;
            for (int attempt = 0; attempt < 50 && !ok; attempt++) {
                rs =
                    (seed * 7919u + (uint64_t)kind * 1000 + (uint64_t)var) * 0x9E3779B97F4A7C15ull +
                    (uint64_t)attempt * 13 + 1;
                for (int w = 0; w < 4; w++)
                    rnd32();
                gen_reset(&g);
                preamble(&g, 32);
                random_body(&g, (int)rnd(0, 8));
                /* settle all tokens of the prefix? not needed: FINISH follows */
                vec_t v;
                memset(&v, 0, sizeof v);
                err_prog(&g, &v, ERR_CODES[kind], var);
                int rc = iss_check(&g, &v, NULL);
                if (rc == ERR_CODES[kind]) {
                    if (write_vec(dir, idx++, "err", &g, &v))
                        return 1;
                    ok = 1;
                } else if (getenv("GEN_VERBOSE"))
                    fprintf(stderr, "error vector %s: ISS gives %s\n", v.name,
                            dlp_err_name((uint32_t)rc));
                free(v.img);
            }
            if (!ok) {
                fprintf(stderr, "gen_random: cannot make error vector %s/%d\n",
                        dlp_err_name((uint32_t)ERR_CODES[kind]), var);
                return 1;
            }
        }
    printf("gen_random: %d error programs\n", idx);
    return 0;
}
