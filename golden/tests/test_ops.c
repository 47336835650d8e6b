/*
 * test_ops.c - hand-checked cases and error paths of the reference ops (dlp/ops.h) and of
 * dlp_quantize_multiplier. Every expected value is derived in the comment next to it.
 * Randomised property tests live in test_ops_linear.c and test_ops_nonlinear.c.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "dlp/ops.h"
#include "dlp/quant.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define Q30     (INT32_C(1) << 30)

static int all_bytes(const void *p, size_t n, unsigned char v)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return 0;
    return 1;
}

static void eq_i32(const char *what, const int32_t *got, const int32_t *exp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        CHECK(got[i] == exp[i], "%s[%zu] = %d, expected %d", what, i, got[i], exp[i]);
}

static void eq_s8(const char *what, const int8_t *got, const int8_t *exp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        CHECK(got[i] == exp[i], "%s[%zu] = %d, expected %d", what, i, got[i], exp[i]);
}

static void eq_u8(const char *what, const uint8_t *got, const uint8_t *exp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        CHECK(got[i] == exp[i], "%s[%zu] = %d, expected %d", what, i, got[i], exp[i]);
}

/* ------------------------------------------------------------ quantize_multiplier */
static void qm_case(double real, int32_t em, int32_t es, int eret)
{
    int32_t m = 12345, s = 678;
    int r = dlp_quantize_multiplier(real, &m, &s);
    CHECK(r == eret && m == em && s == es,
          "quantize_multiplier(%.17g) = %d (%d, %d), expected %d (%d, %d)", real, r, m, s, eret, em,
          es);
}

static void test_quantize_multiplier(void)
{
    qm_case(0.0, 0, 0, 0);
    qm_case(0.5, Q30, 0, 0);                   /* 0.5 = 0.5 * 2^0  -> 2^30 * 2^(0-31)        */
    qm_case(1.0, Q30, 1, 0);                   /* 1   = 0.5 * 2^1                             */
    qm_case(0.75, 1610612736, 0, 0);           /* 0.75 * 2^31 = 1610612736                    */
    qm_case(-0.75, -1610612736, 0, 0);         /* negative: same magnitude, negated           */
    qm_case(-0.5, -Q30, 0, 0);                 /* never INT32_MIN                             */
    qm_case(1.0 / 3.0, 1431655765, -1, 0);     /* 2/3 * 2^31 = 1431655765.33 -> round down */
    qm_case(1.0 - ldexp(1.0, -33), Q30, 1, 0); /* frac*2^31 = 2^31 - 0.25 rounds to 2^31:
                                                  halved, shift + 1                       */
    qm_case(ldexp(1.0, -32), Q30, -31, 0);     /* 0.5 * 2^-31: smallest normal shift      */
    qm_case(ldexp(1.0, -33), 0, 0, -1);        /* shift -32 < -31: (0, 0) as TFLite        */
    qm_case(ldexp(1.0, -40), 0, 0, -1);
    qm_case(ldexp(1.0, 29), Q30, 30, 0);        /* 0.5 * 2^30: largest shift                */
    qm_case(ldexp(1.0, 30), INT32_MAX, 30, -1); /* shift 31 > 30: saturate                 */
    qm_case(-ldexp(1.0, 31), -INT32_MAX, 30, -1);
    qm_case(INFINITY, INT32_MAX, 30, -1);
    qm_case(-INFINITY, -INT32_MAX, 30, -1);
    qm_case(NAN, 0, 0, -1);

    /* Round trip: real == m * 2^(s-31) within half an ulp of the Q31 multiplier. */
    unsigned long long seed = 0x5eed0001ULL;
    for (int i = 0; i < 20000; i++) {
        const double real =
            ldexp(1.0 + (double)(check_rand(&seed) >> 11) * 0x1p-53, check_range(&seed, -32, 29));
        int32_t m, s;
        int r = dlp_quantize_multiplier(real, &m, &s);
        const double back = ldexp((double)m, s - 31);
        CHECK(r == 0 && m >= Q30 && fabs(back - real) <= ldexp(1.0, s - 32),
              "round trip %.17g -> (%d, %d) = %.17g", real, m, s, back);
    }
}

/* ------------------------------------------------------------ status strings */
static void test_names(void)
{
    CHECK(strcmp(dlp_status_str(DLP_OK), "ok") == 0, "status ok");
    CHECK(strstr(dlp_status_str(DLP_E_ARG), "argument") != NULL, "status arg");
    CHECK(strstr(dlp_status_str(DLP_E_SHAPE), "shape") != NULL, "status shape");
    CHECK(strstr(dlp_status_str(DLP_E_NOMEM), "memory") != NULL, "status nomem");
    CHECK(strcmp(dlp_status_str(-99), "unknown status") == 0, "status unknown");
    CHECK(strcmp(dlp_fn_name(DLP_FN_GELU), "gelu") == 0, "fn gelu");
    CHECK(strcmp(dlp_fn_name(DLP_FN_ERF), "erf") == 0, "fn erf");
    CHECK(strcmp(dlp_fn_name((dlp_fn)42), "unknown") == 0, "fn unknown");
}

/* ------------------------------------------------------------ conv */
static dlp_conv_shape conv1(void)
{
    /* 1x3x3x1 input, one 2x2 filter */
    dlp_conv_shape s = {.n = 1,
                        .h = 3,
                        .w = 3,
                        .c = 1,
                        .cout = 1,
                        .kh = 2,
                        .kw = 2,
                        .stride_h = 1,
                        .stride_w = 1,
                        .dil_h = 1,
                        .dil_w = 1,
                        .groups = 1};
    return s;
}

static void test_conv_hand(void)
{
    /* x = [1 2 3; 4 5 6; 7 8 9], x_zp = 1 -> x - zp = [0 1 2; 3 4 5; 6 7 8]
     * w = [1 2; 3 4], w_zp = 0, bias 10.
     * (0,0): 0*1 + 1*2 + 3*3 + 4*4 = 27 + 10 = 37
     * (0,1): 1*1 + 2*2 + 4*3 + 5*4 = 37 + 10 = 47
     * (1,0): 3*1 + 4*2 + 6*3 + 7*4 = 57 + 10 = 67
     * (1,1): 4*1 + 5*2 + 7*3 + 8*4 = 67 + 10 = 77 */
    const int8_t x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const int8_t w[4] = {1, 2, 3, 4};
    const int32_t wzp = 0, bias = 10;
    int32_t acc[4];
    dlp_conv_shape s = conv1();
    int oh = 0, ow = 0;
    CHECK(dlp_conv_out_hw(&s, &oh, &ow) == DLP_OK && oh == 2 && ow == 2, "conv out %dx%d", oh, ow);
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 1, w, DLP_S8, &wzp, 1, &bias, acc) == DLP_OK, "conv acc");
    eq_i32("conv", acc, (const int32_t[]){37, 47, 67, 77}, 4);

    /* Without bias (NULL): 27, 37, 57, 67. */
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 1, w, DLP_S8, &wzp, 1, NULL, acc) == DLP_OK, "conv nobias");
    eq_i32("conv nobias", acc, (const int32_t[]){27, 37, 57, 67}, 4);

    /* Pad 1 on every side, stride 2: out = floor((3 + 2 - 1 - 1) / 2) + 1 = 2.
     * Windows start at rows/cols -1 and 1; padding contributes nothing.
     * (0,0): only (0,0) inside: 0 * w[1][1]=4 -> 0 + 10 = 10
     * (0,1): (0,1): 1 * w[1][0]=3, (0,2): 2 * w[1][1]=4 -> 3 + 8 = 11 + 10 = 21
     * (1,0): (1,0): 3 * w[0][1]=2, (2,0): 6 * w[1][1]=4 -> 6 + 24 = 30 + 10 = 40
     * (1,1): 4*1 + 5*2 + 7*3 + 8*4 = 67 + 10 = 77 */
    s.pad_t = s.pad_l = s.pad_b = s.pad_r = 1;
    s.stride_h = s.stride_w = 2;
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 1, w, DLP_S8, &wzp, 1, &bias, acc) == DLP_OK, "conv pad");
    eq_i32("conv pad", acc, (const int32_t[]){10, 21, 40, 77}, 4);

    /* Dilation 2, no pad: the 2x2 kernel covers the corners of the 3x3 input, out 1x1:
     * 0*1 + 2*2 + 6*3 + 8*4 = 54 + 10 = 64. */
    s = conv1();
    s.dil_h = s.dil_w = 2;
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 1, w, DLP_S8, &wzp, 1, &bias, acc) == DLP_OK, "conv dil");
    CHECK(acc[0] == 64, "conv dil = %d, expected 64", acc[0]);

    /* Quantized: multiplier 0.5 (2^30, 0), zp -3, clamp [-128, 30] on 37 47 67 77:
     * 18.5 -> 19, 23.5 -> 24, 33.5 -> 34, 38.5 -> 39 (ties away from zero);
     * -3 + (19 24 34 39) = 16 21 31 36 -> clamp hi 30: 16 21 30 30. */
    s = conv1();
    const int32_t m = Q30, sh = 0;
    const dlp_requant rq = {&m, &sh, 1, -3, -128, 30, DLP_S8};
    int8_t y[4];
    CHECK(dlp_conv2d_q(&s, x, DLP_S8, 1, w, DLP_S8, &wzp, 1, &bias, &rq, y) == DLP_OK, "conv q");
    eq_s8("conv q", y, (const int8_t[]){16, 21, 30, 30}, 4);

    /* uint8 input (zp 128) and uint8 weights (per-channel zp), 2 output channels,
     * 1x1x2x1 input, 1x2 kernel -> out 1x1x1x2.
     * x = {130, 125} -> {2, -3}; w[0] = {10, 12} zp 10 -> {0, 2}; w[1] = {1, 0} zp 2 -> {-1, -2}
     * co 0: 2*0 + -3*2 = -6; co 1: 2*-1 + -3*-2 = 4. */
    const uint8_t xu[2] = {130, 125};
    const uint8_t wu[4] = {10, 12, 1, 0};
    const int32_t wzpu[2] = {10, 2};
    dlp_conv_shape su = {.n = 1,
                         .h = 1,
                         .w = 2,
                         .c = 1,
                         .cout = 2,
                         .kh = 1,
                         .kw = 2,
                         .stride_h = 1,
                         .stride_w = 1,
                         .dil_h = 1,
                         .dil_w = 1,
                         .groups = 1};
    CHECK(dlp_conv2d_acc(&su, xu, DLP_U8, 128, wu, DLP_U8, wzpu, 2, NULL, acc) == DLP_OK,
          "conv u8");
    eq_i32("conv u8", acc, (const int32_t[]){-6, 4}, 2);

    /* Depthwise, 2 channels, multiplier 1: 1x1x2x2 input {1, 10, 2, 20}, kernel 1x2,
     * w[0] = {1, 1}, w[1] = {1, -1}: co0 = 1 + 2 = 3 (channel 0), co1 = 10 - 20 = -10. */
    const int8_t xd[4] = {1, 10, 2, 20};
    const int8_t wd[4] = {1, 1, 1, -1};
    dlp_conv_shape sd = {.n = 1,
                         .h = 1,
                         .w = 2,
                         .c = 2,
                         .cout = 2,
                         .kh = 1,
                         .kw = 2,
                         .stride_h = 1,
                         .stride_w = 1,
                         .dil_h = 1,
                         .dil_w = 1,
                         .groups = 2};
    CHECK(dlp_conv2d_acc(&sd, xd, DLP_S8, 0, wd, DLP_S8, &wzp, 1, NULL, acc) == DLP_OK, "conv dw");
    eq_i32("conv dw", acc, (const int32_t[]){3, -10}, 2);

    /* Wrap-around: bias INT32_MAX plus 1*1 -> INT32_MIN. */
    const int8_t one = 1, xone = 1;
    const int32_t bmax = INT32_MAX;
    dlp_conv_shape s1 = {.n = 1,
                         .h = 1,
                         .w = 1,
                         .c = 1,
                         .cout = 1,
                         .kh = 1,
                         .kw = 1,
                         .stride_h = 1,
                         .stride_w = 1,
                         .dil_h = 1,
                         .dil_w = 1,
                         .groups = 1};
    CHECK(dlp_conv2d_acc(&s1, &xone, DLP_S8, 0, &one, DLP_S8, &wzp, 1, &bmax, acc) == DLP_OK &&
              acc[0] == INT32_MIN,
          "conv wrap %d", acc[0]);
}

/* ------------------------------------------------------------ matmul */
static void test_matmul_hand(void)
{
    /* A = [1 2 3; 4 5 6] (2x3), B = [1 0; 0 1; 1 1] (3x2), a_zp = 1, b_zp = 0, bias {100, 200}
     * A - 1 = [0 1 2; 3 4 5]; C = [0+0+2, 0+1+2; 3+0+5, 0+4+5] = [2 3; 8 9] + bias
     *       = [102 203; 108 209] */
    const int8_t a[6] = {1, 2, 3, 4, 5, 6};
    const int8_t b[6] = {1, 0, 0, 1, 1, 1};
    const int8_t bt[6] = {1, 0, 1, 0, 1, 1}; /* B^T = [1 0 1; 0 1 1] */
    const int8_t at[6] = {1, 4, 2, 5, 3, 6}; /* A^T */
    const int32_t bzp = 0, bias[2] = {100, 200};
    int32_t acc[4];
    dlp_matmul_shape s = {.batch = 1, .m = 2, .k = 3, .n = 2};
    CHECK(dlp_matmul_acc(&s, a, DLP_S8, 1, b, DLP_S8, &bzp, 1, bias, acc) == DLP_OK, "mm");
    eq_i32("mm", acc, (const int32_t[]){102, 203, 108, 209}, 4);
    s.trans_b = 1;
    CHECK(dlp_matmul_acc(&s, a, DLP_S8, 1, bt, DLP_S8, &bzp, 1, bias, acc) == DLP_OK, "mm tb");
    eq_i32("mm tb", acc, (const int32_t[]){102, 203, 108, 209}, 4);
    s.trans_a = 1;
    CHECK(dlp_matmul_acc(&s, at, DLP_S8, 1, bt, DLP_S8, &bzp, 1, bias, acc) == DLP_OK, "mm ta tb");
    eq_i32("mm ta tb", acc, (const int32_t[]){102, 203, 108, 209}, 4);

    /* Per-column b_zp {1, 0}: column 0 of B - 1 = {0, -1, 0}: row0: 0*0 + 1*-1 + 2*0 = -1,
     * row1: -4; column 1 unchanged: 3, 9. No bias: [-1 3; -4 9]. */
    const int32_t bzp2[2] = {1, 0};
    s.trans_a = s.trans_b = 0;
    CHECK(dlp_matmul_acc(&s, a, DLP_S8, 1, b, DLP_S8, bzp2, 2, NULL, acc) == DLP_OK, "mm bzp");
    eq_i32("mm bzp", acc, (const int32_t[]){-1, 3, -4, 9}, 4);

    /* Quantized, per-column requant: col 0 x 0.5 (2^30, 0), col 1 x 1 (2^30, 1), zp 1:
     * [102 203; 108 209] -> [51+1, 203+1; 54+1, 209+1] -> clamp hi 127 -> [52 127; 55 127] */
    const int32_t m[2] = {Q30, Q30}, sh[2] = {0, 1};
    const dlp_requant rq = {m, sh, 2, 1, -128, 127, DLP_S8};
    int8_t y[4];
    CHECK(dlp_matmul_q(&s, a, DLP_S8, 1, b, DLP_S8, &bzp, 1, bias, &rq, y) == DLP_OK, "mm q");
    eq_s8("mm q", y, (const int8_t[]){52, 127, 55, 127}, 4);

    /* Batch 2 with shared B: second A = -A (a_zp 0 now): A=[1 2 3;4 5 6] -> [4 5; 10 11],
     * -A -> [-4 -5; -10 -11]. */
    const int8_t a2[12] = {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6};
    int32_t acc2[8];
    dlp_matmul_shape s2 = {.batch = 2, .m = 2, .k = 3, .n = 2, .b_shared = 1};
    CHECK(dlp_matmul_acc(&s2, a2, DLP_S8, 0, b, DLP_S8, &bzp, 1, NULL, acc2) == DLP_OK,
          "mm shared");
    eq_i32("mm shared", acc2, (const int32_t[]){4, 5, 10, 11, -4, -5, -10, -11}, 8);
}

/* ------------------------------------------------------------ requantize / rescale / clamp */
static void test_requant_hand(void)
{
    /* multiplier 0.5 = (2^30, 0), zp 0. With shift 0 only the high multiply rounds, and
     * gemmlowp's SRDHM rounds ties toward +inf (nudge 1 - 2^30 for negative products, then
     * a truncating division): 1 -> 0.5 -> 1; -1 -> -0.5 -> 0; 3 -> 1.5 -> 2;
     * -3 -> -1.5 -> -1; 5 -> 2.5 -> 3; 4 -> 2 */
    const int32_t x[6] = {1, -1, 3, -3, 5, 4};
    int32_t m = Q30, sh = 0;
    dlp_requant rq = {&m, &sh, 1, 0, -128, 127, DLP_S8};
    int8_t y[6];
    CHECK(dlp_requantize(6, 1, x, NULL, &rq, y) == DLP_OK, "req");
    eq_s8("req 0.5", y, (const int8_t[]){1, 0, 2, -1, 3, 2}, 6);

    /* multiplier 0.25 = (2^30, -1): the high multiply rounds first (x/2, ties up), then
     * RDBPOT by 1 (ties away from zero): 2 -> 1 -> 1 (0.5); -2 -> srdhm(-1.0) = -1 -> -1
     * (-0.5 -> -1); 6 -> 3 -> 2 (1.5); -6 -> -3 -> -2; 4 -> 2 -> 1;
     * 1 -> srdhm(0.5) = 1 -> rdbpot(1, 1) = 1 (0.25 -> 1 by double rounding, as TFLite). */
    const int32_t x2[6] = {2, -2, 6, -6, 4, 1};
    sh = -1;
    CHECK(dlp_requantize(6, 1, x2, NULL, &rq, y) == DLP_OK, "req");
    eq_s8("req 0.25", y, (const int8_t[]){1, -1, 2, -2, 1, 1}, 6);

    /* Per channel, 2 channels: mult {0.5, 0.25}, bias {1, -2}, zp 10.
     * x {1 2 3 4}: ch0 (1+1)*0.5 = 1; ch1 (2-2)*.25 = 0; ch0 (3+1)*.5 = 2; ch1 (4-2)*.25 = 0.5 -> 1
     * + 10 -> {11, 10, 12, 11}; clamp [-128, 11] -> {11, 10, 11, 11} */
    const int32_t mc[2] = {Q30, Q30}, sc[2] = {0, -1}, bias[2] = {1, -2};
    const int32_t x3[4] = {1, 2, 3, 4};
    dlp_requant rqc = {mc, sc, 2, 10, -128, 11, DLP_S8};
    CHECK(dlp_requantize(4, 2, x3, bias, &rqc, y) == DLP_OK, "req ch");
    eq_s8("req ch", y, (const int8_t[]){11, 10, 11, 11}, 4);

    /* uint8 output, zp 128, mult 1 = (2^30, 1): {-200, -5, 0, 5, 200} -> {0, 123, 128, 133, 255} */
    const int32_t x4[5] = {-200, -5, 0, 5, 200};
    int32_t m1 = Q30, s1 = 1;
    dlp_requant rqu = {&m1, &s1, 1, 128, 0, 255, DLP_U8};
    uint8_t yu[5];
    CHECK(dlp_requantize(5, 1, x4, NULL, &rqu, yu) == DLP_OK, "req u8");
    eq_u8("req u8", yu, (const uint8_t[]){0, 123, 128, 133, 255}, 5);

    /* Rescale u8 (zp 128) -> s8 (zp -1) with multiplier 0.5 (SRDHM ties up):
     * {0, 127, 128, 129, 255} - 128 = {-128, -1, 0, 1, 127} -> {-64, 0 (-0.5), 0, 1 (0.5), 64
     * (63.5)} -1 -> {-65, -1, -1, 0, 63} */
    const uint8_t xr[5] = {0, 127, 128, 129, 255};
    int32_t mh = Q30, sh0 = 0;
    dlp_requant rqr = {&mh, &sh0, 1, -1, -128, 127, DLP_S8};
    CHECK(dlp_rescale(5, xr, DLP_U8, 128, y, &rqr) == DLP_OK, "rescale");
    eq_s8("rescale", y, (const int8_t[]){-65, -1, -1, 0, 63}, 5);

    /* requant_prepare: in 0.5, w {0.5, 1.0, 0}, out 0.25 -> reals {1, 2, 0}
     * -> (2^30, 1), (2^30, 2), (0, 0) */
    const float ws[3] = {0.5f, 1.0f, 0.0f};
    int32_t pm[3], ps[3];
    CHECK(dlp_requant_prepare(0.5, ws, 3, 0.25, pm, ps) == DLP_OK, "prepare");
    eq_i32("prepare m", pm, (const int32_t[]){Q30, Q30, 0}, 3);
    eq_i32("prepare s", ps, (const int32_t[]){1, 2, 0}, 3);

    /* clamp: s8 {-100, -5, 0, 50, 100} to [-5, 50] */
    const int8_t xc[5] = {-100, -5, 0, 50, 100};
    CHECK(dlp_clamp(5, xc, DLP_S8, -5, 50, y) == DLP_OK, "clamp");
    eq_s8("clamp", y, (const int8_t[]){-5, -5, 0, 50, 50}, 5);
}

static void test_act_bounds(void)
{
    int32_t lo = 0, hi = 0;
    dlp_act_bounds(DLP_ACT_NONE, 0.1, 3, DLP_S8, &lo, &hi);
    CHECK(lo == -128 && hi == 127, "none %d %d", lo, hi);
    dlp_act_bounds(DLP_ACT_RELU, 0.1, 5, DLP_S8, &lo, &hi);
    CHECK(lo == 5 && hi == 127, "relu %d %d", lo, hi);
    /* relu6, zp -128, scale 0.1: hi = -128 + round(60) = -68 */
    dlp_act_bounds(DLP_ACT_RELU6, 0.1, -128, DLP_S8, &lo, &hi);
    CHECK(lo == -128 && hi == -68, "relu6 %d %d", lo, hi);
    /* scale 12: 6/12 = 0.5 rounds away -> hi = zp + 1 */
    dlp_act_bounds(DLP_ACT_RELU6, 12.0, 7, DLP_S8, &lo, &hi);
    CHECK(lo == 7 && hi == 8, "relu6 tie %d %d", lo, hi);
    /* u8, zp 0, scale 0.01: 600 -> clipped to 255 */
    dlp_act_bounds(DLP_ACT_RELU6, 0.01, 0, DLP_U8, &lo, &hi);
    CHECK(lo == 0 && hi == 255, "relu6 u8 %d %d", lo, hi);
    /* degenerate zp below the type: lo = -128; zp + round(6/1) = -194 < lo -> hi = lo */
    dlp_act_bounds(DLP_ACT_RELU6, 1.0, -200, DLP_S8, &lo, &hi);
    CHECK(lo == -128 && hi == -128, "relu6 zp -200: %d %d", lo, hi);
    /* scale <= 0 gives no upper bound from ReLU6 */
    dlp_act_bounds(DLP_ACT_RELU6, 0.0, 3, DLP_S8, &lo, &hi);
    CHECK(lo == 3 && hi == 127, "relu6 scale 0: %d %d", lo, hi);
}

/* ------------------------------------------------------------ quantize_linear */
static void test_quantize_linear_hand(void)
{
    /* scale 1, zp 0: half to even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> 0, -1.5 -> -2,
     * saturate 300 -> 127, -300 -> -128, NaN -> zp = 0 */
    const float x[8] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 300.0f, -300.0f, NAN};
    const float one = 1.0f;
    int8_t y[8];
    CHECK(dlp_quantize_linear(8, x, &one, NULL, 1, 1, y, DLP_S8) == DLP_OK, "ql");
    eq_s8("ql", y, (const int8_t[]){0, 2, 2, 0, -2, 127, -128, 0}, 8);
    /* uint8 zp 128: {128, 130, 130, 128, 126, 255, 0, 128} */
    const int32_t z128 = 128;
    uint8_t yu[8];
    CHECK(dlp_quantize_linear(8, x, &one, &z128, 1, 1, yu, DLP_U8) == DLP_OK, "ql u8");
    eq_u8("ql u8", yu, (const uint8_t[]){128, 130, 130, 128, 126, 255, 0, 128}, 8);
    /* per axis: shape [3][2], axis 0 (inner 2): scales {1, 2, 4}, zp {0, 1, -1}
     * x {1, 2 | 4, 6 | 8, 10} -> {1, 2 | 2+1, 3+1 | 2-1, 2.5->2 -1} = {1, 2, 3, 4, 1, 1} */
    const float xa[6] = {1, 2, 4, 6, 8, 10};
    const float sa[3] = {1, 2, 4};
    const int32_t za[3] = {0, 1, -1};
    CHECK(dlp_quantize_linear(6, xa, sa, za, 3, 2, y, DLP_S8) == DLP_OK, "ql axis");
    eq_s8("ql axis", y, (const int8_t[]){1, 2, 3, 4, 1, 1}, 6);
    /* dequantize back: (q - zp) * scale = {1, 2, 4, 6, 8, 8} */
    float f[6];
    CHECK(dlp_dequantize_linear(6, y, DLP_S8, sa, za, 3, 2, f) == DLP_OK, "dql");
    const float fe[6] = {1, 2, 4, 6, 8, 8};
    for (int i = 0; i < 6; i++)
        CHECK(f[i] == fe[i], "dql[%d] = %g, expected %g", i, (double)f[i], (double)fe[i]);
}

/* ------------------------------------------------------------ pooling */
static dlp_pool_shape pool(int h, int w, int k, int stride)
{
    dlp_pool_shape s = {.n = 1,
                        .h = h,
                        .w = w,
                        .c = 1,
                        .kh = k,
                        .kw = k,
                        .stride_h = stride,
                        .stride_w = stride,
                        .dil_h = 1,
                        .dil_w = 1};
    return s;
}

static void test_pool_hand(void)
{
    /* 4x4 input, 3x3 kernel, stride 2.
     *  1  2  3   4
     *  5  6  7   8
     *  9 10 11  12
     * 13 14 15 -16
     * floor: (4 - 3)/2 + 1 = 1 -> max of the top-left 3x3 = 11
     * ceil:  ceil(1/2) + 1 = 2 (last start 2 < 4 keeps it): windows rows {0..2}, {2,3}
     *        -> [11 12; 15 15] */
    const int8_t x[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, -16};
    int8_t y[16];
    int oh, ow;
    dlp_pool_shape s = pool(4, 4, 3, 2);
    CHECK(dlp_pool_out_hw(&s, &oh, &ow) == DLP_OK && oh == 1 && ow == 1, "pool floor %dx%d", oh,
          ow);
    CHECK(dlp_maxpool(&s, x, DLP_S8, y) == DLP_OK && y[0] == 11, "maxpool floor %d", y[0]);
    s.ceil_mode = 1;
    CHECK(dlp_pool_out_hw(&s, &oh, &ow) == DLP_OK && oh == 2 && ow == 2, "pool ceil %dx%d", oh, ow);
    CHECK(dlp_maxpool(&s, x, DLP_S8, y) == DLP_OK, "maxpool ceil");
    eq_s8("maxpool ceil", y, (const int8_t[]){11, 12, 15, 15}, 4);

    /* The ceil-mode start rule: in 4, k 2, stride 2, pad_b 1: ceil((4+1-1-1)/2) + 1 = 3,
     * but window 2 would start at 4 >= in + pad_t = 4, so out = 2. in 5, no pad:
     * ceil(3/2) + 1 = 3, last start 4 < 5 -> 3 (floor mode: 2). */
    s = pool(4, 5, 2, 2);
    s.pad_b = 1;
    s.ceil_mode = 1;
    CHECK(dlp_pool_out_hw(&s, &oh, &ow) == DLP_OK && oh == 2 && ow == 3, "ceil rule %dx%d", oh, ow);
    s.ceil_mode = 0;
    CHECK(dlp_pool_out_hw(&s, &oh, &ow) == DLP_OK && oh == 2 && ow == 2, "floor rule %dx%d", oh,
          ow);

    /* Kernel larger than the input: 1x1 input, k 2, stride 2, no pad. Floor mode:
     * floor((1 - 1 - 1) / 2) + 1 = 0 -> DLP_E_SHAPE. Ceil mode: ceil(-1 / 2) + 1 = 1, the
     * window starts at 0 < 1 and covers row/col 0 (valid) and 1 (outside): max = 5. */
    s = pool(1, 1, 2, 2);
    CHECK(dlp_pool_out_hw(&s, &oh, &ow) == DLP_E_SHAPE, "pool k > in floor");
    s.ceil_mode = 1;
    CHECK(dlp_pool_out_hw(&s, &oh, &ow) == DLP_OK && oh == 1 && ow == 1, "pool k > in ceil");
    CHECK(dlp_maxpool(&s, (const int8_t[]){5}, DLP_S8, y) == DLP_OK && y[0] == 5, "pool k > in");

    /* Padding never wins a max: 2x2 input of negatives, k 2, stride 1, pad 1 -> 3x3
     *   x = [-5 -3; -7 -9]
     *   -> [-5 max(-5,-3) -3; max(-5,-7) max(all) max(-3,-9); -7 max(-7,-9) -9]
     *    = [-5 -3 -3; -5 -3 -3; -7 -7 -9] */
    const int8_t xn[4] = {-5, -3, -7, -9};
    s = pool(2, 2, 2, 1);
    s.pad_t = s.pad_l = s.pad_b = s.pad_r = 1;
    CHECK(dlp_maxpool(&s, xn, DLP_S8, y) == DLP_OK, "maxpool pad");
    eq_s8("maxpool pad", y, (const int8_t[]){-5, -3, -3, -5, -3, -3, -7, -7, -9}, 9);

    /* Average pool, x = [1 2; 3 4], x_zp 0, in_scale = out_scale = 1, out zp 0.
     * k 2 stride 1 pad 1, count_include_pad 0 -> valid counts [1 2 1; 2 4 2; 1 2 1]:
     * sums [1 3 2; 4 10 6; 3 7 4] / counts = [1 1.5 2; 2 2.5 3; 3 3.5 4]
     * -> ties away: [1 2 2; 2 3 3; 3 4 4] */
    CHECK(dlp_avgpool_q(&s, (const int8_t[]){1, 2, 3, 4}, DLP_S8, 0, 1.0, 1.0,
                        &(dlp_requant){NULL, NULL, 0, 0, -128, 127, DLP_S8}, y) == DLP_OK,
          "avgpool");
    eq_s8("avgpool", y, (const int8_t[]){1, 2, 2, 2, 3, 3, 3, 4, 4}, 9);
    /* count_include_pad: cnt 4 everywhere, multiplier 0.25 = (2^30, -1) -> sums / 4 with
     * gemmlowp's double rounding: 1 -> srdhm 1 (0.5 away) -> rdbpot(1, 1) = 1;
     * 3 -> 2 -> 1; 2 -> 1 -> 1; 4 -> 2 -> 1; 10 -> 5 -> 3 (2.5); 6 -> 3 -> 2 (1.5);
     * 7 -> 4 (3.5) -> 2 -> [1 1 1; 1 3 2; 1 2 1] */
    s.count_include_pad = 1;
    CHECK(dlp_avgpool_q(&s, (const int8_t[]){1, 2, 3, 4}, DLP_S8, 0, 1.0, 1.0,
                        &(dlp_requant){NULL, NULL, 0, 0, -128, 127, DLP_S8}, y) == DLP_OK,
          "avgpool cip");
    eq_s8("avgpool cip", y, (const int8_t[]){1, 1, 1, 1, 3, 2, 1, 2, 1}, 9);

    /* Global average pool, 1x2x2x2 u8, x_zp 10, in 0.5, out 0.25 (x2), out zp 3:
     * ch0 {10, 12, 14, 16} - 10 = {0, 2, 4, 6}: mean 3 * 2 = 6 + 3 = 9
     * ch1 {11, 11, 11, 12} - 10 = {1, 1, 1, 2}: mean 1.25 * 2 = 2.5 -> 3 + 3 = 6 */
    const uint8_t xg[8] = {10, 11, 12, 11, 14, 11, 16, 12};
    uint8_t yg[2];
    CHECK(dlp_global_avgpool_q(1, 2, 2, 2, xg, DLP_U8, 10, 0.5, 0.25,
                               &(dlp_requant){NULL, NULL, 0, 3, 0, 255, DLP_U8}, yg) == DLP_OK,
          "gap");
    eq_u8("gap", yg, (const uint8_t[]){9, 6}, 2);
}

/* ------------------------------------------------------------ add / mul */
static void test_add_mul_hand(void)
{
    dlp_add_params p;
    /* a_scale = b_scale = 0.5, out 1, zps 0: twice_max = 1; real_a = real_b = 0.5 -> (2^30, 0);
     * real_out = 1 / 2^20 = 0.5 * 2^-19 -> (2^30, -19).
     * a=3, b=4: in1 = 3<<20 -> s1 = 3*2^19; s2 = 4*2^19; sum 7*2^19 -> 7*2^18 -> /2^19 = 3.5
     * -> 4 (away). Real: 0.5*3 + 0.5*4 = 3.5. */
    CHECK(dlp_add_prepare(0.5, 0, 0.5, 0, 1.0, 0, -128, 127, &p) == DLP_OK, "add prep");
    CHECK(p.a_mult == Q30 && p.a_shift == 0 && p.b_mult == Q30 && p.b_shift == 0 &&
              p.out_mult == Q30 && p.out_shift == -19 && p.left_shift == 20,
          "add params %d %d %d %d %d %d", p.a_mult, p.a_shift, p.b_mult, p.b_shift, p.out_mult,
          p.out_shift);
    CHECK(dlp_add_elem(&p, 3, 4) == 4, "add 3+4 -> %d", dlp_add_elem(&p, 3, 4));
    CHECK(dlp_add_elem(&p, -3, -4) == -4, "add -3-4 -> %d", dlp_add_elem(&p, -3, -4));
    CHECK(dlp_add_elem(&p, 3, 2) == 3, "add 2.5 -> %d", dlp_add_elem(&p, 3, 2));
    CHECK(dlp_add_elem(&p, 127, 127) == 127, "add 127 -> %d", dlp_add_elem(&p, 127, 127));

    /* a 0.25 (zp 2), b 1.0 (zp -1), out 0.5 (zp -10): twice_max = 2; real_a = 0.125 = (2^30, -2),
     * real_b = 0.5 = (2^30, 0), real_out = 2 / (2^20 * 0.5) = 2^-18 = (2^30, -17).
     * a=10 -> 8, b=2 -> 3: 0.25*8 + 3 = 5 real -> 10 + (-10) = 0.
     * Integer: s1 = (8<<20)/8 = 2^20, s2 = (3<<20)/2 = 3*2^19, sum 5*2^19 * 2^-18 = 10. */
    CHECK(dlp_add_prepare(0.25, 2, 1.0, -1, 0.5, -10, -128, 127, &p) == DLP_OK, "add prep 2");
    CHECK(p.a_offset == -2 && p.b_offset == 1 && p.out_offset == -10 && p.a_shift == -2 &&
              p.out_shift == -17,
          "add params 2");
    CHECK(dlp_add_elem(&p, 10, 2) == 0, "add2 -> %d", dlp_add_elem(&p, 10, 2));
    /* vector form, clamp to [-5, 5]: (10,2) -> 0; (2,-1) -> 0 + (-10) = -10 -> -5;
     * (34, 4) -> 0.25*32 + 5 = 13 -> 26 - 10 = 16 -> 5 */
    int8_t y[3];
    CHECK(dlp_add_prepare(0.25, 2, 1.0, -1, 0.5, -10, -5, 5, &p) == DLP_OK, "add prep 3");
    CHECK(dlp_add_q(3, (const int8_t[]){10, 2, 34}, DLP_S8, (const int8_t[]){2, -1, 4}, DLP_S8, &p,
                    y, DLP_S8) == DLP_OK,
          "add q");
    eq_s8("add q", y, (const int8_t[]){0, -5, 5}, 3);

    /* MUL: a 0.5, b 0.5, out 1 -> real 0.25 = (2^30, -1).
     * 3*3 = 9: srdhm(9, 2^30) = 4.5 -> 5, rdbpot(5, 1) = 2.5 -> 3: 2.25 gives 3 (TFLite's
     * double rounding with a multiplier of exactly 2^30);
     * 6*1: srdhm 3, rdbpot 1.5 -> 2; -6*1: srdhm(-3.0) = -3, rdbpot -1.5 -> -2;
     * 2*1: srdhm 1, rdbpot 0.5 -> 1 */
    dlp_mul_params mp;
    CHECK(dlp_mul_prepare(0.5, 0, 0.5, 0, 1.0, 0, -128, 127, &mp) == DLP_OK, "mul prep");
    CHECK(mp.mult == Q30 && mp.shift == -1, "mul params %d %d", mp.mult, mp.shift);
    CHECK(dlp_mul_elem(&mp, 3, 3) == 3, "mul 9/4");
    CHECK(dlp_mul_elem(&mp, 6, 1) == 2, "mul 6/4");
    CHECK(dlp_mul_elem(&mp, -6, 1) == -2, "mul -6/4");
    CHECK(dlp_mul_elem(&mp, 2, 1) == 1, "mul 2/4");
    /* zero points: out 0.25 -> real 1 = (2^30, 1); a=3 zp 1 -> 2, b=-3 zp -1 -> -2: -4 + 5 = 1 */
    CHECK(dlp_mul_prepare(0.5, 1, 0.5, -1, 0.25, 5, -128, 127, &mp) == DLP_OK, "mul prep 2");
    CHECK(dlp_mul_elem(&mp, 3, -3) == 1, "mul zp -> %d", dlp_mul_elem(&mp, 3, -3));
    uint8_t yu[2];
    /* u8 inputs zp 128, out u8 zp 128, real 1: (130-128)*(125-128) = -6 + 128 = 122;
     * (255-128)*(255-128) = 16129 -> 255 */
    CHECK(dlp_mul_prepare(0.5, 128, 0.5, 128, 0.25, 128, 0, 255, &mp) == DLP_OK, "mul prep u8");
    CHECK(dlp_mul_q(2, (const uint8_t[]){130, 255}, DLP_U8, (const uint8_t[]){125, 255}, DLP_U8,
                    &mp, yu, DLP_U8) == DLP_OK,
          "mul q");
    eq_u8("mul q", yu, (const uint8_t[]){122, 255}, 2);
}

/* ------------------------------------------------------------ LUT */
static void test_lut_hand(void)
{
    int16_t lut[256];
    for (int i = 0; i < 256; i++)
        lut[i] = (int16_t)(2 * (i - 128));
    /* y = clamp(2x, -100, 100) */
    const int8_t x[6] = {0, 10, 60, -60, 127, -128};
    int8_t y[6];
    CHECK(dlp_lut_s8(6, x, lut, -100, 100, y) == DLP_OK, "lut");
    eq_s8("lut", y, (const int8_t[]){0, 20, 100, -100, 100, -100}, 6);

    /* Builders at x = 1 and x = -1: in_scale 1/16, in_zp 0 -> index 128 + 16 = 144 and 112;
     * out_scale 1/128, out_zp 0:
     *   gelu(1) = 0.841345 * 128 = 107.69 -> 108   gelu(-1) = -0.158655*128 = -20.31 -> -20
     *   gelu_tanh(1) = 0.841192 -> 107.67 -> 108   gelu_tanh(-1) -> -20.33 -> -20
     *   silu(1) = 0.731059 -> 93.58 -> 94          silu(-1) = -0.268941 -> -34.42 -> -34
     *   sigmoid(1) -> 94                            sigmoid(-1) = 0.268941 -> 34
     *   tanh(1) = 0.761594 -> 97.48 -> 97           tanh(-1) -> -97
     *   erf(1) = 0.842701 -> 107.87 -> 108          erf(-1) -> -108
     *   exp(1) = 2.718 -> 347.9 -> clamp 127        exp(-1) = 0.367879 -> 47.09 -> 47 */
    static const struct {
        dlp_fn fn;
        int16_t at1, atm1;
    } fx[] = {
        {DLP_FN_GELU, 108, -20},  {DLP_FN_GELU_TANH, 108, -20}, {DLP_FN_SILU, 94, -34},
        {DLP_FN_SIGMOID, 94, 34}, {DLP_FN_TANH, 97, -97},       {DLP_FN_ERF, 108, -108},
        {DLP_FN_EXP, 127, 47},
    };
    for (size_t i = 0; i < N_OF(fx); i++) {
        CHECK(dlp_lut_build(fx[i].fn, 1.0 / 16, 0, 1.0 / 128, 0, lut) == DLP_OK, "build");
        CHECK(lut[144] == fx[i].at1 && lut[112] == fx[i].atm1, "%s: lut(1) = %d, lut(-1) = %d",
              dlp_fn_name(fx[i].fn), lut[144], lut[112]);
    }
    /* The two GELU forms at x = -2 and -3 (index 128 - 32 = 96, 128 - 48 = 80), out 1/2048:
     *   erf:  -2 Phi(-2) = -0.0455003 * 2048 = -93.18 -> -93;  -3 Phi(-3) * 2048 = -8.29 -> -8
     *   tanh: -0.0454023 * 2048 = -92.98 -> -93;               -0.0036374 * 2048 = -7.45 -> -7 */
    CHECK(dlp_lut_build(DLP_FN_GELU, 1.0 / 16, 0, 1.0 / 2048, 0, lut) == DLP_OK && lut[96] == -93 &&
              lut[80] == -8,
          "gelu(-2), gelu(-3): %d %d", lut[96], lut[80]);
    CHECK(dlp_lut_build(DLP_FN_GELU_TANH, 1.0 / 16, 0, 1.0 / 2048, 0, lut) == DLP_OK &&
              lut[96] == -93 && lut[80] == -7,
          "gelu_tanh(-2), (-3): %d %d", lut[96], lut[80]);
    /* Rounding half away from zero: sigmoid(0) = 0.5 exactly, out_scale 1, zp -1:
     * round(0.5) = 1 (half-even would give 0) -> 1 - 1 = 0. in_zp 5 -> x = 0 at index 133. */
    CHECK(dlp_lut_build(DLP_FN_SIGMOID, 0.1, 5, 1.0, -1, lut) == DLP_OK && lut[133] == 0,
          "sigmoid tie %d", lut[133]);

    /* Softmax exponent table, in_scale 1: lut[0] = 32767, lut[1] = 32767 e^-1 = 12054.3
     * -> 12054, lut[2] = 4434.53 -> 4435, lut[10] = 1.488 -> 1, lut[255] = 0.
     * in_scale 1/8: lut[1] = 28916.78 -> 28917 */
    CHECK(dlp_lut_build_softmax_exp(1.0, lut) == DLP_OK, "sm lut");
    CHECK(lut[0] == 32767 && lut[1] == 12054 && lut[2] == 4435 && lut[10] == 1 && lut[255] == 0,
          "sm lut %d %d %d %d %d", lut[0], lut[1], lut[2], lut[10], lut[255]);
    CHECK(dlp_lut_build_softmax_exp(0.125, lut) == DLP_OK && lut[1] == 28917, "sm lut2 %d", lut[1]);
}

/* ------------------------------------------------------------ softmax */
static void test_softmax_hand(void)
{
    int8_t y[4];
    /* Row {0, 0}, in_scale 1, out (1/256, -128): e = {32767, 32767}, S = 65534,
     * r = floor(2^30 / 65534) = 16384 (65534 * 16384 = 1073709056, remainder 32768);
     * e*r = 536854528; (M, sh) = QM(1 / (2^30 / 256)) = QM(2^-22) = (2^30, -21);
     * 536854528 * 2^-22 = 127.996 -> 128; -128 + 128 = 0 (p = 0.5 -> 0.5*256 - 128 = 0). */
    CHECK(dlp_softmax_q(1, 2, (const int8_t[]){0, 0}, 1.0, 1.0 / 256, -128, y) == DLP_OK, "sm");
    CHECK(y[0] == 0 && y[1] == 0, "sm {0,0} -> %d %d", y[0], y[1]);
    /* Row {10, 0}: e = {32767, lut[10] = 1}, S = 32768, r = 2^15; e0 r = 32767 * 2^15 ->
     * * 2^-22 = 255.99 -> 256 -> 128 -> clamp 127; e1 r = 2^15 -> 0.0078 -> 0 -> -128 */
    CHECK(dlp_softmax_q(1, 2, (const int8_t[]){10, 0}, 1.0, 1.0 / 256, -128, y) == DLP_OK, "sm");
    CHECK(y[0] == 127 && y[1] == -128, "sm {10,0} -> %d %d", y[0], y[1]);
    /* Two rows, the second {-128, -128, -128, -128}: p = 1/4 -> 64 - 128 = -64 each.
     * e = 32767, S = 131068, r = 8192 (131068 * 8192 = 1073709056), e r = 268427264,
     * * 2^-22 = 63.998 -> 64. First row {5, 5, 5, 5} the same. */
    int8_t y8[8];
    CHECK(dlp_softmax_q(2, 4, (const int8_t[]){5, 5, 5, 5, -128, -128, -128, -128}, 0.3, 1.0 / 256,
                        -128, y8) == DLP_OK,
          "sm 2 rows");
    eq_s8("sm 2 rows", y8, (const int8_t[]){-64, -64, -64, -64, -64, -64, -64, -64}, 8);
    /* r is floor(2^30 / S), not rounded: row {9, 2}, in_scale 0.5: d = {0, 7},
     * e = {32767, round(32767 e^-3.5) = round(989.48) = 989}, S = 33756,
     * 2^30 / S = 31808.92 -> r = 31808; e0 r = 1042252736 * 2^-22 = 248.492 -> 248 -> 120
     * (a rounded r = 31809 would give 248.500 -> 249 -> 121); e1 r = 31458112 * 2^-22
     * = 7.5002 -> 8 -> -120. (Float: p0 * 256 - 128 = 120.496.) */
    CHECK(dlp_softmax_q(1, 2, (const int8_t[]){9, 2}, 0.5, 1.0 / 256, -128, y) == DLP_OK, "sm");
    CHECK(y[0] == 120 && y[1] == -120, "sm {9,2} -> %d %d", y[0], y[1]);
    /* S == 0 (table of zeros): all outputs clamp(zo, lo, hi) = clamp(5, -128, 3) = 3 */
    int16_t zero[256] = {0};
    dlp_softmax_row_s8(3, (const int8_t[]){1, 2, 3}, zero, Q30, 0, 5, -128, 3, y);
    eq_s8("sm S=0", y, (const int8_t[]){3, 3, 3}, 3);
}

/* ------------------------------------------------------------ layernorm */
static void test_layernorm_hand(void)
{
    int32_t z[8];
    /* {1, -1}: S 0, SS 2, D 2, Q = 4; bitlen 3 -> p = 29; Q << 58 = 2^60 -> sd = 2^30;
     * inv = floor((2^61 - 1) / 2^30) = 2^31 - 1; z0 = (2 * (2^31 - 1)) / 2^20 rounded
     * = 4096 - 2^-19 -> 4096; z1 = -4096. (Float: +-1 sigma = +-4096 in Q12.) */
    dlp_lnorm_row_s8(2, (const int8_t[]){1, -1}, 0, z);
    eq_i32("lnorm {1,-1}", z, (const int32_t[]){4096, -4096}, 2);
    /* constant row: Q = 0 -> z = 0 */
    z[0] = z[1] = z[2] = 99;
    dlp_lnorm_row_s8(3, (const int8_t[]){3, 3, 3}, 0, z);
    eq_i32("lnorm const", z, (const int32_t[]){0, 0, 0}, 3);
    /* {0, 0, 0, 4}: S 4, SS 16, Q = 4*16 - 16 = 48 (mean 1, var 3); bitlen 6 -> p = 28;
     * sd = isqrt(48 << 56) = 1859775393 (sqrt(48) * 2^28 = 1859775393.9);
     * inv = floor((2^61-1)/sd) = 1239850262; x*D - S = {-4, -4, -4, 12};
     * z = rdbpot64(v * inv, 21): -4*inv/2^21 = -2364.83 -> -2365, 12*inv/2^21 = 7094.48 -> 7094.
     * Float: -1/sqrt(3)*4096 = -2364.83, 3/sqrt(3)*4096 = 7094.48. */
    dlp_lnorm_row_s8(4, (const int8_t[]){0, 0, 0, 4}, 0, z);
    eq_i32("lnorm {0,0,0,4}", z, (const int32_t[]){-2365, -2365, -2365, 7094}, 4);
    /* eps: {1, -1} with eps_term 12: Q = 16 -> sqrt 4: z = 2/4 * 4096 = 2048 */
    dlp_lnorm_row_s8(2, (const int8_t[]){1, -1}, 12, z);
    eq_i32("lnorm eps", z, (const int32_t[]){2048, -2048}, 2);

    /* Why 2^61 - 1 and not 2^61: {1, 0} with eps_term 2^26 - 1: S 1, SS 1, Q = 2 - 1 + 2^26 - 1
     * = 2^26 (bitlen 27 -> p = 17); Q << 34 = 2^60 -> sd = 2^30; inv = 2^31 - 1 (2^61 / sd
     * would be 2^31, outside int32). x*D - S = {1, -1}; shift 61 - 12 - 17 = 32:
     * z0 = (2^31 - 1) / 2^32 = 0.49999999977 -> 0 and z1 -> 0 (the exact value is the tie
     * 0.5, which 2^61 would have rounded away to {1, -1}). */
    dlp_lnorm_row_s8(2, (const int8_t[]){1, 0}, (1u << 26) - 1, z);
    eq_i32("lnorm inv", z, (const int32_t[]){0, 0}, 2);

    /* eps_term = round(eps * len^2 / in_scale^2): 1e-5 * 16 / 1e-4 = 1.6 -> 2 */
    CHECK(dlp_lnorm_eps_term(1e-5, 4, 0.01) == 2, "eps term %u", dlp_lnorm_eps_term(1e-5, 4, 0.01));
    CHECK(dlp_lnorm_eps_term(1.0, 1000, 1e-3) == UINT32_MAX, "eps term sat");
    CHECK(dlp_lnorm_eps_term(-1.0, 4, 0.1) == 0, "eps term neg");

    /* layernorm_q: {1, -1}, in 1, eps 0, out_scale 1/64, zp 0: (M, S) = QM(1/(4096/64))
     * = QM(2^-6) = (2^30, -5); mbqm(4096) = 64 -> {64, -64}. */
    int8_t y[2];
    CHECK(dlp_layernorm_q(1, 2, (const int8_t[]){1, -1}, 1.0, NULL, NULL, 0.0, 1.0 / 64, 0, y) ==
              DLP_OK,
          "ln q");
    eq_s8("ln q", y, (const int8_t[]){64, -64}, 2);
    /* gamma {2, 1}, beta {0.5, 0.5}: off = round(0.5 * 64) = 32; y0 = 32 + 128 -> 127,
     * y1 = 32 - 64 = -32 */
    CHECK(dlp_layernorm_q(1, 2, (const int8_t[]){1, -1}, 1.0, (const float[]){2.0f, 1.0f},
                          (const float[]){0.5f, 0.5f}, 0.0, 1.0 / 64, 0, y) == DLP_OK,
          "ln q g");
    eq_s8("ln q g", y, (const int8_t[]){127, -32}, 2);
    /* beta rounding half away from zero: beta {-2.5/64, 0.3}, out 1/64: off = {round(-2.5)
     * = -3, round(19.2) = 19} -> y = {64 - 3, -64 + 19} = {61, -45} */
    CHECK(dlp_layernorm_q(1, 2, (const int8_t[]){1, -1}, 1.0, NULL,
                          (const float[]){-2.5f / 64, 0.3f}, 0.0, 1.0 / 64, 0, y) == DLP_OK,
          "ln q b");
    eq_s8("ln q b", y, (const int8_t[]){61, -45}, 2);
}

/* ------------------------------------------------------------ attention */
static void test_attention_hand(void)
{
    /* sq = 1, sk = 2, d = 1. q = {1}, k = {1, 1} (equal scores), v = {10, 30}; all scales 1,
     * zps 0, s_scale 1, o_scale 1: scores = 1/sqrt(1) = 1 each -> softmax {0.5, 0.5} ->
     * P = {0, 0} in (1/256, -128) -> (P + 128) = 128 each; O = (128*10 + 128*30) / 256 = 20. */
    dlp_attention_shape s = {.sq = 1,
                             .sk = 2,
                             .d = 1,
                             .q_scale = 1,
                             .k_scale = 1,
                             .v_scale = 1,
                             .s_scale = 1,
                             .o_scale = 1};
    int8_t o = 0;
    CHECK(dlp_attention_q(&s, (const int8_t[]){1}, (const int8_t[]){1, 1}, (const int8_t[]){10, 30},
                          NULL, &o) == DLP_OK &&
              o == 20,
          "attn %d", o);
    /* Masking key 1 sets its score to -128 (score 1 vs -128 -> weight e^-129 ~ 0): P =
     * {127, -128} -> (255 * 10 + 0 * 30) / 256 = 9.96 -> 10. */
    CHECK(dlp_attention_q(&s, (const int8_t[]){1}, (const int8_t[]){1, 1}, (const int8_t[]){10, 30},
                          (const uint8_t[]){0, 1}, &o) == DLP_OK &&
              o == 10,
          "attn mask %d", o);
}

/* ------------------------------------------------------------ error paths */
static void test_errors(void)
{
    unsigned char buf[256];
    int32_t acc[64];
    const int8_t x[64] = {0};
    const int8_t w[64] = {0};
    const int32_t zp0 = 0, zps2[2] = {0, 0}, m = Q30, sh = 0;
    const dlp_requant rq = {&m, &sh, 1, 0, -128, 127, DLP_S8};

#define UNTOUCHED(b) all_bytes((b), sizeof(b), 0xA5)
#define RESET(b)     memset((b), 0xA5, sizeof(b))

    /* conv */
    dlp_conv_shape s = conv1();
    RESET(acc);
    CHECK(dlp_conv2d_acc(&s, NULL, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv NULL x");
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 0, NULL, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv NULL w");
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 0, w, DLP_S8, NULL, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv NULL wzp");
    CHECK(dlp_conv2d_acc(NULL, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv NULL s");
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, NULL) == DLP_E_ARG,
          "conv NULL acc");
    s.stride_h = 0;
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv stride 0");
    s = conv1();
    s.dil_w = 0;
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv dil 0");
    s = conv1();
    s.pad_l = -1;
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv pad -1");
    s = conv1();
    s.c = 4, s.cout = 4, s.groups = 3;
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv groups 3 of 4");
    s.groups = 0;
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv groups 0");
    s.c = 4, s.cout = 6, s.groups = 4; /* divides c, not cout */
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv groups cout");
    s = conv1();
    s.kh = 4; /* kernel taller than the input: output height 0 */
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_SHAPE &&
              UNTOUCHED(acc),
          "conv out 0");
    s = conv1();
    s.h = 0;
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_SHAPE &&
              UNTOUCHED(acc),
          "conv h 0");
    s = conv1();
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 0, w, DLP_S8, zps2, 2, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv w_zp_n 2 of cout 1");
    CHECK(dlp_conv2d_acc(&s, x, DLP_S8, 200, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv x_zp out of s8");
    CHECK(dlp_conv2d_acc(&s, x, DLP_U8, -1, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv x_zp out of u8");
    CHECK(dlp_conv2d_acc(&s, x, (dlp_dtype)7, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "conv bad dtype");
    RESET(buf);
    CHECK(dlp_conv2d_q(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, NULL, buf) == DLP_E_ARG &&
              UNTOUCHED(buf),
          "conv_q NULL rq");
    dlp_requant bad = rq;
    bad.lo = 5, bad.hi = 4;
    CHECK(dlp_conv2d_q(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, &bad, buf) == DLP_E_ARG &&
              UNTOUCHED(buf),
          "conv_q lo > hi");
    bad = rq;
    bad.hi = 200;
    CHECK(dlp_conv2d_q(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, &bad, buf) == DLP_E_ARG &&
              UNTOUCHED(buf),
          "conv_q hi > 127");
    bad = rq;
    bad.n = 2;
    CHECK(dlp_conv2d_q(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, &bad, buf) == DLP_E_ARG &&
              UNTOUCHED(buf),
          "conv_q rq->n");
    bad = rq;
    bad.mult = NULL;
    CHECK(dlp_conv2d_q(&s, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, &bad, buf) == DLP_E_ARG &&
              UNTOUCHED(buf),
          "conv_q NULL mult");
    int oh, ow;
    CHECK(dlp_conv_out_hw(&s, NULL, &ow) == DLP_E_ARG, "conv_out_hw NULL");
    s.h = 1; /* 2-row kernel on 1 row */
    CHECK(dlp_conv_out_hw(&s, &oh, &ow) == DLP_E_SHAPE, "conv_out_hw shape");

    /* matmul */
    dlp_matmul_shape ms = {.batch = 1, .m = 2, .k = 3, .n = 2};
    RESET(acc);
    CHECK(dlp_matmul_acc(&ms, x, DLP_S8, 0, NULL, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "mm NULL b");
    CHECK(dlp_matmul_acc(&ms, x, DLP_S8, 0, w, DLP_S8, zps2, 3, NULL, acc) == DLP_E_ARG &&
              UNTOUCHED(acc),
          "mm b_zp_n");
    ms.m = 0;
    CHECK(dlp_matmul_acc(&ms, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_SHAPE &&
              UNTOUCHED(acc),
          "mm m 0");
    ms.m = 2;
    ms.batch = 0;
    CHECK(dlp_matmul_acc(&ms, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, acc) == DLP_E_SHAPE &&
              UNTOUCHED(acc),
          "mm batch 0");
    ms.batch = 1;
    RESET(buf);
    bad = rq;
    bad.n = 3;
    CHECK(dlp_matmul_q(&ms, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, &bad, buf) == DLP_E_ARG &&
              UNTOUCHED(buf),
          "mm_q rq->n");
    bad = rq;
    bad.type = DLP_U8, bad.lo = -1;
    CHECK(dlp_matmul_q(&ms, x, DLP_S8, 0, w, DLP_S8, &zp0, 1, NULL, &bad, buf) == DLP_E_ARG &&
              UNTOUCHED(buf),
          "mm_q u8 lo -1");

    /* requantize / rescale / clamp */
    RESET(buf);
    CHECK(dlp_requantize(5, 2, acc, NULL, &rq, buf) == DLP_E_SHAPE && UNTOUCHED(buf),
          "req count not a multiple of channels");
    CHECK(dlp_requantize(4, 0, acc, NULL, &rq, buf) == DLP_E_ARG && UNTOUCHED(buf), "req ch 0");
    CHECK(dlp_requantize(4, 2, NULL, NULL, &rq, buf) == DLP_E_ARG && UNTOUCHED(buf), "req NULL x");
    CHECK(dlp_requantize(4, 2, acc, NULL, NULL, buf) == DLP_E_ARG && UNTOUCHED(buf), "req NULL rq");
    CHECK(dlp_rescale(4, x, DLP_S8, 0, buf, &(dlp_requant){&m, &sh, 2, 0, -128, 127, DLP_S8}) ==
                  DLP_E_ARG &&
              UNTOUCHED(buf),
          "rescale n 2");
    CHECK(dlp_clamp(4, x, DLP_S8, 3, 2, buf) == DLP_E_ARG && UNTOUCHED(buf), "clamp lo > hi");
    CHECK(dlp_clamp(4, x, DLP_U8, -3, 2, buf) == DLP_E_ARG && UNTOUCHED(buf), "clamp u8 lo < 0");
    int32_t pm[2] = {7, 7}, ps[2] = {7, 7};
    const float ws[2] = {1.0f, 1.0f};
    CHECK(dlp_requant_prepare(1e6, ws, 2, 1e-4, pm, ps) == DLP_E_ARG && pm[0] == 7 && ps[1] == 7,
          "prepare huge multiplier");
    CHECK(dlp_requant_prepare(0.0, ws, 2, 1.0, pm, ps) == DLP_E_ARG && pm[0] == 7,
          "prepare scale 0");
    const float wneg[2] = {1.0f, -1.0f};
    CHECK(dlp_requant_prepare(1.0, wneg, 2, 1.0, pm, ps) == DLP_E_ARG && pm[0] == 7, "prepare w<0");
    const float fzero = 0.0f, fone = 1.0f;
    CHECK(dlp_quantize_linear(1, (const float[]){1.0f}, &fzero, NULL, 1, 1, buf, DLP_S8) ==
                  DLP_E_ARG &&
              UNTOUCHED(buf),
          "ql scale 0");
    CHECK(dlp_quantize_linear(1, (const float[]){1.0f}, &fone, (const int32_t[]){300}, 1, 1, buf,
                              DLP_U8) == DLP_E_ARG &&
              UNTOUCHED(buf),
          "ql zp 300");
    CHECK(dlp_quantize_linear(1, (const float[]){1.0f}, &fone, NULL, 1, 0, buf, DLP_S8) ==
                  DLP_E_ARG &&
              UNTOUCHED(buf),
          "ql inner 0");

    /* pooling */
    dlp_pool_shape p = pool(4, 4, 2, 2);
    const dlp_requant rqp = {NULL, NULL, 0, 0, -128, 127, DLP_S8};
    RESET(buf);
    p.stride_w = 0;
    CHECK(dlp_maxpool(&p, x, DLP_S8, buf) == DLP_E_ARG && UNTOUCHED(buf), "maxpool stride 0");
    p = pool(4, 4, 2, 2);
    CHECK(dlp_maxpool(&p, NULL, DLP_S8, buf) == DLP_E_ARG && UNTOUCHED(buf), "maxpool NULL x");
    p.kh = 6;
    CHECK(dlp_maxpool(&p, x, DLP_S8, buf) == DLP_E_SHAPE && UNTOUCHED(buf), "maxpool out 0");
    /* a window entirely in the padding: pad_t 2 with a 2-row kernel, stride 1 */
    p = pool(4, 4, 2, 1);
    p.pad_t = 2;
    CHECK(dlp_maxpool(&p, x, DLP_S8, buf) == DLP_E_SHAPE && UNTOUCHED(buf), "maxpool empty window");
    CHECK(dlp_avgpool_q(&p, x, DLP_S8, 0, 1.0, 1.0, &rqp, buf) == DLP_E_SHAPE && UNTOUCHED(buf),
          "avgpool empty window");
    p.count_include_pad = 1; /* well defined then: sum 0 -> zp */
    CHECK(dlp_avgpool_q(&p, x, DLP_S8, 0, 1.0, 1.0, &rqp, buf) == DLP_OK,
          "avgpool cip empty window ok");
    RESET(buf);
    p = pool(4, 4, 2, 2);
    CHECK(dlp_avgpool_q(&p, x, DLP_S8, 0, 0.0, 1.0, &rqp, buf) == DLP_E_ARG && UNTOUCHED(buf),
          "avgpool scale 0");
    CHECK(dlp_avgpool_q(&p, x, DLP_S8, 0, 1.0, 1.0, NULL, buf) == DLP_E_ARG && UNTOUCHED(buf),
          "avgpool NULL rq");
    CHECK(dlp_avgpool_q(&p, x, DLP_S8, 0, 1e12, 1.0, &rqp, buf) == DLP_E_ARG && UNTOUCHED(buf),
          "avgpool huge multiplier");
    CHECK(dlp_global_avgpool_q(1, 0, 4, 1, x, DLP_S8, 0, 1.0, 1.0, &rqp, buf) == DLP_E_SHAPE &&
              UNTOUCHED(buf),
          "gap h 0");

    /* add / mul */
    dlp_add_params ap;
    memset(&ap, 0xA5, sizeof ap);
    CHECK(dlp_add_prepare(-1.0, 0, 1.0, 0, 1.0, 0, -128, 127, &ap) == DLP_E_ARG &&
              all_bytes(&ap, sizeof ap, 0xA5),
          "add scale < 0");
    CHECK(dlp_add_prepare(1.0, 0, 1.0, 0, 1.0, 0, 10, 5, &ap) == DLP_E_ARG &&
              all_bytes(&ap, sizeof ap, 0xA5),
          "add lo > hi");
    CHECK(dlp_add_prepare(1.0, 0, 1.0, 0, 1.0, 0, -128, 127, NULL) == DLP_E_ARG, "add NULL p");
    CHECK(dlp_add_prepare(1.0, 0, 1.0, 0, 1.0, 0, -128, 127, &ap) == DLP_OK, "add ok");
    CHECK(dlp_add_q(4, x, DLP_S8, x, DLP_S8, &ap, buf, DLP_U8) == DLP_E_ARG && UNTOUCHED(buf),
          "add lo < 0 for u8 out");
    CHECK(dlp_add_q(4, x, DLP_S8, NULL, DLP_S8, &ap, buf, DLP_S8) == DLP_E_ARG && UNTOUCHED(buf),
          "add NULL b");
    dlp_mul_params mp;
    CHECK(dlp_mul_prepare(1.0, 0, 1.0, 999, 1.0, 0, -128, 127, &mp) == DLP_E_ARG, "mul zp");
    CHECK(dlp_mul_prepare(1e5, 0, 1e5, 0, 1e-3, 0, -128, 127, &mp) == DLP_E_ARG,
          "mul huge multiplier");
    CHECK(dlp_mul_q(4, x, DLP_S8, x, DLP_S8, NULL, buf, DLP_S8) == DLP_E_ARG && UNTOUCHED(buf),
          "mul NULL p");

    /* LUT */
    int16_t lut[256];
    memset(lut, 0xA5, sizeof lut);
    CHECK(dlp_lut_build((dlp_fn)99, 1.0, 0, 1.0, 0, lut) == DLP_E_ARG && UNTOUCHED(lut),
          "lut bad fn");
    CHECK(dlp_lut_build(DLP_FN_EXP, 1.0, 0, 0.0, 0, lut) == DLP_E_ARG && UNTOUCHED(lut),
          "lut out_scale 0");
    CHECK(dlp_lut_build(DLP_FN_EXP, 1.0, 128, 1.0, 0, lut) == DLP_E_ARG && UNTOUCHED(lut),
          "lut in_zp 128");
    CHECK(dlp_lut_build_softmax_exp(-1.0, lut) == DLP_E_ARG && UNTOUCHED(lut), "sm lut scale");
    CHECK(dlp_lut_s8(4, x, lut, 5, 4, (int8_t *)buf) == DLP_E_ARG && UNTOUCHED(buf), "lut lo > hi");

    /* softmax / layernorm */
    CHECK(dlp_softmax_q(0, 4, x, 1.0, 1.0 / 256, -128, (int8_t *)buf) == DLP_E_SHAPE &&
              UNTOUCHED(buf),
          "sm rows 0");
    CHECK(dlp_softmax_q(1, DLP_SOFTMAX_MAX_LEN + 1, x, 1.0, 1.0 / 256, -128, (int8_t *)buf) ==
                  DLP_E_SHAPE &&
              UNTOUCHED(buf),
          "sm len too big");
    CHECK(dlp_softmax_q(1, 4, x, 1.0, 0.0, -128, (int8_t *)buf) == DLP_E_ARG && UNTOUCHED(buf),
          "sm out_scale 0");
    CHECK(dlp_softmax_q(1, 4, NULL, 1.0, 1.0 / 256, -128, (int8_t *)buf) == DLP_E_ARG &&
              UNTOUCHED(buf),
          "sm NULL x");
    CHECK(dlp_layernorm_q(1, 4, x, 1.0, NULL, NULL, -1.0, 1.0, 0, (int8_t *)buf) == DLP_E_ARG &&
              UNTOUCHED(buf),
          "ln eps < 0");
    CHECK(dlp_layernorm_q(1, 2, x, 1.0, (const float[]){1.0f, INFINITY}, NULL, 0.0, 1.0, 0,
                          (int8_t *)buf) == DLP_E_ARG &&
              UNTOUCHED(buf),
          "ln gamma inf");
    CHECK(dlp_layernorm_q(1, 0, x, 1.0, NULL, NULL, 0.0, 1.0, 0, (int8_t *)buf) == DLP_E_SHAPE &&
              UNTOUCHED(buf),
          "ln len 0");
    CHECK(dlp_layernorm_q(1, 4, x, 1.0, NULL, NULL, 0.0, 1.0, 128, (int8_t *)buf) == DLP_E_ARG &&
              UNTOUCHED(buf),
          "ln zp 128");

    /* attention */
    dlp_attention_shape as = {.sq = 2,
                              .sk = 2,
                              .d = 2,
                              .q_scale = 1,
                              .k_scale = 1,
                              .v_scale = 1,
                              .s_scale = 1,
                              .o_scale = 1};
    CHECK(dlp_attention_q(&as, NULL, x, x, NULL, (int8_t *)buf) == DLP_E_ARG && UNTOUCHED(buf),
          "attn NULL q");
    as.d = 0;
    CHECK(dlp_attention_q(&as, x, x, x, NULL, (int8_t *)buf) == DLP_E_SHAPE && UNTOUCHED(buf),
          "attn d 0");
    as.d = 2;
    as.s_scale = 0;
    CHECK(dlp_attention_q(&as, x, x, x, NULL, (int8_t *)buf) == DLP_E_ARG && UNTOUCHED(buf),
          "attn s_scale 0");
    as.s_scale = 1;
    as.v_zp = -200;
    CHECK(dlp_attention_q(&as, x, x, x, NULL, (int8_t *)buf) == DLP_E_ARG && UNTOUCHED(buf),
          "attn v_zp");
#undef UNTOUCHED
#undef RESET
}

int main(void)
{
    test_quantize_multiplier();
    test_names();
    test_conv_hand();
    test_matmul_hand();
    test_requant_hand();
    test_act_bounds();
    test_quantize_linear_hand();
    test_pool_hand();
    test_add_mul_hand();
    test_lut_hand();
    test_softmax_hand();
    test_layernorm_hand();
    test_attention_hand();
    test_errors();
    return check_done("test_ops");
}
