/*
 * lower.c - op-level program generators and host-side packing of dlp/lower.h.
 *
 * Structure: a few emit helpers that add the dependency tokens (the only place that knows
 * about them), then one generator per op. Each generator first chooses its tile sizes
 * from the scratchpad capacities (with a message naming the limit when nothing fits),
 * then walks the tiles: LOAD inputs, compute (GEMM / VEC, with LOOP prefixes over rows
 * and channel blocks), REQ, STORE. Scratchpads are used from row 0 by every generator.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/lower.h"
#include "dlp/quant.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define FIELD16   65535u /* largest value of a 16-bit count / size field */

static int fail(dlp_lower *L, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(L->msg, sizeof L->msg, fmt, ap);
    va_end(ap);
    return code;
}

static int field_fail(dlp_lower *L)
{
    const char *e = dlp_prog_error(L->prog);
    return fail(L, DLP_LOWER_E_FIELD, "%s", e ? e : "program emit failed");
}

int dlp_lower_init(dlp_lower *L, const dlp_config *cfg, dlp_prog *prog)
{
    char why[128];
    memset(L, 0, sizeof *L);
    L->prog = prog;
    L->last_ld = L->last_cmp = L->last_st = -1;
    if (!cfg || !prog)
        return fail(L, DLP_LOWER_E_ARG, "dlp_lower_init: NULL config or program");
    L->cfg = *cfg;
    if (dlp_config_check(cfg, why, sizeof why))
        return fail(L, DLP_LOWER_E_ARG, "bad configuration: %s", why);
    return 0;
}

const char *dlp_lower_msg(const dlp_lower *L)
{
    return L->msg;
}

static uint32_t act_rows(const dlp_lower *L)
{
    return dlp_act_rows(&L->cfg);
}
static uint32_t wgt_rows(const dlp_lower *L)
{
    return dlp_wgt_rows(&L->cfg);
}
static uint32_t acc_rows(const dlp_lower *L)
{
    return dlp_acc_rows(&L->cfg);
}

/* ------------------------------------------------------------------ token-managed emission */
typedef struct {
    uint32_t count;
    int32_t inc[3]; /* address slots 0, 1, 2 */
} loop_t;

static int add_flags(dlp_lower *L, int idx, uint32_t flags)
{
    if (idx < 0 || dlp_prog_add_flags(L->prog, (size_t)idx, flags))
        return field_fail(L);
    return 0;
}

/*
 * Emits d (LOAD, STORE, GEMM, VEC or SYNC) with up to two LOOP prefixes (outer first;
 * NULL or count 1 = none) and the tokens of the single-buffered protocol (lower.h):
 *   LD:  after CMP instructions, wait for CMP (its last one gets push_prev, we pop_next)
 *   CMP: after LOADs, wait for them (last LOAD push_next, we pop_prev); after STOREs,
 *        wait for them before overwriting what they read (push_prev / pop_next)
 *   ST:  after CMP instructions, wait for them (last CMP push_next, we pop_prev)
 * Pushes are added to the earlier instruction only when a pop is created, so every push
 * has its pop and the counters end at zero.
 */
static int emit(dlp_lower *L, dlp_decoded *d, const loop_t *outer, const loop_t *inner)
{
    const int q = d->opcode == DLP_OP_SYNC ? (int)d->queue : dlp_opcode_queue(d->opcode);
    uint32_t f = 0;
    int idx;

    if (q == DLP_Q_LD && L->cmp_used) {
        if (add_flags(L, L->last_cmp, DLP_F_PUSH_PREV))
            return DLP_LOWER_E_FIELD;
        f |= DLP_F_POP_NEXT;
        L->cmp_used = 0;
    }
    if (q == DLP_Q_CMP && L->ld_open) {
        if (add_flags(L, L->last_ld, DLP_F_PUSH_NEXT))
            return DLP_LOWER_E_FIELD;
        f |= DLP_F_POP_PREV;
        L->ld_open = 0;
    }
    if (q == DLP_Q_CMP && L->st_used) {
        if (add_flags(L, L->last_st, DLP_F_PUSH_PREV))
            return DLP_LOWER_E_FIELD;
        f |= DLP_F_POP_NEXT;
        L->st_used = 0;
    }
    if (q == DLP_Q_ST && L->cmp_open) {
        if (add_flags(L, L->last_cmp, DLP_F_PUSH_NEXT))
            return DLP_LOWER_E_FIELD;
        f |= DLP_F_POP_PREV;
        L->cmp_open = 0;
    }
    if (outer && outer->count > 1 &&
        dlp_emit_loop(L->prog, outer->count, outer->inc[0], outer->inc[1], outer->inc[2]) < 0)
        return field_fail(L);
    if (inner && inner->count > 1 &&
        dlp_emit_loop(L->prog, inner->count, inner->inc[0], inner->inc[1], inner->inc[2]) < 0)
        return field_fail(L);
    d->flags = f;
    idx = dlp_emit(L->prog, d);
    if (idx < 0)
        return field_fail(L);
    switch (q) {
    case DLP_Q_LD:
        L->last_ld = idx;
        L->ld_open = 1;
        break;
    case DLP_Q_CMP:
        L->last_cmp = idx;
        L->cmp_used = 1;
        L->cmp_open = 1;
        break;
    default:
        L->last_st = idx;
        L->st_used = 1;
        break;
    }
    return 0;
}

static int sync_q(dlp_lower *L, int queue)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_SYNC;
    d.queue = (uint32_t)queue;
    return emit(L, &d, NULL, NULL);
}

int dlp_lower_barrier(dlp_lower *L)
{
    int e;
    /* SYNC ST waits for pending results and pushes to CMP; SYNC CMP waits for it (and
     * for pending loads) and pushes to LD; SYNC LD waits for that. */
    if ((e = sync_q(L, DLP_Q_ST)) || (e = sync_q(L, DLP_Q_CMP)))
        return e;
    L->cmp_open = 0; /* the SYNC produced nothing to store */
    if ((e = sync_q(L, DLP_Q_LD)))
        return e;
    L->ld_open = 0; /* nor anything to compute on */
    return 0;
}

int dlp_lower_finish(dlp_lower *L)
{
    if (dlp_emit_finish(L->prog) < 0)
        return field_fail(L);
    return 0;
}

/* A LOAD/STORE box: x elements per run, y runs (stride ys bytes), z planes (zs bytes). */
typedef struct {
    uint32_t sp, sram, dram;
    uint32_t x, y, ys, z, zs;
    uint32_t pad[6]; /* x before/after, y before/after, z before/after (LOAD) */
    uint32_t pad_value;
} box_t;

static int dma(dlp_lower *L, uint32_t op, const box_t *b)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = op;
    d.u.dma.sp = b->sp;
    d.u.dma.pad_value = b->pad_value & 0xFFu;
    d.u.dma.dram = b->dram;
    d.u.dma.sram = b->sram;
    d.u.dma.x_size = b->x;
    d.u.dma.y_size = b->y ? b->y : 1;
    d.u.dma.z_size = b->z ? b->z : 1;
    d.u.dma.y_stride = b->ys;
    d.u.dma.z_stride = b->zs;
    if (op == DLP_OP_LOAD)
        for (int i = 0; i < 2; i++) {
            d.u.dma.x_pad[i] = b->pad[i];
            d.u.dma.y_pad[i] = b->pad[2 + i];
            d.u.dma.z_pad[i] = b->pad[4 + i];
        }
    return emit(L, &d, NULL, NULL);
}

/* Contiguous rows: LOAD/STORE `rows` elements of sp between sram and dram. */
static int load_rows(dlp_lower *L, uint32_t sp, uint32_t sram, uint32_t dram, uint32_t rows)
{
    const box_t b = {.sp = sp, .sram = sram, .dram = dram, .x = rows};
    return dma(L, DLP_OP_LOAD, &b);
}

static int store_rows(dlp_lower *L, uint32_t sram, uint32_t dram, uint32_t rows)
{
    const box_t b = {.sp = DLP_SP_ACT, .sram = sram, .dram = dram, .x = rows};
    return dma(L, DLP_OP_STORE, &b);
}

static int gemm(dlp_lower *L, const dlp_gemm_f *g, const loop_t *outer, const loop_t *inner)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_GEMM;
    d.u.gemm = *g;
    return emit(L, &d, outer, inner);
}

static int vec(dlp_lower *L, const dlp_vec_f *v, const loop_t *outer, const loop_t *inner)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_VEC;
    d.u.vec = *v;
    return emit(L, &d, outer, inner);
}

/* REQ of count ACC rows (stride s_src) into ACT rows (stride s_dst) with block prm. */
static int req(dlp_lower *L, uint32_t src, uint32_t s_src, uint32_t dst, uint32_t s_dst,
               uint32_t count, uint32_t prm, int32_t lo, int32_t hi)
{
    const dlp_vec_f v = {.func = DLP_VF_REQ,
                         .src = src,
                         .s_src = s_src,
                         .dst = dst,
                         .s_dst = s_dst,
                         .count = count,
                         .prm = prm,
                         .lo = lo,
                         .hi = hi};
    return vec(L, &v, NULL, NULL);
}

static int check_clamp(dlp_lower *L, const char *op, int32_t lo, int32_t hi)
{
    if (lo < -128 || hi > 127 || lo > hi)
        return fail(L, DLP_LOWER_E_ARG, "%s: output clamp [%d, %d] is not an int8 range", op, lo,
                    hi);
    return 0;
}

/* ------------------------------------------------------------------ packing */
static void put32(uint8_t *p, int32_t v)
{
    const uint32_t u = (uint32_t)v;
    p[0] = (uint8_t)u;
    p[1] = (uint8_t)(u >> 8);
    p[2] = (uint8_t)(u >> 16);
    p[3] = (uint8_t)(u >> 24);
}

size_t dlp_act_bytes(uint32_t n, size_t pixels, uint32_t c)
{
    return pixels * dlp_cblocks(n, c) * n;
}

void dlp_pack_act(uint32_t n, size_t pixels, uint32_t c, const int8_t *x, int32_t pad, uint8_t *out)
{
    const size_t cp = (size_t)dlp_cblocks(n, c) * n;
    for (size_t p = 0; p < pixels; p++)
        for (size_t ch = 0; ch < cp; ch++)
            out[p * cp + ch] = (uint8_t)(ch < c ? x[p * c + ch] : (int8_t)pad);
}

void dlp_unpack_act(uint32_t n, size_t pixels, uint32_t c, const uint8_t *in, int8_t *y)
{
    const size_t cp = (size_t)dlp_cblocks(n, c) * n;
    for (size_t p = 0; p < pixels; p++)
        for (size_t ch = 0; ch < c; ch++)
            y[p * c + ch] = (int8_t)in[p * cp + ch];
}

size_t dlp_conv_wgt_bytes(uint32_t n, const dlp_conv_shape *s)
{
    return (size_t)dlp_cblocks(n, (uint32_t)s->cout) * s->kh * s->kw *
           dlp_cblocks(n, (uint32_t)s->c) * n * n;
}

/* Weight of output channel co, input channel ci (global), tap (ky, kx); 0 outside the
 * tensor or outside co's group. */
static int8_t conv_w(const dlp_conv_shape *s, const int8_t *w, int co, int ci, int ky, int kx)
{
    const int cin_g = s->c / s->groups, cout_g = s->cout / s->groups;
    if (co >= s->cout || ci >= s->c)
        return 0;
    const int g = co / cout_g;
    if (ci < g * cin_g || ci >= (g + 1) * cin_g)
        return 0;
    return w[(((size_t)co * s->kh + ky) * s->kw + kx) * cin_g + (ci - g * cin_g)];
}

void dlp_pack_conv_wgt(uint32_t n, const dlp_conv_shape *s, const int8_t *w, uint8_t *out)
{
    const uint32_t cob = dlp_cblocks(n, (uint32_t)s->cout), cb = dlp_cblocks(n, (uint32_t)s->c);
    size_t o = 0;
    for (uint32_t ob = 0; ob < cob; ob++)
        for (int ky = 0; ky < s->kh; ky++)
            for (int kx = 0; kx < s->kw; kx++)
                for (uint32_t b = 0; b < cb; b++)
                    for (uint32_t r = 0; r < n; r++) /* T[r][k] */
                        for (uint32_t k = 0; k < n; k++)
                            out[o++] =
                                (uint8_t)conv_w(s, w, (int)(ob * n + r), (int)(b * n + k), ky, kx);
}

void dlp_conv_wsum(const dlp_conv_shape *s, const int8_t *w, int32_t *wsum)
{
    const size_t per = (size_t)s->kh * s->kw * (s->c / s->groups);
    for (int co = 0; co < s->cout; co++) {
        int32_t sum = 0;
        for (size_t i = 0; i < per; i++)
            sum += w[co * per + i];
        wsum[co] = sum;
    }
}

size_t dlp_matmul_wgt_bytes(uint32_t n, uint32_t k, uint32_t ncols)
{
    return (size_t)dlp_cblocks(n, ncols) * dlp_cblocks(n, k) * n * n;
}

static int8_t mm_b(uint32_t k, uint32_t ncols, int trans_b, const int8_t *b, uint32_t i, uint32_t j)
{
    if (i >= k || j >= ncols)
        return 0;
    return trans_b ? b[(size_t)j * k + i] : b[(size_t)i * ncols + j];
}

void dlp_pack_matmul_wgt(uint32_t n, uint32_t k, uint32_t ncols, int trans_b, const int8_t *b,
                         uint8_t *out)
{
    const uint32_t nb_n = dlp_cblocks(n, ncols), kb_n = dlp_cblocks(n, k);
    size_t o = 0;
    for (uint32_t nb = 0; nb < nb_n; nb++)
        for (uint32_t kb = 0; kb < kb_n; kb++)
            for (uint32_t r = 0; r < n; r++) /* T[r][kk] = B[kb*N + kk][nb*N + r] */
                for (uint32_t kk = 0; kk < n; kk++)
                    out[o++] = (uint8_t)mm_b(k, ncols, trans_b, b, kb * n + kk, nb * n + r);
}

void dlp_matmul_wsum(uint32_t k, uint32_t ncols, int trans_b, const int8_t *b, int32_t *wsum)
{
    for (uint32_t j = 0; j < ncols; j++) {
        int32_t sum = 0;
        for (uint32_t i = 0; i < k; i++)
            sum += mm_b(k, ncols, trans_b, b, i, j);
        wsum[j] = sum;
    }
}

size_t dlp_req_prm_bytes(uint32_t n, uint32_t channels)
{
    return (size_t)dlp_cblocks(n, channels) * DLP_REQ_PRM_ROWS * 4 * n;
}

void dlp_pack_req_prm(uint32_t n, const dlp_req_prm *p, uint8_t *out)
{
    const uint32_t nb = dlp_cblocks(n, p->channels);
    for (uint32_t b = 0; b < nb; b++)
        for (uint32_t l = 0; l < n; l++) {
            const uint32_t c = b * n + l;
            int32_t v[DLP_REQ_PRM_ROWS] = {0, 0, 0, p->zp};
            if (c < p->channels) {
                const uint32_t r = p->rq_n == 1 ? 0 : c;
                const int32_t bias = p->bias ? p->bias[c] : 0;
                const int32_t ws = p->wsum ? p->wsum[c] : 0;
                v[0] = (int32_t)((uint32_t)bias - (uint32_t)p->x_zp * (uint32_t)ws);
                v[1] = p->mult[r];
                v[2] = p->shift[r];
                v[3] = p->offset ? p->offset[c] : p->zp;
            }
            for (int j = 0; j < DLP_REQ_PRM_ROWS; j++)
                put32(out + (((size_t)b * DLP_REQ_PRM_ROWS + j) * n + l) * 4, v[j]);
        }
}

/* `rows` ACC rows of per-tensor values v[0..rows), each broadcast to all n lanes. */
static void pack_broadcast(uint32_t n, const int32_t *v, int rows, uint8_t *out)
{
    for (int j = 0; j < rows; j++)
        for (uint32_t l = 0; l < n; l++)
            put32(out + ((size_t)j * n + l) * 4, v[j]);
}

size_t dlp_add_prm_bytes(uint32_t n)
{
    return (size_t)DLP_ADD_PRM_ROWS * 4 * n;
}
size_t dlp_mul_prm_bytes(uint32_t n)
{
    return (size_t)DLP_MUL_PRM_ROWS * 4 * n;
}

void dlp_pack_add_prm(uint32_t n, const dlp_add_params *p, uint8_t *out)
{
    const int32_t v[DLP_ADD_PRM_ROWS] = {p->a_offset, p->a_mult,    p->a_shift,
                                         p->b_offset, p->b_mult,    p->b_shift,
                                         p->out_mult, p->out_shift, p->out_offset};
    pack_broadcast(n, v, DLP_ADD_PRM_ROWS, out);
}

void dlp_pack_mul_prm(uint32_t n, const dlp_mul_params *p, uint8_t *out)
{
    const int32_t v[DLP_MUL_PRM_ROWS] = {p->a_offset, p->b_offset, p->mult, p->shift,
                                         p->out_offset};
    pack_broadcast(n, v, DLP_MUL_PRM_ROWS, out);
}

void dlp_pack_lut(const int16_t lut[256], uint8_t out[DLP_LUT_BYTES])
{
    for (int i = 0; i < 256; i++) {
        out[2 * i] = (uint8_t)((uint16_t)lut[i] & 0xFFu);
        out[2 * i + 1] = (uint8_t)((uint16_t)lut[i] >> 8);
    }
}

/* Pool window classes along one axis: the number of valid taps of window o. */
static int valid_taps(int o, int stride, int pad, int k, int dil, int in)
{
    int v = 0;
    for (int t = 0; t < k; t++) {
        const long i = (long)o * stride - pad + (long)t * dil;
        v += i >= 0 && i < in;
    }
    return v;
}

/* rank[v] = index of valid count v among the counts that occur (v = 0..k), -1 if none;
 * returns the number of classes, or -1 on allocation failure. rank has k+1 entries. */
static int axis_classes(int out, int stride, int pad, int k, int dil, int in, int *rank)
{
    int n = 0;
    for (int v = 0; v <= k; v++)
        rank[v] = -1;
    for (int o = 0; o < out; o++)
        rank[valid_taps(o, stride, pad, k, dil, in)] = 0;
    for (int v = 0; v <= k; v++)
        if (rank[v] >= 0)
            rank[v] = n++;
    return n;
}

typedef struct {
    int oh, ow;
    int *rank_h, *rank_w; /* kh+1 and kw+1 entries */
    int nh, nw;           /* classes per axis */
} pool_classes;

static void pool_classes_free(pool_classes *c)
{
    free(c->rank_h);
    free(c->rank_w);
}

static int pool_classes_init(const dlp_pool_shape *s, pool_classes *c)
{
    memset(c, 0, sizeof *c);
    if (dlp_pool_out_hw(s, &c->oh, &c->ow) != DLP_OK)
        return -1;
    c->rank_h = malloc(((size_t)s->kh + 1) * sizeof(int));
    c->rank_w = malloc(((size_t)s->kw + 1) * sizeof(int));
    if (!c->rank_h || !c->rank_w) {
        pool_classes_free(c);
        return -1;
    }
    c->nh = axis_classes(c->oh, s->stride_h, s->pad_t, s->kh, s->dil_h, s->h, c->rank_h);
    c->nw = axis_classes(c->ow, s->stride_w, s->pad_l, s->kw, s->dil_w, s->w, c->rank_w);
    return 0;
}

size_t dlp_avgpool_prm_bytes(uint32_t n, const dlp_pool_shape *s)
{
    pool_classes c;
    if (pool_classes_init(s, &c))
        return 0;
    const size_t bytes = (size_t)c.nh * c.nw * DLP_REQ_PRM_ROWS * 4 * n;
    pool_classes_free(&c);
    return bytes;
}

int dlp_pack_avgpool_prm(uint32_t n, const dlp_pool_shape *s, int32_t x_zp, double in_scale,
                         double out_scale, int32_t out_zp, uint8_t *out)
{
    pool_classes c;
    if (pool_classes_init(s, &c))
        return DLP_LOWER_E_ARG;
    for (int vh = 0; vh <= s->kh; vh++)
        for (int vw = 0; vw <= s->kw; vw++) {
            if (c.rank_h[vh] < 0 || c.rank_w[vw] < 0)
                continue;
            const int blk = c.rank_h[vh] * c.nw + c.rank_w[vw];
            const double cnt =
                s->count_include_pad ? (double)s->kh * (double)s->kw : (double)vh * (double)vw;
            int32_t v[DLP_REQ_PRM_ROWS] = {dlp_wrap_mul(-(vh * vw), x_zp), 0, 0, out_zp};
            dlp_quantize_multiplier(in_scale / (out_scale * cnt), &v[1], &v[2]);
            pack_broadcast(n, v, DLP_REQ_PRM_ROWS, out + (size_t)blk * DLP_REQ_PRM_ROWS * 4 * n);
        }
    pool_classes_free(&c);
    return 0;
}

int dlp_pack_lnorm_prm(uint32_t n, uint32_t len, const float *gamma, const float *beta,
                       double out_scale, int32_t out_zp, uint8_t *out)
{
    const uint32_t nb = dlp_cblocks(n, len);
    for (uint32_t b = 0; b < nb; b++)
        for (uint32_t l = 0; l < n; l++) {
            const uint32_t c = b * n + l;
            int32_t v[DLP_REQ_PRM_ROWS] = {0, 0, 0, out_zp};
            if (c < len) {
                const double g = gamma ? (double)gamma[c] : 1.0;
                const double bt = beta ? (double)beta[c] : 0.0;
                const double o = (double)out_zp + round(bt / out_scale);
                int32_t m, sh;
                if (!isfinite(g) || !(o >= (double)INT32_MIN && o <= (double)INT32_MAX))
                    return DLP_LOWER_E_ARG;
                if (dlp_quantize_multiplier(g / (out_scale * (double)(1 << DLP_LNORM_ZBITS)), &m,
                                            &sh) != 0 &&
                    m != 0)
                    return DLP_LOWER_E_ARG;
                v[1] = m;
                v[2] = sh;
                v[3] = (int32_t)o;
            }
            for (int j = 0; j < DLP_REQ_PRM_ROWS; j++)
                put32(out + (((size_t)b * DLP_REQ_PRM_ROWS + j) * n + l) * 4, v[j]);
        }
    return 0;
}

/* ------------------------------------------------------------------ matmul / FC */
/* Weights: ng output blocks x kc reduction tiles of N rows in WGT (kc < KB splits K and
 * accumulates in ACC). ACC: ng x mt accumulators, then 4 ng parameter rows at prm0. ACT:
 * an mt x kc tile of A, then the mt x ng output at out0. */
typedef struct {
    uint32_t KB, NB, kc, ng, mt, prm0, out0;
    int w_once; /* all weights and parameters resident: loaded once */
} mm_plan;

static int mm_plan_make(dlp_lower *L, const dlp_lower_matmul_args *a, mm_plan *p)
{
    const uint32_t N = L->cfg.n, act = act_rows(L), wgt = wgt_rows(L), acc = acc_rows(L);
    if (!a->m || !a->k || !a->n)
        return fail(L, DLP_LOWER_E_ARG, "matmul: empty shape %ux%ux%u", a->m, a->k, a->n);
    if (acc < 1 + DLP_REQ_PRM_ROWS)
        return fail(L, DLP_LOWER_E_FIT,
                    "matmul: ACC has %u rows, needs 5 (1 accumulator + 4 "
                    "parameter rows)",
                    acc);
    p->KB = dlp_cblocks(N, a->k);
    p->NB = dlp_cblocks(N, a->n);
    p->kc = MIN(MIN(p->KB, MIN(wgt, FIELD16) / N), act - 1);
    p->ng = p->KB * N <= wgt ? MIN(p->NB, wgt / (p->KB * N)) : 1;
    while (p->ng > 1 && (p->ng * (1 + DLP_REQ_PRM_ROWS) > acc || p->kc + p->ng > act))
        p->ng--;
    p->mt = MIN(MIN(a->m, FIELD16),
                MIN((acc - DLP_REQ_PRM_ROWS * p->ng) / p->ng, act / (p->kc + p->ng)));
    p->w_once = p->ng == p->NB && p->kc == p->KB;
    p->prm0 = p->ng * p->mt;
    p->out0 = p->mt * p->kc;
    return 0;
}

/* One reduction chunk [kb0, kb0+c) of rows [m0, m0+mr) for output blocks [nb0, nb0+g). */
static int mm_chunk(dlp_lower *L, const dlp_lower_matmul_args *a, const mm_plan *p, uint32_t m0,
                    uint32_t mr, uint32_t nb0, uint32_t g, uint32_t kb0)
{
    const uint32_t N = L->cfg.n, tile = N * N, c = MIN(p->kc, p->KB - kb0);
    const box_t ab = {
        .sp = DLP_SP_ACT, .dram = a->a + (m0 * p->KB + kb0) * N, .x = c, .y = mr, .ys = p->KB * N};
    int e;
    if ((e = dma(L, DLP_OP_LOAD, &ab)))
        return e;
    if (!p->w_once) {
        const box_t wb = {.sp = DLP_SP_WGT,
                          .dram = a->w + (nb0 * p->KB + kb0) * tile,
                          .x = c * N,
                          .y = g,
                          .ys = p->KB * tile};
        if ((e = dma(L, DLP_OP_LOAD, &wb)))
            return e;
        if (kb0 == 0 &&
            (e = load_rows(L, DLP_SP_ACC, p->prm0, a->prm + nb0 * DLP_REQ_PRM_ROWS * 4 * N,
                           DLP_REQ_PRM_ROWS * g)))
            return e;
    }
    const dlp_gemm_f gm = {
        .clr = kb0 == 0, .n_pix = mr, .s_pix = c, .n_r1 = c, .s_r1 = 1, .n_r2 = 1};
    const loop_t blocks = {g, {0, (int32_t)(c * N), (int32_t)mr}};
    return gemm(L, &gm, &blocks, NULL);
}

/* REQ each output block of the tile, STORE the tile. */
static int mm_output(dlp_lower *L, const dlp_lower_matmul_args *a, const mm_plan *p, uint32_t m0,
                     uint32_t mr, uint32_t nb0, uint32_t g)
{
    const uint32_t N = L->cfg.n;
    int e;
    for (uint32_t j = 0; j < g; j++)
        if ((e = req(L, j * mr, 1, p->out0 + j, g, mr, p->prm0 + DLP_REQ_PRM_ROWS * j, a->lo,
                     a->hi)))
            return e;
    const box_t yb = {.sp = DLP_SP_ACT,
                      .sram = p->out0,
                      .dram = a->y + (m0 * p->NB + nb0) * N,
                      .x = g,
                      .y = mr,
                      .ys = p->NB * N};
    return dma(L, DLP_OP_STORE, &yb);
}

/* Weights of a group of output blocks resident (the whole K of the group fits WGT), row
 * tiles streamed: single-buffered fallback of mm_dbuf when ACT has no room for two
 * buffers. */
static int mm_groups(dlp_lower *L, const dlp_lower_matmul_args *a, const mm_plan *p)
{
    const uint32_t N = L->cfg.n;
    mm_plan q = *p;
    q.w_once = 1; /* mm_chunk: weights already resident */
    int e;
    for (uint32_t nb0 = 0; nb0 < p->NB; nb0 += p->ng) {
        const uint32_t g = MIN(p->ng, p->NB - nb0);
        const box_t wb = {.sp = DLP_SP_WGT,
                          .dram = a->w + nb0 * p->KB * N * N,
                          .x = p->KB * N,
                          .y = g,
                          .ys = p->KB * N * N};
        if ((e = dma(L, DLP_OP_LOAD, &wb)) ||
            (e = load_rows(L, DLP_SP_ACC, p->prm0, a->prm + nb0 * DLP_REQ_PRM_ROWS * 4 * N,
                           DLP_REQ_PRM_ROWS * g)))
            return e;
        for (uint32_t m0 = 0; m0 < a->m; m0 += p->mt) {
            const uint32_t mr = MIN(p->mt, a->m - m0);
            if ((e = mm_chunk(L, a, &q, m0, mr, nb0, g, 0)) ||
                (e = mm_output(L, a, &q, m0, mr, nb0, g)))
                return e;
        }
    }
    return 0;
}

/* LOAD the A rows of row tile t into ACT buffer t & 1 (buffers of abuf rows from row 0). */
static int mm_load_a(dlp_lower *L, const dlp_lower_matmul_args *a, const mm_plan *p, uint32_t t,
                     uint32_t abuf)
{
    const uint32_t N = L->cfg.n, m0 = t * p->mt;
    const box_t ab = {.sp = DLP_SP_ACT,
                      .sram = (t & 1) * abuf,
                      .dram = a->a + m0 * p->KB * N,
                      .x = p->KB,
                      .y = MIN(p->mt, a->m - m0),
                      .ys = p->KB * N};
    return dma(L, DLP_OP_LOAD, &ab);
}

/*
 * Double-buffered matmul for the common case where a group of output blocks has its whole
 * reduction (K) resident in WGT: each group's weights and parameters are loaded once (the
 * load waits for all earlier compute), then row tiles stream through two ACT input
 * buffers and two ACT output buffers. Program order per tile t: GEMM t, LOAD t+1, REQ t,
 * STORE t, so the next tile's LOAD is fetched (and runs) while GEMM t computes. Tokens
 * beyond the single-buffered protocol of emit(): LOAD t+1 waits only for GEMM t-1 (the
 * last reader of its buffer), GEMM t+1 for LOAD t+1, and the first REQ of tile t only for
 * the STORE of tile t-2; tiles 0 and 1 of a group are ordered by the group's weight load
 * (which waits for all earlier compute) and by GEMM 0's wait for the previous STORE.
 * Every wait is on an earlier instruction and every push has exactly one pop.
 */
static int mm_dbuf(dlp_lower *L, const dlp_lower_matmul_args *a, const mm_plan *p)
{
    const uint32_t N = L->cfg.n, abuf = p->mt * p->KB, obuf = p->ng * p->mt;
    const uint32_t out0 = 2 * abuf;
    int e;
    for (uint32_t nb0 = 0; nb0 < p->NB; nb0 += p->ng) {
        const uint32_t g = MIN(p->ng, p->NB - nb0);
        const box_t wb = {.sp = DLP_SP_WGT,
                          .dram = a->w + nb0 * p->KB * N * N,
                          .x = p->KB * N,
                          .y = g,
                          .ys = p->KB * N * N};
        if ((e = dma(L, DLP_OP_LOAD, &wb)) ||
            (e = load_rows(L, DLP_SP_ACC, p->prm0, a->prm + nb0 * DLP_REQ_PRM_ROWS * 4 * N,
                           DLP_REQ_PRM_ROWS * g)))
            return e;
        int gemm_at[2] = {-1, -1}, store_at[2] = {-1, -1}, pend_ld = 0;
        const uint32_t T = (a->m + p->mt - 1) / p->mt;
        if ((e = mm_load_a(L, a, p, 0, abuf)))
            return e;
        for (uint32_t t = 0; t < T; t++) {
            const uint32_t m0 = t * p->mt, mr = MIN(p->mt, a->m - m0), b = t & 1;
            /* GEMMs of the g output blocks of tile t into ACC rows [0, g*mr) */
            if (t >= 1) {
                L->ld_open = pend_ld; /* wait for LOAD t (emitted before REQ t-1) */
                L->st_used = 0;       /* only the REQ below waits for a STORE */
            }
            const dlp_gemm_f gm = {.clr = 1,
                                   .act = b * abuf,
                                   .n_pix = mr,
                                   .s_pix = p->KB,
                                   .n_r1 = p->KB,
                                   .s_r1 = 1,
                                   .n_r2 = 1};
            const loop_t blocks = {g, {0, (int32_t)(p->KB * N), (int32_t)mr}};
            if ((e = gemm(L, &gm, &blocks, NULL)))
                return e;
            gemm_at[b] = L->last_cmp;
            /* LOAD tile t+1 now, so that it runs during GEMM t: its buffer was last read
             * by GEMM t-1 */
            if (t + 1 < T) {
                L->cmp_used = 0;
                if ((e = mm_load_a(L, a, p, t + 1, abuf)))
                    return e;
                if (t + 1 >= 2 && ((e = add_flags(L, gemm_at[(t + 1) & 1], DLP_F_PUSH_PREV)) ||
                                   (e = add_flags(L, L->last_ld, DLP_F_POP_NEXT))))
                    return e;
                pend_ld = L->ld_open;
                L->ld_open = 0;
            }
            /* REQ into output buffer b (after the STORE of tile t-2), then STORE it */
            for (uint32_t j = 0; j < g; j++) {
                if ((e = req(L, j * mr, 1, out0 + b * obuf + j, g, mr,
                             p->prm0 + DLP_REQ_PRM_ROWS * j, a->lo, a->hi)))
                    return e;
                if (j == 0 && t >= 2 &&
                    ((e = add_flags(L, store_at[b], DLP_F_PUSH_PREV)) ||
                     (e = add_flags(L, L->last_cmp, DLP_F_POP_NEXT))))
                    return e;
            }
            const box_t yb = {.sp = DLP_SP_ACT,
                              .sram = out0 + b * obuf,
                              .dram = a->y + (m0 * p->NB + nb0) * N,
                              .x = g,
                              .y = mr,
                              .ys = p->NB * N};
            if ((e = dma(L, DLP_OP_STORE, &yb)))
                return e;
            store_at[b] = L->last_st;
        }
    }
    return 0;
}

int dlp_lower_matmul(dlp_lower *L, const dlp_lower_matmul_args *a)
{
    const uint32_t N = L->cfg.n;
    mm_plan p = {0};
    int e;
    if ((e = check_clamp(L, "matmul", a->lo, a->hi)) || (e = mm_plan_make(L, a, &p)))
        return e;
    if (p.kc == p.KB && (p.w_once || a->m > p.mt)) {
        mm_plan q = p;
        const uint32_t act = act_rows(L);
        q.mt = MIN(p.mt, act / (2 * (p.kc + p.ng)));
        if (q.mt >= 1)
            return mm_dbuf(L, a, &q);
        if (!p.w_once) /* no room for two buffers: one group at a time, single-buffered */
            return mm_groups(L, a, &p);
    }
    if (p.w_once) {
        const box_t w = {
            .sp = DLP_SP_WGT, .dram = a->w, .x = p.KB * N, .y = p.NB, .ys = p.KB * N * N};
        if ((e = dma(L, DLP_OP_LOAD, &w)) ||
            (e = load_rows(L, DLP_SP_ACC, p.prm0, a->prm, DLP_REQ_PRM_ROWS * p.NB)))
            return e;
    }
    for (uint32_t m0 = 0; m0 < a->m; m0 += p.mt) {
        const uint32_t mr = MIN(p.mt, a->m - m0);
        for (uint32_t nb0 = 0; nb0 < p.NB; nb0 += p.ng) {
            const uint32_t g = MIN(p.ng, p.NB - nb0);
            for (uint32_t kb0 = 0; kb0 < p.KB; kb0 += p.kc)
                if ((e = mm_chunk(L, a, &p, m0, mr, nb0, g, kb0)))
                    return e;
            if ((e = mm_output(L, a, &p, m0, mr, nb0, g)))
                return e;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ spatial tiles */
/* Geometry shared by conv and pooling: a tile of `th` output rows reads padded input rows
 * [oy0*sh, oy0*sh + in_rows(th)) of a padded image wp pixels wide, cb rows per pixel. */
typedef struct {
    uint32_t h, w, cb; /* input */
    uint32_t kh, kw, sh, sw, dh, dw;
    uint32_t pad_t, pad_l;
    uint32_t oh, ow;
    uint32_t wp, pad_r_eff; /* padded width loaded, padding after each row */
} geom_t;

static uint32_t in_rows(const geom_t *g, uint32_t th)
{
    return (th - 1) * g->sh + (g->kh - 1) * g->dh + 1;
}

static void geom_init(geom_t *g, uint32_t N, int h, int w, int c, int kh, int kw, int sh, int sw,
                      int dh, int dw, int pad_t, int pad_l, int oh, int ow)
{
    g->h = (uint32_t)h;
    g->w = (uint32_t)w;
    g->cb = dlp_cblocks(N, (uint32_t)c);
    g->kh = (uint32_t)kh;
    g->kw = (uint32_t)kw;
    g->sh = (uint32_t)sh;
    g->sw = (uint32_t)sw;
    g->dh = (uint32_t)dh;
    g->dw = (uint32_t)dw;
    g->pad_t = (uint32_t)pad_t;
    g->pad_l = (uint32_t)pad_l;
    g->oh = (uint32_t)oh;
    g->ow = (uint32_t)ow;
    const uint32_t need = (g->ow - 1) * g->sw + (g->kw - 1) * g->dw + 1;
    g->pad_r_eff = need > g->pad_l + g->w ? need - g->pad_l - g->w : 0;
    g->wp = g->pad_l + g->w + g->pad_r_eff;
}

/* LOAD the padded input rows of output rows [oy0, oy0+th) of image b into ACT row 0:
 * layout [row][px][cb] with wp pixels per row. */
static int load_tile_at(dlp_lower *L, const char *op, const geom_t *g, uint32_t x_addr, uint32_t b,
                        uint32_t oy0, uint32_t th, int32_t pad_value, uint32_t sram)
{
    const uint32_t N = L->cfg.n;
    const long lo = (long)oy0 * g->sh - g->pad_t, hi = lo + in_rows(g, th);
    const long v0 = MAX(lo, 0), v1 = MIN(hi, (long)g->h);
    if (v1 <= v0)
        return fail(L, DLP_LOWER_E_ARG, "%s: output rows %u..%u read only padding", op, oy0,
                    oy0 + th - 1);
    const box_t t = {
        .sp = DLP_SP_ACT,
        .dram = x_addr + (uint32_t)(((size_t)b * g->h + (size_t)v0) * g->w * g->cb * N),
        .x = g->cb,
        .y = g->w,
        .ys = g->cb * N,
        .z = (uint32_t)(v1 - v0),
        .zs = g->w * g->cb * N,
        .pad = {0, 0, g->pad_l, g->pad_r_eff, (uint32_t)(v0 - lo), (uint32_t)(hi - v1)},
        .pad_value = (uint32_t)pad_value,
        .sram = sram,
    };
    return dma(L, DLP_OP_LOAD, &t);
}

static int load_tile(dlp_lower *L, const char *op, const geom_t *g, uint32_t x_addr, uint32_t b,
                     uint32_t oy0, uint32_t th, int32_t pad_value)
{
    return load_tile_at(L, op, g, x_addr, b, oy0, th, pad_value, 0);
}

/* ------------------------------------------------------------------ conv2d */
typedef struct {
    geom_t g;
    uint32_t cob, taps;  /* output blocks, kh*kw */
    uint32_t obg, tc;    /* output blocks per group, taps per weight chunk */
    uint32_t toh;        /* output rows per tile */
    uint32_t out0, prm0; /* ACT row of the output tile, ACC row of the parameters */
} conv_plan;

static int conv_fits(const dlp_lower *L, const conv_plan *p, uint32_t th, uint32_t obg)
{
    const uint64_t in = (uint64_t)in_rows(&p->g, th) * p->g.wp * p->g.cb;
    const uint64_t out = (uint64_t)obg * th * p->g.ow;
    return in + out <= act_rows(L) && out + (uint64_t)DLP_REQ_PRM_ROWS * obg <= acc_rows(L);
}

static int conv_plan_make(dlp_lower *L, const dlp_conv_shape *s, conv_plan *p)
{
    const uint32_t N = L->cfg.n, wgt = MIN(wgt_rows(L), FIELD16);
    int oh, ow;
    if (dlp_conv_out_hw(s, &oh, &ow) != DLP_OK || s->n < 1 || s->groups < 1 || s->c % s->groups ||
        s->cout % s->groups)
        return fail(L, DLP_LOWER_E_ARG, "conv2d: invalid shape");
    geom_init(&p->g, N, s->h, s->w, s->c, s->kh, s->kw, s->stride_h, s->stride_w, s->dil_h,
              s->dil_w, s->pad_t, s->pad_l, oh, ow);
    p->cob = dlp_cblocks(N, (uint32_t)s->cout);
    p->taps = (uint32_t)(s->kh * s->kw);
    const uint32_t tap_rows = p->g.cb * N; /* WGT rows of one tap of one output block */
    if (tap_rows > wgt)
        return fail(L, DLP_LOWER_E_FIT,
                    "conv2d: one kernel tap with %d input channels needs "
                    "%u WGT rows, WGT has %u",
                    s->c, tap_rows, wgt_rows(L));
    if (p->taps * tap_rows <= wgt) {
        p->tc = p->taps;
        p->obg = MIN(p->cob, wgt / (p->taps * tap_rows));
    } else {
        p->tc = wgt / tap_rows;
        p->obg = 1;
    }
    while (p->obg > 1 && !conv_fits(L, p, 1, p->obg))
        p->obg--;
    if (!conv_fits(L, p, 1, 1))
        return fail(L, DLP_LOWER_E_FIT,
                    "conv2d: one output row needs %u ACT rows (%u input rows x %u px x %u "
                    "blocks + %u outputs) and %u ACC rows; ACT has %u, ACC has %u",
                    in_rows(&p->g, 1) * p->g.wp * p->g.cb + p->g.ow, in_rows(&p->g, 1), p->g.wp,
                    p->g.cb, p->g.ow, p->g.ow + DLP_REQ_PRM_ROWS, act_rows(L), acc_rows(L));
    p->toh = 1;
    while (p->toh < p->g.oh && conv_fits(L, p, p->toh + 1, p->obg))
        p->toh++;
    p->out0 = in_rows(&p->g, p->toh) * p->g.wp * p->g.cb;
    p->prm0 = p->obg * p->toh * p->g.ow;
    return 0;
}

/* GEMMs of taps [t0, t0+tn) for a tile of th rows and g output blocks; the weights of
 * block j, tap t are at WGT row (j*tn + t - t0)*CB*N. */
static int conv_gemms(dlp_lower *L, const conv_plan *p, uint32_t t0, uint32_t tn, uint32_t th,
                      uint32_t g, int clr, uint32_t base)
{
    const geom_t *q = &p->g;
    const uint32_t N = L->cfg.n, cb = q->cb, rowpx = q->wp * cb;
    const loop_t blocks = {g, {0, (int32_t)(tn * cb * N), (int32_t)(th * q->ow)}};
    const loop_t rows = {th, {(int32_t)(q->sh * rowpx), 0, (int32_t)q->ow}};
    uint32_t t = t0;
    int e;
    while (t < t0 + tn) {
        const uint32_t ky = t / q->kw, kx = t % q->kw;
        dlp_gemm_f gm = {.clr = (uint32_t)clr,
                         .wgt = (t - t0) * cb * N,
                         .n_pix = q->ow,
                         .s_pix = q->sw * cb,
                         .s_r1 = 1};
        gm.act = base + ky * q->dh * rowpx + kx * q->dw * cb;
        if (q->dw == 1 && kx == 0 && t + q->kw <= t0 + tn) {
            /* whole kernel rows: r1 over (kx, cb), r2 over ky */
            const uint32_t nky = (t0 + tn - t) / q->kw;
            gm.n_r1 = q->kw * cb;
            gm.n_r2 = nky;
            gm.s_r2 = q->dh * rowpx;
            t += nky * q->kw;
        } else {
            const uint32_t nkx = MIN(q->kw - kx, t0 + tn - t);
            if (q->dw == 1) { /* r1 over (kx, cb) of part of a row */
                gm.n_r1 = nkx * cb;
                gm.n_r2 = 1;
            } else { /* r1 over cb, r2 over dilated kx */
                gm.n_r1 = cb;
                gm.n_r2 = nkx;
                gm.s_r2 = q->dw * cb;
            }
            t += nkx;
        }
        if ((e = gemm(L, &gm, &blocks, &rows)))
            return e;
        clr = 0;
    }
    return 0;
}

/*
 * Double-buffered conv when all weights are resident (one output-block group, all taps):
 * output-row tiles alternate between two ACT input and two ACT output buffers, in the
 * program order and with the explicit tokens of mm_dbuf (GEMMs t, LOAD t+1, REQ t,
 * STORE t; LOAD t+1 waits for the last GEMM of tile t-1, the first REQ of tile t for
 * STORE t-2). toh is the tile height chosen for two buffers.
 */
static int conv_dbuf(dlp_lower *L, const dlp_lower_conv_args *a, const conv_plan *p, uint32_t toh)
{
    const geom_t *q = &p->g;
    const uint32_t N = L->cfg.n, g = p->cob;
    const uint32_t ibuf = in_rows(q, toh) * q->wp * q->cb, obuf = g * toh * q->ow;
    const uint32_t out0 = 2 * ibuf, tiles_y = (q->oh + toh - 1) / toh;
    const uint32_t T = (uint32_t)a->s.n * tiles_y;
    int gemm_at[2] = {-1, -1}, store_at[2] = {-1, -1}, pend_ld = 0, e;
    if ((e = load_tile_at(L, "conv2d", q, a->x, 0, 0, MIN(toh, q->oh), a->x_zp, 0)))
        return e;
    for (uint32_t t = 0; t < T; t++) {
        const uint32_t img = t / tiles_y, oy0 = (t % tiles_y) * toh, th = MIN(toh, q->oh - oy0);
        const uint32_t buf = t & 1;
        if (t >= 1) {
            L->ld_open = pend_ld; /* wait for LOAD t (emitted before REQ t-1) */
            L->st_used = 0;       /* only the REQ below waits for a STORE */
        }
        if ((e = conv_gemms(L, p, 0, p->taps, th, g, 1, buf * ibuf)))
            return e;
        gemm_at[buf] = L->last_cmp;
        if (t + 1 < T) {
            const uint32_t n1 = t + 1, img1 = n1 / tiles_y, oy1 = (n1 % tiles_y) * toh;
            L->cmp_used = 0;
            if ((e = load_tile_at(L, "conv2d", q, a->x, img1, oy1, MIN(toh, q->oh - oy1), a->x_zp,
                                  (n1 & 1) * ibuf)))
                return e;
            if (n1 >= 2 && ((e = add_flags(L, gemm_at[n1 & 1], DLP_F_PUSH_PREV)) ||
                            (e = add_flags(L, L->last_ld, DLP_F_POP_NEXT))))
                return e;
            pend_ld = L->ld_open;
            L->ld_open = 0;
        }
        for (uint32_t j = 0; j < g; j++) {
            if ((e = req(L, j * th * q->ow, 1, out0 + buf * obuf + j, g, th * q->ow,
                         p->prm0 + DLP_REQ_PRM_ROWS * j, a->lo, a->hi)))
                return e;
            if (j == 0 && t >= 2 &&
                ((e = add_flags(L, store_at[buf], DLP_F_PUSH_PREV)) ||
                 (e = add_flags(L, L->last_cmp, DLP_F_POP_NEXT))))
                return e;
        }
        const box_t yb = {.sp = DLP_SP_ACT,
                          .sram = out0 + buf * obuf,
                          .dram =
                              a->y + (uint32_t)((((size_t)img * q->oh + oy0) * q->ow) * p->cob * N),
                          .x = g,
                          .y = th * q->ow,
                          .ys = p->cob * N};
        if ((e = dma(L, DLP_OP_STORE, &yb)))
            return e;
        store_at[buf] = L->last_st;
    }
    return 0;
}

int dlp_lower_conv2d(dlp_lower *L, const dlp_lower_conv_args *a)
{
    const uint32_t N = L->cfg.n;
    conv_plan p;
    int e;
    if ((e = check_clamp(L, "conv2d", a->lo, a->hi)) || (e = conv_plan_make(L, &a->s, &p)))
        return e;
    if (a->x_zp < -128 || a->x_zp > 127)
        return fail(L, DLP_LOWER_E_ARG, "conv2d: x_zp %d is not int8", a->x_zp);
    const geom_t *q = &p.g;
    const uint32_t tap_rows = q->cb * N, tile = N * N;
    const int w_once = p.obg == p.cob && p.tc == p.taps;
    const size_t ob_bytes = (size_t)p.taps * q->cb * tile; /* DDR bytes of one block */

    if (w_once) {
        const box_t w = {.sp = DLP_SP_WGT,
                         .dram = a->w,
                         .x = p.taps * tap_rows,
                         .y = p.cob,
                         .ys = (uint32_t)ob_bytes};
        if ((e = dma(L, DLP_OP_LOAD, &w)) ||
            (e = load_rows(L, DLP_SP_ACC, p.prm0, a->prm, DLP_REQ_PRM_ROWS * p.cob)))
            return e;
    }
    if (w_once) {
        /* tile height for two input and two output buffers */
        uint32_t toh = p.toh;
        while (toh > 1 &&
               2 * ((uint64_t)in_rows(q, toh) * q->wp * q->cb + (uint64_t)p.obg * toh * q->ow) >
                   act_rows(L))
            toh--;
        if (2 * ((uint64_t)in_rows(q, toh) * q->wp * q->cb + (uint64_t)p.obg * toh * q->ow) <=
            act_rows(L))
            return conv_dbuf(L, a, &p, toh);
    }
    for (uint32_t b = 0; b < (uint32_t)a->s.n; b++)
        for (uint32_t oy0 = 0; oy0 < q->oh; oy0 += p.toh) {
            const uint32_t th = MIN(p.toh, q->oh - oy0);
            if ((e = load_tile(L, "conv2d", q, a->x, b, oy0, th, a->x_zp)))
                return e;
            for (uint32_t ob0 = 0; ob0 < p.cob; ob0 += p.obg) {
                const uint32_t g = MIN(p.obg, p.cob - ob0);
                for (uint32_t t0 = 0; t0 < p.taps; t0 += p.tc) {
                    const uint32_t tn = MIN(p.tc, p.taps - t0);
                    if (!w_once) {
                        const box_t w = {
                            .sp = DLP_SP_WGT,
                            .dram = a->w + (uint32_t)(ob0 * ob_bytes + (size_t)t0 * q->cb * tile),
                            .x = tn * tap_rows,
                            .y = g,
                            .ys = (uint32_t)ob_bytes};
                        if ((e = dma(L, DLP_OP_LOAD, &w)))
                            return e;
                        if (t0 == 0 && (e = load_rows(L, DLP_SP_ACC, p.prm0,
                                                      a->prm + ob0 * DLP_REQ_PRM_ROWS * 4 * N,
                                                      DLP_REQ_PRM_ROWS * g)))
                            return e;
                    }
                    if ((e = conv_gemms(L, &p, t0, tn, th, g, t0 == 0, 0)))
                        return e;
                }
                for (uint32_t j = 0; j < g; j++)
                    if ((e = req(L, j * th * q->ow, 1, p.out0 + j, g, th * q->ow,
                                 p.prm0 + DLP_REQ_PRM_ROWS * j, a->lo, a->hi)))
                        return e;
                const box_t yb = {
                    .sp = DLP_SP_ACT,
                    .sram = p.out0,
                    .dram =
                        a->y + (uint32_t)(((((size_t)b * q->oh + oy0) * q->ow) * p.cob + ob0) * N),
                    .x = g,
                    .y = th * q->ow,
                    .ys = p.cob * N};
                if ((e = dma(L, DLP_OP_STORE, &yb)))
                    return e;
            }
        }
    return 0;
}

/* ------------------------------------------------------------------ pooling */
typedef struct {
    geom_t g;
    uint32_t toh;  /* output rows per tile */
    uint32_t cw;   /* average pool: output columns summed into ACC at a time */
    uint32_t out0; /* ACT row of the output tile */
} pool_plan;

/* extra_acc: ACC rows needed besides the sums (average pool parameters), or -1 for max
 * pool (no ACC). When one output row of sums does not fit ACC, the row is summed cw
 * columns at a time (and tiles are one row). */
static int pool_plan_make(dlp_lower *L, const char *op, const dlp_pool_shape *s, long extra_acc,
                          pool_plan *p)
{
    const uint32_t N = L->cfg.n;
    int oh, ow;
    if (dlp_pool_out_hw(s, &oh, &ow) != DLP_OK)
        return fail(L, DLP_LOWER_E_ARG, "%s: invalid shape", op);
    geom_init(&p->g, N, s->h, s->w, s->c, s->kh, s->kw, s->stride_h, s->stride_w, s->dil_h,
              s->dil_w, s->pad_t, s->pad_l, oh, ow);
    const geom_t *q = &p->g;
    const uint64_t s_kh = (uint64_t)q->dh * q->wp * q->cb, s_kw = (uint64_t)q->dw * q->cb;
    if (s_kh > FIELD16 || s_kw > FIELD16)
        return fail(L, DLP_LOWER_E_FIELD,
                    "%s: window row stride %llu rows does not fit the "
                    "16-bit s_kh of VEC imm",
                    op, (unsigned long long)s_kh);
    const uint64_t act = act_rows(L);
    const uint64_t acc = extra_acc < 0 ? UINT64_MAX : acc_rows(L) - (uint64_t)extra_acc;
    if (extra_acc >= 0 && (uint64_t)extra_acc + q->cb > acc_rows(L))
        return fail(L, DLP_LOWER_E_FIT,
                    "%s: %ld ACC parameter rows and %u sum rows; ACC has "
                    "%u",
                    op, extra_acc, q->cb, acc_rows(L));
    p->cw = (uint64_t)q->ow * q->cb <= acc ? q->ow : (uint32_t)(acc / q->cb);
#define POOL_FITS(th)                                                                              \
    ((uint64_t)in_rows(q, th) * q->wp * q->cb + (uint64_t)(th)*q->ow * q->cb <= act &&             \
     (uint64_t)(th)*p->cw * q->cb <= acc)
    if (!POOL_FITS(1))
        return fail(L, DLP_LOWER_E_FIT,
                    "%s: one output row needs %u ACT rows (%u input rows x %u px x %u blocks "
                    "+ %u outputs); ACT has %u",
                    op, in_rows(q, 1) * q->wp * q->cb + q->ow * q->cb, in_rows(q, 1), q->wp, q->cb,
                    q->ow * q->cb, act_rows(L));
    p->toh = 1;
    while (p->cw == q->ow && p->toh < q->oh && POOL_FITS(p->toh + 1))
        p->toh++;
#undef POOL_FITS
    p->out0 = in_rows(q, p->toh) * q->wp * q->cb;
    return 0;
}

/* MAXPOOL / SUMPOOL of count output columns starting at ox0 of th rows: items over
 * columns, LOOPs over cb (inner) and rows (outer); output rows [r][col][cb] with
 * row_cols columns per row at dst. */
static int pool_vec(dlp_lower *L, const pool_plan *p, uint32_t func, uint32_t ox0, uint32_t count,
                    uint32_t dst, uint32_t row_cols, uint32_t th)
{
    const geom_t *q = &p->g;
    const uint32_t rowpx = q->wp * q->cb;
    const dlp_vec_f v = {.func = func,
                         .src = ox0 * q->sw * q->cb,
                         .dst = dst,
                         .count = count,
                         .s_src = q->sw * q->cb,
                         .s_dst = q->cb,
                         .lo = -128,
                         .hi = 127,
                         .k0 = q->kh,
                         .k1 = q->kw,
                         .imm = (q->dh * rowpx) | (q->dw * q->cb) << 16};
    const loop_t rows = {th, {(int32_t)(q->sh * rowpx), 0, (int32_t)(row_cols * q->cb)}};
    const loop_t blocks = {q->cb, {1, 0, 1}};
    return vec(L, &v, &rows, &blocks);
}

static int store_tile(dlp_lower *L, const pool_plan *p, uint32_t y, uint32_t b, uint32_t oy0,
                      uint32_t th)
{
    const geom_t *q = &p->g;
    const uint32_t N = L->cfg.n;
    const box_t yb = {.sp = DLP_SP_ACT,
                      .sram = p->out0,
                      .dram = y + (uint32_t)((((size_t)b * q->oh + oy0) * q->ow) * q->cb * N),
                      .x = q->cb,
                      .y = th * q->ow,
                      .ys = q->cb * N};
    return dma(L, DLP_OP_STORE, &yb);
}

int dlp_lower_maxpool(dlp_lower *L, const dlp_lower_pool_args *a)
{
    pool_plan p;
    int e;
    if ((e = pool_plan_make(L, "maxpool", &a->s, -1, &p)))
        return e;
    for (uint32_t b = 0; b < (uint32_t)a->s.n; b++)
        for (uint32_t oy0 = 0; oy0 < p.g.oh; oy0 += p.toh) {
            const uint32_t th = MIN(p.toh, p.g.oh - oy0);
            if ((e = load_tile(L, "maxpool", &p.g, a->x, b, oy0, th, -128)) ||
                (e = pool_vec(L, &p, DLP_VF_MAXPOOL, 0, p.g.ow, p.out0, p.g.ow, th)) ||
                (e = store_tile(L, &p, a->y, b, oy0, th)))
                return e;
        }
    return 0;
}

static int window_class(const dlp_pool_shape *s, const pool_classes *c, uint32_t ox)
{
    return c->rank_w[valid_taps((int)ox, s->stride_w, s->pad_l, s->kw, s->dil_w, s->w)];
}

/* REQs of output row r (oy) of a tile, columns [ox0, ox0+cn) whose sums are at ACC
 * sum0 + (r*cn + ox - ox0)*cb: one REQ per run of columns with the same window class. */
static int avgpool_reqs(dlp_lower *L, const dlp_lower_pool_args *a, const pool_plan *p,
                        const pool_classes *c, uint32_t sum0, uint32_t r, uint32_t oy, uint32_t ox0,
                        uint32_t cn)
{
    const dlp_pool_shape *s = &a->s;
    const geom_t *q = &p->g;
    const int ih = c->rank_h[valid_taps((int)oy, s->stride_h, s->pad_t, s->kh, s->dil_h, s->h)];
    uint32_t x0 = ox0;
    int e;
    while (x0 < ox0 + cn) {
        const int iw = window_class(s, c, x0);
        uint32_t x1 = x0 + 1;
        while (x1 < ox0 + cn && window_class(s, c, x1) == iw)
            x1++;
        if ((e = req(L, sum0 + (r * cn + x0 - ox0) * q->cb, 1, p->out0 + (r * q->ow + x0) * q->cb,
                     1, (x1 - x0) * q->cb, (uint32_t)(ih * c->nw + iw) * DLP_REQ_PRM_ROWS, a->lo,
                     a->hi)))
            return e;
        x0 = x1;
    }
    return 0;
}

/* One tile of average pooling: SUMPOOL cw columns at a time into ACC, then their REQs. */
static int avgpool_tile(dlp_lower *L, const dlp_lower_pool_args *a, const pool_plan *p,
                        const pool_classes *c, uint32_t sum0, uint32_t oy0, uint32_t th)
{
    int e;
    for (uint32_t ox0 = 0; ox0 < p->g.ow; ox0 += p->cw) {
        const uint32_t cn = MIN(p->cw, p->g.ow - ox0);
        if ((e = pool_vec(L, p, DLP_VF_SUMPOOL, ox0, cn, sum0, cn, th)))
            return e;
        for (uint32_t r = 0; r < th; r++)
            if ((e = avgpool_reqs(L, a, p, c, sum0, r, oy0 + r, ox0, cn)))
                return e;
    }
    return 0;
}

int dlp_lower_avgpool(dlp_lower *L, const dlp_lower_pool_args *a)
{
    pool_plan p;
    pool_classes c;
    int e;
    if ((e = check_clamp(L, "avgpool", a->lo, a->hi)))
        return e;
    if (pool_classes_init(&a->s, &c))
        return fail(L, DLP_LOWER_E_ARG, "avgpool: invalid shape");
    const uint32_t prm_rows = (uint32_t)(c.nh * c.nw) * DLP_REQ_PRM_ROWS;
    e = pool_plan_make(L, "avgpool", &a->s, prm_rows, &p);
    if (!e)
        e = load_rows(L, DLP_SP_ACC, 0, a->prm, prm_rows);
    for (uint32_t b = 0; !e && b < (uint32_t)a->s.n; b++)
        for (uint32_t oy0 = 0; !e && oy0 < p.g.oh; oy0 += p.toh) {
            const uint32_t th = MIN(p.toh, p.g.oh - oy0);
            e = load_tile(L, "avgpool", &p.g, a->x, b, oy0, th, 0);
            if (!e)
                e = avgpool_tile(L, a, &p, &c, prm_rows, oy0, th);
            if (!e)
                e = store_tile(L, &p, a->y, b, oy0, th);
        }
    pool_classes_free(&c);
    return e;
}

/* ------------------------------------------------------------------ elementwise */
static int eltwise(dlp_lower *L, const char *op, uint32_t func, uint32_t prm_rows,
                   const dlp_lower_eltwise_args *a)
{
    const uint32_t N = L->cfg.n;
    const uint32_t chunk = MIN(MIN(a->rows, FIELD16), act_rows(L) / 2);
    int e;
    if (!a->rows)
        return fail(L, DLP_LOWER_E_ARG, "%s: no rows", op);
    if ((e = check_clamp(L, op, a->lo, a->hi)))
        return e;
    if (acc_rows(L) < prm_rows)
        return fail(L, DLP_LOWER_E_FIT, "%s: needs %u ACC parameter rows, ACC has %u", op, prm_rows,
                    acc_rows(L));
    if ((e = load_rows(L, DLP_SP_ACC, 0, a->prm, prm_rows)))
        return e;
    for (uint32_t r0 = 0; r0 < a->rows; r0 += chunk) {
        const uint32_t n = MIN(chunk, a->rows - r0);
        const dlp_vec_f v = {.func = func,
                             .src = 0,
                             .src2 = chunk,
                             .dst = 0,
                             .count = n,
                             .s_src = 1,
                             .s_src2 = 1,
                             .s_dst = 1,
                             .prm = 0,
                             .lo = a->lo,
                             .hi = a->hi,
                             .k0 = func == DLP_VF_ADD ? a->left_shift : 0};
        if ((e = load_rows(L, DLP_SP_ACT, 0, a->a + r0 * N, n)) ||
            (e = load_rows(L, DLP_SP_ACT, chunk, a->b + r0 * N, n)) ||
            (e = vec(L, &v, NULL, NULL)) || (e = store_rows(L, 0, a->y + r0 * N, n)))
            return e;
    }
    return 0;
}

int dlp_lower_add(dlp_lower *L, const dlp_lower_eltwise_args *a)
{
    return eltwise(L, "add", DLP_VF_ADD, DLP_ADD_PRM_ROWS, a);
}

int dlp_lower_mul(dlp_lower *L, const dlp_lower_eltwise_args *a)
{
    return eltwise(L, "mul", DLP_VF_MUL, DLP_MUL_PRM_ROWS, a);
}

/* ------------------------------------------------------------------ LUT, softmax, layernorm */
/* LOAD the table at ACT row 0 and LUTLD it (count 1: the field is ignored but must not be
 * zero, see the report on the spec). */
static int lut_load(dlp_lower *L, uint32_t lut)
{
    const dlp_vec_f v = {.func = DLP_VF_LUTLD, .src = 0, .count = 1, .lo = -128, .hi = 127};
    int e;
    if ((e = load_rows(L, DLP_SP_ACT, 0, lut, dlp_lut_rows(&L->cfg))))
        return e;
    return vec(L, &v, NULL, NULL);
}

int dlp_lower_lut(dlp_lower *L, const dlp_lower_lut_args *a)
{
    const uint32_t N = L->cfg.n, chunk = MIN(MIN(a->rows, FIELD16), act_rows(L));
    int e;
    if (!a->rows)
        return fail(L, DLP_LOWER_E_ARG, "lut: no rows");
    if ((e = check_clamp(L, "lut", a->lo, a->hi)) || (e = lut_load(L, a->lut)))
        return e;
    for (uint32_t r0 = 0; r0 < a->rows; r0 += chunk) {
        const uint32_t n = MIN(chunk, a->rows - r0);
        const dlp_vec_f v = {
            .func = DLP_VF_LUT, .count = n, .s_src = 1, .s_dst = 1, .lo = a->lo, .hi = a->hi};
        if ((e = load_rows(L, DLP_SP_ACT, 0, a->x + r0 * N, n)) || (e = vec(L, &v, NULL, NULL)) ||
            (e = store_rows(L, 0, a->y + r0 * N, n)))
            return e;
    }
    return 0;
}

int dlp_lower_softmax(dlp_lower *L, const dlp_lower_softmax_args *a)
{
    const uint32_t N = L->cfg.n, R = dlp_cblocks(N, a->len);
    int e;
    if (!a->rows || !a->len || a->len > FIELD16)
        return fail(L, DLP_LOWER_E_ARG, "softmax: bad shape %u x %u (len must be 1..65535)",
                    a->rows, a->len);
    if (R > act_rows(L))
        return fail(L, DLP_LOWER_E_FIT,
                    "softmax: one vector of %u needs %u ACT rows, ACT has "
                    "%u",
                    a->len, R, act_rows(L));
    if ((e = check_clamp(L, "softmax", a->lo, a->hi)) || (e = lut_load(L, a->lut)))
        return e;
    const uint32_t nv = MIN(a->rows, MIN(act_rows(L), FIELD16) / R);
    for (uint32_t r0 = 0; r0 < a->rows; r0 += nv) {
        const uint32_t n = MIN(nv, a->rows - r0);
        const dlp_vec_f v = {.func = DLP_VF_SOFTMAX,
                             .count = n,
                             .s_src = R,
                             .s_dst = R,
                             .lo = a->lo,
                             .hi = a->hi,
                             .zo = a->zo,
                             .shift = a->shift,
                             .k0 = R,
                             .k1 = a->len,
                             .imm = (uint32_t)a->mult};
        if ((e = load_rows(L, DLP_SP_ACT, 0, a->x + r0 * R * N, n * R)) ||
            (e = vec(L, &v, NULL, NULL)) || (e = store_rows(L, 0, a->y + r0 * R * N, n * R)))
            return e;
    }
    return 0;
}

int dlp_lower_layernorm(dlp_lower *L, const dlp_lower_lnorm_args *a)
{
    const uint32_t N = L->cfg.n, R = dlp_cblocks(N, a->len), acc = acc_rows(L);
    int e;
    if (!a->rows || !a->len || a->len > FIELD16)
        return fail(L, DLP_LOWER_E_ARG, "layernorm: bad shape %u x %u (len must be 1..65535)",
                    a->rows, a->len);
    if ((e = check_clamp(L, "layernorm", a->lo, a->hi)))
        return e;
    /* All R parameter blocks stay in ACC when they fit next to one vector's z rows;
     * otherwise each block is loaded just before its REQ. */
    const int resident = (uint64_t)R * (DLP_REQ_PRM_ROWS + 1) <= acc;
    const uint32_t prm_rows = resident ? R * DLP_REQ_PRM_ROWS : DLP_REQ_PRM_ROWS;
    if (R > act_rows(L) || prm_rows + R > acc)
        return fail(L, DLP_LOWER_E_FIT,
                    "layernorm: one vector of %u needs %u ACT rows and %u "
                    "ACC rows (%u of parameters); ACT has %u, ACC has %u",
                    a->len, R, prm_rows + R, prm_rows, act_rows(L), acc);
    const uint32_t nv = MIN(MIN(a->rows, (acc - prm_rows) / R), MIN(act_rows(L), FIELD16) / R);
    const uint32_t blk_bytes = DLP_REQ_PRM_ROWS * 4 * N;
    if (resident && (e = load_rows(L, DLP_SP_ACC, 0, a->prm, prm_rows)))
        return e;
    for (uint32_t r0 = 0; r0 < a->rows; r0 += nv) {
        const uint32_t n = MIN(nv, a->rows - r0);
        const dlp_vec_f v = {.func = DLP_VF_LNORM,
                             .dst = prm_rows,
                             .count = n,
                             .s_src = R,
                             .s_dst = R,
                             .k0 = R,
                             .k1 = a->len,
                             .imm = a->eps_term,
                             .lo = -128,
                             .hi = 127};
        if ((e = load_rows(L, DLP_SP_ACT, 0, a->x + r0 * R * N, n * R)) ||
            (e = vec(L, &v, NULL, NULL)))
            return e;
        for (uint32_t j = 0; j < R; j++) { /* per channel block: its own parameter block */
            if (!resident &&
                (e = load_rows(L, DLP_SP_ACC, 0, a->prm + j * blk_bytes, DLP_REQ_PRM_ROWS)))
                return e;
            if ((e = req(L, prm_rows + j, R, j, R, n, resident ? DLP_REQ_PRM_ROWS * j : 0, a->lo,
                         a->hi)))
                return e;
        }
        if ((e = store_rows(L, 0, a->y + r0 * R * N, n * R)))
            return e;
    }
    return 0;
}
