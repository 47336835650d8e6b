/*
 * test_onnx_conformance.c - the golden ops against the ONNX backend conformance data.
 *
 * Reference: the node tests of the ONNX project as packaged by Debian
 * (libonnx-testdata, /usr/share/libonnx-testdata/data/node/test_*), i.e. inputs and
 * expected outputs written by ONNX, not by this project. Each case directory holds a
 * single-node model.onnx and test_data_set_N/{input_K,output_K}.pb (TensorProto).
 *
 * Cases: every directory whose name contains qlinearconv, qlinearmatmul, convinteger,
 * matmulinteger, quantizelinear (so also dequantizelinear) or maxpool (so also
 * globalmaxpool). The op is taken from the model's node; cases the golden model cannot
 * express are reported as SKIP with the reason (3-D pooling, multi-node "expanded"
 * graphs, ops the golden model does not have).
 *
 * Layouts: ONNX is NCHW (activations) and OIHW (weights); the golden ops are NHWC/OHWI,
 * so inputs are transposed in and outputs transposed back before comparing.
 *
 * Allowance per case (max |golden - ONNX| over the output elements):
 *   QLinearConv, QLinearMatMul   1 LSB: ONNX requantizes in float (round half to even),
 *                                the golden model with a Q31 multiplier (MBQM, ties away)
 *   QuantizeLinear               1 LSB: float division x / scale vs. the golden model's
 *   ConvInteger, MatMulInteger,  0: integer results (or, for DequantizeLinear, float
 *   MaxPool, GlobalMaxPool,         results of exact integer * scale products)
 *   DequantizeLinear
 *
 * MaxPool on float tensors: the golden maxpool is int8/uint8. Max commutes with every
 * non-decreasing map f (max f(x) = f(max x)), so the float input is mapped to the rank
 * r of each value among the tensor's distinct values and r is split into int8 slices
 * s_j = clamp(r - 255 j, 0, 255) - 128 (each non-decreasing in r); the golden maxpool
 * runs once per slice and r_max = sum_j (max s_j + 128) recovers the float maximum
 * exactly. This exercises every window/stride/pad/dilation/ceil decision of the golden
 * maxpool on the real ONNX data; padded positions must never win (int8 slices reach
 * -128, so a zero-padding bug would show).
 *
 * ONNX_TESTDATA=<dir> overrides the data directory (the node/ directory, or its parent).
 * Prints one line per case and the usual 'N passed, N failed' line.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "check.h"
#include "dlp/ops.h"
#include "dlp/quant.h"
#include "support/onnx_load.h"

#define DEFAULT_DATA "/usr/share/libonnx-testdata/data/node"
#define MAX_IN       16
#define MSG          320
#define PATHLEN      1024

typedef struct {
    const char *name; /* case directory name */
    const onnx_model *m;
    const onnx_node *node;
    const onnx_tensor *in[MAX_IN]; /* node inputs; NULL = omitted optional input */
    const onnx_tensor *out;        /* expected output_0 */
} tcase;

typedef struct {
    const char *label; /* case name, for diagnostics */
    int skipped;
    int error; /* the golden op failed or the case is malformed */
    char msg[MSG];
    size_t count, exact;
    double maxdiff;
} result;

enum { RUN_OK = 0, RUN_SKIP = 1, RUN_ERR = -1 };

__attribute__((format(printf, 2, 3))) static int skip(result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
    r->skipped = 1;
    return RUN_SKIP;
}

static int err(result *r, const char *what, int st)
{
    r->error = 1;
    snprintf(r->msg, sizeof r->msg, "%s: %s (%d)", what, dlp_status_str(st), st);
    return RUN_ERR;
}

static int err_msg(result *r, const char *msg)
{
    size_t n = strlen(msg);
    if (n >= sizeof r->msg)
        n = sizeof r->msg - 1;
    memcpy(r->msg, msg, n);
    r->msg[n] = '\0';
    r->error = 1;
    return RUN_ERR;
}

/* Paths: printf into a PATHLEN buffer; -1 (and an empty string) when too long. */
__attribute__((format(printf, 2, 3))) static int path_fmt(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, PATHLEN, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= PATHLEN) {
        buf[0] = '\0';
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ tensor helpers */

static int is_q8(const onnx_tensor *t)
{
    return t && (t->dtype == ONNX_UINT8 || t->dtype == ONNX_INT8);
}

static dlp_dtype q8_type(const onnx_tensor *t)
{
    return t->dtype == ONNX_UINT8 ? DLP_U8 : DLP_S8;
}

/* Scalar (or first) value of a scale / zero point tensor; dflt when absent. */
static double scalar_f(const onnx_tensor *t, double dflt)
{
    return t && t->count && t->f ? t->f[0] : dflt;
}

static int32_t scalar_i(const onnx_tensor *t, int32_t dflt)
{
    return t && t->count && t->i ? (int32_t)t->i[0] : dflt;
}

static int same_dims(const onnx_tensor *t, int nd, const int64_t *d)
{
    if (t->ndims != nd)
        return 0;
    for (int k = 0; k < nd; k++)
        if (t->dims[k] != d[k])
            return 0;
    return 1;
}

static void dims_str(char *buf, size_t len, int nd, const int64_t *d)
{
    size_t o = 0;
    o += (size_t)snprintf(buf + o, len - o, "[");
    for (int k = 0; k < nd && o < len; k++)
        o += (size_t)snprintf(buf + o, len - o, "%s%lld", k ? "," : "", (long long)d[k]);
    if (o < len)
        snprintf(buf + o, len - o, "]");
}

/* Output shape check: the golden op's output shape against output_0.pb. */
static int check_out_dims(result *r, const onnx_tensor *want, int nd, const int64_t *d)
{
    if (same_dims(want, nd, d))
        return RUN_OK;
    char a[96], b[96];
    dims_str(a, sizeof a, nd, d);
    dims_str(b, sizeof b, want->ndims, want->dims);
    char m[MSG];
    snprintf(m, sizeof m, "output shape %s, ONNX %s", a, b);
    return err_msg(r, m);
}

/* Element-wise comparison: count, exact matches, max |diff|. */
/* Element-wise comparison: count, exact matches, max |diff|. The first few mismatching
 * elements go to stderr (flat index in the ONNX layout). */
#define SHOW_MISMATCHES 6

static void compare_int(result *r, const int64_t *got, const onnx_tensor *want)
{
    int shown = 0;
    r->count = want->count;
    for (size_t k = 0; k < want->count; k++) {
        double d = fabs((double)got[k] - (double)want->i[k]);
        if (d == 0)
            r->exact++;
        else if (shown++ < SHOW_MISMATCHES)
            fprintf(stderr, "  %s [%zu]: golden %lld, ONNX %lld\n", r->label, k, (long long)got[k],
                    (long long)want->i[k]);
        if (d > r->maxdiff)
            r->maxdiff = d;
    }
}

static void compare_float(result *r, const float *got, const onnx_tensor *want)
{
    int shown = 0;
    r->count = want->count;
    for (size_t k = 0; k < want->count; k++) {
        double d;
        if (isnan(got[k]) || isnan(want->f[k]))
            d = isnan(got[k]) && isnan(want->f[k]) ? 0 : INFINITY;
        else
            d = fabs((double)got[k] - (double)want->f[k]);
        if (d == 0)
            r->exact++;
        else if (shown++ < SHOW_MISMATCHES)
            fprintf(stderr, "  %s [%zu]: golden %.9g, ONNX %.9g\n", r->label, k, got[k],
                    want->f[k]);
        if (d > r->maxdiff)
            r->maxdiff = d;
    }
}

/* int64 NCHW -> 8-bit NHWC (C = channels, S = spatial H*W). */
static void nchw_to_nhwc_q8(const int64_t *src, int n, int c, int s, void *dst, dlp_dtype t)
{
    for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
            for (int p = 0; p < s; p++)
                dlp_st(dst, t, ((size_t)b * s + p) * c + ch,
                       (int32_t)src[((size_t)b * c + ch) * s + p]);
}

/* ------------------------------------------------------------------ padding attributes */

typedef struct {
    int nsp;                                /* spatial dims: 1 or 2 */
    int64_t k[2], s[2], d[2], pb[2], pe[2]; /* kernel, stride, dilation, pad begin/end */
    int ceil_mode;
} spatial;

/* Read kernel_shape/strides/dilations/pads/auto_pad of a Conv/MaxPool node for the
 * spatial input sizes in[nsp]; kdflt is the kernel when kernel_shape is absent. */
static int read_spatial(const onnx_node *n, int nsp, const int64_t *in, const int64_t *kdflt,
                        spatial *sp, result *r)
{
    int64_t v[4];
    memset(sp, 0, sizeof *sp);
    sp->nsp = nsp;
    for (int a = 0; a < nsp; a++) {
        sp->k[a] = kdflt ? kdflt[a] : 1;
        sp->s[a] = sp->d[a] = 1;
    }
    int cnt = onnx_attr_ints(n, "kernel_shape", v, 4);
    if (cnt == nsp)
        for (int a = 0; a < nsp; a++)
            sp->k[a] = v[a];
    else if (cnt != 0 || !kdflt)
        return err_msg(r, "bad kernel_shape");
    if ((cnt = onnx_attr_ints(n, "strides", v, 4)) == nsp)
        for (int a = 0; a < nsp; a++)
            sp->s[a] = v[a];
    else if (cnt)
        return err_msg(r, "bad strides");
    if ((cnt = onnx_attr_ints(n, "dilations", v, 4)) == nsp)
        for (int a = 0; a < nsp; a++)
            sp->d[a] = v[a];
    else if (cnt)
        return err_msg(r, "bad dilations");
    if ((cnt = onnx_attr_ints(n, "pads", v, 4)) == 2 * nsp)
        for (int a = 0; a < nsp; a++) {
            sp->pb[a] = v[a];
            sp->pe[a] = v[a + nsp];
        }
    else if (cnt)
        return err_msg(r, "bad pads");
    sp->ceil_mode = (int)onnx_attr_int(n, "ceil_mode", 0);
    const char *ap = onnx_attr_str(n, "auto_pad", "NOTSET");
    if (!strcmp(ap, "VALID")) {
        for (int a = 0; a < nsp; a++)
            sp->pb[a] = sp->pe[a] = 0;
    } else if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
        /* out = ceil(in / stride); the odd pad goes at the end (UPPER) or start (LOWER) */
        for (int a = 0; a < nsp; a++) {
            int64_t out = (in[a] + sp->s[a] - 1) / sp->s[a];
            int64_t total = (out - 1) * sp->s[a] + (sp->k[a] - 1) * sp->d[a] + 1 - in[a];
            if (total < 0)
                total = 0;
            int64_t small = total / 2, big = total - total / 2;
            sp->pb[a] = ap[5] == 'U' ? small : big;
            sp->pe[a] = ap[5] == 'U' ? big : small;
        }
    } else if (strcmp(ap, "NOTSET")) {
        return skip(r, "auto_pad %s not supported", ap);
    }
    return RUN_OK;
}

/* ------------------------------------------------------------------ conv */

/* ConvInteger (quantized == 0) and QLinearConv (quantized == 1). */
static int run_conv(const tcase *c, result *r, int quantized)
{
    const onnx_tensor *x = c->in[0], *w = c->in[quantized ? 3 : 1];
    const onnx_tensor *xzp = c->in[2], *wzp = c->in[quantized ? 5 : 3];
    const onnx_tensor *bias = quantized ? c->in[8] : NULL;
    if (!is_q8(x) || !is_q8(w))
        return err_msg(r, "x / w are not 8-bit tensors");
    if (x->ndims != 4 || w->ndims != 4)
        return skip(r, "%d-D convolution: the golden conv is 2-D", x->ndims - 2);
    int group = (int)onnx_attr_int(c->node, "group", 1);
    int N = (int)x->dims[0], C = (int)x->dims[1], H = (int)x->dims[2], W = (int)x->dims[3];
    int M = (int)w->dims[0], KH = (int)w->dims[2], KW = (int)w->dims[3];
    if (group < 1 || w->dims[1] * group != C)
        return err_msg(r, "weights do not match input channels / group");
    spatial sp;
    int64_t in_sp[2] = {H, W}, kd[2] = {KH, KW};
    int st = read_spatial(c->node, 2, in_sp, kd, &sp, r);
    if (st != RUN_OK)
        return st;
    if (sp.k[0] != KH || sp.k[1] != KW)
        return err_msg(r, "kernel_shape differs from the weight shape");

    dlp_conv_shape s = {
        .n = N,
        .h = H,
        .w = W,
        .c = C,
        .cout = M,
        .kh = KH,
        .kw = KW,
        .stride_h = (int)sp.s[0],
        .stride_w = (int)sp.s[1],
        .pad_t = (int)sp.pb[0],
        .pad_l = (int)sp.pb[1],
        .pad_b = (int)sp.pe[0],
        .pad_r = (int)sp.pe[1],
        .dil_h = (int)sp.d[0],
        .dil_w = (int)sp.d[1],
        .groups = group,
    };
    int oh, ow;
    if ((st = dlp_conv_out_hw(&s, &oh, &ow)) != DLP_OK)
        return err(r, "dlp_conv_out_hw", st);
    int64_t od[4] = {N, M, oh, ow};
    if ((st = check_out_dims(r, c->out, 4, od)) != RUN_OK)
        return st;

    dlp_dtype xt = q8_type(x), wt = q8_type(w);
    size_t nout = (size_t)N * M * oh * ow, cin_g = (size_t)C / group;
    uint8_t *xb = malloc(x->count), *wb = malloc(w->count);
    int32_t *wz = calloc((size_t)M, sizeof *wz), *b = calloc((size_t)M, sizeof *b);
    int32_t *acc = malloc(nout * sizeof *acc), *mult = calloc((size_t)M, sizeof *mult);
    int32_t *shift = calloc((size_t)M, sizeof *shift);
    float *wsc = calloc((size_t)M, sizeof *wsc);
    uint8_t *yb = malloc(nout);
    int64_t *got = malloc(nout * sizeof *got);
    int rc = RUN_OK;
    if (!xb || !wb || !wz || !b || !acc || !mult || !shift || !wsc || !yb || !got) {
        rc = err_msg(r, "out of memory");
        goto out;
    }
    nchw_to_nhwc_q8(x->i, N, C, H * W, xb, xt);
    /* OIHW -> OHWI: [m][ci][ky][kx] -> [m][ky][kx][ci] */
    for (int m = 0; m < M; m++)
        for (size_t ci = 0; ci < cin_g; ci++)
            for (int p = 0; p < KH * KW; p++)
                dlp_st(wb, wt, ((size_t)m * KH * KW + p) * cin_g + ci,
                       (int32_t)w->i[((size_t)m * cin_g + ci) * KH * KW + p]);
    int wzn = 1;
    if (wzp && wzp->count == (size_t)M && M > 1) {
        wzn = M;
        for (int m = 0; m < M; m++)
            wz[m] = (int32_t)wzp->i[m];
    } else {
        wz[0] = scalar_i(wzp, 0);
    }
    int32_t xz = scalar_i(xzp, 0);
    if (bias)
        for (int m = 0; m < M && (size_t)m < bias->count; m++)
            b[m] = (int32_t)bias->i[m];

    if (!quantized) {
        if ((st = dlp_conv2d_acc(&s, xb, xt, xz, wb, wt, wz, wzn, b, acc)) != DLP_OK) {
            rc = err(r, "dlp_conv2d_acc", st);
            goto out;
        }
        for (int n = 0; n < N; n++) /* NHWC -> NCHW */
            for (int m = 0; m < M; m++)
                for (int p = 0; p < oh * ow; p++)
                    got[((size_t)n * M + m) * oh * ow + p] = acc[((size_t)n * oh * ow + p) * M + m];
        compare_int(r, got, c->out);
        goto out;
    }
    const onnx_tensor *xs = c->in[1], *ws = c->in[4], *ys = c->in[6], *yzp = c->in[7];
    if (!is_q8(c->out)) {
        rc = err_msg(r, "output is not 8-bit");
        goto out;
    }
    int nq = ws->count == (size_t)M && M > 1 ? M : 1;
    for (int m = 0; m < nq; m++)
        wsc[m] = ws->f[m];
    if ((st = dlp_requant_prepare(scalar_f(xs, 1), wsc, nq, scalar_f(ys, 1), mult, shift)) !=
        DLP_OK) {
        rc = err(r, "dlp_requant_prepare", st);
        goto out;
    }
    dlp_dtype yt = q8_type(c->out);
    dlp_requant rq = {.mult = mult,
                      .shift = shift,
                      .n = nq,
                      .zp = scalar_i(yzp, 0),
                      .lo = dlp_dtype_min(yt),
                      .hi = dlp_dtype_max(yt),
                      .type = yt};
    if ((st = dlp_conv2d_q(&s, xb, xt, xz, wb, wt, wz, wzn, b, &rq, yb)) != DLP_OK) {
        rc = err(r, "dlp_conv2d_q", st);
        goto out;
    }
    for (int n = 0; n < N; n++)
        for (int m = 0; m < M; m++)
            for (int p = 0; p < oh * ow; p++)
                got[((size_t)n * M + m) * oh * ow + p] =
                    dlp_ld(yb, yt, ((size_t)n * oh * ow + p) * M + m);
    compare_int(r, got, c->out);
out:
    free(xb), free(wb), free(wz), free(b), free(acc), free(mult), free(shift), free(wsc);
    free(yb), free(got);
    return rc;
}

/* ------------------------------------------------------------------ matmul */

/* MatMulInteger (quantized == 0) and QLinearMatMul (quantized == 1). */
static int run_matmul(const tcase *c, result *r, int quantized)
{
    const onnx_tensor *a = c->in[0], *b = c->in[quantized ? 3 : 1];
    const onnx_tensor *azp = c->in[2], *bzp = c->in[quantized ? 5 : 3];
    if (!is_q8(a) || !is_q8(b))
        return err_msg(r, "A / B are not 8-bit tensors");
    if (a->ndims < 2 || b->ndims < 2)
        return skip(r, "1-D operand (vector matmul) not mapped");
    int M = (int)a->dims[a->ndims - 2], K = (int)a->dims[a->ndims - 1];
    int N = (int)b->dims[b->ndims - 1];
    if (b->dims[b->ndims - 2] != K)
        return err_msg(r, "inner dimensions differ");
    size_t ba = a->count / ((size_t)M * K), bb = b->count / ((size_t)K * N);
    int shared;
    if (bb == ba && a->ndims == b->ndims)
        shared = 0;
    else if (bb == 1)
        shared = 1;
    else
        return skip(r, "batch broadcasting other than a shared B");
    if (azp && azp->count > 1) {
        for (size_t k = 1; k < azp->count; k++)
            if (azp->i[k] != azp->i[0])
                return skip(r, "per-row A zero point not supported");
    }
    int64_t od[ONNX_MAX_DIMS];
    int nd = a->ndims;
    memcpy(od, a->dims, sizeof od);
    od[nd - 1] = N;
    int st;
    if ((st = check_out_dims(r, c->out, nd, od)) != RUN_OK)
        return st;

    dlp_matmul_shape s = {
        .batch = (int)ba, .m = M, .k = K, .n = N, .trans_a = 0, .trans_b = 0, .b_shared = shared};
    dlp_dtype at = q8_type(a), bt = q8_type(b);
    size_t nout = ba * (size_t)M * N;
    uint8_t *ab = malloc(a->count), *bbuf = malloc(b->count), *yb = malloc(nout);
    int32_t *bz = calloc((size_t)N, sizeof *bz), *acc = malloc(nout * sizeof *acc);
    int32_t *mult = calloc((size_t)N, sizeof *mult), *shift = calloc((size_t)N, sizeof *shift);
    float *bsc = calloc((size_t)N, sizeof *bsc);
    int64_t *got = malloc(nout * sizeof *got);
    int rc = RUN_OK;
    if (!ab || !bbuf || !yb || !bz || !acc || !mult || !shift || !bsc || !got) {
        rc = err_msg(r, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < a->count; k++)
        dlp_st(ab, at, k, (int32_t)a->i[k]);
    for (size_t k = 0; k < b->count; k++)
        dlp_st(bbuf, bt, k, (int32_t)b->i[k]);
    int bzn = 1;
    if (bzp && bzp->count == (size_t)N && N > 1) {
        bzn = N;
        for (int j = 0; j < N; j++)
            bz[j] = (int32_t)bzp->i[j];
    } else {
        bz[0] = scalar_i(bzp, 0);
    }
    int32_t az = scalar_i(azp, 0);
    if (!quantized) {
        if ((st = dlp_matmul_acc(&s, ab, at, az, bbuf, bt, bz, bzn, NULL, acc)) != DLP_OK) {
            rc = err(r, "dlp_matmul_acc", st);
            goto out;
        }
        for (size_t k = 0; k < nout; k++)
            got[k] = acc[k];
        compare_int(r, got, c->out);
        goto out;
    }
    const onnx_tensor *as = c->in[1], *bs = c->in[4], *ys = c->in[6], *yzp = c->in[7];
    if (!is_q8(c->out)) {
        rc = err_msg(r, "output is not 8-bit");
        goto out;
    }
    int nq = bs->count == (size_t)N && N > 1 ? N : 1;
    for (int j = 0; j < nq; j++)
        bsc[j] = bs->f[j];
    if ((st = dlp_requant_prepare(scalar_f(as, 1), bsc, nq, scalar_f(ys, 1), mult, shift)) !=
        DLP_OK) {
        rc = err(r, "dlp_requant_prepare", st);
        goto out;
    }
    dlp_dtype yt = q8_type(c->out);
    dlp_requant rq = {.mult = mult,
                      .shift = shift,
                      .n = nq,
                      .zp = scalar_i(yzp, 0),
                      .lo = dlp_dtype_min(yt),
                      .hi = dlp_dtype_max(yt),
                      .type = yt};
    if ((st = dlp_matmul_q(&s, ab, at, az, bbuf, bt, bz, bzn, NULL, &rq, yb)) != DLP_OK) {
        rc = err(r, "dlp_matmul_q", st);
        goto out;
    }
    for (size_t k = 0; k < nout; k++)
        got[k] = dlp_ld(yb, yt, k);
    compare_int(r, got, c->out);
out:
    free(ab), free(bbuf), free(yb), free(bz), free(acc), free(mult), free(shift), free(bsc);
    free(got);
    return rc;
}

/* ------------------------------------------------------------------ (de)quantize */

/* Per-axis parameters: axis_len / inner for a scale tensor of scount entries. */
static int axis_params(const tcase *c, const onnx_tensor *x, size_t scount, int *axis_len,
                       size_t *inner, result *r)
{
    *axis_len = 1;
    *inner = 1;
    if (scount <= 1)
        return RUN_OK;
    int64_t axis = onnx_attr_int(c->node, "axis", 1);
    if (axis < 0)
        axis += x->ndims;
    if (axis < 0 || axis >= x->ndims || x->dims[axis] != (int64_t)scount)
        return err_msg(r, "scale length does not match the axis");
    *axis_len = (int)scount;
    for (int k = (int)axis + 1; k < x->ndims; k++)
        *inner *= (size_t)x->dims[k];
    return RUN_OK;
}

static int run_quantize(const tcase *c, result *r)
{
    const onnx_tensor *x = c->in[0], *sc = c->in[1], *zp = c->in[2];
    if (!x || x->dtype != ONNX_FLOAT || !sc || sc->dtype != ONNX_FLOAT)
        return err_msg(r, "x / scale are not float");
    if (zp && !is_q8(zp))
        return skip(r, "zero point type %s not int8/uint8", onnx_dtype_name(zp->dtype));
    int axis_len;
    size_t inner;
    int st = axis_params(c, x, sc->count, &axis_len, &inner, r);
    if (st != RUN_OK)
        return st;
    if ((st = check_out_dims(r, c->out, x->ndims, x->dims)) != RUN_OK)
        return st;
    dlp_dtype t = zp ? q8_type(zp) : DLP_U8; /* ONNX: no zero point = uint8, zp 0 */
    int32_t *z = calloc((size_t)axis_len, sizeof *z);
    uint8_t *y = malloc(x->count ? x->count : 1);
    int64_t *got = malloc((x->count ? x->count : 1) * sizeof *got);
    int rc = RUN_OK;
    if (!z || !y || !got) {
        rc = err_msg(r, "out of memory");
        goto out;
    }
    for (int k = 0; k < axis_len; k++)
        z[k] = zp ? (int32_t)zp->i[(size_t)k < zp->count ? k : 0] : 0;
    if ((st = dlp_quantize_linear(x->count, x->f, sc->f, z, axis_len, inner, y, t)) != DLP_OK) {
        rc = err(r, "dlp_quantize_linear", st);
        goto out;
    }
    for (size_t k = 0; k < x->count; k++)
        got[k] = dlp_ld(y, t, k);
    compare_int(r, got, c->out);
out:
    free(z), free(y), free(got);
    return rc;
}

static int run_dequantize(const tcase *c, result *r)
{
    const onnx_tensor *x = c->in[0], *sc = c->in[1], *zp = c->in[2];
    if (!is_q8(x))
        return skip(r, "input type %s not int8/uint8", x ? onnx_dtype_name(x->dtype) : "?");
    if (!sc || sc->dtype != ONNX_FLOAT)
        return err_msg(r, "scale is not float");
    int axis_len;
    size_t inner;
    int st = axis_params(c, x, sc->count, &axis_len, &inner, r);
    if (st != RUN_OK)
        return st;
    if ((st = check_out_dims(r, c->out, x->ndims, x->dims)) != RUN_OK)
        return st;
    if (c->out->dtype != ONNX_FLOAT)
        return err_msg(r, "output is not float");
    dlp_dtype t = q8_type(x);
    int32_t *z = calloc((size_t)axis_len, sizeof *z);
    uint8_t *xb = malloc(x->count ? x->count : 1);
    float *y = malloc((x->count ? x->count : 1) * sizeof *y);
    int rc = RUN_OK;
    if (!z || !xb || !y) {
        rc = err_msg(r, "out of memory");
        goto out;
    }
    for (int k = 0; k < axis_len; k++)
        z[k] = zp ? (int32_t)zp->i[(size_t)k < zp->count ? k : 0] : 0;
    for (size_t k = 0; k < x->count; k++)
        dlp_st(xb, t, k, (int32_t)x->i[k]);
    if ((st = dlp_dequantize_linear(x->count, xb, t, sc->f, z, axis_len, inner, y)) != DLP_OK) {
        rc = err(r, "dlp_dequantize_linear", st);
        goto out;
    }
    compare_float(r, y, c->out);
out:
    free(z), free(xb), free(y);
    return rc;
}

/* ------------------------------------------------------------------ max pooling */

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* Max pooling of an NCHW tensor x (8-bit or float) with shape s (n, h, w, c set);
 * got_i / got_f receive the NCHW output (oh x ow). */
static int maxpool_nchw(const dlp_pool_shape *s, const onnx_tensor *x, int oh, int ow,
                        int64_t *got_i, float *got_f, result *r)
{
    size_t hw = (size_t)s->h * s->w, ohw = (size_t)oh * ow;
    size_t nin = (size_t)s->n * s->c * hw, nout = (size_t)s->n * s->c * ohw;
    uint8_t *xb = malloc(nin), *yb = malloc(nout);
    int64_t *rank = malloc(nin * sizeof *rank), *rmax = calloc(nout, sizeof *rmax);
    float *vals = malloc(nin * sizeof *vals);
    int rc = RUN_OK, st;
    if (!xb || !yb || !rank || !rmax || !vals) {
        rc = err_msg(r, "out of memory");
        goto out;
    }
    /* int64 NCHW -> NHWC 8-bit; the float path feeds ranks through int8 slices */
    dlp_dtype t;
    size_t nvals = 0;
    int slices = 1;
    if (is_q8(x)) {
        t = q8_type(x);
        memcpy(rank, x->i, nin * sizeof *rank);
    } else {
        t = DLP_S8;
        memcpy(vals, x->f, nin * sizeof *vals);
        qsort(vals, nin, sizeof *vals, cmp_float);
        for (size_t k = 0; k < nin; k++)
            if (!nvals || vals[k] != vals[nvals - 1])
                vals[nvals++] = vals[k];
        for (size_t k = 0; k < nin; k++) {
            float v = x->f[k];
            size_t lo = 0, hi = nvals - 1;
            while (lo < hi) { /* first index with vals[i] >= v */
                size_t mid = (lo + hi) / 2;
                if (vals[mid] < v)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            rank[k] = (int64_t)lo;
        }
        slices = nvals > 1 ? (int)((nvals - 1 + 254) / 255) : 1;
    }
    for (int j = 0; j < slices; j++) {
        int64_t *sl = malloc(nin * sizeof *sl);
        if (!sl) {
            rc = err_msg(r, "out of memory");
            goto out;
        }
        for (size_t k = 0; k < nin; k++) {
            int64_t v = rank[k];
            if (t == DLP_S8 && !is_q8(x)) {
                v -= 255 * (int64_t)j;
                v = (v < 0 ? 0 : v > 255 ? 255 : v) - 128;
            }
            sl[k] = v;
        }
        nchw_to_nhwc_q8(sl, s->n, s->c, (int)hw, xb, t);
        free(sl);
        if ((st = dlp_maxpool(s, xb, t, yb)) != DLP_OK) {
            rc = err(r, "dlp_maxpool", st);
            goto out;
        }
        for (int b = 0; b < s->n; b++) /* NHWC -> NCHW, accumulate the slices */
            for (int ch = 0; ch < s->c; ch++)
                for (size_t p = 0; p < ohw; p++) {
                    int32_t v = dlp_ld(yb, t, ((size_t)b * ohw + p) * s->c + ch);
                    rmax[((size_t)b * s->c + ch) * ohw + p] += is_q8(x) ? v : v + 128;
                }
    }
    for (size_t k = 0; k < nout; k++) {
        if (is_q8(x)) {
            got_i[k] = rmax[k];
        } else if (rmax[k] < 0 || (size_t)rmax[k] >= nvals) {
            rc = err_msg(r, "maxpool result outside the input's values");
            goto out;
        } else {
            got_f[k] = vals[rmax[k]];
        }
    }
out:
    free(xb), free(yb), free(rank), free(rmax), free(vals);
    return rc;
}

static int run_maxpool(const tcase *c, result *r, int global)
{
    const onnx_tensor *x = c->in[0];
    if (!x || !(is_q8(x) || x->dtype == ONNX_FLOAT))
        return skip(r, "input type %s not supported", x ? onnx_dtype_name(x->dtype) : "?");
    if (x->ndims != 3 && x->ndims != 4)
        return skip(r, "%d-D pooling: the golden maxpool is 2-D", x->ndims - 2);
    int one_d = x->ndims == 3;
    int N = (int)x->dims[0], C = (int)x->dims[1];
    int H = one_d ? 1 : (int)x->dims[2], W = (int)x->dims[x->ndims - 1];
    spatial sp;
    int st;
    if (global) {
        memset(&sp, 0, sizeof sp);
        sp.k[0] = H, sp.k[1] = W, sp.s[0] = sp.s[1] = sp.d[0] = sp.d[1] = 1;
    } else if (one_d) {
        int64_t in1 = W;
        spatial s1;
        if ((st = read_spatial(c->node, 1, &in1, NULL, &s1, r)) != RUN_OK)
            return st;
        memset(&sp, 0, sizeof sp);
        sp.k[0] = sp.s[0] = sp.d[0] = 1; /* H = 1: a 1 x k window */
        sp.k[1] = s1.k[0], sp.s[1] = s1.s[0], sp.d[1] = s1.d[0];
        sp.pb[1] = s1.pb[0], sp.pe[1] = s1.pe[0], sp.ceil_mode = s1.ceil_mode;
    } else {
        int64_t in2[2] = {H, W};
        if ((st = read_spatial(c->node, 2, in2, NULL, &sp, r)) != RUN_OK)
            return st;
    }
    dlp_pool_shape s = {
        .n = N,
        .h = H,
        .w = W,
        .c = C,
        .kh = (int)sp.k[0],
        .kw = (int)sp.k[1],
        .stride_h = (int)sp.s[0],
        .stride_w = (int)sp.s[1],
        .pad_t = (int)sp.pb[0],
        .pad_l = (int)sp.pb[1],
        .pad_b = (int)sp.pe[0],
        .pad_r = (int)sp.pe[1],
        .dil_h = (int)sp.d[0],
        .dil_w = (int)sp.d[1],
        .ceil_mode = sp.ceil_mode,
        .count_include_pad = 0,
    };
    int oh, ow;
    if ((st = dlp_pool_out_hw(&s, &oh, &ow)) != DLP_OK)
        return err(r, "dlp_pool_out_hw", st);
    int64_t od[4] = {N, C, oh, ow}, od1[3] = {N, C, ow};
    if ((st = check_out_dims(r, c->out, x->ndims, one_d ? od1 : od)) != RUN_OK)
        return st;
    if (c->out->dtype != x->dtype)
        return err_msg(r, "output type differs from input type");
    size_t nout = (size_t)N * C * oh * ow;
    int64_t *gi = malloc(nout * sizeof *gi);
    float *gf = malloc(nout * sizeof *gf);
    int rc = RUN_OK;
    if (!gi || !gf)
        rc = err_msg(r, "out of memory");
    else if ((rc = maxpool_nchw(&s, x, oh, ow, gi, gf, r)) == RUN_OK) {
        if (is_q8(x))
            compare_int(r, gi, c->out);
        else
            compare_float(r, gf, c->out);
    }
    free(gi), free(gf);
    return rc;
}

/* ------------------------------------------------------------------ driver */

typedef struct {
    const char *op;
    int allow; /* LSB allowance */
    int cases; /* cases run */
} op_info;

static op_info ops[] = {
    {"QLinearConv", 1, 0},   {"QLinearMatMul", 1, 0},  {"ConvInteger", 0, 0},
    {"MatMulInteger", 0, 0}, {"QuantizeLinear", 1, 0}, {"DequantizeLinear", 0, 0},
    {"MaxPool", 0, 0},       {"GlobalMaxPool", 0, 0},
};
#define NOPS ((int)(sizeof ops / sizeof ops[0]))

static const char *const patterns[] = {"qlinearconv",   "qlinearmatmul",  "convinteger",
                                       "matmulinteger", "quantizelinear", "maxpool"};

static int wanted(const char *name)
{
    if (strncmp(name, "test_", 5))
        return 0;
    for (size_t k = 0; k < sizeof patterns / sizeof patterns[0]; k++) {
        size_t pl = strlen(patterns[k]);
        for (const char *p = name; *p; p++)
            if (!strncasecmp(p, patterns[k], pl))
                return 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int run_op(const tcase *c, result *r, op_info **opi)
{
    const char *op = c->node->op_type;
    *opi = NULL;
    for (int k = 0; k < NOPS; k++)
        if (!strcmp(ops[k].op, op))
            *opi = &ops[k];
    if (!*opi)
        return skip(r, "op %s is not a golden-model op", op);
    if (!strcmp(op, "QLinearConv"))
        return run_conv(c, r, 1);
    if (!strcmp(op, "ConvInteger"))
        return run_conv(c, r, 0);
    if (!strcmp(op, "QLinearMatMul"))
        return run_matmul(c, r, 1);
    if (!strcmp(op, "MatMulInteger"))
        return run_matmul(c, r, 0);
    if (!strcmp(op, "QuantizeLinear"))
        return run_quantize(c, r);
    if (!strcmp(op, "DequantizeLinear"))
        return run_dequantize(c, r);
    if (!strcmp(op, "MaxPool"))
        return run_maxpool(c, r, 0);
    return run_maxpool(c, r, 1);
}

static long n_exact, n_within, n_fail, n_skip;

/* One case directory: every test_data_set_N in it. */
static void run_case(const char *dir, const char *name)
{
    char path[PATHLEN], emsg[512];
    onnx_model m;
    path_fmt(path, "%s/model.onnx", dir);
    int st = onnx_load_model(path, &m, emsg, sizeof emsg);
    CHECK(st == ONNX_OK, "%s: %s", name, emsg);
    if (st != ONNX_OK) {
        printf("%-48s %-21s FAIL  cannot load model: %s\n", name, "?", emsg);
        n_fail++;
        return;
    }
    const char *opname = m.n_nodes ? m.nodes[0].op_type : "?";
    if (m.n_nodes != 1) {
        printf("%-48s %-21s SKIP  %zu-node graph (expanded function), not a single op\n", name, "-",
               m.n_nodes);
        n_skip++;
        onnx_model_free(&m);
        return;
    }
    for (int set = 0;; set++) {
        path_fmt(path, "%s/test_data_set_%d", dir, set);
        if (!is_dir(path)) {
            CHECK(set > 0, "%s: no test_data_set_0", name);
            break;
        }
        char label[300];
        snprintf(label, sizeof label, set ? "%s[%d]" : "%s", name, set);
        onnx_tensor loaded[MAX_IN], want;
        memset(loaded, 0, sizeof loaded);
        memset(&want, 0, sizeof want);
        tcase c = {.name = label, .m = &m, .node = &m.nodes[0]};
        result r;
        memset(&r, 0, sizeof r);
        r.label = label;
        int ok = c.node->n_inputs <= MAX_IN && m.n_inputs <= MAX_IN;
        if (!ok)
            snprintf(emsg, sizeof emsg, "too many inputs");
        for (size_t k = 0; ok && k < c.node->n_inputs; k++) {
            const char *in = c.node->inputs[k];
            if (!in[0])
                continue; /* omitted optional input */
            if ((c.in[k] = onnx_initializer(&m, in)))
                continue;
            int gi = onnx_graph_input_index(&m, in);
            if (gi < 0) {
                snprintf(emsg, sizeof emsg, "input %s is neither a graph input nor an initializer",
                         in);
                ok = 0;
                break;
            }
            if (!loaded[gi].dtype) {
                char p2[PATHLEN];
                path_fmt(p2, "%s/input_%d.pb", path, gi);
                if (onnx_load_tensor(p2, &loaded[gi], emsg, sizeof emsg) != ONNX_OK) {
                    ok = 0;
                    break;
                }
            }
            c.in[k] = &loaded[gi];
        }
        if (ok) {
            char p2[PATHLEN];
            path_fmt(p2, "%s/output_0.pb", path);
            ok = onnx_load_tensor(p2, &want, emsg, sizeof emsg) == ONNX_OK;
            c.out = &want;
        }
        op_info *opi = NULL;
        int rc = ok ? run_op(&c, &r, &opi) : err_msg(&r, emsg);
        if (rc == RUN_SKIP) {
            printf("%-48s %-21s SKIP  %s\n", label, opname, r.msg);
            n_skip++;
        } else if (rc == RUN_ERR) {
            printf("%-48s %-21s FAIL  %s\n", label, opname, r.msg);
            CHECK(0, "%s: %s", label, r.msg);
            n_fail++;
        } else {
            opi->cases++;
            const char *verdict = r.maxdiff == 0            ? "EXACT"
                                  : r.maxdiff <= opi->allow ? "WITHIN_1LSB"
                                                            : "FAIL";
            int pool = strstr(opname, "MaxPool") != NULL;
            printf("%-48s %-21s n=%-5zu exact=%-5zu max|diff|=%-9g %s%s%s%s\n", label, opname,
                   r.count, r.exact, r.maxdiff, verdict,
                   pool && c.in[0]->dtype == ONNX_FLOAT ? "  (float: rank slices)" : "",
                   pool && c.in[0]->ndims == 3 ? "  (1-D as H=1)" : "",
                   c.node->n_outputs > 1 ? "  (Y only: no argmax Indices in golden maxpool)" : "");
            CHECK(r.maxdiff <= opi->allow, "%s: max |diff| %g exceeds the allowance %d", label,
                  r.maxdiff, opi->allow);
            if (r.maxdiff == 0)
                n_exact++;
            else if (r.maxdiff <= opi->allow)
                n_within++;
            else
                n_fail++;
        }
        for (int k = 0; k < MAX_IN; k++)
            onnx_tensor_free(&loaded[k]);
        onnx_tensor_free(&want);
    }
    onnx_model_free(&m);
}

/* ------------------------------------------------------------------ loader error paths */

static int slurp(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);
    while (b) {
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        uint8_t *nb = realloc(b, cap *= 2);
        if (!nb)
            free(b);
        b = nb;
    }
    fclose(f);
    *buf = b;
    *len = n;
    return b ? 0 : -1;
}

/* The loader must reject truncated / corrupt files with a message, never crash or exit. */
static void test_loader_errors(const char *data)
{
    char path[PATHLEN], emsg[512];
    onnx_tensor t;
    onnx_model m;
    int st;

    path_fmt(path, "%s/does_not_exist/model.onnx", data);
    emsg[0] = '\0';
    st = onnx_load_model(path, &m, emsg, sizeof emsg);
    CHECK(st == ONNX_E_IO && strstr(emsg, "does_not_exist"), "missing model: %d '%s'", st, emsg);
    st = onnx_load_tensor(path, &t, emsg, sizeof emsg);
    CHECK(st == ONNX_E_IO, "missing tensor: %d '%s'", st, emsg);

    /* Every strict prefix of a TensorProto file is invalid: either the protobuf is cut
     * inside a field (parse error) or raw_data is missing / short (format error). */
    const char *tfiles[] = {"test_qlinearconv/test_data_set_0/output_0.pb",
                            "test_maxpool_2d_precomputed_pads/test_data_set_0/input_0.pb",
                            "test_dequantizelinear_axis/test_data_set_0/input_1.pb"};
    for (size_t f = 0; f < sizeof tfiles / sizeof tfiles[0]; f++) {
        uint8_t *buf;
        size_t len;
        path_fmt(path, "%s/%s", data, tfiles[f]);
        if (slurp(path, &buf, &len) != 0) {
            CHECK(0, "cannot read %s", path);
            continue;
        }
        st = onnx_parse_tensor(buf, len, &t, emsg, sizeof emsg);
        CHECK(st == ONNX_OK, "%s: %s", path, emsg);
        onnx_tensor_free(&t);
        long bad = 0;
        for (size_t cut = 0; cut < len; cut++) {
            emsg[0] = '\0';
            st = onnx_parse_tensor(buf, cut, &t, emsg, sizeof emsg);
            if (st == ONNX_OK || !emsg[0] || t.f || t.i)
                bad++;
            onnx_tensor_free(&t);
        }
        CHECK(bad == 0, "%s: %ld of %zu truncations accepted", path, bad, len);
        /* Corrupt: an over-long varint, an invalid wire type. */
        const uint8_t junk1[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        const uint8_t junk2[] = {0x0f, 0x01};
        st = onnx_parse_tensor(junk1, sizeof junk1, &t, emsg, sizeof emsg);
        CHECK(st == ONNX_E_PARSE, "junk varint accepted (%d)", st);
        st = onnx_parse_tensor(junk2, sizeof junk2, &t, emsg, sizeof emsg);
        CHECK(st == ONNX_E_PARSE, "invalid wire type accepted (%d)", st);
        /* Corrupt raw_data length: raw_data shorter than the dims say. */
        free(buf);
    }

    /* Models cut inside a field, or overwritten with junk. */
    uint8_t *buf;
    size_t len;
    path_fmt(path, "%s/test_qlinearconv/model.onnx", data);
    if (slurp(path, &buf, &len) != 0) {
        CHECK(0, "cannot read %s", path);
        return;
    }
    size_t cuts[] = {len - 1, len - 2, len / 2, len / 3, 3};
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        emsg[0] = '\0';
        st = onnx_parse_model(buf, cuts[k], &m, emsg, sizeof emsg);
        CHECK(st != ONNX_OK && emsg[0], "model truncated to %zu of %zu bytes accepted", cuts[k],
              len);
        onnx_model_free(&m);
    }
    st = onnx_parse_model(buf, 0, &m, emsg, sizeof emsg); /* empty: no graph */
    CHECK(st == ONNX_E_FORMAT, "empty model accepted (%d)", st);
    onnx_model_free(&m);
    memset(buf + len / 2, 0xff, len - len / 2);
    st = onnx_parse_model(buf, len, &m, emsg, sizeof emsg);
    CHECK(st == ONNX_E_PARSE, "corrupt model accepted (%d)", st);
    onnx_model_free(&m);
    free(buf);
}

int main(void)
{
    const char *env = getenv("ONNX_TESTDATA");
    char data[PATHLEN], sub[PATHLEN];
    if (path_fmt(data, "%s", env && env[0] ? env : DEFAULT_DATA) != 0) {
        CHECK(0, "ONNX_TESTDATA too long");
        return check_done("test_onnx_conformance");
    }
    if (path_fmt(sub, "%s/node", data) == 0 && is_dir(sub))
        memcpy(data, sub, sizeof data);
    DIR *d = opendir(data);
    if (!d) {
        fprintf(stderr,
                "test_onnx_conformance: ONNX test data not found at %s\n"
                "  install Debian's libonnx-testdata (apt-get install libonnx-testdata) or set\n"
                "  ONNX_TESTDATA to the directory holding the test_*/model.onnx cases\n",
                data);
        CHECK(0, "no ONNX test data at %s", data);
        return check_done("test_onnx_conformance");
    }
    char **names = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!wanted(e->d_name))
            continue;
        if (nn == cap) {
            cap = cap ? 2 * cap : 64;
            char **nv = realloc(names, cap * sizeof *nv);
            if (!nv)
                break;
            names = nv;
        }
        size_t l = strlen(e->d_name);
        if (!(names[nn] = malloc(l + 1)))
            break;
        memcpy(names[nn++], e->d_name, l + 1);
    }
    closedir(d);
    if (nn)
        qsort(names, nn, sizeof *names, cmp_str);

    printf("ONNX conformance data: %s (%zu matching cases)\n", data, nn);
    printf("%-48s %-21s result\n", "case", "op");
    for (size_t k = 0; k < nn; k++) {
        char dir[PATHLEN];
        if (path_fmt(dir, "%s/%s", data, names[k]) == 0)
            run_case(dir, names[k]);
        else
            CHECK(0, "path too long: %s/%s", data, names[k]);
        free(names[k]);
    }
    free(names);

    /* Every op of the brief must have been exercised by at least one case. */
    for (int k = 0; k < NOPS; k++)
        CHECK(ops[k].cases > 0, "no ONNX case ran for %s", ops[k].op);
    printf("summary: %ld EXACT, %ld WITHIN_1LSB, %ld FAIL, %ld SKIP\n", n_exact, n_within, n_fail,
           n_skip);

    test_loader_errors(data);
    return check_done("test_onnx_conformance");
}
