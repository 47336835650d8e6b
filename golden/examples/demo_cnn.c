/*
 * demo_cnn.c - a small quantized CNN on the DLP golden ISS (make demo).
 *
 *   input 16x16x3 -> conv3x3(16)+ReLU -> maxpool2x2 -> conv3x3(16)+ReLU -> add(residual)
 *   -> global average pool -> FC(10) -> softmax
 *
 * Every layer is lowered to a DLP instruction stream (dlp/lower.h), run on the ISS from
 * DDR, and compared byte for byte with the reference op of dlp/ops.h. Weights and the
 * input image are pseudo-random (fixed seed); output scales are calibrated on the input,
 * as a post-training quantizer would. The trained CNN and the Transformer demos come with
 * the runtime (ONNX import); this demo shows the spec and the ISS working end to end.
 *   usage: demo_cnn [N]        (array size 4, 8 or 16; default 16)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/iss.h"
#include "dlp/lower.h"
#include "dlp/ops.h"
#include "dlp/quant.h"

#define MEM_BYTES (4u << 20)
#define PROG_AT   0x1000u
#define DATA_AT   0x40000u

typedef struct {
    dlp_config cfg;
    dlp_iss *iss;
    dlp_prog *prog;
    uint32_t top; /* bump allocator in DDR */
    int failures;
    uint64_t tot[5];
} demo;

static uint32_t dalloc(demo *d, size_t bytes)
{
    uint32_t at = d->top;
    d->top += (uint32_t)((bytes + 63) & ~(size_t)63);
    return at;
}

static uint8_t *mem(demo *d, uint32_t at, size_t len)
{
    return dlp_iss_mem(d->iss, at, len);
}

static unsigned long long rnd_state = 0x9E3779B97F4A7C15ull;
static int rnd(int lo, int hi)
{
    rnd_state ^= rnd_state >> 12;
    rnd_state ^= rnd_state << 25;
    rnd_state ^= rnd_state >> 27;
    return lo + (int)((rnd_state * 0x2545F4914F6CDD1Dull >> 33) % (unsigned)(hi - lo + 1));
}

/* Run the program in d->prog on the ISS; print one table row; 0 on success. */
static int run_layer(demo *d, const char *name, dlp_lower *L)
{
    if (dlp_lower_finish(L) < 0) {
        fprintf(stderr, "%s: %s\n", name, dlp_lower_msg(L));
        return -1;
    }
    size_t ni = dlp_prog_len(d->prog);
    if (PROG_AT + ni * DLP_INSN_BYTES > DATA_AT) {
        fprintf(stderr, "%s: program of %zu instructions does not fit\n", name, ni);
        return -1;
    }
    dlp_prog_bytes(d->prog, mem(d, PROG_AT, ni * DLP_INSN_BYTES), ni * DLP_INSN_BYTES);
    int err = dlp_iss_run(d->iss, PROG_AT, (uint32_t)ni, 0, MEM_BYTES - 1);
    if (err) {
        fprintf(stderr, "%s: DLP error %s at instruction %u\n", name, dlp_err_name((uint32_t)err),
                dlp_iss_csr_read(d->iss, DLP_CSR_ERR_INDEX));
        return -1;
    }
    return 0;
}

/* Compare, print the row and accumulate totals. */
static void report(demo *d, const char *name, const int8_t *got, const int8_t *want, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += got[i] != want[i];
    uint64_t v[5] = {dlp_prog_len(d->prog), dlp_iss_perf(d->iss, DLP_PERF_MACS),
                     dlp_iss_perf(d->iss, DLP_PERF_RD_BYTES),
                     dlp_iss_perf(d->iss, DLP_PERF_WR_BYTES),
                     dlp_iss_perf(d->iss, DLP_PERF_CYCLES)};
    for (int k = 0; k < 5; k++)
        d->tot[k] += v[k];
    printf("%-16s %6llu %10llu %8llu %8llu %11llu  %s\n", name, (unsigned long long)v[0],
           (unsigned long long)v[1], (unsigned long long)v[2], (unsigned long long)v[3],
           (unsigned long long)v[4], bad ? "MISMATCH" : "bit-exact");
    if (bad) {
        printf("  %zu of %zu bytes differ from the reference op\n", bad, n);
        d->failures++;
    }
}

static void begin(demo *d, dlp_lower *L)
{
    dlp_prog_reset(d->prog);
    dlp_lower_init(L, &d->cfg, d->prog);
}

/* Output scale from a calibration of the real-valued accumulator range. */
static double calib_scale(const int32_t *acc, size_t n, int channels, double in_scale,
                          const float *w_scale, int relu)
{
    double mx = 1e-9;
    for (size_t i = 0; i < n; i++) {
        double r = acc[i] * in_scale * w_scale[i % (size_t)channels];
        mx = fmax(mx, relu ? r : fabs(r));
    }
    return relu ? mx / 255.0 : mx / 127.0;
}

typedef struct {
    int8_t *q;
    double scale;
    int32_t zp;
    int h, w, c;
} tensor;

static int conv_layer(demo *d, const char *name, const tensor *x, int cout, tensor *y)
{
    dlp_conv_shape s = {.n = 1,
                        .h = x->h,
                        .w = x->w,
                        .c = x->c,
                        .cout = cout,
                        .kh = 3,
                        .kw = 3,
                        .stride_h = 1,
                        .stride_w = 1,
                        .pad_t = 1,
                        .pad_l = 1,
                        .pad_b = 1,
                        .pad_r = 1,
                        .dil_h = 1,
                        .dil_w = 1,
                        .groups = 1};
    size_t wn = (size_t)cout * 9 * x->c, yn = (size_t)x->h * x->w * cout;
    int8_t *w = malloc(wn), *ref = malloc(yn);
    float *ws = malloc(sizeof(float) * cout);
    int32_t *bias = malloc(4 * cout), *acc = malloc(4 * yn), *mult = malloc(4 * cout),
            *shift = malloc(4 * cout), *wsum = malloc(4 * cout);
    for (size_t i = 0; i < wn; i++)
        w[i] = (int8_t)rnd(-127, 127);
    for (int c = 0; c < cout; c++) {
        ws[c] = (float)(0.002 + 0.0005 * rnd(0, 8));
        bias[c] = rnd(-2000, 2000);
    }
    dlp_conv2d_acc(&s, x->q, DLP_S8, x->zp, w, DLP_S8, (const int32_t[]){0}, 1, bias, acc);
    y->h = x->h, y->w = x->w, y->c = cout, y->zp = -128;
    y->scale = calib_scale(acc, yn, cout, x->scale, ws, 1);
    y->q = malloc(yn);
    dlp_requant_prepare(x->scale, ws, cout, y->scale, mult, shift);
    dlp_requant rq = {.mult = mult, .shift = shift, .n = cout, .zp = y->zp, .type = DLP_S8};
    dlp_act_bounds(DLP_ACT_RELU, y->scale, y->zp, DLP_S8, &rq.lo, &rq.hi);
    dlp_conv2d_q(&s, x->q, DLP_S8, x->zp, w, DLP_S8, (const int32_t[]){0}, 1, bias, &rq, ref);

    /* The same layer on the DLP. */
    const uint32_t N = d->cfg.n;
    size_t px = (size_t)x->h * x->w;
    uint32_t xa = dalloc(d, dlp_act_bytes(N, px, x->c));
    uint32_t wa = dalloc(d, dlp_conv_wgt_bytes(N, &s));
    uint32_t pa = dalloc(d, dlp_req_prm_bytes(N, cout));
    uint32_t ya = dalloc(d, dlp_act_bytes(N, px, cout));
    dlp_pack_act(N, px, x->c, x->q, x->zp, mem(d, xa, 1));
    dlp_pack_conv_wgt(N, &s, w, mem(d, wa, 1));
    dlp_conv_wsum(&s, w, wsum);
    dlp_req_prm prm = {.channels = cout,
                       .bias = bias,
                       .wsum = wsum,
                       .x_zp = x->zp,
                       .mult = mult,
                       .shift = shift,
                       .rq_n = cout,
                       .zp = y->zp};
    dlp_pack_req_prm(N, &prm, mem(d, pa, 1));
    dlp_lower L;
    begin(d, &L);
    dlp_lower_conv_args a = {
        .s = s, .x_zp = x->zp, .x = xa, .w = wa, .prm = pa, .y = ya, .lo = rq.lo, .hi = rq.hi};
    int rc = dlp_lower_conv2d(&L, &a) < 0 ? -1 : run_layer(d, name, &L);
    if (rc == 0) {
        dlp_unpack_act(N, px, cout, mem(d, ya, 1), y->q);
        report(d, name, y->q, ref, yn);
    } else {
        fprintf(stderr, "%s: %s\n", name, dlp_lower_msg(&L));
    }
    free(w), free(ref), free(ws), free(bias), free(acc), free(mult), free(shift), free(wsum);
    return rc;
}

static int maxpool_layer(demo *d, const char *name, const tensor *x, tensor *y)
{
    dlp_pool_shape s = {.n = 1,
                        .h = x->h,
                        .w = x->w,
                        .c = x->c,
                        .kh = 2,
                        .kw = 2,
                        .stride_h = 2,
                        .stride_w = 2,
                        .dil_h = 1,
                        .dil_w = 1};
    *y = *x;
    y->h = x->h / 2, y->w = x->w / 2;
    size_t yn = (size_t)y->h * y->w * y->c, px = (size_t)x->h * x->w;
    int8_t *ref = malloc(yn);
    y->q = malloc(yn);
    dlp_maxpool(&s, x->q, DLP_S8, ref);
    const uint32_t N = d->cfg.n;
    uint32_t xa = dalloc(d, dlp_act_bytes(N, px, x->c)), ya = dalloc(d, dlp_act_bytes(N, yn, 1));
    dlp_pack_act(N, px, x->c, x->q, x->zp, mem(d, xa, 1));
    dlp_lower L;
    begin(d, &L);
    dlp_lower_pool_args a = {.s = s, .x = xa, .y = ya};
    int rc = dlp_lower_maxpool(&L, &a) < 0 ? -1 : run_layer(d, name, &L);
    if (rc == 0) {
        dlp_unpack_act(N, (size_t)y->h * y->w, y->c, mem(d, ya, 1), y->q);
        report(d, name, y->q, ref, yn);
    } else {
        fprintf(stderr, "%s: %s\n", name, dlp_lower_msg(&L));
    }
    free(ref);
    return rc;
}

static int add_layer(demo *d, const char *name, const tensor *a_, const tensor *b_, tensor *y)
{
    *y = *a_;
    size_t px = (size_t)a_->h * a_->w, n = px * a_->c;
    double mx = 1e-9;
    for (size_t i = 0; i < n; i++)
        mx = fmax(mx, (a_->q[i] - a_->zp) * a_->scale + (b_->q[i] - b_->zp) * b_->scale);
    y->scale = mx / 255.0, y->zp = -128;
    dlp_add_params p;
    dlp_add_prepare(a_->scale, a_->zp, b_->scale, b_->zp, y->scale, y->zp, -128, 127, &p);
    int8_t *ref = malloc(n);
    y->q = malloc(n);
    dlp_add_q(n, a_->q, DLP_S8, b_->q, DLP_S8, &p, ref, DLP_S8);
    const uint32_t N = d->cfg.n;
    size_t bytes = dlp_act_bytes(N, px, a_->c);
    uint32_t aa = dalloc(d, bytes), ba = dalloc(d, bytes), ya = dalloc(d, bytes),
             pa = dalloc(d, dlp_add_prm_bytes(N));
    dlp_pack_act(N, px, a_->c, a_->q, a_->zp, mem(d, aa, 1));
    dlp_pack_act(N, px, b_->c, b_->q, b_->zp, mem(d, ba, 1));
    dlp_pack_add_prm(N, &p, mem(d, pa, 1));
    dlp_lower L;
    begin(d, &L);
    dlp_lower_eltwise_args args = {.rows = (uint32_t)(bytes / N),
                                   .a = aa,
                                   .b = ba,
                                   .y = ya,
                                   .prm = pa,
                                   .lo = -128,
                                   .hi = 127,
                                   .left_shift = (uint32_t)p.left_shift};
    int rc = dlp_lower_add(&L, &args) < 0 ? -1 : run_layer(d, name, &L);
    if (rc == 0) {
        dlp_unpack_act(N, px, a_->c, mem(d, ya, 1), y->q);
        report(d, name, y->q, ref, n);
    } else {
        fprintf(stderr, "%s: %s\n", name, dlp_lower_msg(&L));
    }
    free(ref);
    return rc;
}

static int gap_layer(demo *d, const char *name, const tensor *x, tensor *y)
{
    dlp_pool_shape s = {.n = 1,
                        .h = x->h,
                        .w = x->w,
                        .c = x->c,
                        .kh = x->h,
                        .kw = x->w,
                        .stride_h = 1,
                        .stride_w = 1,
                        .dil_h = 1,
                        .dil_w = 1};
    *y = *x;
    y->h = y->w = 1;
    y->scale = x->scale; /* an average stays in range */
    int8_t *ref = malloc(x->c);
    y->q = malloc(x->c);
    dlp_requant rq = {.n = 1, .zp = y->zp, .lo = -128, .hi = 127, .type = DLP_S8};
    dlp_global_avgpool_q(1, x->h, x->w, x->c, x->q, DLP_S8, x->zp, x->scale, y->scale, &rq, ref);
    const uint32_t N = d->cfg.n;
    size_t px = (size_t)x->h * x->w;
    uint32_t xa = dalloc(d, dlp_act_bytes(N, px, x->c)), ya = dalloc(d, dlp_act_bytes(N, 1, x->c)),
             pa = dalloc(d, dlp_avgpool_prm_bytes(N, &s));
    dlp_pack_act(N, px, x->c, x->q, x->zp, mem(d, xa, 1));
    dlp_pack_avgpool_prm(N, &s, x->zp, x->scale, y->scale, y->zp, mem(d, pa, 1));
    dlp_lower L;
    begin(d, &L);
    dlp_lower_pool_args a = {.s = s, .x = xa, .y = ya, .prm = pa, .lo = -128, .hi = 127};
    int rc = dlp_lower_avgpool(&L, &a) < 0 ? -1 : run_layer(d, name, &L);
    if (rc == 0) {
        dlp_unpack_act(N, 1, x->c, mem(d, ya, 1), y->q);
        report(d, name, y->q, ref, x->c);
    } else {
        fprintf(stderr, "%s: %s\n", name, dlp_lower_msg(&L));
    }
    free(ref);
    return rc;
}

static int fc_layer(demo *d, const char *name, const tensor *x, int nout, tensor *y)
{
    int k = x->c;
    int8_t *w = malloc((size_t)nout * k), *ref = malloc(nout);
    float *ws = malloc(sizeof(float) * nout);
    int32_t *bias = malloc(4 * nout), acc[64], *mult = malloc(4 * nout), *shift = malloc(4 * nout),
            *wsum = malloc(4 * nout);
    for (int i = 0; i < nout * k; i++)
        w[i] = (int8_t)rnd(-127, 127);
    for (int c = 0; c < nout; c++)
        ws[c] = 0.01f, bias[c] = rnd(-500, 500);
    dlp_matmul_shape s = {.batch = 1, .m = 1, .k = k, .n = nout, .trans_b = 1};
    dlp_matmul_acc(&s, x->q, DLP_S8, x->zp, w, DLP_S8, (const int32_t[]){0}, 1, bias, acc);
    y->h = y->w = 1, y->c = nout, y->zp = 0;
    y->scale = calib_scale(acc, nout, nout, x->scale, ws, 0);
    y->q = malloc(nout);
    dlp_requant_prepare(x->scale, ws, nout, y->scale, mult, shift);
    dlp_requant rq = {
        .mult = mult, .shift = shift, .n = nout, .zp = 0, .lo = -128, .hi = 127, .type = DLP_S8};
    dlp_matmul_q(&s, x->q, DLP_S8, x->zp, w, DLP_S8, (const int32_t[]){0}, 1, bias, &rq, ref);
    const uint32_t N = d->cfg.n;
    uint32_t xa = dalloc(d, dlp_act_bytes(N, 1, k)),
             wa = dalloc(d, dlp_matmul_wgt_bytes(N, k, nout)),
             pa = dalloc(d, dlp_req_prm_bytes(N, nout)), ya = dalloc(d, dlp_act_bytes(N, 1, nout));
    dlp_pack_act(N, 1, k, x->q, x->zp, mem(d, xa, 1));
    dlp_pack_matmul_wgt(N, k, nout, 1, w, mem(d, wa, 1));
    dlp_matmul_wsum(k, nout, 1, w, wsum);
    dlp_req_prm prm = {.channels = nout,
                       .bias = bias,
                       .wsum = wsum,
                       .x_zp = x->zp,
                       .mult = mult,
                       .shift = shift,
                       .rq_n = nout,
                       .zp = 0};
    dlp_pack_req_prm(N, &prm, mem(d, pa, 1));
    dlp_lower L;
    begin(d, &L);
    dlp_lower_matmul_args a = {
        .m = 1, .k = k, .n = nout, .a = xa, .w = wa, .prm = pa, .y = ya, .lo = -128, .hi = 127};
    int rc = dlp_lower_matmul(&L, &a) < 0 ? -1 : run_layer(d, name, &L);
    if (rc == 0) {
        dlp_unpack_act(N, 1, nout, mem(d, ya, 1), y->q);
        report(d, name, y->q, ref, nout);
    } else {
        fprintf(stderr, "%s: %s\n", name, dlp_lower_msg(&L));
    }
    free(w), free(ref), free(ws), free(bias), free(mult), free(shift), free(wsum);
    return rc;
}

static int softmax_layer(demo *d, const char *name, const tensor *x, tensor *y)
{
    int len = x->c;
    *y = *x;
    y->scale = 1.0 / 256, y->zp = -128;
    int8_t *ref = malloc(len);
    y->q = malloc(len);
    dlp_softmax_q(1, len, x->q, x->scale, y->scale, y->zp, ref);
    int16_t lut[256];
    int32_t mult, shift;
    dlp_lut_build_softmax_exp(x->scale, lut);
    dlp_quantize_multiplier(1.0 / (1073741824.0 * y->scale), &mult, &shift);
    const uint32_t N = d->cfg.n;
    uint32_t xa = dalloc(d, dlp_act_bytes(N, 1, len)), ya = dalloc(d, dlp_act_bytes(N, 1, len)),
             la = dalloc(d, DLP_LUT_BYTES);
    dlp_pack_act(N, 1, len, x->q, x->zp, mem(d, xa, 1));
    dlp_pack_lut(lut, mem(d, la, DLP_LUT_BYTES));
    dlp_lower L;
    begin(d, &L);
    dlp_lower_softmax_args a = {.rows = 1,
                                .len = (uint32_t)len,
                                .x = xa,
                                .y = ya,
                                .lut = la,
                                .mult = mult,
                                .shift = shift,
                                .zo = y->zp,
                                .lo = -128,
                                .hi = 127};
    int rc = dlp_lower_softmax(&L, &a) < 0 ? -1 : run_layer(d, name, &L);
    if (rc == 0) {
        dlp_unpack_act(N, 1, len, mem(d, ya, 1), y->q);
        report(d, name, y->q, ref, len);
    } else {
        fprintf(stderr, "%s: %s\n", name, dlp_lower_msg(&L));
    }
    free(ref);
    return rc;
}

int main(int argc, char **argv)
{
    demo d = {0};
    dlp_config_default(&d.cfg);
    if (argc > 1)
        d.cfg.n = (uint32_t)atoi(argv[1]);
    char why[128];
    if (dlp_config_check(&d.cfg, why, sizeof why)) {
        fprintf(stderr, "demo_cnn: %s\n", why);
        return 2;
    }
    d.iss = dlp_iss_new(&d.cfg, 0, MEM_BYTES);
    d.prog = dlp_prog_new();
    d.top = DATA_AT;
    if (!d.iss || !d.prog)
        return 1;

    tensor in = {.h = 16, .w = 16, .c = 3, .scale = 1.0 / 128, .zp = 0};
    in.q = malloc(16 * 16 * 3);
    for (int y = 0; y < 16; y++) /* a soft diagonal stripe pattern plus noise */
        for (int x = 0; x < 16; x++)
            for (int c = 0; c < 3; c++)
                in.q[(y * 16 + x) * 3 + c] =
                    (int8_t)(((x + y + 5 * c) % 8 < 4 ? 60 : -60) + rnd(-20, 20));

    printf("DLP golden ISS demo: small int8 CNN, N=%u, AXI %u bytes, ACT/WGT/ACC %u/%u/%u KiB\n",
           d.cfg.n, d.cfg.bus_bytes, d.cfg.act_bytes / 1024, d.cfg.wgt_bytes / 1024,
           d.cfg.acc_bytes / 1024);
    printf("%-16s %6s %10s %8s %8s %11s  %s\n", "layer", "insns", "MACs", "DMA rd", "DMA wr",
           "est.cycles", "vs reference op");
    tensor c1, p1, c2, r, g, f, sm;
    int rc = conv_layer(&d, "conv3x3 3->16", &in, 16, &c1);
    rc = rc ? rc : maxpool_layer(&d, "maxpool 2x2", &c1, &p1);
    rc = rc ? rc : conv_layer(&d, "conv3x3 16->16", &p1, 16, &c2);
    rc = rc ? rc : add_layer(&d, "add residual", &p1, &c2, &r);
    rc = rc ? rc : gap_layer(&d, "global avgpool", &r, &g);
    rc = rc ? rc : fc_layer(&d, "fc 16->10", &g, 10, &f);
    rc = rc ? rc : softmax_layer(&d, "softmax", &f, &sm);
    if (rc) {
        fprintf(stderr, "demo_cnn: stopped on error\n");
        return 1;
    }
    printf("%-16s %6llu %10llu %8llu %8llu %11llu\n", "total", (unsigned long long)d.tot[0],
           (unsigned long long)d.tot[1], (unsigned long long)d.tot[2], (unsigned long long)d.tot[3],
           (unsigned long long)d.tot[4]);
    printf("class probabilities (int8 softmax, scale 1/256):");
    int best = 0;
    for (int i = 0; i < 10; i++) {
        printf(" %.3f", (sm.q[i] + 128) / 256.0);
        best = sm.q[i] > sm.q[best] ? i : best;
    }
    printf("\npredicted class %d; %s\n", best,
           d.failures ? "SOME LAYERS DIFFER FROM THE REFERENCE" : "all layers bit-exact");
    printf("(est.cycles is the ISS's planning estimate; RTL cycle counts come with the RTL.)\n");
    dlp_prog_free(d.prog);
    dlp_iss_free(d.iss);
    return d.failures ? 1 : 0;
}
