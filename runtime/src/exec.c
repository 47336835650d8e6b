/*
 * exec.c - compile the op list for a device and run it.
 *
 * Compile: choose each tensor's DDR layout (NHWC with padded channels for conv/pool
 * tensors, rows of the last axis otherwise), plan the activation arena (first fit over
 * the tensors' live ranges, so buffers are reused once their last reader ran), pack every
 * constant (weight tiles, REQ/ADD/MUL parameter blocks, LUT tables, broadcast constants)
 * into one weight buffer written once, and generate one program per DLP op with the
 * golden lowerings (dlp/lower.h) into one program buffer.
 * Run: one device job per DLP op (its counters give the per-layer statistics); host ops
 * (quantize at the inputs, dequantize at the outputs, Reshape/Transpose/Concat) and CPU
 * fallbacks work on the host copy of a tensor, converted on demand.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/quant.h"
#include "rt_internal.h"

#define ALIGN 64u

static size_t align_up(size_t v)
{
    return (v + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

/* rows of t in its current layout */
size_t rt_qt_rows(const rt_qt *t, uint32_t n, size_t *pixels, uint32_t *c)
{
    size_t px;
    uint32_t ch;
    if (t->layout == LAY_NHWC && t->rank == 4) {
        ch = (uint32_t)t->dims[1];
        px = (size_t)(t->dims[0] * t->dims[2] * t->dims[3]);
    } else {
        ch = t->rank ? (uint32_t)t->dims[t->rank - 1] : 1;
        px = ch ? t->count / ch : 0;
    }
    if (pixels)
        *pixels = px;
    if (c)
        *c = ch;
    return px * dlp_cblocks(n, ch);
}

static size_t bytes_in(const rt_qt *t, uint32_t n, int layout)
{
    rt_qt c = *t;
    c.layout = layout;
    return rt_qt_rows(&c, n, NULL, NULL) * n;
}

/* ------------------------------------------------------------------ host <-> DDR */
/* logical (ONNX order) int8 -> DDR layout bytes */
static int pack(dlp_rt *rt, const rt_qt *t, const int8_t *logical, uint8_t *out)
{
    uint32_t n = rt->cfg.n, c;
    size_t px;
    rt_qt_rows(t, n, &px, &c);
    if (t->layout == LAY_NHWC && t->rank == 4) {
        int8_t *tmp = malloc(t->count ? t->count : 1);
        if (!tmp)
            return rt_fail(rt, "out of memory");
        size_t H = (size_t)t->dims[2], W = (size_t)t->dims[3], C = c;
        for (size_t b = 0; b < (size_t)t->dims[0]; b++)
            for (size_t ch = 0; ch < C; ch++)
                for (size_t hw = 0; hw < H * W; hw++)
                    tmp[(b * H * W + hw) * C + ch] = logical[(b * C + ch) * H * W + hw];
        dlp_pack_act(n, px, c, tmp, t->zp, out);
        free(tmp);
    } else {
        dlp_pack_act(n, px, c, logical, t->zp, out);
    }
    return 0;
}

static int unpack(dlp_rt *rt, const rt_qt *t, const uint8_t *in, int8_t *logical)
{
    uint32_t n = rt->cfg.n, c;
    size_t px;
    rt_qt_rows(t, n, &px, &c);
    if (t->layout == LAY_NHWC && t->rank == 4) {
        int8_t *tmp = malloc(t->count ? t->count : 1);
        if (!tmp)
            return rt_fail(rt, "out of memory");
        dlp_unpack_act(n, px, c, in, tmp);
        size_t H = (size_t)t->dims[2], W = (size_t)t->dims[3], C = c;
        for (size_t b = 0; b < (size_t)t->dims[0]; b++)
            for (size_t ch = 0; ch < C; ch++)
                for (size_t hw = 0; hw < H * W; hw++)
                    logical[(b * C + ch) * H * W + hw] = tmp[(b * H * W + hw) * C + ch];
        free(tmp);
    } else {
        dlp_unpack_act(n, px, c, in, logical);
    }
    return 0;
}

static int ensure_host(dlp_rt *rt, rt_qt *t)
{
    if (t->is_float && t->fconst && !t->fhost) {
        if (!(t->fhost = malloc(sizeof(float) * (t->count ? t->count : 1))))
            return rt_fail(rt, "out of memory");
        memcpy(t->fhost, t->fconst, sizeof(float) * t->count);
    }
    if (t->host_valid || t->is_float || t->is_idx)
        return 0;
    if (!t->host && !(t->host = malloc(t->count ? t->count : 1)))
        return rt_fail(rt, "out of memory");
    if (t->cdata) {
        memcpy(t->host, t->cdata, t->count);
    } else {
        if (!t->dev_valid)
            return rt_fail(rt, "internal: tensor '%s' has no data", t->name);
        size_t bytes = bytes_in(t, rt->cfg.n, t->layout);
        uint8_t *buf = malloc(bytes ? bytes : 1);
        if (!buf)
            return rt_fail(rt, "out of memory");
        int rc = dlp_buf_read(rt->abuf, t->off, buf, bytes);
        if (rc == 0)
            rc = unpack(rt, t, buf, t->host);
        free(buf);
        if (rc)
            return rt_fail(rt, "reading '%s' from the device: %s", t->name,
                           dlp_dev_last_error(rt->dev));
    }
    t->host_valid = 1;
    return 0;
}

static int ensure_dev(dlp_rt *rt, rt_qt *t, int layout)
{
    if (t->cdata)
        return 0; /* constants were packed at compile time in their layout */
    if (t->dev_valid && t->layout == layout)
        return 0;
    if (ensure_host(rt, t))
        return -1;
    t->layout = layout;
    size_t bytes = bytes_in(t, rt->cfg.n, layout);
    uint8_t *buf = malloc(bytes ? bytes : 1);
    if (!buf)
        return rt_fail(rt, "out of memory");
    int rc = pack(rt, t, t->host, buf);
    if (rc == 0 && dlp_buf_write(rt->abuf, t->off, buf, bytes))
        rc = rt_fail(rt, "writing '%s' to the device: %s", t->name, dlp_dev_last_error(rt->dev));
    free(buf);
    t->dev_valid = rc == 0;
    return rc;
}

/* ------------------------------------------------------------------ compile */
typedef struct {
    uint8_t *p;
    size_t len, cap;
} blob;

static size_t blob_add(blob *b, size_t bytes)
{
    size_t at = align_up(b->len);
    if (at + bytes > b->cap) {
        size_t nc = b->cap ? b->cap : 65536;
        while (nc < at + bytes)
            nc *= 2;
        uint8_t *np = realloc(b->p, nc);
        if (!np)
            return (size_t)-1;
        memset(np + b->cap, 0, nc - b->cap);
        b->p = np, b->cap = nc;
    }
    b->len = at + bytes;
    return at;
}

static int op_layout_in(const rt_op *o)
{
    switch (o->kind) {
    case O_CONV:
    case O_MAXPOOL:
    case O_AVGPOOL: return LAY_NHWC;
    case O_MATMUL:
    case O_MATMUL_ACT:
    case O_SOFTMAX:
    case O_LNORM: return LAY_ROWS;
    default: return LAY_ANY;
    }
}

static int is_dev_op(const rt_op *o)
{
    return o->where == 0;
}

void rt_clear_compile(dlp_rt *rt)
{
    dlp_buf_free(rt->wbuf), dlp_buf_free(rt->abuf), dlp_buf_free(rt->pbuf);
    dlp_buf_free(rt->sbuf);
    rt->wbuf = rt->abuf = rt->pbuf = rt->sbuf = NULL;
    rt->compiled = 0;
}

/* Pack the constants of op o into the weight blob. */
static int pack_consts(dlp_rt *rt, rt_op *o, blob *w)
{
    const uint32_t N = rt->cfg.n;
    rt_qt *x = &rt->qt[o->in[0]], *y = &rt->qt[o->out];
    size_t at;
    switch (o->kind) {
    case O_CONV: {
        size_t wb = dlp_conv_wgt_bytes(N, &o->cs);
        if ((at = blob_add(w, wb)) == (size_t)-1)
            return -1;
        o->w_off = at;
        dlp_pack_conv_wgt(N, &o->cs, o->w, w->p + at);
        int32_t *wsum = malloc(sizeof(int32_t) * (size_t)o->cs.cout);
        if (!wsum)
            return -1;
        dlp_conv_wsum(&o->cs, o->w, wsum);
        dlp_req_prm p = {.channels = (uint32_t)o->cs.cout,
                         .bias = o->bias,
                         .wsum = wsum,
                         .x_zp = x->zp,
                         .mult = o->mult,
                         .shift = o->shift,
                         .rq_n = (uint32_t)o->nrq,
                         .zp = y->zp};
        if ((at = blob_add(w, dlp_req_prm_bytes(N, (uint32_t)o->cs.cout))) == (size_t)-1) {
            free(wsum);
            return -1;
        }
        o->prm_off = at;
        dlp_pack_req_prm(N, &p, w->p + at);
        free(wsum);
        return 0;
    }
    case O_MATMUL: {
        if ((at = blob_add(w, dlp_matmul_wgt_bytes(N, (uint32_t)o->k, (uint32_t)o->n))) ==
            (size_t)-1)
            return -1;
        o->w_off = at;
        dlp_pack_matmul_wgt(N, (uint32_t)o->k, (uint32_t)o->n, o->trans_b, o->w, w->p + at);
        int32_t *wsum = malloc(sizeof(int32_t) * (size_t)o->n);
        if (!wsum)
            return -1;
        dlp_matmul_wsum((uint32_t)o->k, (uint32_t)o->n, o->trans_b, o->w, wsum);
        dlp_req_prm p = {.channels = (uint32_t)o->n,
                         .bias = o->bias,
                         .wsum = wsum,
                         .x_zp = x->zp,
                         .mult = o->mult,
                         .shift = o->shift,
                         .rq_n = (uint32_t)o->nrq,
                         .zp = y->zp};
        if ((at = blob_add(w, dlp_req_prm_bytes(N, (uint32_t)o->n))) == (size_t)-1) {
            free(wsum);
            return -1;
        }
        o->prm_off = at;
        dlp_pack_req_prm(N, &p, w->p + at);
        free(wsum);
        return 0;
    }
    case O_ADD:
        if ((at = blob_add(w, dlp_add_prm_bytes(N))) == (size_t)-1)
            return -1;
        o->prm_off = at;
        dlp_pack_add_prm(N, &o->addp, w->p + at);
        return 0;
    case O_MUL:
        if ((at = blob_add(w, dlp_mul_prm_bytes(N))) == (size_t)-1)
            return -1;
        o->prm_off = at;
        dlp_pack_mul_prm(N, &o->mulp, w->p + at);
        return 0;
    case O_LUT:
    case O_SOFTMAX:
        if ((at = blob_add(w, DLP_LUT_BYTES)) == (size_t)-1)
            return -1;
        o->lut_off = at;
        dlp_pack_lut(o->lut, w->p + at);
        return 0;
    case O_LNORM:
        if ((at = blob_add(w, dlp_req_prm_bytes(N, (uint32_t)o->n))) == (size_t)-1)
            return -1;
        o->prm_off = at;
        if (dlp_pack_lnorm_prm(N, (uint32_t)o->n, o->gamma, o->beta, y->scale, y->zp, w->p + at))
            return rt_fail(rt, "node '%s': layernorm scale/bias cannot be represented", o->name);
        return 0;
    case O_AVGPOOL: {
        size_t pb = dlp_avgpool_prm_bytes(N, &o->ps);
        if (!pb || (at = blob_add(w, pb)) == (size_t)-1)
            return rt_fail(rt, "node '%s': bad pooling shape", o->name);
        o->prm_off = at;
        if (dlp_pack_avgpool_prm(N, &o->ps, x->zp, x->scale, y->scale, y->zp, w->p + at))
            return rt_fail(rt, "node '%s': average-pool scales cannot be represented", o->name);
        return 0;
    }
    default: return 0;
    }
}

/* Scratch layout of an activation x activation matmul, per batch item: A' (only when K is
 * repeated to fold B's zero point), B' tiles, REQ parameters. */
static void mma_sizes(uint32_t N, const rt_op *o, size_t *ab, size_t *wb, size_t *pb)
{
    uint32_t k2 = (uint32_t)(o->k * o->kdup);
    *ab = o->kdup > 1 ? align_up((size_t)o->m * dlp_cblocks(N, k2) * N) : 0;
    *wb = align_up(dlp_matmul_wgt_bytes(N, k2, (uint32_t)o->n));
    *pb = align_up(dlp_req_prm_bytes(N, (uint32_t)o->n));
}

/* Generate the program of device op o (addresses final). */
static int gen(dlp_rt *rt, rt_op *o, dlp_lower *L, uint32_t wb, uint32_t ab, uint32_t sb)
{
    const uint32_t N = rt->cfg.n;
    rt_qt *x = &rt->qt[o->in[0]], *y = &rt->qt[o->out];
    uint32_t xa = ab + (uint32_t)x->off, ya = ab + (uint32_t)y->off;
    switch (o->kind) {
    case O_CONV: {
        dlp_lower_conv_args a = {.s = o->cs,
                                 .x_zp = x->zp,
                                 .x = xa,
                                 .w = wb + (uint32_t)o->w_off,
                                 .prm = wb + (uint32_t)o->prm_off,
                                 .y = ya,
                                 .lo = o->lo,
                                 .hi = o->hi};
        return dlp_lower_conv2d(L, &a);
    }
    case O_MATMUL: {
        dlp_lower_matmul_args a = {.m = (uint32_t)o->m,
                                   .k = (uint32_t)o->k,
                                   .n = (uint32_t)o->n,
                                   .a = xa,
                                   .w = wb + (uint32_t)o->w_off,
                                   .prm = wb + (uint32_t)o->prm_off,
                                   .y = ya,
                                   .lo = o->lo,
                                   .hi = o->hi};
        return dlp_lower_matmul(L, &a);
    }
    case O_MATMUL_ACT: {
        size_t abytes, wbytes, pbytes;
        mma_sizes(N, o, &abytes, &wbytes, &pbytes);
        size_t arows = (size_t)o->m * dlp_cblocks(N, (uint32_t)o->k) * N;
        size_t yrows = (size_t)o->m * dlp_cblocks(N, (uint32_t)o->n) * N;
        for (int b = 0; b < o->batch; b++) {
            size_t s_off = (size_t)b * (abytes + wbytes + pbytes);
            dlp_lower_matmul_args a = {.m = (uint32_t)o->m,
                                       .k = (uint32_t)(o->k * o->kdup),
                                       .n = (uint32_t)o->n,
                                       .a = o->kdup > 1 ? sb + (uint32_t)s_off
                                                        : xa + (uint32_t)(b * arows),
                                       .w = sb + (uint32_t)(s_off + abytes),
                                       .prm = sb + (uint32_t)(s_off + abytes + wbytes),
                                       .y = ya + (uint32_t)(b * yrows),
                                       .lo = o->lo,
                                       .hi = o->hi};
            int rc = dlp_lower_matmul(L, &a);
            if (rc)
                return rc;
        }
        o->scratch_bytes = (size_t)o->batch * (abytes + wbytes + pbytes);
        return 0;
    }
    case O_ADD:
    case O_MUL: {
        rt_qt *b = &rt->qt[o->in[1]];
        uint32_t ba = (b->cdata ? wb : ab) + (uint32_t)b->off;
        dlp_lower_eltwise_args a = {.rows = (uint32_t)rt_qt_rows(x, N, NULL, NULL),
                                    .a = xa,
                                    .b = ba,
                                    .y = ya,
                                    .prm = wb + (uint32_t)o->prm_off,
                                    .lo = o->lo,
                                    .hi = o->hi,
                                    .left_shift = (uint32_t)o->addp.left_shift};
        return o->kind == O_ADD ? dlp_lower_add(L, &a) : dlp_lower_mul(L, &a);
    }
    case O_LUT: {
        dlp_lower_lut_args a = {.rows = (uint32_t)rt_qt_rows(x, N, NULL, NULL),
                                .x = xa,
                                .y = ya,
                                .lut = wb + (uint32_t)o->lut_off,
                                .lo = o->lo,
                                .hi = o->hi};
        return dlp_lower_lut(L, &a);
    }
    case O_SOFTMAX: {
        dlp_lower_softmax_args a = {.rows = (uint32_t)o->m,
                                    .len = (uint32_t)o->n,
                                    .x = xa,
                                    .y = ya,
                                    .lut = wb + (uint32_t)o->lut_off,
                                    .mult = o->mult0,
                                    .shift = o->shift0,
                                    .zo = y->zp,
                                    .lo = o->lo,
                                    .hi = o->hi};
        return dlp_lower_softmax(L, &a);
    }
    case O_LNORM: {
        dlp_lower_lnorm_args a = {.rows = (uint32_t)o->m,
                                  .len = (uint32_t)o->n,
                                  .x = xa,
                                  .y = ya,
                                  .prm = wb + (uint32_t)o->prm_off,
                                  .eps_term = dlp_lnorm_eps_term(o->eps, o->n, x->scale),
                                  .lo = o->lo,
                                  .hi = o->hi};
        return dlp_lower_layernorm(L, &a);
    }
    case O_MAXPOOL:
    case O_AVGPOOL: {
        dlp_lower_pool_args a = {.s = o->ps,
                                 .x = xa,
                                 .y = ya,
                                 .prm = wb + (uint32_t)o->prm_off,
                                 .lo = o->lo,
                                 .hi = o->hi};
        return o->kind == O_MAXPOOL ? dlp_lower_maxpool(L, &a) : dlp_lower_avgpool(L, &a);
    }
    }
    return DLP_LOWER_E_ARG;
}

int rt_compile(dlp_rt *rt, dlp_dev *dev)
{
    rt_clear_compile(rt);
    dlp_dev_info info;
    if (dlp_dev_info_get(dev, &info))
        return rt_fail(rt, "device info: %s", dlp_dev_last_error(dev));
    rt->cfg = info.cfg;
    rt->dev = dev;
    const uint32_t N = rt->cfg.n;
    /* layouts: device ops fix what they read and write */
    for (int i = 0; i < rt->nqt; i++) {
        rt_qt *t = &rt->qt[i];
        t->layout = LAY_ANY;
        t->first = -1, t->last = -1;
    }
    for (int i = 0; i < rt->nops; i++) {
        rt_op *o = &rt->ops[i];
        rt->qt[o->out].first = i;
        for (int k = 0; k < o->nin; k++)
            rt->qt[o->in[k]].last = i;
        if (!is_dev_op(o))
            continue;
        int want = op_layout_in(o);
        rt_qt *x = &rt->qt[o->in[0]];
        if (want == LAY_ANY) /* elementwise: keep the first operand's layout */
            want = x->layout != LAY_ANY ? x->layout : x->rank == 4 ? LAY_NHWC : LAY_ROWS;
        for (int k = 0; k < o->nin; k++) {
            rt_qt *t = &rt->qt[o->in[k]];
            if (t->layout == LAY_ANY || t->cdata)
                t->layout = want;
        }
        rt->qt[o->out].layout = o->kind == O_MATMUL_ACT ? LAY_ROWS : want;
    }
    for (int i = 0; i < rt->nout; i++)
        rt->qt[rt->out_qt[i]].last = rt->nops;
    /* constants (weights, parameters, broadcast operands) */
    blob w = {0};
    for (int i = 0; i < rt->nops; i++)
        if (is_dev_op(&rt->ops[i]) && pack_consts(rt, &rt->ops[i], &w)) {
            free(w.p);
            return rt->err[0] ? -1 : rt_fail(rt, "out of memory packing weights");
        }
    for (int i = 0; i < rt->nqt; i++) {
        rt_qt *t = &rt->qt[i];
        if (!t->cdata)
            continue;
        if (t->layout == LAY_ANY)
            t->layout = LAY_ROWS;
        size_t at = blob_add(&w, bytes_in(t, N, t->layout));
        if (at == (size_t)-1 || pack(rt, t, t->cdata, w.p + at)) {
            free(w.p);
            return rt_fail(rt, "out of memory");
        }
        t->off = at;
    }
    /* activation arena: first fit over live ranges */
    size_t arena = 0;
    int *order = malloc(sizeof(int) * (size_t)(rt->nqt + 1));
    if (!order) {
        free(w.p);
        return rt_fail(rt, "out of memory");
    }
    int placed = 0;
    for (int i = 0; i < rt->nqt; i++) {
        rt_qt *t = &rt->qt[i];
        if (t->cdata || t->is_float || t->is_idx)
            continue;
        t->dev_bytes = align_up(t->rank == 4 ? (bytes_in(t, N, LAY_NHWC) > bytes_in(t, N, LAY_ROWS)
                                                    ? bytes_in(t, N, LAY_NHWC)
                                                    : bytes_in(t, N, LAY_ROWS))
                                             : bytes_in(t, N, LAY_ROWS));
        int lo = t->first, hi = t->last < 0 ? t->first : t->last;
        size_t at = 0;
        for (int again = 1; again;) {
            again = 0;
            for (int j = 0; j < placed; j++) {
                rt_qt *u = &rt->qt[order[j]];
                int ulo = u->first, uhi = u->last < 0 ? u->first : u->last;
                if (uhi < lo || ulo > hi)
                    continue;
                if (at < u->off + u->dev_bytes && u->off < at + t->dev_bytes) {
                    at = u->off + u->dev_bytes;
                    again = 1;
                }
            }
        }
        t->off = at;
        order[placed++] = i;
        if (at + t->dev_bytes > arena)
            arena = at + t->dev_bytes;
    }
    free(order);
    /* buffers, then programs with final addresses */
    int rc = 0;
    if (dlp_buf_alloc(dev, w.len ? w.len : 64, &rt->wbuf) ||
        dlp_buf_alloc(dev, arena ? arena : 64, &rt->abuf) ||
        (w.len && dlp_buf_write(rt->wbuf, 0, w.p, w.len))) {
        free(w.p);
        return rt_fail(rt, "DMA memory for %zu bytes of weights and %zu of activations: %s", w.len,
                       arena, dlp_dev_last_error(dev));
    }
    free(w.p);
    /* scratch size of host-packed operands */
    size_t scratch = 64;
    for (int i = 0; i < rt->nops; i++) {
        rt_op *o = &rt->ops[i];
        if (o->kind == O_MATMUL_ACT) {
            int32_t zb = rt->qt[o->in[1]].zp;
            o->kdup = zb == 0 ? 1 : zb == -128 ? 3 : 2;
            size_t ab, wb, pb;
            mma_sizes(N, o, &ab, &wb, &pb);
            size_t s = (size_t)o->batch * (ab + wb + pb);
            scratch = s > scratch ? s : scratch;
        }
    }
    if (dlp_buf_alloc(dev, scratch, &rt->sbuf))
        return rt_fail(rt, "DMA memory for %zu bytes of scratch: %s", scratch,
                       dlp_dev_last_error(dev));
    dlp_prog *prog = dlp_prog_new();
    blob pb = {0};
    if (!prog)
        return rt_fail(rt, "out of memory");
    uint32_t wb = (uint32_t)dlp_buf_addr(rt->wbuf), ab = (uint32_t)dlp_buf_addr(rt->abuf),
             sb = (uint32_t)dlp_buf_addr(rt->sbuf);
    for (int i = 0; i < rt->nops && rc == 0; i++) {
        rt_op *o = &rt->ops[i];
        if (!is_dev_op(o))
            continue;
        dlp_prog_reset(prog);
        dlp_lower L;
        dlp_lower_init(&L, &rt->cfg, prog);
        int e = gen(rt, o, &L, wb, ab, sb);
        if (e == 0)
            e = dlp_lower_finish(&L);
        if (e) {
            if (e == DLP_LOWER_E_FIT || e == DLP_LOWER_E_FIELD) {
                fprintf(stderr,
                        "dlp: warning: node '%s' (%s) does not fit the DLP (%s); "
                        "running it on the CPU\n",
                        o->name, o->opname, dlp_lower_msg(&L));
                o->where = 1;
                continue;
            }
            rc = rt_fail(rt, "node '%s' (%s): cannot compile: %s", o->name, o->opname,
                         dlp_lower_msg(&L));
            break;
        }
        size_t len = dlp_prog_len(prog) * DLP_INSN_BYTES;
        size_t at = blob_add(&pb, len);
        if (at == (size_t)-1) {
            rc = rt_fail(rt, "out of memory");
            break;
        }
        /* program buffers need 32-byte alignment: blob_add aligns to 64 */
        dlp_prog_bytes(prog, pb.p + at, len);
        o->prog_off = at, o->prog_len = dlp_prog_len(prog);
    }
    dlp_prog_free(prog);
    if (rc == 0 && (dlp_buf_alloc(dev, pb.len ? pb.len : 64, &rt->pbuf) ||
                    (pb.len && dlp_buf_write(rt->pbuf, 0, pb.p, pb.len))))
        rc = rt_fail(rt, "DMA memory for %zu bytes of programs: %s", pb.len,
                     dlp_dev_last_error(dev));
    free(pb.p);
    if (rc == 0)
        rt->compiled = 1;
    return rc;
}

/* ------------------------------------------------------------------ CPU / host ops */
static int32_t out_lo(const rt_op *o)
{
    return o->lo;
}

static int host_op(dlp_rt *rt, rt_op *o);

static int cpu_op(dlp_rt *rt, rt_op *o)
{
    rt_qt *x = &rt->qt[o->in[0]], *y = &rt->qt[o->out];
    int rc = 0;
    dlp_requant rq = {.mult = o->mult,
                      .shift = o->shift,
                      .n = o->nrq,
                      .zp = y->zp,
                      .lo = out_lo(o),
                      .hi = o->hi,
                      .type = DLP_S8};
    /* NHWC temporaries for 4-D ops */
    int8_t *xn = NULL, *yn = NULL;
    if (o->kind == O_CONV || o->kind == O_MAXPOOL || o->kind == O_AVGPOOL) {
        xn = malloc(x->count ? x->count : 1), yn = malloc(y->count ? y->count : 1);
        if (!xn || !yn) {
            free(xn), free(yn);
            return rt_fail(rt, "out of memory");
        }
        size_t C = (size_t)x->dims[1], HW = (size_t)(x->dims[2] * x->dims[3]);
        for (size_t b = 0; b < (size_t)x->dims[0]; b++)
            for (size_t c = 0; c < C; c++)
                for (size_t p = 0; p < HW; p++)
                    xn[(b * HW + p) * C + c] = x->host[(b * C + c) * HW + p];
    }
    const int32_t zero = 0;
    if (o->kind >= O_FGEMM) {
        free(xn), free(yn);
        return host_op(rt, o);
    }
    switch (o->kind) {
    case O_CONV:
        if (o->wraw)
            rc = dlp_conv2d_q(&o->cs, xn, DLP_S8, x->zp, o->wraw, o->wtype, o->wzp, o->cs.cout,
                              o->bias, &rq, yn);
        else
            rc = dlp_conv2d_q(&o->cs, xn, DLP_S8, x->zp, o->w, DLP_S8, &zero, 1, o->bias, &rq, yn);
        break;
    case O_MAXPOOL: rc = dlp_maxpool(&o->ps, xn, DLP_S8, yn); break;
    case O_AVGPOOL:
        rc = dlp_avgpool_q(&o->ps, xn, DLP_S8, x->zp, x->scale, y->scale, &rq, yn);
        break;
    case O_MATMUL: {
        dlp_matmul_shape s = {.batch = 1, .m = o->m, .k = o->k, .n = o->n, .trans_b = o->trans_b};
        rc =
            dlp_matmul_q(&s, x->host, DLP_S8, x->zp, o->w, DLP_S8, &zero, 1, o->bias, &rq, y->host);
        break;
    }
    case O_MATMUL_ACT: {
        rt_qt *b = &rt->qt[o->in[1]];
        dlp_matmul_shape s = {
            .batch = o->batch, .m = o->m, .k = o->k, .n = o->n, .b_shared = o->b_shared};
        rc = dlp_matmul_q(&s, x->host, DLP_S8, x->zp, b->host, DLP_S8, &b->zp, 1, NULL, &rq,
                          y->host);
        break;
    }
    case O_ADD:
        rc = dlp_add_q(x->count, x->host, DLP_S8, rt->qt[o->in[1]].host, DLP_S8, &o->addp, y->host,
                       DLP_S8);
        break;
    case O_MUL:
        rc = dlp_mul_q(x->count, x->host, DLP_S8, rt->qt[o->in[1]].host, DLP_S8, &o->mulp, y->host,
                       DLP_S8);
        break;
    case O_LUT: rc = dlp_lut_s8(x->count, x->host, o->lut, o->lo, o->hi, y->host); break;
    case O_SOFTMAX:
        for (int r = 0; r < o->m; r++)
            dlp_softmax_row_s8(o->n, x->host + (size_t)r * o->n, o->lut, o->mult0, o->shift0, y->zp,
                               o->lo, o->hi, y->host + (size_t)r * o->n);
        break;
    case O_LNORM:
        rc = dlp_layernorm_q(o->m, o->n, x->host, x->scale, o->gamma, o->beta, o->eps, y->scale,
                             y->zp, y->host);
        break;
    }
    if (yn && rc == 0) {
        size_t C = (size_t)y->dims[1], HW = (size_t)(y->dims[2] * y->dims[3]);
        for (size_t b = 0; b < (size_t)y->dims[0]; b++)
            for (size_t c = 0; c < C; c++)
                for (size_t p = 0; p < HW; p++)
                    y->host[(b * C + c) * HW + p] = yn[(b * HW + p) * C + c];
    }
    free(xn), free(yn);
    if (rc)
        return rt_fail(rt, "node '%s' (%s) on the CPU: %s", o->name, o->opname, dlp_status_str(rc));
    return 0;
}

/* host data of a tensor: int8, float or index values */
static void *hptr(rt_qt *t)
{
    return t->is_idx ? (void *)t->ihost : t->is_float ? (void *)t->fhost : (void *)t->host;
}

static size_t hes(const rt_qt *t)
{
    return t->is_idx ? sizeof(int64_t) : t->is_float ? sizeof(float) : 1;
}

static int float_op2(dlp_rt *rt, rt_op *o);

static int host_op(dlp_rt *rt, rt_op *o)
{
    if (o->kind >= O_GATHER)
        return float_op2(rt, o);
    rt_qt *x = &rt->qt[o->in[0]], *y = &rt->qt[o->out];
    switch (o->kind) {
    case O_QUANT: {
        float s = (float)y->scale;
        int32_t zp = y->zp + (y->u8 ? 128 : 0);
        uint8_t *tmp = malloc(y->count ? y->count : 1);
        if (!tmp)
            return rt_fail(rt, "out of memory");
        dlp_quantize_linear(x->count, x->fhost, &s, &zp, 1, 1, tmp, y->u8 ? DLP_U8 : DLP_S8);
        for (size_t i = 0; i < y->count; i++)
            y->host[i] = y->u8 ? (int8_t)(tmp[i] - 128) : (int8_t)tmp[i];
        free(tmp);
        return 0;
    }
    case O_DEQUANT:
        for (size_t i = 0; i < x->count; i++) {
            float f = (float)(x->host[i] - x->zp) * (float)x->scale;
            y->fhost[i] = o->expr >= 0 ? rt_expr_eval(rt->ex, o->expr, f) : f;
        }
        return 0;
    case O_COPY: memcpy(hptr(y), hptr(x), x->count * hes(x)); return 0;
    case O_TRANSPOSE: {
        size_t es = hes(x);
        uint8_t *yb = hptr(y);
        const uint8_t *xb = hptr(x);
        size_t istr[RT_MAX_RANK] = {0}, idx[RT_MAX_RANK] = {0};
        size_t s = 1;
        for (int d = x->rank - 1; d >= 0; d--)
            istr[d] = s, s *= (size_t)x->dims[d];
        for (size_t i = 0; i < y->count; i++) {
            size_t src = 0;
            for (int d = 0; d < y->rank; d++)
                src += idx[d] * istr[o->perm[d]];
            memcpy(yb + i * es, xb + src * es, es);
            for (int d = y->rank - 1; d >= 0; d--) {
                if (++idx[d] < (size_t)y->dims[d])
                    break;
                idx[d] = 0;
            }
        }
        return 0;
    }
    case O_FGEMM:
        for (int i = 0; i < o->m; i++)
            for (int j = 0; j < o->n; j++) {
                float acc = 0;
                const float *xr = x->fhost + (size_t)i * o->k;
                for (int k = 0; k < o->k; k++)
                    acc += xr[k] * o->fw[(size_t)k * o->n + j];
                y->fhost[(size_t)i * o->n + j] = (float)o->alpha * acc + (o->fb ? o->fb[j] : 0.0f);
            }
        return 0;
    case O_FBIN: {
        rt_qt *b = &rt->qt[o->in[1]];
        size_t idx[RT_MAX_RANK] = {0}, as[RT_MAX_RANK] = {0}, bs[RT_MAX_RANK] = {0}, st;
        st = 1;
        for (int d = x->rank - 1; d >= 0; d--) {
            as[d + y->rank - x->rank] = x->dims[d] == 1 ? 0 : st;
            st *= (size_t)x->dims[d];
        }
        st = 1;
        for (int d = b->rank - 1; d >= 0; d--) {
            bs[d + y->rank - b->rank] = b->dims[d] == 1 ? 0 : st;
            st *= (size_t)b->dims[d];
        }
        for (size_t i = 0; i < y->count; i++) {
            size_t ia = 0, ib = 0;
            for (int d = 0; d < y->rank; d++)
                ia += idx[d] * as[d], ib += idx[d] * bs[d];
            float va = x->fhost[ia], vb = b->fhost[ib];
            float r;
            switch (o->axis) {
            case E_ADD: r = va + vb; break;
            case E_SUB: r = va - vb; break;
            case E_MUL: r = va * vb; break;
            case E_DIV: r = va / vb; break;
            case E_POW: r = powf(va, vb); break;
            case E_MIN: r = fminf(va, vb); break;
            default: r = fmaxf(va, vb); break;
            }
            y->fhost[i] = r;
            for (int d = y->rank - 1; d >= 0; d--) {
                if (++idx[d] < (size_t)y->dims[d])
                    break;
                idx[d] = 0;
            }
        }
        return 0;
    }
    case O_FLNORM:
        for (int r = 0; r < o->m; r++) {
            const float *xr = x->fhost + (size_t)r * o->n;
            float *yr = y->fhost + (size_t)r * o->n;
            double mean = 0, var = 0;
            for (int j = 0; j < o->n; j++)
                mean += xr[j];
            mean /= o->n;
            for (int j = 0; j < o->n; j++)
                var += (xr[j] - mean) * (xr[j] - mean);
            var /= o->n;
            double inv = 1.0 / sqrt(var + o->eps);
            for (int j = 0; j < o->n; j++)
                yr[j] = (float)((xr[j] - mean) * inv * (o->gamma ? o->gamma[j] : 1.0f) +
                                (o->beta ? o->beta[j] : 0.0f));
        }
        return 0;
    case O_FSOFTMAX:
        for (int r = 0; r < o->m; r++) {
            const float *xr = x->fhost + (size_t)r * o->n;
            float *yr = y->fhost + (size_t)r * o->n, mx = xr[0];
            double sum = 0;
            for (int j = 1; j < o->n; j++)
                mx = xr[j] > mx ? xr[j] : mx;
            for (int j = 0; j < o->n; j++)
                sum += yr[j] = expf(xr[j] - mx);
            for (int j = 0; j < o->n; j++)
                yr[j] = (float)(yr[j] / sum);
        }
        return 0;
    case O_EXPAND: {
        size_t es = hes(x);
        uint8_t *yb = hptr(y);
        const uint8_t *xb = hptr(x);
        size_t idx[RT_MAX_RANK] = {0}, xstr[RT_MAX_RANK] = {0};
        size_t st = 1;
        int off = y->rank - x->rank;
        for (int d = x->rank - 1; d >= 0; d--)
            xstr[d] = x->dims[d] == 1 ? 0 : st, st *= (size_t)x->dims[d];
        for (size_t i = 0; i < y->count; i++) {
            size_t src = 0;
            for (int d = 0; d < x->rank; d++)
                src += idx[d + off] * xstr[d];
            memcpy(yb + i * es, xb + src * es, es);
            for (int d = y->rank - 1; d >= 0; d--) {
                if (++idx[d] < (size_t)y->dims[d])
                    break;
                idx[d] = 0;
            }
        }
        return 0;
    }
    case O_CONCAT: {
        size_t outer = 1, inner = 1;
        for (int d = 0; d < o->axis; d++)
            outer *= (size_t)y->dims[d];
        for (int d = o->axis + 1; d < y->rank; d++)
            inner *= (size_t)y->dims[d];
        size_t at = 0;
        for (size_t b = 0; b < outer; b++)
            for (int k = 0; k < o->nin; k++) {
                rt_qt *t = &rt->qt[o->in[k]];
                size_t run = (size_t)t->dims[o->axis] * inner;
                memcpy(y->host + at, t->host + b * run, run);
                at += run;
            }
        return 0;
    }
    }
    return rt_fail(rt, "internal: unknown host op");
}

/* CPU ops on float and index tensors. */
static int float_op2(dlp_rt *rt, rt_op *o)
{
    rt_qt *x = &rt->qt[o->in[0]], *y = &rt->qt[o->out];
    switch (o->kind) {
    case O_GATHER: {
        size_t inner = (size_t)o->n;
        for (size_t i = 0; i < x->count; i++) {
            int64_t r = x->ihost[i];
            if (r < -(int64_t)o->m || r >= (int64_t)o->m)
                return rt_fail(rt,
                               "node '%s' (Gather): index %lld (position %zu of '%s') is out of "
                               "range for a table of %d rows",
                               o->name, (long long)r, i, x->name, o->m);
            if (r < 0)
                r += o->m;
            if (o->fw)
                memcpy(y->fhost + i * inner, o->fw + (size_t)r * inner, inner * sizeof(float));
            else
                memcpy(y->host + i * inner, o->w + (size_t)r * inner, inner);
        }
        return 0;
    }
    case O_FUNARY:
        for (size_t i = 0; i < y->count; i++)
            y->fhost[i] = rt_expr_eval(rt->ex, o->expr, x->fhost[i]);
        return 0;
    case O_FREDUCE: {
        /* output index of every input element: reduced dimensions dropped */
        double *acc = calloc(y->count ? y->count : 1, sizeof(double));
        if (!acc)
            return rt_fail(rt, "out of memory");
        size_t idx[RT_MAX_RANK] = {0}, ostr[RT_MAX_RANK] = {0}, st = 1, per = 1;
        for (int d = x->rank - 1; d >= 0; d--) {
            if (o->perm[d]) {
                per *= (size_t)x->dims[d];
            } else {
                ostr[d] = st;
                st *= (size_t)x->dims[d];
            }
        }
        for (size_t i = 0; i < x->count; i++) {
            size_t oi = 0;
            for (int d = 0; d < x->rank; d++)
                oi += idx[d] * ostr[d];
            acc[oi] += o->axis >= 2 ? (double)x->fhost[i] * x->fhost[i] : x->fhost[i];
            for (int d = x->rank - 1; d >= 0; d--) {
                if (++idx[d] < (size_t)x->dims[d])
                    break;
                idx[d] = 0;
            }
        }
        for (size_t i = 0; i < y->count; i++)
            y->fhost[i] = (float)(o->axis == 1   ? (per ? acc[i] / (double)per : NAN)
                                  : o->axis == 2 ? sqrt(acc[i])
                                                 : acc[i]);
        free(acc);
        return 0;
    }
    case O_FMATMUL: {
        rt_qt *b = &rt->qt[o->in[1]];
        size_t mk = (size_t)o->m * o->k, kn = (size_t)o->k * o->n, mn = (size_t)o->m * o->n;
        for (int t = 0; t < o->batch; t++) {
            const float *A = x->fhost + (o->trans_b ? 0 : (size_t)t * mk);
            const float *B = b->fhost + (o->b_shared ? 0 : (size_t)t * kn);
            float *Y = y->fhost + (size_t)t * mn;
            for (int i = 0; i < o->m; i++)
                for (int j = 0; j < o->n; j++) {
                    float acc = 0;
                    for (int k = 0; k < o->k; k++)
                        acc += A[(size_t)i * o->k + k] * B[(size_t)k * o->n + j];
                    Y[(size_t)i * o->n + j] = (float)o->alpha * acc;
                }
        }
        return 0;
    }
    case O_FLPNORM:
        for (int r = 0; r < o->m; r++) {
            const float *xr = x->fhost + (size_t)r * o->n;
            float *yr = y->fhost + (size_t)r * o->n;
            double nrm = 0;
            for (int j = 0; j < o->n; j++)
                nrm += o->k == 1 ? fabs(xr[j]) : (double)xr[j] * xr[j];
            if (o->k == 2)
                nrm = sqrt(nrm);
            for (int j = 0; j < o->n; j++)
                yr[j] = nrm > 0 ? (float)(xr[j] / nrm) : 0.0f; /* onnxruntime: 0 for a 0 row */
        }
        return 0;
    case O_CAST:
        for (size_t i = 0; i < y->count; i++) {
            if (y->is_idx) {
                double v = x->is_idx ? (double)x->ihost[i] : (double)x->fhost[i];
                if (!(v > -9.2e18 && v < 9.2e18))
                    return rt_fail(rt, "node '%s' (Cast): value %g does not fit an integer",
                                   o->name, v);
                int64_t iv = (int64_t)v;
                y->ihost[i] = y->idt == DLP_NPY_I32 ? (int64_t)(int32_t)(uint32_t)(uint64_t)iv : iv;
            } else {
                y->fhost[i] = x->is_idx ? (float)x->ihost[i] : x->fhost[i];
            }
        }
        return 0;
    }
    return rt_fail(rt, "internal: unknown CPU op");
}

/* Host-packed operands of an activation x activation matmul. With B's zero point zb != 0,
 * sum_k (a - za)(b - zb) is computed as a GEMM over K repeated: A' = [a a (a)] and
 * B' = [b; -zb] (zb = -128: [b; 127; 1]), every entry int8, za folded as usual. */
static int pack_matmul_act(dlp_rt *rt, rt_op *o)
{
    const uint32_t N = rt->cfg.n;
    rt_qt *a = &rt->qt[o->in[0]], *b = &rt->qt[o->in[1]];
    if (ensure_host(rt, b) || (o->kdup > 1 && ensure_host(rt, a)))
        return -1;
    size_t kn = (size_t)o->k * o->n, k2 = (size_t)o->k * (size_t)o->kdup;
    int bb = o->b_shared || b->count == kn ? 1 : o->batch;
    size_t abytes, wbytes, pbytes;
    mma_sizes(N, o, &abytes, &wbytes, &pbytes);
    size_t per = abytes + wbytes + pbytes;
    uint8_t *buf = calloc(1, (size_t)o->batch * per);
    int8_t *bm = malloc(k2 * (size_t)o->n + 1), *am = malloc((size_t)o->m * k2 + 1);
    int32_t *wsum = malloc(sizeof(int32_t) * (size_t)o->n);
    if (!buf || !bm || !am || !wsum) {
        free(buf), free(bm), free(am), free(wsum);
        return rt_fail(rt, "out of memory");
    }
    const int8_t fill[3] = {0, (int8_t)(b->zp == -128 ? 127 : -b->zp), 1};
    for (int t = 0; t < o->batch; t++) {
        const int8_t *src = b->host + (bb == 1 ? 0 : (size_t)t * kn);
        memcpy(bm, src, kn);
        for (int r = 1; r < o->kdup; r++)
            memset(bm + (size_t)r * kn, (uint8_t)fill[r], kn);
        uint8_t *dst = buf + (size_t)t * per;
        if (o->kdup > 1) {
            const int8_t *as = a->host + (size_t)t * o->m * o->k;
            for (int i = 0; i < o->m; i++)
                for (int r = 0; r < o->kdup; r++)
                    memcpy(am + (size_t)i * k2 + (size_t)r * o->k, as + (size_t)i * o->k,
                           (size_t)o->k);
            dlp_pack_act(N, (size_t)o->m, (uint32_t)k2, am, a->zp, dst);
        }
        dlp_pack_matmul_wgt(N, (uint32_t)k2, (uint32_t)o->n, 0, bm, dst + abytes);
        dlp_matmul_wsum((uint32_t)k2, (uint32_t)o->n, 0, bm, wsum);
        dlp_req_prm p = {.channels = (uint32_t)o->n,
                         .wsum = wsum,
                         .x_zp = a->zp,
                         .mult = o->mult,
                         .shift = o->shift,
                         .rq_n = 1,
                         .zp = rt->qt[o->out].zp};
        dlp_pack_req_prm(N, &p, dst + abytes + wbytes);
    }
    int rc = dlp_buf_write(rt->sbuf, 0, buf, (size_t)o->batch * per);
    free(buf), free(bm), free(am), free(wsum);
    return rc ? rt_fail(rt, "writing operands: %s", dlp_dev_last_error(rt->dev)) : 0;
}

static int run_op(dlp_rt *rt, rt_op *o, dlp_rt_layer *st)
{
    const uint32_t N = rt->cfg.n;
    rt_qt *y = &rt->qt[o->out];
    memset(st, 0, sizeof *st);
    st->name = o->name, st->op = o->opname;
    st->macs = o->macs;
    int where = o->where;
    if (where == 0 && o->kind == O_MATMUL_ACT) {
        if (pack_matmul_act(rt, o))
            return -1;
    }
    st->where = where == 0 ? "dlp" : where == 1 ? "cpu" : "host";
    if (y->is_idx) {
        if (!y->ihost && !(y->ihost = malloc(sizeof(int64_t) * (y->count ? y->count : 1))))
            return rt_fail(rt, "out of memory");
    } else if (y->is_float) {
        if (!y->fhost && !(y->fhost = malloc(sizeof(float) * (y->count ? y->count : 1))))
            return rt_fail(rt, "out of memory");
    } else if (!y->host && !(y->host = malloc(y->count ? y->count : 1))) {
        return rt_fail(rt, "out of memory");
    }
    if (where != 0) {
        for (int k = 0; k < o->nin; k++)
            if (ensure_host(rt, &rt->qt[o->in[k]]))
                return -1;
        int rc = where == 1 ? cpu_op(rt, o) : host_op(rt, o);
        y->host_valid = 1, y->dev_valid = 0;
        return rc;
    }
    int want = op_layout_in(o);
    if (want == LAY_ANY)
        want = rt->qt[o->in[0]].layout;
    for (int k = 0; k < o->nin; k++) {
        if (o->kind == O_MATMUL_ACT && (k == 1 || o->kdup > 1))
            continue;
        if (ensure_dev(rt, &rt->qt[o->in[k]], want))
            return -1;
    }
    y->layout = o->kind == O_MATMUL_ACT ? LAY_ROWS : want;
    dlp_job_desc job = {.insns = rt->pbuf, .insn_off = o->prog_off, .count = (uint32_t)o->prog_len};
    dlp_job_result res;
    int rc = dlp_dev_run(rt->dev, &job, 600000, &res);
    if (rc)
        return rt_fail(rt, "node '%s' (%s) on the DLP: %s%s%s", o->name, o->opname,
                       dlp_dev_last_error(rt->dev), res.err_code ? " - " : "",
                       res.err_code ? dlp_err_name(res.err_code) : "");
    st->cycles = res.perf[DLP_PERF_CYCLES];
    st->dma_bytes = res.perf[DLP_PERF_RD_BYTES] + res.perf[DLP_PERF_WR_BYTES];
    st->insns = res.perf[DLP_PERF_INSNS];
    st->util = st->cycles ? (double)st->macs / ((double)st->cycles * N * N) : 0.0;
    y->dev_valid = 1, y->host_valid = 0;
    return 0;
}

int rt_exec(dlp_rt *rt, dlp_rt_progress_fn progress, void *user)
{
    free(rt->layers);
    rt->nlayers = 0;
    rt->layers = calloc((size_t)rt->nops + 1, sizeof *rt->layers);
    if (!rt->layers)
        return rt_fail(rt, "out of memory");
    for (int i = 0; i < rt->nops; i++) {
        rt_op *o = &rt->ops[i];
        if (run_op(rt, o, &rt->layers[i]))
            return -1;
        rt->nlayers = i + 1;
        if (progress) {
            char line[256];
            const dlp_rt_layer *l = &rt->layers[i];
            snprintf(line, sizeof line, "[%d/%d] %s (%s, %s) %llu cycles", i + 1, rt->nops, l->name,
                     l->op, l->where, (unsigned long long)l->cycles);
            progress(user, line);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ public API */
static int bind_inputs(dlp_rt *rt, const dlp_npy *in, int n)
{
    if (n != rt->nin)
        return rt_fail(rt, "the model has %d inputs, %d given", rt->nin, n);
    for (int i = 0; i < n; i++) {
        const dlp_rt_io *io = &rt->ins[i];
        if (in[i].dtype != io->dtype)
            return rt_fail(rt, "input '%s' must be %s, got %s", io->name,
                           dlp_npy_dtype_name(io->dtype), dlp_npy_dtype_name(in[i].dtype));
        if (in[i].rank != io->rank)
            return rt_fail(rt, "input '%s' must have rank %d, got %d", io->name, io->rank,
                           in[i].rank);
        for (int d = 0; d < io->rank; d++)
            if ((io->dims[d] >= 0 && in[i].dims[d] != io->dims[d]) || in[i].dims[d] < 1 ||
                in[i].dims[d] > (1 << 24))
                return rt_fail(rt, "input '%s' dimension %d must be %lld, got %lld", io->name, d,
                               (long long)io->dims[d], (long long)in[i].dims[d]);
    }
    return 0;
}

int dlp_rt_run(dlp_rt *rt, dlp_dev *dev, const dlp_npy *inputs, int n_inputs, dlp_npy *outputs,
               dlp_rt_progress_fn progress, void *user)
{
    if (!rt || !rt->pb)
        return rt ? rt_fail(rt, "no model loaded") : -1;
    if (!dev)
        return rt_fail(rt, "no device");
    rt->err[0] = 0;
    if (bind_inputs(rt, inputs, n_inputs))
        return -1;
    int same = rt->imported && rt->dev == dev && rt->compiled;
    for (int i = 0; i < n_inputs && same; i++)
        for (int d = 0; d < inputs[i].rank; d++)
            same &= rt->bound_dims[i][d] == inputs[i].dims[d];
    if (!same) {
        rt_clear_compile(rt);
        if (rt_import(rt, inputs, n_inputs) || rt_compile(rt, dev))
            return -1;
        for (int i = 0; i < n_inputs; i++)
            memcpy(rt->bound_dims[i], inputs[i].dims, sizeof rt->bound_dims[i]);
    }
    for (int i = 0; i < rt->nqt; i++) {
        rt_qt *t = &rt->qt[i];
        t->host_valid = t->dev_valid = 0;
    }
    for (int i = 0; i < n_inputs; i++) {
        rt_qt *t = &rt->qt[i]; /* graph inputs are the first tensors */
        if (t->is_idx) {
            free(t->ihost);
            t->ihost = malloc(sizeof(int64_t) * (t->count ? t->count : 1));
            if (!t->ihost)
                return rt_fail(rt, "out of memory");
            for (size_t k = 0; k < t->count; k++)
                t->ihost[k] = inputs[i].dtype == DLP_NPY_I64 ? ((const int64_t *)inputs[i].data)[k]
                                                             : ((const int32_t *)inputs[i].data)[k];
        } else if (t->is_float) {
            free(t->fhost);
            t->fhost = malloc(sizeof(float) * (t->count ? t->count : 1));
            if (!t->fhost)
                return rt_fail(rt, "out of memory");
            memcpy(t->fhost, inputs[i].data, sizeof(float) * t->count);
        } else {
            if (!t->host && !(t->host = malloc(t->count ? t->count : 1)))
                return rt_fail(rt, "out of memory");
            const uint8_t *src = inputs[i].data;
            for (size_t k = 0; k < t->count; k++)
                t->host[k] = t->u8 ? (int8_t)(src[k] - 128) : (int8_t)src[k];
            if (t->scale == 0 && !t->is_idx)
                return rt_fail(rt,
                               "input '%s': its quantization is unknown (no QLinear op or "
                               "DequantizeLinear reads it)",
                               t->name);
        }
        t->host_valid = 1;
    }
    if (rt_exec(rt, progress, user))
        return -1;
    for (int i = 0; i < rt->nout; i++) {
        rt_qt *t = &rt->qt[rt->out_qt[i]];
        dlp_npy *o = &outputs[i];
        memset(o, 0, sizeof *o);
        if (ensure_host(rt, t))
            return -1;
        o->rank = t->rank;
        memcpy(o->dims, t->dims, sizeof(int64_t) * (size_t)t->rank);
        o->count = t->count;
        o->dtype = t->is_idx ? t->idt : t->is_float ? DLP_NPY_F32 : t->u8 ? DLP_NPY_U8 : DLP_NPY_I8;
        size_t es = dlp_npy_dtype_size(o->dtype);
        o->data = malloc(t->count * es + 1);
        if (!o->data)
            return rt_fail(rt, "out of memory");
        if (t->is_idx)
            for (size_t k = 0; k < t->count; k++) {
                if (o->dtype == DLP_NPY_I64)
                    ((int64_t *)o->data)[k] = t->ihost[k];
                else
                    ((int32_t *)o->data)[k] = (int32_t)t->ihost[k];
            }
        else if (t->is_float)
            memcpy(o->data, t->fhost, t->count * es);
        else
            for (size_t k = 0; k < t->count; k++)
                ((uint8_t *)o->data)[k] = (uint8_t)(t->host[k] + (t->u8 ? 128 : 0));
    }
    return 0;
}

dlp_rt *dlp_rt_new(void)
{
    return calloc(1, sizeof(dlp_rt));
}

void dlp_rt_free(dlp_rt *rt)
{
    if (!rt)
        return;
    rt_clear_compile(rt);
    rt_clear_import(rt);
    for (size_t i = 0; i < rt->nconsts; i++)
        free(rt->consts[i].v);
    free(rt->consts);
    free(rt->ins), free(rt->outs), free(rt->layers);
    if (rt->pb)
        onnx__model_proto__free_unpacked(rt->pb, NULL);
    free(rt);
}

const char *dlp_rt_error(const dlp_rt *rt)
{
    return rt ? rt->err : "no runtime";
}

int dlp_rt_load_mem(dlp_rt *rt, const uint8_t *buf, size_t len)
{
    if (rt->pb)
        return rt_fail(rt, "a model is already loaded");
    if (rt_parse(rt, buf, len))
        return -1;
    /* a trial import reports unsupported nodes now; with symbolic input dimensions (set to
     * 1 for the trial) a shape error may be an artefact of that choice, so it waits for the
     * real shapes at run time */
    if (rt_import(rt, NULL, 0) == 0)
        return 0;
    int symbolic = 0;
    for (int i = 0; i < rt->nin; i++)
        for (int d = 0; d < rt->ins[i].rank; d++)
            symbolic |= rt->ins[i].dims[d] < 0;
    if (symbolic && !strstr(rt->err, "not supported") && !strstr(rt->err, "out of memory")) {
        rt_clear_import(rt);
        rt->err[0] = 0;
        return 0;
    }
    return -1;
}

int dlp_rt_load_file(dlp_rt *rt, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return rt_fail(rt, "%s: cannot open", path);
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : 1 << 20;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return rt_fail(rt, "%s: out of memory", path);
            }
            buf = nb;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (!r)
            break;
    }
    fclose(f);
    int rc = dlp_rt_load_mem(rt, buf, len);
    free(buf);
    if (rc) {
        char tmp[sizeof rt->err + 1100];
        snprintf(tmp, sizeof tmp, "%.1000s: %s", path, rt->err);
        memcpy(rt->err, tmp, sizeof rt->err - 1);
        rt->err[sizeof rt->err - 1] = 0;
    }
    return rc;
}

int dlp_rt_num_inputs(const dlp_rt *rt)
{
    return rt->nin;
}

int dlp_rt_num_outputs(const dlp_rt *rt)
{
    return rt->nout;
}

const dlp_rt_io *dlp_rt_input(const dlp_rt *rt, int i)
{
    return i >= 0 && i < rt->nin ? &rt->ins[i] : NULL;
}

const dlp_rt_io *dlp_rt_output(const dlp_rt *rt, int i)
{
    return i >= 0 && i < rt->nout ? &rt->outs[i] : NULL;
}

int dlp_rt_num_layers(const dlp_rt *rt)
{
    return rt->nlayers;
}

const dlp_rt_layer *dlp_rt_layer_get(const dlp_rt *rt, int i)
{
    return i >= 0 && i < rt->nlayers ? &rt->layers[i] : NULL;
}

uint32_t dlp_rt_array_n(const dlp_rt *rt)
{
    return rt->cfg.n;
}
