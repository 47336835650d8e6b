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

#include "check.h"
#include "dlp/ops.h"
#include "dlp/quant.h"
#include "dlp/rt.h"
#include "onnx_build.h"

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

/* ------------------------------------------------------------------ CPU ops: a sentence
 * embedding in miniature (index inputs, Gather, masked mean pooling, L2 normalization) */
static const double emb_tab[5 * 2] = {0, 0, 1, 2, 3, -1, 2, 2, -1, 4};

/* ids (dt 7 int64 or 6 int32) [2,3], mask float [2,3] -> outputs:
 * emb = LpNorm(ReduceSum(Gather(E, ids) * Unsqueeze(mask, 2), 1) / Clip(ReduceSum(mask), 1e-9))
 * plus mean (ReduceMean axis 2 of the gather), sq = Sqrt(count), cntx = Expand(count, [2,3]),
 * om = Sub(1, mask), idsf = Cast(ids, float), idsr = Reshape(ids, [6]), mm = MatMul(mask
 * [2,1,3], gather [2,3,2]), g = the gather, mx = Max(mask, 0.5), pw = Pow(mask + 1, 2). */
static uint8_t *model_embed(size_t *len, int idt)
{
    mb b;
    mb_init(&b, 13);
    mb_init_t(&b, "E", 1, 2, (int64_t[]){5, 2}, emb_tab);
    mb_init_t(&b, "ax1", 7, 1, (int64_t[]){1}, (double[]){1});
    mb_init_t(&b, "ax2", 7, 1, (int64_t[]){1}, (double[]){2});
    mb_init_t(&b, "axm", 7, 1, (int64_t[]){1}, (double[]){1});
    mb_init_t(&b, "shp6", 7, 1, (int64_t[]){1}, (double[]){6});
    mb_init_t(&b, "shpx", 7, 1, (int64_t[]){2}, (double[]){2, 3});
    mb_scalar(&b, "one", 1, 1.0), mb_scalar(&b, "tiny", 1, 1e-9), mb_scalar(&b, "half", 1, 0.5);
    mb_scalar(&b, "two", 1, 2.0);
    mb_node(&b, "Gather", "emb_gather", MB_L("E", "ids"), MB_L("g"));
    Onnx__NodeProto *n = mb_node(&b, "ReduceSum", "count", MB_L("mask", "ax1"), MB_L("cnt"));
    mb_attr_i(&b, n, "keepdims", 1);
    mb_node(&b, "Clip", "clip", MB_L("cnt", "tiny"), MB_L("cntc"));
    mb_node(&b, "Unsqueeze", "unsq", MB_L("mask", "ax2"), MB_L("mu"));
    mb_node(&b, "Mul", "masked", MB_L("g", "mu"), MB_L("gm"));
    n = mb_node(&b, "ReduceSum", "sum", MB_L("gm", "ax1"), MB_L("s"));
    mb_attr_i(&b, n, "keepdims", 0);
    mb_node(&b, "Div", "avg", MB_L("s", "cntc"), MB_L("avg"));
    n = mb_node(&b, "LpNormalization", "l2", MB_L("avg"), MB_L("emb"));
    mb_attr_i(&b, n, "axis", -1), mb_attr_i(&b, n, "p", 2);
    n = mb_node(&b, "ReduceMean", "rmean", MB_L("g"), MB_L("mean"));
    mb_attr_ints(&b, n, "axes", 1, (int64_t[]){2});
    mb_attr_i(&b, n, "keepdims", 0);
    mb_node(&b, "Sqrt", "sqrt", MB_L("cnt"), MB_L("sq"));
    mb_node(&b, "Expand", "expand", MB_L("cnt", "shpx"), MB_L("cntx"));
    mb_node(&b, "Sub", "sub", MB_L("one", "mask"), MB_L("om"));
    n = mb_node(&b, "Cast", "cast", MB_L("ids"), MB_L("idsf"));
    mb_attr_i(&b, n, "to", 1);
    mb_node(&b, "Reshape", "flat", MB_L("ids", "shp6"), MB_L("idsr"));
    mb_node(&b, "Unsqueeze", "unsq1", MB_L("mask", "axm"), MB_L("m3"));
    mb_node(&b, "MatMul", "mm", MB_L("m3", "g"), MB_L("mm"));
    mb_node(&b, "Max", "max", MB_L("mask", "half"), MB_L("mx"));
    mb_node(&b, "Add", "add1", MB_L("mask", "one"), MB_L("m1"));
    mb_node(&b, "Pow", "pow", MB_L("m1", "two"), MB_L("pw"));
    n = mb_node(&b, "ReduceL2", "rl2", MB_L("avg"), MB_L("l2"));
    mb_attr_ints(&b, n, "axes", 1, (int64_t[]){-1});
    n = mb_node(&b, "ReduceSumSquare", "rss", MB_L("g"), MB_L("ss"));
    mb_attr_i(&b, n, "keepdims", 0);
    mb_input(&b, "ids", idt, 2, (int64_t[]){2, 3});
    mb_input(&b, "mask", 1, 2, (int64_t[]){2, 3});
    const char *outs[] = {"emb", "mean", "sq", "cntx", "om", "idsf", "idsr",
                          "mm",  "g",    "mx", "pw",   "l2", "ss"};
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++)
        mb_output(&b, outs[i], i == 6 ? idt : 1, 0, NULL);
    uint8_t *p = mb_pack(&b, len);
    mb_free(&b);
    return p;
}

static int near(const dlp_npy *a, const double *want, size_t n, double tol)
{
    if (a->dtype != DLP_NPY_F32 || a->count != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(((const float *)a->data)[i] - want[i]) > tol)
            return 0;
    return 1;
}

static void test_embed_ops(int idt)
{
    dlp_dev *d = open_iss(16);
    CHECK(d, "open iss");
    if (!d)
        return;
    size_t len;
    uint8_t *m = model_embed(&len, idt);
    dlp_npy_dtype it = idt == 7 ? DLP_NPY_I64 : DLP_NPY_I32;
    dlp_npy in[2] = {mk_npy(it, 2, (int64_t[]){2, 3}), mk_npy(DLP_NPY_F32, 2, (int64_t[]){2, 3})};
    const int64_t ids[6] = {1, 2, 0, 4, 3, 3};
    const float mask[6] = {1, 1, 0, 1, 1, 1};
    for (int i = 0; i < 6; i++) {
        if (idt == 7)
            ((int64_t *)in[0].data)[i] = ids[i];
        else
            ((int32_t *)in[0].data)[i] = (int32_t)ids[i];
    }
    memcpy(in[1].data, mask, sizeof mask);
    dlp_rt *rt = dlp_rt_new();
    dlp_npy out[13];
    memset(out, 0, sizeof out);
    int rc = dlp_rt_load_mem(rt, m, len);
    if (rc == 0)
        rc = dlp_rt_run(rt, d, in, 2, out, NULL, NULL);
    CHECK(rc == 0, "embed ops (ids %s): %s", idt == 7 ? "int64" : "int32", dlp_rt_error(rt));
    if (rc == 0) {
        /* masked sums (4, 1) / 2 and (3, 8) / 3, then / their L2 norms */
        double n0 = sqrt(2.0 * 2 + 0.5 * 0.5), n1 = sqrt(1.0 + 64.0 / 9);
        double emb[4] = {2 / n0, 0.5 / n0, 1 / n1, 8.0 / 3 / n1};
        CHECK(near(&out[0], emb, 4, 1e-6) && out[0].rank == 2 && out[0].dims[1] == 2,
              "L2-normalized mean pooling");
        CHECK(near(&out[1], (double[]){1.5, 1, 0, 1.5, 2, 2}, 6, 1e-6), "ReduceMean");
        CHECK(near(&out[2], (double[]){sqrt(2.0), sqrt(3.0)}, 2, 1e-6) && out[2].rank == 2,
              "ReduceSum keepdims + Sqrt");
        CHECK(near(&out[3], (double[]){2, 2, 2, 3, 3, 3}, 6, 0), "Expand");
        CHECK(near(&out[4], (double[]){0, 0, 1, 0, 0, 0}, 6, 0), "Sub scalar - tensor");
        CHECK(near(&out[5], (double[]){1, 2, 0, 4, 3, 3}, 6, 0), "Cast to float");
        int ok = out[6].dtype == it && out[6].rank == 1 && out[6].count == 6;
        for (int i = 0; ok && i < 6; i++)
            ok = (idt == 7 ? ((int64_t *)out[6].data)[i] : ((int32_t *)out[6].data)[i]) == ids[i];
        CHECK(ok, "index tensor as a graph output (Reshape)");
        CHECK(near(&out[7], (double[]){4, 1, 3, 8}, 4, 1e-6) && out[7].rank == 3 &&
                  out[7].dims[1] == 1,
              "float MatMul activation x activation (batched)");
        CHECK(near(&out[8], (double[]){1, 2, 3, -1, 0, 0, -1, 4, 2, 2, 2, 2}, 12, 0) &&
                  out[8].rank == 3,
              "Gather float table");
        CHECK(near(&out[9], (double[]){1, 1, 0.5, 1, 1, 1}, 6, 0), "Max with a scalar");
        CHECK(near(&out[10], (double[]){4, 4, 1, 4, 4, 4}, 6, 0), "Pow");
        CHECK(near(&out[11], (double[]){n0, n1}, 2, 1e-6) && out[11].rank == 2 &&
                  out[11].dims[1] == 1,
              "ReduceL2 (keepdims)");
        CHECK(near(&out[12], (double[]){15 + 33}, 1, 0) && out[12].rank == 0,
              "ReduceSumSquare over all axes");
        int cpu = 0;
        for (int i = 0; i < dlp_rt_num_layers(rt); i++)
            cpu += !strcmp(dlp_rt_layer_get(rt, i)->where, "cpu");
        CHECK(cpu >= 10, "CPU ops listed in the statistics: %d", cpu);
        for (int i = 0; i < 13; i++)
            dlp_npy_free(&out[i]);
        /* negative index: counts from the end (row 4) */
        if (idt == 7)
            ((int64_t *)in[0].data)[0] = -1;
        else
            ((int32_t *)in[0].data)[0] = -1;
        rc = dlp_rt_run(rt, d, in, 2, out, NULL, NULL);
        CHECK(rc == 0 && near(&out[8], (double[]){-1, 4, 3, -1, 0, 0, -1, 4, 2, 2, 2, 2}, 12, 0),
              "Gather index -1: %s", dlp_rt_error(rt));
        for (int i = 0; i < 13 && rc == 0; i++)
            dlp_npy_free(&out[i]);
        /* out of range: an error naming the node, no output */
        if (idt == 7)
            ((int64_t *)in[0].data)[4] = 5;
        else
            ((int32_t *)in[0].data)[4] = 5;
        rc = dlp_rt_run(rt, d, in, 2, out, NULL, NULL);
        CHECK(rc && strstr(dlp_rt_error(rt), "emb_gather") &&
                  strstr(dlp_rt_error(rt), "out of range") && strstr(dlp_rt_error(rt), "index 5"),
              "index out of range: '%s'", dlp_rt_error(rt));
        if (idt == 7)
            ((int64_t *)in[0].data)[4] = -6;
        else
            ((int32_t *)in[0].data)[4] = -6;
        rc = dlp_rt_run(rt, d, in, 2, out, NULL, NULL);
        CHECK(rc && strstr(dlp_rt_error(rt), "out of range"), "index -6 of 5 rows: '%s'",
              dlp_rt_error(rt));
        /* wrong index dtype at run time */
        dlp_npy f = mk_npy(idt == 7 ? DLP_NPY_I32 : DLP_NPY_I64, 2, (int64_t[]){2, 3});
        dlp_npy in2[2] = {f, in[1]};
        rc = dlp_rt_run(rt, d, in2, 2, out, NULL, NULL);
        CHECK(rc && strstr(dlp_rt_error(rt), "'ids' must be"), "ids of the wrong dtype: '%s'",
              dlp_rt_error(rt));
        dlp_npy_free(&f);
    }
    dlp_rt_free(rt);
    dlp_npy_free(&in[0]), dlp_npy_free(&in[1]);
    free(m);
    dlp_dev_close(d);
}

/* Gather on a DequantizeLinear'd int8 table: rows stay int8 with the table's scale. */
static void test_gather_int8(void)
{
    mb b;
    mb_init(&b, 13);
    mb_init_t(&b, "T", 3, 2, (int64_t[]){3, 2}, (double[]){-5, 10, 20, -128, 127, 0});
    mb_scalar(&b, "ts", 1, 0.5), mb_scalar(&b, "tz", 3, 2);
    mb_init_t(&b, "ci", 7, 1, (int64_t[]){2}, (double[]){2, 0});
    mb_node(&b, "DequantizeLinear", "dqt", MB_L("T", "ts", "tz"), MB_L("tf"));
    mb_node(&b, "Gather", "gin", MB_L("tf", "ids"), MB_L("y"));
    mb_node(&b, "Gather", "gconst", MB_L("tf", "ci"), MB_L("yc"));
    mb_input(&b, "ids", 6, 1, (int64_t[]){2});
    mb_output(&b, "y", 1, 0, NULL);
    mb_output(&b, "yc", 1, 0, NULL);
    size_t len;
    uint8_t *m = mb_pack(&b, &len);
    mb_free(&b);
    dlp_dev *d = open_iss(16);
    dlp_npy in = mk_npy(DLP_NPY_I32, 1, (int64_t[]){2}), out[2];
    ((int32_t *)in.data)[0] = 1, ((int32_t *)in.data)[1] = 2;
    char err[512];
    int rc = d ? run_model(d, m, len, &in, 1, out, err, sizeof err) : -1;
    CHECK(rc == 0, "Gather int8 table: %s", err);
    if (rc == 0) {
        CHECK(near(&out[0], (double[]){9, -65, 62.5, -1}, 4, 0) && out[0].rank == 2,
              "Gather int8 table by int32 input");
        CHECK(near(&out[1], (double[]){62.5, -1, -3.5, 4}, 4, 0), "Gather by constant indices");
        dlp_npy_free(&out[0]), dlp_npy_free(&out[1]);
    }
    dlp_npy_free(&in);
    free(m);
    if (d)
        dlp_dev_close(d);
}

/* float MatMul -> Relu (fused clamp of the pending op) -> Reshape on the CPU */
static void test_float_relu(void)
{
    mb b;
    mb_init(&b, 13);
    mb_init_t(&b, "W", 1, 2, (int64_t[]){3, 2}, (double[]){1, 0, 0, 1, 1, -1});
    mb_init_t(&b, "shp", 7, 1, (int64_t[]){1}, (double[]){4});
    mb_node(&b, "MatMul", "fmm", MB_L("x", "W"), MB_L("m"));
    mb_node(&b, "Relu", "relu", MB_L("m"), MB_L("r"));
    mb_node(&b, "Reshape", "flat", MB_L("r", "shp"), MB_L("y"));
    mb_input(&b, "x", 1, 2, (int64_t[]){2, 3});
    mb_output(&b, "y", 1, 1, (int64_t[]){4});
    size_t len;
    uint8_t *m = mb_pack(&b, &len);
    mb_free(&b);
    dlp_dev *d = open_iss(16);
    dlp_npy x = mk_npy(DLP_NPY_F32, 2, (int64_t[]){2, 3}), y;
    const float xv[6] = {1, 2, 3, -1, -2, -3};
    memcpy(x.data, xv, sizeof xv);
    char err[512];
    int rc = d ? run_model(d, m, len, &x, 1, &y, err, sizeof err) : -1;
    CHECK(rc == 0 && near(&y, (double[]){4, 0, 0, 1}, 4, 0) && y.rank == 1,
          "float MatMul + Relu + Reshape: %s", err);
    if (rc == 0)
        dlp_npy_free(&y);
    dlp_npy_free(&x);
    free(m);
    if (d)
        dlp_dev_close(d);
}

static void test_gather_errors(void)
{
    struct {
        const char *idx, *want1, *want2;
        int axis;
    } cs[] = {
        {"cbad", "gbad", "out of range", 0},   /* constant index 7 of 5 rows */
        {"mask", "gbad", "int32 or int64", 0}, /* float indices */
        {"cf", "gbad", "int32 or int64", 0},   /* float constant indices */
        {"ids", "gbad", "axis", 1},            /* axis 1 */
    };
    for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++) {
        mb b;
        mb_init(&b, 13);
        mb_init_t(&b, "E", 1, 2, (int64_t[]){5, 2}, emb_tab);
        mb_init_t(&b, "cbad", 7, 1, (int64_t[]){2}, (double[]){1, 7});
        mb_init_t(&b, "cf", 1, 1, (int64_t[]){2}, (double[]){1, 2});
        Onnx__NodeProto *n = mb_node(&b, "Gather", "gbad", MB_L("E", cs[k].idx), MB_L("y"));
        if (cs[k].axis)
            mb_attr_i(&b, n, "axis", cs[k].axis);
        mb_input(&b, "ids", 7, 1, (int64_t[]){2});
        mb_input(&b, "mask", 1, 1, (int64_t[]){2});
        mb_output(&b, "y", 1, 0, NULL);
        size_t len;
        uint8_t *m = mb_pack(&b, &len);
        mb_free(&b);
        expect_load_error(m, len, cs[k].want1, cs[k].want2, "Gather");
        free(m);
    }
    /* arithmetic on an index tensor without Cast */
    mb b;
    mb_init(&b, 13);
    mb_scalar(&b, "one", 1, 1.0);
    mb_node(&b, "Add", "addidx", MB_L("ids", "one"), MB_L("y"));
    mb_input(&b, "ids", 7, 1, (int64_t[]){2});
    mb_output(&b, "y", 1, 0, NULL);
    size_t len;
    uint8_t *m = mb_pack(&b, &len);
    mb_free(&b);
    expect_load_error(m, len, "addidx", "Cast", "Add on int64");
    free(m);
    /* unsupported reduce over an int8 tensor, Cast to int8 */
    mb_init(&b, 13);
    Onnx__NodeProto *n = mb_node(&b, "Cast", "cast8", MB_L("x"), MB_L("y"));
    mb_attr_i(&b, n, "to", 3);
    mb_input(&b, "x", 1, 1, (int64_t[]){2});
    mb_output(&b, "y", 3, 0, NULL);
    m = mb_pack(&b, &len);
    mb_free(&b);
    expect_load_error(m, len, "cast8", "only float", "Cast to int8");
    free(m);
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
    test_embed_ops(7);
    test_embed_ops(6);
    test_gather_int8();
    test_gather_errors();
    test_float_relu();
    test_malformed();
    test_npy();
    test_bench();
    return check_done("runtime_tests");
}
