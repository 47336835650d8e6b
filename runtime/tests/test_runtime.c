/*
 * test_runtime.c - libdlprt end to end on the iss backend with models built here
 * (onnx_build.h), bit-exact against the golden ops; malformed and unsupported models
 * (truncated, corrupted, unknown ops, absurd shapes, wrong types) must give an error
 * message, never a crash. Prints 'runtime_tests: N passed, N failed'.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/ops.h"
#include "dlp/quant.h"
#include "dlp/rt.h"
#include "onnx_build.h"

static int passed, failed;
#define CHECK(c, ...)                                                                              \
    do {                                                                                           \
        if (c) {                                                                                   \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

static uint32_t rs = 1;
static int rnd(int lo, int hi)
{
    rs = rs * 1103515245u + 12345u;
    return lo + (int)((rs >> 8) % (uint32_t)(hi - lo + 1));
}

static dlp_dev *open_iss(uint32_t n)
{
    dlp_dev_opts o;
    dlp_dev_opts_default(&o);
    dlp_config_default(&o.cfg);
    o.cfg.n = n;
    o.mem_size = 32u << 20;
    dlp_dev *d = NULL;
    if (dlp_dev_open("iss", &o, &d))
        return NULL;
    return d;
}

/* ------------------------------------------------------------------ models */
enum { CIN = 5, COUT = 9, H = 7, W = 6 };
static int8_t cw[COUT * CIN * 9];
static int32_t cbias[COUT];
static float cws[COUT];

static uint8_t *model_qlinear_conv(size_t *len)
{
    mb b;
    mb_init(&b, 13);
    int64_t xd[4] = {1, CIN, H, W}, wd[4] = {COUT, CIN, 3, 3}, cd[1] = {COUT};
    double wv[COUT * CIN * 9], sv[COUT], zv[COUT], bv[COUT];
    for (int i = 0; i < COUT * CIN * 9; i++)
        wv[i] = cw[i] = (int8_t)rnd(-127, 127);
    for (int c = 0; c < COUT; c++) {
        sv[c] = cws[c] = 0.002f + 0.0005f * (float)rnd(0, 6);
        zv[c] = 0;
        bv[c] = cbias[c] = rnd(-3000, 3000);
    }
    mb_init_t(&b, "w", 3, 4, wd, wv);
    mb_init_t(&b, "ws", 1, 1, cd, sv);
    mb_init_t(&b, "wz", 3, 1, cd, zv);
    mb_init_t(&b, "b", 6, 1, cd, bv);
    mb_scalar(&b, "xs", 1, 0.05), mb_scalar(&b, "xz", 3, 3);
    mb_scalar(&b, "ys", 1, 0.1), mb_scalar(&b, "yz", 3, -5);
    Onnx__NodeProto *n =
        mb_node(&b, "QLinearConv", "conv0", MB_L("x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"),
                MB_L("y"));
    mb_attr_ints(&b, n, "pads", 4, (int64_t[]){1, 1, 1, 1});
    mb_attr_ints(&b, n, "kernel_shape", 2, (int64_t[]){3, 3});
    mb_input(&b, "x", 3, 4, xd);
    mb_output(&b, "y", 3, 4, (int64_t[]){1, COUT, H, W});
    uint8_t *p = mb_pack(&b, len);
    mb_free(&b);
    return p;
}

/* float in -> Q(u8) -> Conv+Relu -> MaxPool -> GAP -> Flatten -> Gemm -> Softmax -> float */
static uint8_t *model_qdq_cnn(size_t *len, const char *extra_op)
{
    mb b;
    mb_init(&b, 17);
    int64_t wd[4] = {8, 3, 3, 3}, c8[1] = {8}, fd[2] = {10, 8}, c10[1] = {10};
    double wv[8 * 27], sv[8], zv[10] = {0}, bv[10], fv[80], fs[10];
    for (int i = 0; i < 8 * 27; i++)
        wv[i] = rnd(-127, 127);
    for (int c = 0; c < 8; c++)
        sv[c] = 0.003 + 0.001 * rnd(0, 3), bv[c] = rnd(-500, 500);
    for (int i = 0; i < 80; i++)
        fv[i] = rnd(-127, 127);
    for (int c = 0; c < 10; c++)
        fs[c] = 0.004;
    mb_init_t(&b, "w", 3, 4, wd, wv);
    mb_init_t(&b, "ws", 1, 1, c8, sv);
    mb_init_t(&b, "wz", 3, 1, c8, zv);
    double bsv[8];
    for (int c = 0; c < 8; c++)
        bsv[c] = 0.02 * sv[c];
    mb_init_t(&b, "bq", 6, 1, c8, bv);
    mb_init_t(&b, "bs", 1, 1, c8, bsv);
    mb_init_t(&b, "bz", 6, 1, c8, zv);
    mb_init_t(&b, "fw", 3, 2, fd, fv);
    mb_init_t(&b, "fs", 1, 1, c10, fs);
    mb_init_t(&b, "fz", 3, 1, c10, zv);
    mb_scalar(&b, "xs", 1, 0.02), mb_scalar(&b, "xz", 2, 128);
    mb_scalar(&b, "cs", 1, 0.05), mb_scalar(&b, "cz", 2, 0);
    mb_scalar(&b, "gs", 1, 0.2), mb_scalar(&b, "gz", 2, 128);
    mb_scalar(&b, "ps", 1, 1.0 / 256), mb_scalar(&b, "pz", 2, 0);
    mb_node(&b, "QuantizeLinear", "qx", MB_L("x", "xs", "xz"), MB_L("xq"));
    mb_node(&b, "DequantizeLinear", "dqx", MB_L("xq", "xs", "xz"), MB_L("xf"));
    Onnx__NodeProto *n = mb_node(&b, "DequantizeLinear", "dqw", MB_L("w", "ws", "wz"), MB_L("wf"));
    mb_attr_i(&b, n, "axis", 0);
    mb_node(&b, "DequantizeLinear", "dqb", MB_L("bq", "bs", "bz"), MB_L("bf"));
    n = mb_node(&b, "Conv", "conv", MB_L("xf", "wf", "bf"), MB_L("c"));
    mb_attr_ints(&b, n, "pads", 4, (int64_t[]){1, 1, 1, 1});
    mb_node(&b, extra_op ? extra_op : "Relu", "relu", MB_L("c"), MB_L("r"));
    mb_node(&b, "QuantizeLinear", "qc", MB_L("r", "cs", "cz"), MB_L("rq"));
    mb_node(&b, "DequantizeLinear", "dqc", MB_L("rq", "cs", "cz"), MB_L("rf"));
    n = mb_node(&b, "MaxPool", "pool", MB_L("rf"), MB_L("p"));
    mb_attr_ints(&b, n, "kernel_shape", 2, (int64_t[]){2, 2});
    mb_attr_ints(&b, n, "strides", 2, (int64_t[]){2, 2});
    mb_node(&b, "QuantizeLinear", "qp", MB_L("p", "cs", "cz"), MB_L("pq"));
    mb_node(&b, "DequantizeLinear", "dqp", MB_L("pq", "cs", "cz"), MB_L("pf"));
    mb_node(&b, "GlobalAveragePool", "gap", MB_L("pf"), MB_L("g"));
    mb_node(&b, "QuantizeLinear", "qg", MB_L("g", "cs", "cz"), MB_L("gq"));
    mb_node(&b, "DequantizeLinear", "dqg", MB_L("gq", "cs", "cz"), MB_L("gf"));
    mb_node(&b, "Flatten", "flat", MB_L("gf"), MB_L("fl"));
    n = mb_node(&b, "DequantizeLinear", "dqf", MB_L("fw", "fs", "fz"), MB_L("fwf"));
    mb_attr_i(&b, n, "axis", 0);
    n = mb_node(&b, "Gemm", "fc", MB_L("fl", "fwf"), MB_L("lg"));
    mb_attr_i(&b, n, "transB", 1);
    mb_node(&b, "QuantizeLinear", "ql", MB_L("lg", "gs", "gz"), MB_L("lq"));
    mb_node(&b, "DequantizeLinear", "dql", MB_L("lq", "gs", "gz"), MB_L("lf"));
    mb_node(&b, "Softmax", "sm", MB_L("lf"), MB_L("s"));
    mb_node(&b, "QuantizeLinear", "qs", MB_L("s", "ps", "pz"), MB_L("sq"));
    mb_node(&b, "DequantizeLinear", "dqs", MB_L("sq", "ps", "pz"), MB_L("y"));
    mb_input(&b, "x", 1, 4, (int64_t[]){1, 3, 8, 8});
    mb_output(&b, "y", 1, 2, (int64_t[]){1, 10});
    (void)fd;
    uint8_t *p = mb_pack(&b, len);
    mb_free(&b);
    return p;
}

/* int8 x -> DQ -> x*0.5*(1+erf(x/sqrt2)) -> Q: one LUT op */
static uint8_t *model_gelu(size_t *len)
{
    mb b;
    mb_init(&b, 13);
    mb_scalar(&b, "xs", 1, 0.05), mb_scalar(&b, "xz", 3, 0);
    mb_scalar(&b, "ys", 1, 0.03), mb_scalar(&b, "yz", 3, -20);
    mb_scalar(&b, "sq2", 1, 1.4142135381698608), mb_scalar(&b, "one", 1, 1.0);
    mb_scalar(&b, "half", 1, 0.5);
    mb_node(&b, "DequantizeLinear", "dq", MB_L("x", "xs", "xz"), MB_L("xf"));
    mb_node(&b, "Div", "div", MB_L("xf", "sq2"), MB_L("d"));
    mb_node(&b, "Erf", "erf", MB_L("d"), MB_L("e"));
    mb_node(&b, "Add", "add", MB_L("e", "one"), MB_L("a"));
    mb_node(&b, "Mul", "mul", MB_L("xf", "a"), MB_L("m"));
    mb_node(&b, "Mul", "mulh", MB_L("m", "half"), MB_L("g"));
    mb_node(&b, "QuantizeLinear", "q", MB_L("g", "ys", "yz"), MB_L("y"));
    mb_input(&b, "x", 3, 2, (int64_t[]){2, 128});
    mb_output(&b, "y", 3, 2, (int64_t[]){2, 128});
    uint8_t *p = mb_pack(&b, len);
    mb_free(&b);
    return p;
}

static float lng[24], lnb[24];
static uint8_t *model_layernorm(size_t *len)
{
    mb b;
    mb_init(&b, 17);
    int64_t d[1] = {24};
    double g[24], bb[24];
    for (int i = 0; i < 24; i++)
        g[i] = lng[i] = (float)(0.5 + 0.05 * rnd(0, 20)),
        bb[i] = lnb[i] = (float)(0.01 * rnd(-50, 50));
    mb_init_t(&b, "g", 1, 1, d, g);
    mb_init_t(&b, "b", 1, 1, d, bb);
    mb_scalar(&b, "xs", 1, 0.07), mb_scalar(&b, "xz", 3, 4);
    mb_scalar(&b, "ys", 1, 0.02), mb_scalar(&b, "yz", 3, -3);
    mb_node(&b, "DequantizeLinear", "dq", MB_L("x", "xs", "xz"), MB_L("xf"));
    Onnx__NodeProto *n = mb_node(&b, "LayerNormalization", "ln", MB_L("xf", "g", "b"), MB_L("l"));
    mb_attr_f(&b, n, "epsilon", 1e-5f);
    mb_node(&b, "QuantizeLinear", "q", MB_L("l", "ys", "yz"), MB_L("y"));
    mb_input(&b, "x", 3, 2, (int64_t[]){5, 24});
    mb_output(&b, "y", 3, 2, (int64_t[]){5, 24});
    uint8_t *p = mb_pack(&b, len);
    mb_free(&b);
    return p;
}

/* ------------------------------------------------------------------ helpers */
static dlp_npy mk_npy(dlp_npy_dtype t, int rank, const int64_t *dims)
{
    dlp_npy a = {.dtype = t, .rank = rank, .count = 1};
    for (int i = 0; i < rank; i++)
        a.dims[i] = dims[i], a.count *= (size_t)dims[i];
    a.data = calloc(a.count, dlp_npy_dtype_size(t));
    return a;
}

static int run_model(dlp_dev *d, const uint8_t *m, size_t len, dlp_npy *in, int nin, dlp_npy *out,
                     char *err, size_t errlen)
{
    dlp_rt *rt = dlp_rt_new();
    int rc = dlp_rt_load_mem(rt, m, len);
    if (rc == 0)
        rc = dlp_rt_run(rt, d, in, nin, out, NULL, NULL);
    snprintf(err, errlen, "%s", rc ? dlp_rt_error(rt) : "");
    dlp_rt_free(rt);
    return rc;
}

/* ------------------------------------------------------------------ tests */
static void test_qlinear_conv(uint32_t n)
{
    size_t len;
    uint8_t *m = model_qlinear_conv(&len);
    dlp_dev *d = open_iss(n);
    CHECK(d, "open iss N=%u", n);
    dlp_npy x = mk_npy(DLP_NPY_I8, 4, (int64_t[]){1, CIN, H, W}), y = {0};
    int8_t *xs = x.data;
    for (size_t i = 0; i < x.count; i++)
        xs[i] = (int8_t)rnd(-128, 127);
    char err[600];
    int rc = run_model(d, m, len, &x, 1, &y, err, sizeof err);
    CHECK(rc == 0, "QLinearConv N=%u: %s", n, err);
    /* reference: golden conv on NHWC */
    dlp_conv_shape s = {1, H, W, CIN, COUT, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    int8_t xn[H * W * CIN], wo[COUT * 9 * CIN], ref[H * W * COUT];
    for (int c = 0; c < CIN; c++)
        for (int p = 0; p < H * W; p++)
            xn[p * CIN + c] = xs[c * H * W + p];
    for (int co = 0; co < COUT; co++)
        for (int ci = 0; ci < CIN; ci++)
            for (int k = 0; k < 9; k++)
                wo[(co * 9 + k) * CIN + ci] = cw[(co * CIN + ci) * 9 + k];
    int32_t mult[COUT], shift[COUT], zero = 0;
    dlp_requant_prepare((double)0.05f, cws, COUT, (double)0.1f, mult, shift);
    dlp_requant rq = {mult, shift, COUT, -5, -128, 127, DLP_S8};
    dlp_conv2d_q(&s, xn, DLP_S8, 3, wo, DLP_S8, &zero, 1, cbias, &rq, ref);
    int bad = 0;
    if (rc == 0) {
        CHECK(y.dtype == DLP_NPY_I8 && y.rank == 4 && y.dims[1] == COUT && y.dims[2] == H,
              "output shape");
        const int8_t *ys = y.data;
        for (int c = 0; c < COUT; c++)
            for (int p = 0; p < H * W; p++)
                bad += ys[c * H * W + p] != ref[p * COUT + c];
        CHECK(bad == 0, "QLinearConv N=%u: %d of %d outputs differ from golden", n, bad,
              H * W * COUT);
    }
    dlp_npy_free(&x), dlp_npy_free(&y);
    dlp_dev_close(d);
    free(m);
}

/* uint8 weights whose w - zp leaves int8: the conv runs on the CPU with the golden op. */
static void test_conv_fallback(void)
{
    mb b;
    mb_init(&b, 13);
    double wv[4 * 3] = {200, 10, 255, 0, 128, 90, 255, 255, 1, 3, 77, 199};
    mb_init_t(&b, "w", 2, 4, (int64_t[]){4, 3, 1, 1}, wv);
    mb_scalar(&b, "xs", 1, 0.05), mb_scalar(&b, "xz", 3, -2);
    mb_scalar(&b, "ws", 1, 0.01), mb_scalar(&b, "wz", 2, 0);
    mb_scalar(&b, "ys", 1, 0.5), mb_scalar(&b, "yz", 3, 1);
    mb_node(&b, "QLinearConv", "c", MB_L("x", "xs", "xz", "w", "ws", "wz", "ys", "yz"), MB_L("y"));
    mb_input(&b, "x", 3, 4, (int64_t[]){1, 3, 2, 2});
    mb_output(&b, "y", 3, 4, (int64_t[]){1, 4, 2, 2});
    size_t len;
    uint8_t *m = mb_pack(&b, &len);
    mb_free(&b);
    dlp_dev *d = open_iss(16);
    dlp_npy x = mk_npy(DLP_NPY_I8, 4, (int64_t[]){1, 3, 2, 2}), y = {0};
    int8_t *xs = x.data;
    for (int i = 0; i < 12; i++)
        xs[i] = (int8_t)rnd(-128, 127);
    dlp_rt *rt = dlp_rt_new();
    int rc = dlp_rt_load_mem(rt, m, len);
    rc = rc ? rc : dlp_rt_run(rt, d, &x, 1, &y, NULL, NULL);
    CHECK(rc == 0, "conv fallback: %s", dlp_rt_error(rt));
    if (rc == 0) {
        CHECK(!strcmp(dlp_rt_layer_get(rt, 0)->where, "cpu"), "fallback runs on the CPU");
        dlp_conv_shape s = {1, 2, 2, 3, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1};
        int8_t xn[12], ref[16];
        uint8_t wo[12];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 4; p++)
                xn[p * 3 + c] = xs[c * 4 + p];
        for (int i = 0; i < 12; i++)
            wo[i] = (uint8_t)wv[i];
        float ws[1] = {0.01f};
        int32_t mult, shift, zp0 = 0;
        dlp_requant_prepare((double)0.05f, ws, 1, (double)0.5f, &mult, &shift);
        dlp_requant rq = {&mult, &shift, 1, 1, -128, 127, DLP_S8};
        int32_t zps[4] = {0, 0, 0, 0};
        (void)zp0;
        dlp_conv2d_q(&s, xn, DLP_S8, -2, wo, DLP_U8, zps, 4, NULL, &rq, ref);
        int bad = 0;
        for (int c = 0; c < 4; c++)
            for (int p = 0; p < 4; p++)
                bad += ((int8_t *)y.data)[c * 4 + p] != ref[p * 4 + c];
        CHECK(bad == 0, "conv fallback: %d of 16 differ from golden", bad);
    }
    dlp_npy_free(&x), dlp_npy_free(&y);
    dlp_rt_free(rt);
    dlp_dev_close(d);
    free(m);
}

/* A matmul whose weights do not fit WGT at once but one group's whole K does, with more
 * rows than one tile: lower.c loads each group's weights once for all row tiles. */
static void test_big_matmul(void)
{
    enum { M = 100, K = 384, NN = 400 };
    static double wv[K * NN];
    static int8_t w8[K * NN], ref[M * NN];
    for (int i = 0; i < K * NN; i++)
        wv[i] = w8[i] = (int8_t)rnd(-127, 127);
    mb b;
    mb_init(&b, 13);
    mb_init_t(&b, "w", 3, 2, (int64_t[]){K, NN}, wv);
    mb_scalar(&b, "s", 1, 0.05), mb_scalar(&b, "z", 3, 3);
    mb_scalar(&b, "ws", 1, 0.002), mb_scalar(&b, "wz", 3, 0);
    mb_scalar(&b, "ys", 1, 0.4), mb_scalar(&b, "yz", 3, -1);
    mb_node(&b, "QLinearMatMul", "mm", MB_L("x", "s", "z", "w", "ws", "wz", "ys", "yz"), MB_L("y"));
    mb_input(&b, "x", 3, 2, (int64_t[]){M, K});
    mb_output(&b, "y", 3, 2, (int64_t[]){M, NN});
    size_t len;
    uint8_t *m = mb_pack(&b, &len);
    mb_free(&b);
    dlp_dev *d = open_iss(16);
    dlp_npy x = mk_npy(DLP_NPY_I8, 2, (int64_t[]){M, K}), y = {0};
    for (size_t i = 0; i < x.count; i++)
        ((int8_t *)x.data)[i] = (int8_t)rnd(-128, 127);
    char err[600];
    int rc = run_model(d, m, len, &x, 1, &y, err, sizeof err);
    CHECK(rc == 0, "big matmul: %s", err);
    if (rc == 0) {
        dlp_matmul_shape s = {.batch = 1, .m = M, .k = K, .n = NN};
        float ws = 0.002f;
        int32_t mult, shift, zero = 0;
        dlp_requant_prepare((double)0.05f, &ws, 1, (double)0.4f, &mult, &shift);
        dlp_requant rq = {&mult, &shift, 1, -1, -128, 127, DLP_S8};
        dlp_matmul_q(&s, x.data, DLP_S8, 3, w8, DLP_S8, &zero, 1, NULL, &rq, ref);
        int bad = 0;
        for (int i = 0; i < M * NN; i++)
            bad += ref[i] != ((int8_t *)y.data)[i];
        CHECK(bad == 0, "big matmul: %d of %d differ from golden", bad, M * NN);
    }
    dlp_npy_free(&x), dlp_npy_free(&y);
    dlp_dev_close(d);
    free(m);
}

static void test_qdq_cnn(void)
{
    size_t len;
    uint8_t *m = model_qdq_cnn(&len, NULL);
    dlp_dev *d = open_iss(16);
    dlp_rt *rt = dlp_rt_new();
    int rc = dlp_rt_load_mem(rt, m, len);
    CHECK(rc == 0, "QDQ CNN load: %s", dlp_rt_error(rt));
    CHECK(dlp_rt_num_inputs(rt) == 1 && dlp_rt_num_outputs(rt) == 1, "io count");
    dlp_npy x = mk_npy(DLP_NPY_F32, 4, (int64_t[]){1, 3, 8, 8}), y = {0};
    float *xf = x.data;
    for (size_t i = 0; i < x.count; i++)
        xf[i] = (float)rnd(-100, 100) / 50.0f;
    rc = rc ? rc : dlp_rt_run(rt, d, &x, 1, &y, NULL, NULL);
    CHECK(rc == 0, "QDQ CNN run: %s", dlp_rt_error(rt));
    if (rc == 0) {
        CHECK(y.dtype == DLP_NPY_F32 && y.rank == 2 && y.dims[1] == 10, "softmax output shape");
        double sum = 0;
        for (int i = 0; i < 10; i++)
            sum += ((float *)y.data)[i];
        CHECK(fabs(sum - 1.0) < 0.05, "softmax sums to %g", sum);
        int on_dlp = 0, conv_cycles = 0;
        for (int i = 0; i < dlp_rt_num_layers(rt); i++) {
            const dlp_rt_layer *l = dlp_rt_layer_get(rt, i);
            on_dlp += !strcmp(l->where, "dlp");
            if (!strcmp(l->op, "conv"))
                conv_cycles = l->cycles > 0 && l->macs == 8ull * 64 * 27 && l->dma_bytes > 0;
        }
        CHECK(on_dlp >= 5, "ops on the DLP: %d", on_dlp);
        CHECK(conv_cycles, "conv layer statistics");
        /* a second run reuses the compiled model and gives the same bytes */
        dlp_npy y2 = {0};
        CHECK(dlp_rt_run(rt, d, &x, 1, &y2, NULL, NULL) == 0 &&
                  !memcmp(y.data, y2.data, 10 * sizeof(float)),
              "second run identical");
        dlp_npy_free(&y2);
        /* wrong input dtype / shape */
        dlp_npy bad = mk_npy(DLP_NPY_I8, 4, (int64_t[]){1, 3, 8, 8});
        CHECK(dlp_rt_run(rt, d, &bad, 1, &y2, NULL, NULL) && strstr(dlp_rt_error(rt), "float32"),
              "wrong dtype message: %s", dlp_rt_error(rt));
        dlp_npy_free(&bad);
        bad = mk_npy(DLP_NPY_F32, 4, (int64_t[]){1, 3, 9, 8});
        CHECK(dlp_rt_run(rt, d, &bad, 1, &y2, NULL, NULL) && strstr(dlp_rt_error(rt), "dimension"),
              "wrong shape message: %s", dlp_rt_error(rt));
        dlp_npy_free(&bad);
    }
    dlp_npy_free(&x), dlp_npy_free(&y);
    dlp_rt_free(rt);
    dlp_dev_close(d);
    free(m);
}

static void test_gelu(void)
{
    size_t len;
    uint8_t *m = model_gelu(&len);
    dlp_dev *d = open_iss(8);
    dlp_npy x = mk_npy(DLP_NPY_I8, 2, (int64_t[]){2, 128}), y = {0};
    for (int i = 0; i < 256; i++)
        ((int8_t *)x.data)[i] = (int8_t)(i - 128);
    char err[600];
    dlp_rt *rt = dlp_rt_new();
    int rc = dlp_rt_load_mem(rt, m, len);
    rc = rc ? rc : dlp_rt_run(rt, d, &x, 1, &y, NULL, NULL);
    CHECK(rc == 0, "GELU: %s", dlp_rt_error(rt));
    snprintf(err, sizeof err, "%s", "");
    if (rc == 0) {
        CHECK(dlp_rt_num_layers(rt) == 1 && !strcmp(dlp_rt_layer_get(rt, 0)->op, "lut") &&
                  !strcmp(dlp_rt_layer_get(rt, 0)->where, "dlp"),
              "the Erf-GELU pattern is one LUT op on the DLP");
        int bad = 0;
        for (int i = 0; i < 256; i++) {
            float xf = (float)(i - 128) * 0.05f;
            float g = xf * (erff(xf / 1.4142135381698608f) + 1.0f) * 0.5f;
            float q = nearbyintf(g / 0.03f) - 20.0f;
            q = q < -128 ? -128 : q > 127 ? 127 : q;
            bad += ((int8_t *)y.data)[i] != (int8_t)q;
        }
        CHECK(bad == 0, "GELU LUT: %d of 256 differ from the float32 formula", bad);
    }
    dlp_npy_free(&x), dlp_npy_free(&y);
    dlp_rt_free(rt);
    dlp_dev_close(d);
    free(m);
}

static void test_layernorm(void)
{
    size_t len;
    uint8_t *m = model_layernorm(&len);
    dlp_dev *d = open_iss(16);
    dlp_npy x = mk_npy(DLP_NPY_I8, 2, (int64_t[]){5, 24}), y = {0};
    for (size_t i = 0; i < x.count; i++)
        ((int8_t *)x.data)[i] = (int8_t)rnd(-128, 127);
    char err[600];
    int rc = run_model(d, m, len, &x, 1, &y, err, sizeof err);
    CHECK(rc == 0, "LayerNorm: %s", err);
    if (rc == 0) {
        int8_t ref[120];
        dlp_layernorm_q(5, 24, x.data, (double)0.07f, lng, lnb, (double)1e-5f, (double)0.02f, -3,
                        ref);
        int bad = 0, maxd = 0;
        for (int i = 0; i < 120; i++) {
            int dd = abs(ref[i] - ((int8_t *)y.data)[i]);
            bad += dd != 0, maxd = dd > maxd ? dd : maxd;
        }
        CHECK(bad == 0, "LayerNorm: %d of 120 differ from golden dlp_layernorm_q (max %d)", bad,
              maxd);
    }
    dlp_npy_free(&x), dlp_npy_free(&y);
    dlp_dev_close(d);
    free(m);
}

/* Malformed models: every failure is a message, never a crash. */
static void test_malformed(void)
{
    size_t len;
    uint8_t *m = model_qdq_cnn(&len, NULL);
    dlp_dev *d = open_iss(16);
    dlp_npy x = mk_npy(DLP_NPY_F32, 4, (int64_t[]){1, 3, 8, 8});
    int msgs = 0, cases = 0, loaded = 0;
    for (size_t cut = 0; cut < len; cut += len / 60 + 1, cases++) {
        dlp_rt *rt = dlp_rt_new();
        if (dlp_rt_load_mem(rt, m, cut))
            msgs += dlp_rt_error(rt)[0] != 0;
        else
            loaded++, msgs++;
        dlp_rt_free(rt);
    }
    CHECK(msgs == cases, "truncated models: %d of %d gave a message", msgs, cases);
    uint8_t *c = malloc(len);
    int ok = 1;
    for (int k = 0; k < 400; k++) {
        memcpy(c, m, len);
        int flips = rnd(1, 4);
        for (int f = 0; f < flips; f++)
            c[rnd(0, (int)len - 1)] ^= (uint8_t)rnd(1, 255);
        dlp_rt *rt = dlp_rt_new();
        int rc = dlp_rt_load_mem(rt, c, len);
        if (rc == 0) {
            dlp_npy y[4] = {{0}};
            if (dlp_rt_num_inputs(rt) == 1 && dlp_rt_num_outputs(rt) <= 4) {
                rc = dlp_rt_run(rt, d, &x, 1, y, NULL, NULL);
                for (int i = 0; i < 4; i++)
                    dlp_npy_free(&y[i]);
            }
        }
        if (rc && !dlp_rt_error(rt)[0])
            ok = 0;
        dlp_rt_free(rt);
    }
    CHECK(ok, "corrupted models: an error without a message");
    free(c);
    dlp_npy_free(&x);
    dlp_dev_close(d);
    free(m);
}

static void expect_load_error(const uint8_t *m, size_t len, const char *want1, const char *want2,
                              const char *what)
{
    dlp_rt *rt = dlp_rt_new();
    int rc = dlp_rt_load_mem(rt, m, len);
    const char *e = dlp_rt_error(rt);
    CHECK(rc && strstr(e, want1) && (!want2 || strstr(e, want2)), "%s: rc %d, message '%s'", what,
          rc, e);
    dlp_rt_free(rt);
}

static void test_unsupported(void)
{
    /* unknown op */
    mb b;
    mb_init(&b, 13);
    mb_scalar(&b, "xs", 1, 0.05), mb_scalar(&b, "xz", 3, 0);
    mb_node(&b, "DequantizeLinear", "dq", MB_L("x", "xs", "xz"), MB_L("xf"));
    mb_node(&b, "FooBar", "mystery", MB_L("xf"), MB_L("y"));
    mb_input(&b, "x", 3, 2, (int64_t[]){2, 4});
    mb_output(&b, "y", 1, 2, (int64_t[]){2, 4});
    size_t len;
    uint8_t *m = mb_pack(&b, &len);
    mb_free(&b);
    expect_load_error(m, len, "FooBar", "mystery", "unknown op");
    free(m);
    /* absurd initializer shape */
    mb_init(&b, 13);
    Onnx__TensorProto t = ONNX__TENSOR_PROTO__INIT;
    int64_t dims[2] = {1ll << 40, 3};
    t.name = "huge", t.data_type = 1, t.has_data_type = 1, t.n_dims = 2, t.dims = dims;
    b.inits[b.graph.n_initializer++] = &t;
    mb_node(&b, "Relu", "r", MB_L("huge"), MB_L("y"));
    mb_output(&b, "y", 1, 0, NULL);
    m = mb_pack(&b, &len);
    b.graph.n_initializer = 0;
    mb_free(&b);
    expect_load_error(m, len, "absurd", "huge", "absurd initializer");
    free(m);
    /* absurd graph input shape */
    mb_init(&b, 13);
    mb_node(&b, "Relu", "r", MB_L("x"), MB_L("y"));
    mb_input(&b, "x", 1, 2, (int64_t[]){1ll << 40, 2});
    mb_output(&b, "y", 1, 2, (int64_t[]){2, 2});
    m = mb_pack(&b, &len);
    mb_free(&b);
    expect_load_error(m, len, "absurd", "'x'", "absurd input");
    free(m);
    /* QLinearConv with float weights (wrong type) */
    mb_init(&b, 13);
    double wv[2 * 2 * 9] = {0}, one = 1;
    mb_init_t(&b, "w", 1, 4, (int64_t[]){2, 2, 3, 3}, wv);
    mb_scalar(&b, "s", 1, 0.1), mb_scalar(&b, "z", 3, 0);
    mb_init_t(&b, "ws", 1, 1, (int64_t[]){1}, &one);
    mb_node(&b, "QLinearConv", "qc", MB_L("x", "s", "z", "w", "ws", "z", "s", "z"), MB_L("y"));
    mb_input(&b, "x", 3, 4, (int64_t[]){1, 2, 5, 5});
    mb_output(&b, "y", 3, 4, (int64_t[]){1, 2, 3, 3});
    m = mb_pack(&b, &len);
    mb_free(&b);
    expect_load_error(m, len, "qc", "int8", "float weights");
    free(m);
    /* negative pads */
    mb_init(&b, 13);
    double w8[2 * 2 * 9] = {0};
    mb_init_t(&b, "w", 3, 4, (int64_t[]){2, 2, 3, 3}, w8);
    mb_scalar(&b, "s", 1, 0.1), mb_scalar(&b, "z", 3, 0);
    Onnx__NodeProto *n =
        mb_node(&b, "QLinearConv", "qc", MB_L("x", "s", "z", "w", "s", "z", "s", "z"), MB_L("y"));
    mb_attr_ints(&b, n, "pads", 4, (int64_t[]){-5, 0, 0, 0});
    mb_input(&b, "x", 3, 4, (int64_t[]){1, 2, 5, 5});
    mb_output(&b, "y", 3, 4, (int64_t[]){1, 2, 3, 3});
    m = mb_pack(&b, &len);
    mb_free(&b);
    expect_load_error(m, len, "qc", "pads", "negative pads");
    free(m);
    /* float op on a quantized value without Q/DQ (Softmax output to graph) is computed in
     * float; a Conv on a float input is an error naming the node */
    mb_init(&b, 13);
    mb_init_t(&b, "w", 3, 4, (int64_t[]){2, 2, 3, 3}, w8);
    mb_scalar(&b, "s", 1, 0.1), mb_scalar(&b, "z", 3, 0);
    mb_node(&b, "DequantizeLinear", "dqw", MB_L("w", "s", "z"), MB_L("wf"));
    mb_node(&b, "Conv", "fconv", MB_L("x", "wf"), MB_L("c"));
    mb_node(&b, "QuantizeLinear", "q", MB_L("c", "s", "z"), MB_L("y"));
    mb_input(&b, "x", 1, 4, (int64_t[]){1, 2, 5, 5});
    mb_output(&b, "y", 3, 4, (int64_t[]){1, 2, 3, 3});
    m = mb_pack(&b, &len);
    mb_free(&b);
    expect_load_error(m, len, "fconv", NULL, "conv on float input");
    free(m);
    /* not a model at all */
    expect_load_error((const uint8_t *)"hello world, not protobuf", 25, "ONNX", NULL, "garbage");
}

static void test_npy(void)
{
    char err[300];
    const char *path = "/tmp/dlp_rt_test.npy";
    for (int t = 0; t <= DLP_NPY_I64; t++) {
        dlp_npy a = mk_npy((dlp_npy_dtype)t, 3, (int64_t[]){2, 3, 5}), r;
        for (size_t i = 0; i < a.count * dlp_npy_dtype_size(a.dtype); i++)
            ((uint8_t *)a.data)[i] = (uint8_t)rnd(0, 255);
        int rc = dlp_npy_write(path, &a, err, sizeof err);
        rc = rc ? rc : dlp_npy_read(path, &r, err, sizeof err);
        CHECK(rc == 0 && r.dtype == a.dtype && r.rank == 3 && r.dims[2] == 5 &&
                  !memcmp(a.data, r.data, a.count * dlp_npy_dtype_size(a.dtype)),
              "npy roundtrip %s: %s", dlp_npy_dtype_name(a.dtype), err);
        dlp_npy_free(&a), dlp_npy_free(&r);
    }
    static const struct {
        const char *hdr, *want;
        size_t data;
    } bad[] = {
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", "dtype", 16},
        {"{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", "dtype", 8},
        {"{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", "Fortran", 8},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", "truncated", 8},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "need", 12},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (x,), }", "shape", 8},
        {"{'fortran_order': False, 'shape': (2,), }", "descr", 8},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }", "absurd", 8},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        uint8_t buf[256] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        size_t hl = strlen(bad[k].hdr);
        buf[8] = (uint8_t)hl;
        memcpy(buf + 10, bad[k].hdr, hl);
        dlp_npy a;
        int rc = dlp_npy_parse(buf, 10 + hl + bad[k].data, &a, err, sizeof err);
        CHECK(rc && strstr(err, bad[k].want), "npy case %zu: '%s'", k, err);
        dlp_npy_free(&a);
    }
    dlp_npy a;
    CHECK(dlp_npy_parse((const uint8_t *)"PK\3\4zipfile", 11, &a, err, sizeof err) &&
              strstr(err, "magic"),
          "npy magic: %s", err);
    CHECK(dlp_npy_parse((const uint8_t *)"\x93NUMPY\1\0\xff\x7f{", 11, &a, err, sizeof err) &&
              strstr(err, "truncated"),
          "npy truncated header: %s", err);
    CHECK(dlp_npy_read("/nonexistent/x.npy", &a, err, sizeof err) && strstr(err, "cannot open"),
          "npy missing file: %s", err);
    remove(path);
}

static void test_bench(void)
{
    dlp_dev *d = open_iss(16);
    static const dlp_rt_bench_layer L[] = {{"conv", 8, 8, 32, 32, 3, 1},
                                           {"matmul", 16, 64, 48, 0, 0, 0},
                                           {"softmax", 16, 40, 0, 0, 0, 0},
                                           {"layernorm", 16, 40, 0, 0, 0, 0},
                                           {"lut", 16, 40, 0, 0, 0, 0}};
    for (size_t i = 0; i < sizeof L / sizeof L[0]; i++) {
        dlp_rt_layer r;
        char err[300];
        int rc = dlp_rt_bench(d, &L[i], &r, err, sizeof err);
        CHECK(rc == 0 && r.cycles > 0 && r.dma_bytes > 0, "bench %s: %s", L[i].kind, err);
    }
    dlp_rt_layer r;
    char err[300];
    static const dlp_rt_bench_layer bad = {"nonsense", 1, 1, 1, 1, 1, 1};
    CHECK(dlp_rt_bench(d, &bad, &r, err, sizeof err) && strstr(err, "nonsense"), "bench kind");
    dlp_dev_close(d);
}

int main(void)
{
    test_qlinear_conv(16);
    test_qlinear_conv(4);
    test_qdq_cnn();
    test_conv_fallback();
    test_big_matmul();
    test_gelu();
    test_layernorm();
    test_unsupported();
    test_malformed();
    test_npy();
    test_bench();
    printf("runtime_tests: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
