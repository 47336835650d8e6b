/*
 * test_ops_linear.c - randomised property tests of the linear ops against independent
 * formulations written here:
 *   conv2d_acc   == im2col + matmul_acc (per group)  == naive int64 loop over a padded copy
 *   depthwise    == one single-channel conv per input channel
 *   conv2d_q     == conv2d_acc + requantize
 *   matmul_acc   == naive int64 loop, for every trans_a/trans_b combination (explicit
 *                   transposed copies) and with a shared B
 *   matmul_q     == matmul_acc + requantize
 *   requantize   == dlp_requant_lane per element, and mbqm within 1 of x * real
 *   rescale, add, mul, avgpool, global avgpool: within 1 LSB of a double-precision result
 *   maxpool      == naive max over a padded copy (padding marked, never selected)
 *   quantize_linear == nearbyintf(x / scale) + zp saturated (FE_TONEAREST)
 * Shapes are random and mostly not multiples of 16. Seed: $SEED or a fixed default, printed.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dlp/ops.h"
#include "dlp/quant.h"

static unsigned long long seed;

static dlp_dtype rtype(void)
{
    return check_range(&seed, 0, 1) ? DLP_U8 : DLP_S8;
}

static int32_t rzp(dlp_dtype t)
{
    return check_range(&seed, dlp_dtype_min(t), dlp_dtype_max(t));
}

static void fill(void *p, dlp_dtype t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dlp_st(p, t, i, rzp(t));
}

static double runit(void) /* [0, 1) */
{
    return (double)(check_rand(&seed) >> 11) * 0x1p-53;
}

static double rscale(double lo, double hi) /* log-uniform */
{
    return lo * pow(hi / lo, runit());
}

static int32_t rint32(void)
{
    return (int32_t)(uint32_t)check_rand(&seed);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* A random per-channel requant block (arrays owned by the caller, n entries). */
static void rand_rq(dlp_requant *rq, int32_t *mult, int32_t *shift, int n, dlp_dtype t)
{
    float *ws = xmalloc((size_t)n * sizeof *ws);
    for (int i = 0; i < n; i++)
        ws[i] = (float)rscale(1e-3, 1e-1);
    int st = dlp_requant_prepare(rscale(1e-3, 1e-1), ws, n, rscale(1e-3, 0.5), mult, shift);
    CHECK(st == DLP_OK, "requant_prepare %d", st);
    free(ws);
    rq->mult = mult;
    rq->shift = shift;
    rq->n = n;
    rq->type = t;
    rq->zp = rzp(t);
    rq->lo = dlp_dtype_min(t);
    rq->hi = dlp_dtype_max(t);
    if (check_range(&seed, 0, 2) == 0) /* fused ReLU-like clamp */
        rq->lo = rq->zp;
}

/* ------------------------------------------------------------ conv */
static int conv_out(int in, int p0, int p1, int k, int dil, int stride)
{
    double v = floor((double)(in + p0 + p1 - dil * (k - 1) - 1) / stride) + 1;
    return (int)v;
}

/* Naive: copy into a padded buffer filled with x_zp, then a direct loop in int64. */
static void conv_naive(const dlp_conv_shape *s, int oh, int ow, const void *x, dlp_dtype xt,
                       int32_t x_zp, const void *w, dlp_dtype wt, const int32_t *w_zp, int w_zp_n,
                       const int32_t *bias, int32_t *acc)
{
    const int hp = s->h + s->pad_t + s->pad_b, wp = s->w + s->pad_l + s->pad_r;
    int32_t *xp = xmalloc((size_t)s->n * hp * wp * s->c * sizeof *xp);
    for (int b = 0; b < s->n; b++)
        for (int y = 0; y < hp; y++)
            for (int xx = 0; xx < wp; xx++)
                for (int ch = 0; ch < s->c; ch++) {
                    const int iy = y - s->pad_t, ix = xx - s->pad_l;
                    const int inside = iy >= 0 && iy < s->h && ix >= 0 && ix < s->w;
                    xp[(((size_t)b * hp + y) * wp + xx) * s->c + ch] =
                        inside ? dlp_ld(x, xt, (((size_t)b * s->h + iy) * s->w + ix) * s->c + ch)
                               : x_zp;
                }
    const int cin_g = s->c / s->groups, cout_g = s->cout / s->groups;
    for (int b = 0; b < s->n; b++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int co = 0; co < s->cout; co++) {
                    int64_t sum = bias ? bias[co] : 0;
                    const int g = co / cout_g;
                    for (int ky = 0; ky < s->kh; ky++)
                        for (int kx = 0; kx < s->kw; kx++)
                            for (int ci = 0; ci < cin_g; ci++) {
                                const int y = oy * s->stride_h + ky * s->dil_h;
                                const int xx = ox * s->stride_w + kx * s->dil_w;
                                const int64_t xv =
                                    xp[(((size_t)b * hp + y) * wp + xx) * s->c + g * cin_g + ci];
                                const int64_t wv = dlp_ld(
                                    w, wt, (((size_t)co * s->kh + ky) * s->kw + kx) * cin_g + ci);
                                sum += (xv - x_zp) * (wv - w_zp[w_zp_n == 1 ? 0 : co]);
                            }
                    acc[(((size_t)b * oh + oy) * ow + ox) * s->cout + co] = (int32_t)(uint32_t)sum;
                }
    free(xp);
}

/* im2col + matmul_acc, one matmul per group. */
static int conv_im2col(const dlp_conv_shape *s, int oh, int ow, const void *x, dlp_dtype xt,
                       int32_t x_zp, const void *w, dlp_dtype wt, const int32_t *w_zp, int w_zp_n,
                       const int32_t *bias, int32_t *acc)
{
    const int cin_g = s->c / s->groups, cout_g = s->cout / s->groups;
    const int rows = s->n * oh * ow, kk = s->kh * s->kw * cin_g;
    uint8_t *col = xmalloc((size_t)rows * kk);
    int32_t *part = xmalloc((size_t)rows * cout_g * sizeof *part);
    int st = DLP_OK;
    for (int g = 0; g < s->groups && st == DLP_OK; g++) {
        for (int r = 0; r < rows; r++) {
            const int b = r / (oh * ow), oy = r / ow % oh, ox = r % ow;
            for (int ky = 0; ky < s->kh; ky++)
                for (int kx = 0; kx < s->kw; kx++)
                    for (int ci = 0; ci < cin_g; ci++) {
                        const int iy = oy * s->stride_h - s->pad_t + ky * s->dil_h;
                        const int ix = ox * s->stride_w - s->pad_l + kx * s->dil_w;
                        int32_t v = x_zp;
                        if (iy >= 0 && iy < s->h && ix >= 0 && ix < s->w)
                            v = dlp_ld(x, xt,
                                       (((size_t)b * s->h + iy) * s->w + ix) * s->c + g * cin_g +
                                           ci);
                        dlp_st(col, xt, (size_t)r * kk + (ky * s->kw + kx) * cin_g + ci, v);
                    }
        }
        const dlp_matmul_shape ms = {.batch = 1, .m = rows, .k = kk, .n = cout_g, .trans_b = 1};
        const size_t wofs = (size_t)g * cout_g * kk; /* OHWI rows of this group */
        const void *wg = wt == DLP_U8 ? (const void *)((const uint8_t *)w + wofs)
                                      : (const void *)((const int8_t *)w + wofs);
        st = dlp_matmul_acc(
            &ms, col, xt, x_zp, wg, wt, w_zp_n == 1 ? w_zp : w_zp + (size_t)g * cout_g,
            w_zp_n == 1 ? 1 : cout_g, bias ? bias + (size_t)g * cout_g : NULL, part);
        for (int r = 0; r < rows && st == DLP_OK; r++)
            for (int j = 0; j < cout_g; j++)
                acc[(size_t)r * s->cout + g * cout_g + j] = part[(size_t)r * cout_g + j];
    }
    free(col);
    free(part);
    return st;
}

static void test_conv_random(int cases)
{
    int ran = 0, shape_err = 0;
    for (int t = 0; t < cases; t++) {
        dlp_conv_shape s;
        memset(&s, 0, sizeof s);
        s.n = check_range(&seed, 1, 2);
        s.h = check_range(&seed, 1, 9);
        s.w = check_range(&seed, 1, 11);
        const int gk = check_range(&seed, 0, 3);
        int cin_g = check_range(&seed, 1, 5), cout_g = check_range(&seed, 1, 4);
        s.groups = gk == 0 ? 1 : gk == 1 ? 2 : gk == 2 ? 3 : check_range(&seed, 1, 7);
        if (gk == 3) /* depthwise */
            cin_g = 1;
        if (t % 10 == 0) { /* wide, not a multiple of 16 */
            s.groups = 1;
            cin_g = check_range(&seed, 15, 35);
            cout_g = check_range(&seed, 15, 20);
        }
        s.c = s.groups * cin_g;
        s.cout = s.groups * cout_g;
        s.kh = check_range(&seed, 1, 4);
        s.kw = check_range(&seed, 1, 4);
        s.stride_h = check_range(&seed, 1, 3);
        s.stride_w = check_range(&seed, 1, 3);
        s.dil_h = check_range(&seed, 1, 2);
        s.dil_w = check_range(&seed, 1, 2);
        s.pad_t = check_range(&seed, 0, 2);
        s.pad_l = check_range(&seed, 0, 2);
        s.pad_b = check_range(&seed, 0, 2);
        s.pad_r = check_range(&seed, 0, 2);

        const dlp_dtype xt = rtype(), wt = rtype();
        const int32_t x_zp = rzp(xt);
        const int w_zp_n = check_range(&seed, 0, 1) ? s.cout : 1;
        const size_t nx = (size_t)s.n * s.h * s.w * s.c;
        const size_t nw = (size_t)s.cout * s.kh * s.kw * cin_g;
        uint8_t *x = xmalloc(nx), *w = xmalloc(nw);
        int32_t *w_zp = xmalloc((size_t)w_zp_n * sizeof *w_zp);
        int32_t *bias = xmalloc((size_t)s.cout * sizeof *bias);
        fill(x, xt, nx);
        fill(w, wt, nw);
        for (int i = 0; i < w_zp_n; i++)
            w_zp[i] = rzp(wt);
        for (int i = 0; i < s.cout; i++) /* full range: exercises the mod 2^32 wrap */
            bias[i] = check_range(&seed, 0, 3) == 0 ? rint32() : check_range(&seed, -5000, 5000);
        const int use_bias = check_range(&seed, 0, 4) != 0;

        const int eh = conv_out(s.h, s.pad_t, s.pad_b, s.kh, s.dil_h, s.stride_h);
        const int ew = conv_out(s.w, s.pad_l, s.pad_r, s.kw, s.dil_w, s.stride_w);
        int oh = -1, ow = -1;
        const int st = dlp_conv_out_hw(&s, &oh, &ow);
        if (eh < 1 || ew < 1) {
            int32_t dummy = 0x55;
            CHECK(st == DLP_E_SHAPE, "case %d: out %dx%d expected E_SHAPE, got %d", t, eh, ew, st);
            CHECK(dlp_conv2d_acc(&s, x, xt, x_zp, w, wt, w_zp, w_zp_n, bias, &dummy) ==
                          DLP_E_SHAPE &&
                      dummy == 0x55,
                  "case %d: conv on empty output", t);
            shape_err++;
        } else {
            CHECK(st == DLP_OK && oh == eh && ow == ew, "case %d: out %dx%d, expected %dx%d", t, oh,
                  ow, eh, ew);
            const size_t ny = (size_t)s.n * oh * ow * s.cout;
            int32_t *acc = xmalloc(ny * sizeof *acc), *ref = xmalloc(ny * sizeof *ref);
            int32_t *ref2 = xmalloc(ny * sizeof *ref2);
            const int32_t *bp = use_bias ? bias : NULL;
            CHECK(dlp_conv2d_acc(&s, x, xt, x_zp, w, wt, w_zp, w_zp_n, bp, acc) == DLP_OK,
                  "case %d: conv2d_acc", t);
            conv_naive(&s, oh, ow, x, xt, x_zp, w, wt, w_zp, w_zp_n, bp, ref);
            CHECK(conv_im2col(&s, oh, ow, x, xt, x_zp, w, wt, w_zp, w_zp_n, bp, ref2) == DLP_OK,
                  "case %d: im2col matmul", t);
            size_t bad = 0, bad2 = 0;
            for (size_t i = 0; i < ny; i++) {
                bad += acc[i] != ref[i];
                bad2 += acc[i] != ref2[i];
            }
            CHECK(bad == 0 && bad2 == 0,
                  "case %d: conv n%d %dx%dx%d -> %d k%dx%d s%d,%d d%d,%d p%d,%d,%d,%d g%d: %zu "
                  "mismatches vs naive, %zu vs im2col",
                  t, s.n, s.h, s.w, s.c, s.cout, s.kh, s.kw, s.stride_h, s.stride_w, s.dil_h,
                  s.dil_w, s.pad_t, s.pad_l, s.pad_b, s.pad_r, s.groups, bad, bad2);

            /* conv2d_q == conv2d_acc + requantize (per-channel or per-tensor) */
            const dlp_dtype yt = rtype();
            const int rqn = check_range(&seed, 0, 1) ? s.cout : 1;
            int32_t *mult = xmalloc((size_t)rqn * sizeof *mult);
            int32_t *shift = xmalloc((size_t)rqn * sizeof *shift);
            dlp_requant rq;
            rand_rq(&rq, mult, shift, rqn, yt);
            uint8_t *y = xmalloc(ny), *y2 = xmalloc(ny);
            CHECK(dlp_conv2d_q(&s, x, xt, x_zp, w, wt, w_zp, w_zp_n, bp, &rq, y) == DLP_OK,
                  "case %d: conv2d_q", t);
            CHECK(dlp_requantize(ny, s.cout, acc, NULL, &rq, y2) == DLP_OK, "case %d: requantize",
                  t);
            CHECK(memcmp(y, y2, ny) == 0, "case %d: conv2d_q != conv2d_acc + requantize", t);

            /* depthwise == a single-channel conv per input channel */
            if (s.groups == s.c) {
                const int mlt = cout_g, kk = s.kh * s.kw;
                dlp_conv_shape s1 = s;
                s1.c = 1;
                s1.cout = mlt;
                s1.groups = 1;
                const size_t np = (size_t)s.n * s.h * s.w, no = (size_t)s.n * oh * ow;
                uint8_t *xc = xmalloc(np);
                int32_t *ac = xmalloc(no * mlt * sizeof *ac);
                size_t dbad = 0;
                for (int ch = 0; ch < s.c; ch++) {
                    for (size_t i = 0; i < np; i++)
                        dlp_st(xc, xt, i, dlp_ld(x, xt, i * s.c + ch));
                    const size_t wofs = (size_t)ch * mlt * kk;
                    const void *wc = wt == DLP_U8
                                         ? (const void *)(w + wofs)
                                         : (const void *)((const int8_t *)(const void *)w + wofs);
                    CHECK(dlp_conv2d_acc(&s1, xc, xt, x_zp, wc, wt,
                                         w_zp_n == 1 ? w_zp : w_zp + (size_t)ch * mlt,
                                         w_zp_n == 1 ? 1 : mlt, bp ? bp + (size_t)ch * mlt : NULL,
                                         ac) == DLP_OK,
                          "case %d: dw channel conv", t);
                    for (size_t i = 0; i < no; i++)
                        for (int j = 0; j < mlt; j++)
                            dbad += ac[i * mlt + j] != acc[i * s.cout + ch * mlt + j];
                }
                CHECK(dbad == 0, "case %d: depthwise vs per-channel: %zu mismatches", t, dbad);
                free(xc);
                free(ac);
            }
            free(mult);
            free(shift);
            free(y);
            free(y2);
            free(acc);
            free(ref);
            free(ref2);
            ran++;
        }
        free(x);
        free(w);
        free(w_zp);
        free(bias);
    }
    printf("conv: %d random cases (%d with an empty output)\n", ran, shape_err);
}

/* ------------------------------------------------------------ matmul */
static void test_matmul_random(int cases)
{
    for (int t = 0; t < cases; t++) {
        dlp_matmul_shape s = {0};
        s.batch = check_range(&seed, 1, 3);
        s.m = check_range(&seed, 1, 40);
        s.k = check_range(&seed, 1, 40);
        s.n = check_range(&seed, 1, 40);
        if (t % 8 == 0) { /* FC-like: one row */
            s.m = 1;
            s.k = check_range(&seed, 50, 300);
        }
        const int shared = check_range(&seed, 0, 1);
        const int nb = shared ? 1 : s.batch;
        const dlp_dtype at = rtype(), bt = rtype();
        const int32_t a_zp = rzp(at);
        const int bzn = check_range(&seed, 0, 1) ? s.n : 1;
        const size_t na = (size_t)s.batch * s.m * s.k, nbb = (size_t)nb * s.k * s.n;
        const size_t nc = (size_t)s.batch * s.m * s.n;
        uint8_t *a = xmalloc(na), *b = xmalloc(nbb), *aT = xmalloc(na), *bT = xmalloc(nbb);
        int32_t *bzp = xmalloc((size_t)bzn * sizeof *bzp), *bias = xmalloc((size_t)s.n * 4);
        int32_t *ref = xmalloc(nc * 4), *acc = xmalloc(nc * 4);
        fill(a, at, na);
        fill(b, bt, nbb);
        for (int j = 0; j < bzn; j++)
            bzp[j] = rzp(bt);
        for (int j = 0; j < s.n; j++)
            bias[j] = check_range(&seed, 0, 3) == 0 ? rint32() : check_range(&seed, -9999, 9999);
        const int32_t *bp = check_range(&seed, 0, 3) ? bias : NULL;
        for (int bi = 0; bi < s.batch; bi++)
            for (int i = 0; i < s.m; i++)
                for (int j = 0; j < s.n; j++) {
                    int64_t sum = bp ? bp[j] : 0;
                    for (int kk = 0; kk < s.k; kk++)
                        sum += (int64_t)(dlp_ld(a, at, ((size_t)bi * s.m + i) * s.k + kk) - a_zp) *
                               (dlp_ld(b, bt, ((size_t)(shared ? 0 : bi) * s.k + kk) * s.n + j) -
                                bzp[bzn == 1 ? 0 : j]);
                    ref[((size_t)bi * s.m + i) * s.n + j] = (int32_t)(uint32_t)sum;
                }
        /* explicit transposes */
        for (int bi = 0; bi < s.batch; bi++)
            for (int i = 0; i < s.m; i++)
                for (int kk = 0; kk < s.k; kk++)
                    dlp_st(aT, at, ((size_t)bi * s.k + kk) * s.m + i,
                           dlp_ld(a, at, ((size_t)bi * s.m + i) * s.k + kk));
        for (int bi = 0; bi < nb; bi++)
            for (int kk = 0; kk < s.k; kk++)
                for (int j = 0; j < s.n; j++)
                    dlp_st(bT, bt, ((size_t)bi * s.n + j) * s.k + kk,
                           dlp_ld(b, bt, ((size_t)bi * s.k + kk) * s.n + j));
        s.b_shared = shared;
        for (int combo = 0; combo < 4; combo++) {
            s.trans_a = combo & 1;
            s.trans_b = combo >> 1;
            memset(acc, 0, nc * 4);
            int st = dlp_matmul_acc(&s, s.trans_a ? aT : a, at, a_zp, s.trans_b ? bT : b, bt, bzp,
                                    bzn, bp, acc);
            size_t bad = 0;
            for (size_t i = 0; i < nc; i++)
                bad += acc[i] != ref[i];
            CHECK(st == DLP_OK && bad == 0,
                  "case %d: matmul b%d %dx%dx%d ta%d tb%d shared%d: st %d, %zu mismatches", t,
                  s.batch, s.m, s.k, s.n, s.trans_a, s.trans_b, shared, st, bad);
        }
        /* matmul_q == matmul_acc + requantize (per column or per tensor) */
        const dlp_dtype yt = rtype();
        const int rqn = check_range(&seed, 0, 1) ? s.n : 1;
        int32_t *mult = xmalloc((size_t)rqn * 4), *shift = xmalloc((size_t)rqn * 4);
        dlp_requant rq;
        rand_rq(&rq, mult, shift, rqn, yt);
        uint8_t *y = xmalloc(nc), *y2 = xmalloc(nc);
        CHECK(dlp_matmul_q(&s, s.trans_a ? aT : a, at, a_zp, s.trans_b ? bT : b, bt, bzp, bzn, bp,
                           &rq, y) == DLP_OK,
              "case %d: matmul_q", t);
        CHECK(dlp_requantize(nc, s.n, ref, NULL, &rq, y2) == DLP_OK, "case %d: requantize", t);
        CHECK(memcmp(y, y2, nc) == 0, "case %d: matmul_q != matmul_acc + requantize", t);
        free(mult);
        free(shift);
        free(y);
        free(y2);
        free(a);
        free(b);
        free(aT);
        free(bT);
        free(bzp);
        free(bias);
        free(ref);
        free(acc);
    }
    printf("matmul: %d random cases x 4 transpose combinations\n", cases);
}

/* ------------------------------------------------------------ requantize */
static void test_requant_random(int cases)
{
    enum { CH = 7, CNT = CH * 37 };
    int32_t x[CNT], bias[CH], mult[CH], shift[CH];
    uint8_t y[CNT];
    long near = 0;
    for (int t = 0; t < cases; t++) {
        for (int c = 0; c < CH; c++) {
            const double real = (check_range(&seed, 0, 5) == 0 ? -1 : 1) * rscale(1e-6, 1e3);
            CHECK(dlp_quantize_multiplier(real, &mult[c], &shift[c]) == 0, "qm %g", real);
            if (check_range(&seed, 0, 9) == 0) /* outside [-31, 30]: mbqm clamps */
                shift[c] = check_range(&seed, 0, 1) ? check_range(&seed, 31, 40)
                                                    : check_range(&seed, -45, -32);
            bias[c] = check_range(&seed, 0, 3) == 0 ? rint32() : check_range(&seed, -1000, 1000);
        }
        for (int i = 0; i < CNT; i++)
            x[i] = check_range(&seed, 0, 2) == 0 ? rint32() : check_range(&seed, -100000, 100000);
        const dlp_dtype yt = rtype();
        dlp_requant rq = {mult, shift, check_range(&seed, 0, 1) ? CH : 1, rzp(yt), 0, 0, yt};
        rq.lo = check_range(&seed, dlp_dtype_min(yt), dlp_dtype_max(yt));
        rq.hi = check_range(&seed, rq.lo, dlp_dtype_max(yt));
        const int32_t *bp = check_range(&seed, 0, 1) ? bias : NULL;
        CHECK(dlp_requantize(CNT, CH, x, bp, &rq, y) == DLP_OK, "requantize");
        size_t bad = 0;
        for (int i = 0; i < CNT; i++) {
            const int c = i % CH, r = rq.n == 1 ? 0 : c;
            const int32_t e =
                dlp_requant_lane(x[i], bp ? bp[c] : 0, mult[r], shift[r], rq.zp, rq.lo, rq.hi);
            bad += dlp_ld(y, yt, (size_t)i) != e;
        }
        CHECK(bad == 0, "case %d: requantize vs requant_lane: %zu mismatches", t, bad);
    }
    /* mbqm is x * real rounded, within 1 (two roundings), when nothing overflows. */
    for (int t = 0; t < cases * 200; t++) {
        const double real = (check_range(&seed, 0, 3) == 0 ? -1 : 1) * rscale(1e-7, 1e2);
        int32_t m, s;
        (void)dlp_quantize_multiplier(real, &m, &s);
        const int32_t xv = check_range(&seed, -20000000, 20000000);
        const double exact = (double)xv * ldexp((double)m, s - 31);
        if (fabs(exact) > 1e9 || fabs((double)xv * ldexp(1.0, s > 0 ? s : 0)) > 2e9)
            continue;
        const int32_t got = dlp_mbqm(xv, m, s);
        CHECK(fabs((double)got - exact) <= 1.0, "mbqm(%d, %d, %d) = %d, exact %.3f", xv, m, s, got,
              exact);
        near++;
    }
    printf("requantize: %d random blocks, %ld mbqm-vs-real checks\n", cases, near);
}

/* ------------------------------------------------------------ rescale / add / mul */
static int32_t clampd(double v, int32_t lo, int32_t hi)
{
    const double r = round(v);
    return r < lo ? lo : r > hi ? hi : (int32_t)r;
}

static void test_rescale_add_mul_random(int cases)
{
    static uint8_t a[65536], b[65536], y[65536];
    for (int t = 0; t < cases; t++) {
        const dlp_dtype at = rtype(), bt = rtype(), yt = rtype();
        const double as = rscale(0.005, 0.2), bs = rscale(0.005, 0.2);
        const double os = rscale(0.01, 0.5);
        const int32_t azp = rzp(at), bzp = rzp(bt), ozp = rzp(yt);
        const int32_t lo = dlp_dtype_min(yt), hi = dlp_dtype_max(yt);
        /* all 256 x 256 input pairs */
        for (int i = 0; i < 65536; i++) {
            dlp_st(a, at, (size_t)i, dlp_dtype_min(at) + (i >> 8));
            dlp_st(b, bt, (size_t)i, dlp_dtype_min(bt) + (i & 255));
        }
        /* rescale a -> y */
        int32_t m, s;
        CHECK(dlp_quantize_multiplier(as / os, &m, &s) == 0, "qm");
        const dlp_requant rq = {&m, &s, 1, ozp, lo, hi, yt};
        CHECK(dlp_rescale(65536, a, at, azp, y, &rq) == DLP_OK, "rescale");
        int worst = 0;
        for (int i = 0; i < 65536; i++) {
            const int32_t e = clampd(ozp + (dlp_ld(a, at, (size_t)i) - azp) * as / os, lo, hi);
            const int d = abs(dlp_ld(y, yt, (size_t)i) - e);
            worst = d > worst ? d : worst;
        }
        CHECK(worst <= 1, "case %d: rescale off by %d", t, worst);

        dlp_add_params ap;
        CHECK(dlp_add_prepare(as, azp, bs, bzp, os, ozp, lo, hi, &ap) == DLP_OK, "add prepare");
        CHECK(dlp_add_q(65536, a, at, b, bt, &ap, y, yt) == DLP_OK, "add_q");
        worst = 0;
        size_t bad = 0;
        for (int i = 0; i < 65536; i++) {
            const int32_t av = dlp_ld(a, at, (size_t)i), bv = dlp_ld(b, bt, (size_t)i);
            const int32_t got = dlp_ld(y, yt, (size_t)i);
            const int32_t e = clampd(ozp + ((av - azp) * as + (bv - bzp) * bs) / os, lo, hi);
            const int d = abs(got - e);
            worst = d > worst ? d : worst;
            bad += got != dlp_add_elem(&ap, av, bv);
        }
        CHECK(worst <= 1 && bad == 0, "case %d: add scales %g %g -> %g: off by %d, %zu != elem", t,
              as, bs, os, worst, bad);

        dlp_mul_params mp;
        const double mos = rscale(as * bs * 20, as * bs * 400); /* products fit the output */
        CHECK(dlp_mul_prepare(as, azp, bs, bzp, mos, ozp, lo, hi, &mp) == DLP_OK, "mul prepare");
        CHECK(dlp_mul_q(65536, a, at, b, bt, &mp, y, yt) == DLP_OK, "mul_q");
        worst = 0;
        bad = 0;
        for (int i = 0; i < 65536; i++) {
            const int32_t av = dlp_ld(a, at, (size_t)i), bv = dlp_ld(b, bt, (size_t)i);
            const int32_t got = dlp_ld(y, yt, (size_t)i);
            const int32_t e = clampd(ozp + (av - azp) * as * (bv - bzp) * bs / mos, lo, hi);
            const int d = abs(got - e);
            worst = d > worst ? d : worst;
            bad += got != dlp_mul_elem(&mp, av, bv);
        }
        CHECK(worst <= 1 && bad == 0, "case %d: mul off by %d, %zu != elem", t, worst, bad);
    }
    printf("rescale/add/mul: %d random scale sets, all 65536 input pairs each\n", cases);
}

/* ------------------------------------------------------------ pooling */
static int pool_out(int in, int p0, int p1, int k, int dil, int stride, int ceil_mode)
{
    const double v = (double)(in + p0 + p1 - dil * (k - 1) - 1) / stride;
    int o = (int)(ceil_mode ? ceil(v) : floor(v)) + 1;
    if (ceil_mode && (o - 1) * stride >= in + p0)
        o--;
    return o;
}

static void test_pool_random(int cases)
{
    int ran = 0, empty = 0;
    for (int t = 0; t < cases; t++) {
        dlp_pool_shape s = {0};
        s.n = check_range(&seed, 1, 2);
        s.h = check_range(&seed, 1, 12);
        s.w = check_range(&seed, 1, 12);
        s.c = check_range(&seed, 1, 19);
        s.kh = check_range(&seed, 1, 4);
        s.kw = check_range(&seed, 1, 4);
        s.stride_h = check_range(&seed, 1, 3);
        s.stride_w = check_range(&seed, 1, 3);
        s.dil_h = check_range(&seed, 0, 3) ? 1 : 2;
        s.dil_w = check_range(&seed, 0, 3) ? 1 : 2;
        s.pad_t = check_range(&seed, 0, s.kh - 1);
        s.pad_l = check_range(&seed, 0, s.kw - 1);
        s.pad_b = check_range(&seed, 0, s.kh - 1);
        s.pad_r = check_range(&seed, 0, s.kw - 1);
        s.ceil_mode = check_range(&seed, 0, 1);
        s.count_include_pad = check_range(&seed, 0, 1);
        const dlp_dtype xt = rtype(), yt = rtype();
        const int32_t x_zp = rzp(xt);
        const int eh = pool_out(s.h, s.pad_t, s.pad_b, s.kh, s.dil_h, s.stride_h, s.ceil_mode);
        const int ew = pool_out(s.w, s.pad_l, s.pad_r, s.kw, s.dil_w, s.stride_w, s.ceil_mode);
        int oh = -1, ow = -1;
        int st = dlp_pool_out_hw(&s, &oh, &ow);
        if (eh < 1 || ew < 1) {
            CHECK(st == DLP_E_SHAPE, "case %d: pool out %dx%d expected E_SHAPE", t, eh, ew);
            continue;
        }
        CHECK(st == DLP_OK && oh == eh && ow == ew, "case %d: pool out %dx%d expected %dx%d", t, oh,
              ow, eh, ew);
        if (st != DLP_OK || oh != eh || ow != ew)
            continue;
        /* padded plane covering every window, padding marked by INT32_MIN */
        const int hp = (oh - 1) * s.stride_h + s.dil_h * (s.kh - 1) + 1 > s.h + s.pad_t
                           ? (oh - 1) * s.stride_h + s.dil_h * (s.kh - 1) + 1
                           : s.h + s.pad_t;
        const int wp = (ow - 1) * s.stride_w + s.dil_w * (s.kw - 1) + 1 > s.w + s.pad_l
                           ? (ow - 1) * s.stride_w + s.dil_w * (s.kw - 1) + 1
                           : s.w + s.pad_l;
        const size_t nx = (size_t)s.n * s.h * s.w * s.c, ny = (size_t)s.n * oh * ow * s.c;
        uint8_t *x = xmalloc(nx), *y = xmalloc(ny), *ya = xmalloc(ny);
        int32_t *xp = xmalloc((size_t)hp * wp * sizeof *xp);
        fill(x, xt, nx);
        const double is = rscale(0.01, 0.1), os = is * rscale(0.3, 3.0);
        const dlp_requant rq = {NULL, NULL, 0, rzp(yt), dlp_dtype_min(yt), dlp_dtype_max(yt), yt};
        const int stm = dlp_maxpool(&s, x, xt, y);
        const int sta = dlp_avgpool_q(&s, x, xt, x_zp, is, os, &rq, ya);
        int has_empty = 0, mbad = 0, worst = 0;
        for (int b = 0; b < s.n; b++)
            for (int ch = 0; ch < s.c; ch++) {
                for (int py = 0; py < hp; py++)
                    for (int px = 0; px < wp; px++) {
                        const int iy = py - s.pad_t, ix = px - s.pad_l;
                        xp[(size_t)py * wp + px] =
                            iy >= 0 && iy < s.h && ix >= 0 && ix < s.w
                                ? dlp_ld(x, xt, (((size_t)b * s.h + iy) * s.w + ix) * s.c + ch)
                                : INT32_MIN;
                    }
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        int32_t mx = INT32_MIN;
                        int64_t sum = 0;
                        int valid = 0;
                        for (int ky = 0; ky < s.kh; ky++)
                            for (int kx = 0; kx < s.kw; kx++) {
                                const int32_t v = xp[(size_t)(oy * s.stride_h + ky * s.dil_h) * wp +
                                                     ox * s.stride_w + kx * s.dil_w];
                                if (v == INT32_MIN)
                                    continue;
                                mx = v > mx ? v : mx;
                                sum += v - x_zp;
                                valid++;
                            }
                        const size_t o = (((size_t)b * oh + oy) * ow + ox) * s.c + ch;
                        if (!valid) {
                            has_empty = 1;
                            continue;
                        }
                        if (stm == DLP_OK)
                            mbad += dlp_ld(y, xt, o) != mx;
                        const int cnt = s.count_include_pad ? s.kh * s.kw : valid;
                        const int32_t e = clampd(rq.zp + (double)sum / cnt * is / os, rq.lo, rq.hi);
                        if (sta == DLP_OK) {
                            const int d = abs(dlp_ld(ya, yt, o) - e);
                            worst = d > worst ? d : worst;
                        }
                    }
            }
        if (has_empty) {
            empty++;
            CHECK(stm == DLP_E_SHAPE, "case %d: maxpool with an empty window: %d", t, stm);
            CHECK(sta == (s.count_include_pad ? DLP_OK : DLP_E_SHAPE),
                  "case %d: avgpool with an empty window: %d", t, sta);
        } else {
            CHECK(stm == DLP_OK && mbad == 0, "case %d: maxpool st %d, %d mismatches", t, stm,
                  mbad);
            CHECK(sta == DLP_OK && worst <= 1,
                  "case %d: avgpool %dx%d k%dx%d s%d,%d d%d,%d p%d,%d,%d,%d ceil%d cip%d: st %d, "
                  "off by %d",
                  t, s.h, s.w, s.kh, s.kw, s.stride_h, s.stride_w, s.dil_h, s.dil_w, s.pad_t,
                  s.pad_l, s.pad_b, s.pad_r, s.ceil_mode, s.count_include_pad, sta, worst);
            ran++;
        }
        free(x);
        free(y);
        free(ya);
        free(xp);
    }
    /* global average pool */
    for (int t = 0; t < cases / 4; t++) {
        const int n = check_range(&seed, 1, 2), h = check_range(&seed, 1, 15);
        const int w = check_range(&seed, 1, 15), c = check_range(&seed, 1, 33);
        const dlp_dtype xt = rtype(), yt = rtype();
        const int32_t x_zp = rzp(xt);
        const size_t nx = (size_t)n * h * w * c;
        uint8_t *x = xmalloc(nx), y[2 * 33];
        fill(x, xt, nx);
        const double is = rscale(0.01, 0.1), os = is * rscale(0.3, 3.0);
        const dlp_requant rq = {NULL, NULL, 0, rzp(yt), dlp_dtype_min(yt), dlp_dtype_max(yt), yt};
        CHECK(dlp_global_avgpool_q(n, h, w, c, x, xt, x_zp, is, os, &rq, y) == DLP_OK, "gap");
        int worst = 0;
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++) {
                int64_t sum = 0;
                for (int i = 0; i < h * w; i++)
                    sum += dlp_ld(x, xt, ((size_t)b * h * w + i) * c + ch) - x_zp;
                const int32_t e = clampd(rq.zp + (double)sum / (h * w) * is / os, rq.lo, rq.hi);
                const int d = abs(dlp_ld(y, yt, (size_t)b * c + ch) - e);
                worst = d > worst ? d : worst;
            }
        CHECK(worst <= 1, "case %d: global avgpool %dx%dx%d off by %d", t, h, w, c, worst);
        free(x);
    }
    printf("pool: %d random cases (%d with an empty window)\n", ran, empty);
}

/* ------------------------------------------------------------ quantize_linear */
static void test_quantize_linear_random(int cases)
{
    enum { AX = 5, INNER = 3, CNT = 2 * AX * INNER };
    float x[CNT], sc[AX], back[CNT];
    int32_t zp[AX];
    uint8_t q[CNT];
    for (int t = 0; t < cases; t++) {
        const dlp_dtype tp = rtype();
        const int per_axis = check_range(&seed, 0, 1);
        const int al = per_axis ? AX : 1;
        for (int k = 0; k < AX; k++) {
            sc[k] = (float)rscale(0.001, 1.0);
            zp[k] = rzp(tp);
        }
        for (int i = 0; i < CNT; i++) {
            const size_t k = per_axis ? (size_t)(i / INNER) % AX : 0;
            /* mostly exact half steps, to hit the ties */
            x[i] = check_range(&seed, 0, 1) ? (float)(check_range(&seed, -600, 600) * 0.5) * sc[k]
                                            : (float)((runit() - 0.5) * 400.0 * sc[k]);
        }
        const int32_t *zpp = check_range(&seed, 0, 3) ? zp : NULL;
        CHECK(dlp_quantize_linear(CNT, x, sc, zpp, al, INNER, q, tp) == DLP_OK, "ql");
        CHECK(dlp_dequantize_linear(CNT, q, tp, sc, zpp, al, INNER, back) == DLP_OK, "dql");
        for (int i = 0; i < CNT; i++) {
            const size_t k = per_axis ? (size_t)(i / INNER) % AX : 0;
            const int32_t z = zpp ? zp[k] : 0;
            float v = nearbyintf(x[i] / sc[k]) + (float)z;
            v = v < dlp_dtype_min(tp)   ? (float)dlp_dtype_min(tp)
                : v > dlp_dtype_max(tp) ? (float)dlp_dtype_max(tp)
                                        : v;
            const int32_t got = dlp_ld(q, tp, (size_t)i);
            CHECK(got == (int32_t)v, "case %d: quantize %.9g / %.9g + %d = %d, expected %d", t,
                  (double)x[i], (double)sc[k], z, got, (int32_t)v);
            CHECK(back[i] == (float)(got - z) * sc[k], "case %d: dequantize", t);
        }
    }
    printf("quantize_linear: %d random blocks\n", cases);
}

int main(void)
{
    const char *env = getenv("SEED");
    seed = env ? strtoull(env, NULL, 0) : 0x0d1bc0de2024ULL;
    if (!seed)
        seed = 1;
    printf("test_ops_linear: SEED=%llu\n", seed);
    test_conv_random(4000);
    test_matmul_random(1000);
    test_requant_random(200);
    test_rescale_add_mul_random(24);
    test_pool_random(5000);
    test_quantize_linear_random(300);
    return check_done("test_ops_linear");
}
