/*
 * test_ops_nonlinear.c - randomised property tests of the non-linear ops against float
 * references written here:
 *   dlp_lut_build / softmax exp table   within 1 LSB of the function in float32
 *   dlp_lut_s8                          == clamp(lut[x + 128])
 *   dlp_lnorm_row_s8                    == the spec formula re-derived with a different
 *                                          integer square root (sqrtl + fix-up) and a
 *                                          different rounding division; within 1 of float
 *   dlp_layernorm_q                     within 2 LSB of a double LayerNormalization
 *   dlp_softmax_q                       within 2 LSB of a double softmax; rows sum to ~1
 *   dlp_attention_q                     == its documented composition of ops (explicit K^T);
 *                                       within a per-output error bound of a double
 *                                       attention (mean error < 0.75 LSB)
 * Seed: $SEED or a fixed default, printed.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dlp/ops.h"
#include "dlp/quant.h"

static unsigned long long seed;

static double runit(void) /* [0, 1) */
{
    return (double)(check_rand(&seed) >> 11) * 0x1p-53;
}

static double rscale(double lo, double hi) /* log-uniform */
{
    return lo * pow(hi / lo, runit());
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

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ------------------------------------------------------------ LUT */
static float fn_float(dlp_fn fn, float x)
{
    switch (fn) {
    case DLP_FN_GELU: return 0.5f * x * (1.0f + erff(x * 0.70710678f));
    case DLP_FN_GELU_TANH:
        return 0.5f * x * (1.0f + tanhf(0.79788456f * (x + 0.044715f * x * x * x)));
    case DLP_FN_SILU: return x / (1.0f + expf(-x));
    case DLP_FN_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case DLP_FN_TANH: return tanhf(x);
    case DLP_FN_EXP: return expf(x);
    case DLP_FN_ERF: return erff(x);
    }
    return 0.0f;
}

static void test_lut_random(int cases)
{
    int16_t lut[256];
    int8_t x[256], y[256];
    for (int i = 0; i < 256; i++)
        x[i] = (int8_t)(i - 128);
    for (int t = 0; t < cases; t++) {
        const dlp_fn fn = (dlp_fn)check_range(&seed, DLP_FN_GELU, DLP_FN_ERF);
        const double is = rscale(0.005, 0.1), os = rscale(1.0 / 256, 0.1);
        const int32_t izp = check_range(&seed, -128, 127), ozp = check_range(&seed, -128, 127);
        CHECK(dlp_lut_build(fn, is, izp, os, ozp, lut) == DLP_OK, "lut_build");
        int worst = 0;
        for (int i = 0; i < 256; i++) {
            const float xf = (float)(i - 128 - izp) * (float)is;
            const double e = clampd(roundf(fn_float(fn, xf) / (float)os) + ozp, -128, 127);
            const int d = (int)fabs(lut[i] - e);
            worst = d > worst ? d : worst;
        }
        CHECK(worst <= 1, "case %d: %s in %g/%d out %g/%d: off by %d", t, dlp_fn_name(fn), is, izp,
              os, ozp, worst);
        const int32_t lo = check_range(&seed, -128, 127), hi = check_range(&seed, lo, 127);
        CHECK(dlp_lut_s8(256, x, lut, lo, hi, y) == DLP_OK, "lut_s8");
        int bad = 0;
        for (int i = 0; i < 256; i++) {
            const int32_t e = lut[i] < lo ? lo : lut[i] > hi ? hi : lut[i];
            bad += y[i] != e;
        }
        CHECK(bad == 0, "case %d: lut_s8 %d mismatches", t, bad);

        const double ss = rscale(0.005, 1.0);
        CHECK(dlp_lut_build_softmax_exp(ss, lut) == DLP_OK, "softmax exp table");
        worst = 0;
        for (int d = 0; d < 256; d++) {
            const int dd = (int)fabsf(lut[d] - 32767.0f * expf(-(float)d * (float)ss));
            worst = dd > worst ? dd : worst;
        }
        CHECK(worst <= 1 && lut[0] == 32767, "case %d: softmax table off by %d", t, worst);
    }
    printf("lut: %d random tables\n", cases);
}

/* ------------------------------------------------------------ layernorm */
static uint64_t isqrt_ref(uint64_t v) /* floor sqrt via long double and a fix-up */
{
    uint64_t r = (uint64_t)sqrtl((long double)v);
    while (r * r > v)
        r--;
    while ((r + 1) * (r + 1) <= v)
        r++;
    return r;
}

static int64_t round_div_pot_ref(int64_t v, int e) /* v / 2^e, ties away from zero */
{
    const uint64_t half = UINT64_C(1) << (e - 1);
    if (v >= 0)
        return (int64_t)(((uint64_t)v + half) >> e);
    return -(int64_t)(((uint64_t)(-v) + half) >> e);
}

static void lnorm_ref(int len, const int8_t *x, uint32_t eps_term, int32_t *z)
{
    int64_t s = 0, ss = 0;
    for (int j = 0; j < len; j++) {
        s += x[j];
        ss += x[j] * x[j];
    }
    const int64_t q = (int64_t)len * ss - s * s + eps_term;
    if (q <= 0) {
        for (int j = 0; j < len; j++)
            z[j] = 0;
        return;
    }
    int bl = 64 - __builtin_clzll((unsigned long long)q);
    const int p = (62 - bl) / 2;
    const uint64_t sd = isqrt_ref((uint64_t)q << (2 * p));
    const int64_t inv = (int64_t)(((UINT64_C(1) << 61) - 1) / sd);
    for (int j = 0; j < len; j++)
        z[j] = (int32_t)round_div_pot_ref(((int64_t)x[j] * len - s) * inv, 61 - 12 - p);
}

static void rand_row(int8_t *x, int len)
{
    const int kind = check_range(&seed, 0, 5);
    const int c = check_range(&seed, -128, 127), spread = check_range(&seed, 0, 60);
    for (int j = 0; j < len; j++) {
        int v;
        switch (kind) {
        case 0: /* constant */ v = c; break;
        case 1: /* extremes */ v = check_range(&seed, 0, 1) ? 127 : -128; break;
        case 2: /* one outlier */ v = j == len / 2 ? 127 : c / 4; break;
        default: /* around c */ v = c + check_range(&seed, -spread, spread); break;
        }
        x[j] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
}

static void test_lnorm_random(int cases)
{
    enum { MAXL = 1000 };
    static int8_t x[MAXL], y[MAXL];
    static int32_t z[MAXL], zr[MAXL];
    static float gamma[MAXL], beta[MAXL];
    int worst_row = 0, worst_q = 0;
    long checked = 0, bias_n = 0;
    double bias_sum = 0;
    for (int t = 0; t < cases; t++) {
        const int len = t % 7 == 0 ? check_range(&seed, 500, MAXL) : check_range(&seed, 1, 100);
        rand_row(x, len);
        const uint32_t eps_term =
            check_range(&seed, 0, 2) == 0 ? 0 : (uint32_t)check_range(&seed, 0, 1 << 30);
        dlp_lnorm_row_s8(len, x, eps_term, z);
        lnorm_ref(len, x, eps_term, zr);
        int bad = 0;
        double mean = 0, var = 0;
        for (int j = 0; j < len; j++)
            mean += x[j];
        mean /= len;
        for (int j = 0; j < len; j++)
            var += (x[j] - mean) * (x[j] - mean);
        var /= len;
        const double den = sqrt(var + (double)eps_term / ((double)len * len));
        for (int j = 0; j < len; j++) {
            bad += z[j] != zr[j];
            const double e = den > 0 ? (x[j] - mean) / den * 4096.0 : 0.0;
            const int d = (int)ceil(fabs(z[j] - e) - 1e-9);
            worst_row = d > worst_row ? d : worst_row;
        }
        CHECK(bad == 0, "case %d: lnorm row len %d eps %u: %d mismatches vs reference", t, len,
              eps_term, bad);

        /* layernorm_q vs double */
        const double is = rscale(0.005, 0.2), os = rscale(0.02, 0.08);
        const int32_t ozp = check_range(&seed, -20, 20);
        const int kind_eps = check_range(&seed, 0, 3);
        const double eps = kind_eps == 0 ? 0.0 : kind_eps == 1 ? 1e-5 : rscale(1e-6, 1e-2);
        const int use_g = check_range(&seed, 0, 2), use_b = check_range(&seed, 0, 2);
        for (int j = 0; j < len; j++) {
            gamma[j] = (float)((runit() * 4.0 - 2.0));
            beta[j] = (float)(runit() * 2.0 - 1.0);
        }
        CHECK(dlp_layernorm_q(1, len, x, is, use_g ? gamma : NULL, use_b ? beta : NULL, eps, os,
                              ozp, y) == DLP_OK,
              "layernorm_q");
        /* eps enters as the integer eps_term = round(eps len^2 / in_scale^2) (ops.h); for rows
         * whose variance is a fraction of an LSB^2 that rounding is visible, so the reference
         * uses the same effective eps. */
        const double eps_eff = (double)dlp_lnorm_eps_term(eps, len, is) / ((double)len * len);
        const double denq = sqrt(var + eps_eff);
        int worst = 0;
        for (int j = 0; j < len; j++) {
            const double nrm = denq > 0 ? (x[j] - mean) / denq : 0.0;
            const double yr = (use_g ? gamma[j] : 1.0) * nrm + (use_b ? beta[j] : 0.0);
            const double e = clampd(yr / os + ozp, -128, 127);
            const int d = (int)ceil(fabs(y[j] - e) - 1e-9);
            worst = d > worst ? d : worst;
            checked++;
            if (e > -127.5 && e < 126.5) { /* not clamped: signed error, for the bias check */
                bias_sum += y[j] - e;
                bias_n++;
            }
        }
        CHECK(worst <= 2, "case %d: layernorm_q len %d eps %g in %g out %g: off by %d", t, len, eps,
              is, os, worst);
        worst_q = worst > worst_q ? worst : worst_q;
    }
    CHECK(worst_row <= 1, "lnorm row: off by %d from float", worst_row);
    /* A systematic rounding error (floor for round, a lost offset) shows as a mean bias. */
    CHECK(fabs(bias_sum / (double)bias_n) < 0.05, "layernorm_q: mean signed error %.3f LSB",
          bias_sum / (double)bias_n);

    /* The longest row: +-extremes, Q near its largest value; and multi-row layernorm_q. */
    const int big = DLP_LNORM_MAX_LEN;
    int8_t *xb = xmalloc((size_t)big), *yb = xmalloc((size_t)big);
    int32_t *zb = xmalloc((size_t)big * 4), *zbr = xmalloc((size_t)big * 4);
    for (int j = 0; j < big; j++)
        xb[j] = (int8_t)(j % 3 ? 127 : -128);
    dlp_lnorm_row_s8(big, xb, UINT32_MAX, zb);
    lnorm_ref(big, xb, UINT32_MAX, zbr);
    CHECK(memcmp(zb, zbr, (size_t)big * 4) == 0, "lnorm max len: mismatch vs reference");
    /* mean 127 - 255/3 = 42, values -170 and +85 from the mean; sd = 255*sqrt(2)/3 */
    const double sd = 255.0 * sqrt(2.0) / 3.0;
    CHECK(fabs(zb[0] - (-170.0 / sd * 4096)) <= 1 && fabs(zb[1] - (85.0 / sd * 4096)) <= 1,
          "lnorm max len: z %d %d", zb[0], zb[1]);
    CHECK(dlp_layernorm_q(big / 1024, 1024, xb, 0.1, NULL, NULL, 1e-5, 0.05, 0, yb) == DLP_OK,
          "layernorm_q rows");
    int bad = 0;
    for (int r = 0; r < big / 1024; r++) {
        dlp_lnorm_row_s8(1024, xb + (size_t)r * 1024, dlp_lnorm_eps_term(1e-5, 1024, 0.1), zb);
        int32_t m, s;
        (void)dlp_quantize_multiplier(1.0 / (0.05 * 4096), &m, &s);
        for (int j = 0; j < 1024; j++)
            bad +=
                yb[(size_t)r * 1024 + j] != (int8_t)dlp_requant_lane(zb[j], 0, m, s, 0, -128, 127);
    }
    CHECK(bad == 0, "layernorm_q rows: %d mismatches vs row + requant_lane", bad);
    free(xb);
    free(yb);
    free(zb);
    free(zbr);
    printf("layernorm: %d random rows (%ld outputs), worst z %d, worst y %d LSB, bias %.4f\n",
           cases, checked, worst_row, worst_q, bias_sum / (double)bias_n);
}

/* ------------------------------------------------------------ softmax */
/* The row algorithm of ops.h, written again from its text. */
static void softmax_row_ref(int len, const int8_t *x, const int16_t *lut, int32_t mult,
                            int32_t shift, int32_t zo, int32_t lo, int32_t hi, int8_t *y)
{
    int m = x[0];
    for (int j = 1; j < len; j++)
        if (x[j] > m)
            m = x[j];
    int32_t e[300], sum = 0;
    for (int j = 0; j < len; j++) {
        e[j] = lut[m - x[j]] < 0 ? 0 : lut[m - x[j]];
        sum += e[j];
    }
    for (int j = 0; j < len; j++) {
        int32_t v = zo;
        if (sum != 0) {
            const int32_t r = (int32_t)(1073741824 / sum);
            v = zo + dlp_mbqm(e[j] * r, mult, shift);
        }
        y[j] = (int8_t)(v < lo ? lo : v > hi ? hi : v);
    }
}

static void test_softmax_row_exact(int cases)
{
    int8_t x[300], y[300], yr[300];
    int16_t lut[256];
    for (int t = 0; t < cases; t++) {
        const int len = check_range(&seed, 1, 300);
        rand_row(x, len);
        if (t % 2) { /* arbitrary tables, negative entries included */
            for (int i = 0; i < 256; i++)
                lut[i] = (int16_t)check_range(&seed, -3000, 32767);
        } else {
            CHECK(dlp_lut_build_softmax_exp(rscale(0.01, 1.0), lut) == DLP_OK, "table");
        }
        int32_t mult, shift;
        /* 1 / (2^30 out_scale) for out_scale 1/256 .. 1/32 */
        (void)dlp_quantize_multiplier(rscale(2.9e-8, 2.4e-7), &mult, &shift);
        const int32_t zo = check_range(&seed, -128, 127), lo = check_range(&seed, -128, 127);
        const int32_t hi = check_range(&seed, lo, 127);
        dlp_softmax_row_s8(len, x, lut, mult, shift, zo, lo, hi, y);
        softmax_row_ref(len, x, lut, mult, shift, zo, lo, hi, yr);
        CHECK(memcmp(y, yr, (size_t)len) == 0, "case %d: softmax row len %d != reference", t, len);
    }
    printf("softmax row: %d random rows bit-exact vs the reference\n", cases);
}

static void test_softmax_random(int cases)
{
    enum { MAXL = 300 };
    static int8_t x[4 * MAXL], y[4 * MAXL];
    int worst_all = 0;
    double worst_sum = 0;
    for (int t = 0; t < cases; t++) {
        const int rows = check_range(&seed, 1, 4);
        const int len = t % 5 == 0 ? check_range(&seed, 100, MAXL) : check_range(&seed, 1, 40);
        for (int r = 0; r < rows; r++)
            rand_row(x + (size_t)r * len, len);
        const double is = rscale(0.01, 0.5);
        const int std_out = check_range(&seed, 0, 2) != 0;
        const double os = std_out ? 1.0 / 256 : rscale(1.0 / 256, 1.0 / 64);
        const int32_t ozp = std_out ? -128 : check_range(&seed, -128, 0);
        CHECK(dlp_softmax_q(rows, len, x, is, os, ozp, y) == DLP_OK, "softmax_q");
        int worst = 0;
        for (int r = 0; r < rows; r++) {
            const int8_t *xr = x + (size_t)r * len, *yr = y + (size_t)r * len;
            int m = -128;
            for (int j = 0; j < len; j++)
                m = xr[j] > m ? xr[j] : m;
            double sum = 0, ysum = 0;
            for (int j = 0; j < len; j++)
                sum += exp((xr[j] - m) * is);
            for (int j = 0; j < len; j++) {
                const double p = exp((xr[j] - m) * is) / sum;
                const double e = clampd(ozp + p / os, -128, 127);
                const int d = (int)ceil(fabs(yr[j] - e) - 1e-9);
                worst = d > worst ? d : worst;
                ysum += (yr[j] - ozp) * os;
            }
            if (std_out) { /* at most 1 LSB per element, plus the clamp of p = 1 to 255/256 */
                const double err = fabs(ysum - 1.0);
                worst_sum = err > worst_sum ? err : worst_sum;
                CHECK(err <= (len + 1) / 256.0, "case %d: row sums to %g (len %d)", t, ysum, len);
            }
        }
        /* 2, not 1: a row with one large value and many equal small ones sums many equally
         * rounded table entries (e.g. 285 x lut = 5 for 4.6), which moves S, hence the
         * large p, by up to ~1 LSB on top of the final rounding. */
        CHECK(worst <= 2, "case %d: softmax %dx%d in %g out %g/%d: off by %d", t, rows, len, is, os,
              ozp, worst);
        worst_all = worst > worst_all ? worst : worst_all;
    }
    printf("softmax: %d random blocks, worst %d LSB, worst row-sum error %.4f\n", cases, worst_all,
           worst_sum);
}

/* ------------------------------------------------------------ attention */
/* The composition spelled out in ops.h, rebuilt from the ops with an explicit K^T. */
static void attention_composed(const dlp_attention_shape *s, const int8_t *q, const int8_t *k,
                               const int8_t *v, const uint8_t *mask, int8_t *o)
{
    const size_t ns = (size_t)s->sq * s->sk;
    int8_t *kt = xmalloc((size_t)s->d * s->sk), *sc = xmalloc(ns), *p = xmalloc(ns);
    for (int j = 0; j < s->sk; j++)
        for (int u = 0; u < s->d; u++)
            kt[(size_t)u * s->sk + j] = k[(size_t)j * s->d + u];
    int32_t m, sh;
    (void)dlp_quantize_multiplier(s->q_scale * s->k_scale / (sqrt((double)s->d) * s->s_scale), &m,
                                  &sh);
    const dlp_requant rq_s = {&m, &sh, 1, s->s_zp, -128, 127, DLP_S8};
    const dlp_matmul_shape qk = {.batch = 1, .m = s->sq, .k = s->d, .n = s->sk};
    const int32_t kzp = s->k_zp, vzp = s->v_zp;
    CHECK(dlp_matmul_q(&qk, q, DLP_S8, s->q_zp, kt, DLP_S8, &kzp, 1, NULL, &rq_s, sc) == DLP_OK,
          "QK");
    for (size_t i = 0; mask && i < ns; i++)
        if (mask[i])
            sc[i] = -128;
    CHECK(dlp_softmax_q(s->sq, s->sk, sc, s->s_scale, 1.0 / 256, -128, p) == DLP_OK, "softmax");
    int32_t mo, so;
    (void)dlp_quantize_multiplier((1.0 / 256) * s->v_scale / s->o_scale, &mo, &so);
    const dlp_requant rq_o = {&mo, &so, 1, s->o_zp, -128, 127, DLP_S8};
    const dlp_matmul_shape pv = {.batch = 1, .m = s->sq, .k = s->sk, .n = s->d};
    CHECK(dlp_matmul_q(&pv, p, DLP_S8, -128, v, DLP_S8, &vzp, 1, NULL, &rq_o, o) == DLP_OK, "PV");
    free(kt);
    free(sc);
    free(p);
}

static void test_attention_random(int cases)
{
    double worst_all = 0, worst_ratio = 0, sum_err = 0;
    long n_err = 0;
    for (int t = 0; t < cases; t++) {
        dlp_attention_shape s = {0};
        s.sq = check_range(&seed, 1, 12);
        s.sk = check_range(&seed, 1, 40);
        s.d = t % 10 == 0 ? 64 : check_range(&seed, 1, 40);
        s.q_zp = check_range(&seed, -10, 10);
        s.k_zp = check_range(&seed, -10, 10);
        s.v_zp = check_range(&seed, -10, 10);
        s.v_scale = rscale(0.01, 0.1);
        const size_t nq = (size_t)s.sq * s.d, nk = (size_t)s.sk * s.d, ns = (size_t)s.sq * s.sk;
        int8_t *q = xmalloc(nq), *k = xmalloc(nk), *v = xmalloc(nk), *o = xmalloc(nq);
        int8_t *o2 = xmalloc(nq);
        uint8_t *mask = xmalloc(ns);
        double *sc = xmalloc(ns * sizeof *sc);
        for (size_t i = 0; i < nq; i++)
            q[i] = (int8_t)check_range(&seed, -128, 127);
        for (size_t i = 0; i < nk; i++) {
            k[i] = (int8_t)check_range(&seed, -128, 127);
            v[i] = (int8_t)check_range(&seed, -128, 127);
        }
        const int use_mask = check_range(&seed, 0, 1);
        for (size_t i = 0; i < ns; i++)
            mask[i] = check_range(&seed, 0, 3) == 0;
        /* Integer dot products / sqrt(d); q_scale * k_scale chosen so that the largest real
         * score is 1..8 (typical attention logits), s_scale calibrated to that range. */
        double rmax = 1.0;
        for (int i = 0; i < s.sq; i++)
            for (int j = 0; j < s.sk; j++) {
                double acc = 0;
                for (int u = 0; u < s.d; u++)
                    acc += (double)(q[(size_t)i * s.d + u] - s.q_zp) *
                           (k[(size_t)j * s.d + u] - s.k_zp);
                sc[(size_t)i * s.sk + j] = acc / sqrt((double)s.d);
                rmax = fmax(rmax, fabs(sc[(size_t)i * s.sk + j]));
            }
        const double qk = rscale(1.0, 8.0) / rmax, r = rscale(0.5, 2.0);
        s.q_scale = sqrt(qk) * r;
        s.k_scale = sqrt(qk) / r;
        s.s_zp = check_range(&seed, -5, 5);
        s.s_scale = rmax * qk / 120.0;
        s.o_scale = s.v_scale * rscale(1.0, 1.5);
        s.o_zp = check_range(&seed, -10, 10);
        const uint8_t *mp = use_mask ? mask : NULL;
        CHECK(dlp_attention_q(&s, q, k, v, mp, o) == DLP_OK, "attention");
        attention_composed(&s, q, k, v, mp, o2);
        CHECK(memcmp(o, o2, nq) == 0, "case %d: attention != its documented composition", t);

        /* Float reference. Per-output bound: final rounding (1) + P's 1/256 steps (<= 1.1 LSB
         * of P per key) + the int8 score step (relative error of p_j <= e^{s_scale} - 1). */
        const double vo = s.v_scale / s.o_scale;
        for (int i = 0; i < s.sq; i++) {
            double m = -1e300, sum = 0;
            double *row = sc + (size_t)i * s.sk;
            for (int j = 0; j < s.sk; j++) {
                row[j] *= s.q_scale * s.k_scale;
                if (mp && mask[(size_t)i * s.sk + j]) /* the op's masking: the lowest score */
                    row[j] = (-128 - s.s_zp) * s.s_scale;
                m = fmax(m, row[j]);
            }
            for (int j = 0; j < s.sk; j++)
                sum += exp(row[j] - m);
            for (int u = 0; u < s.d; u++) {
                double acc = 0, bound = 1.0;
                for (int j = 0; j < s.sk; j++) {
                    const double pj = exp(row[j] - m) / sum;
                    const double vj = (v[(size_t)j * s.d + u] - s.v_zp) * vo;
                    acc += pj * vj;
                    bound += fabs(vj) * (1.1 / 256 + (exp(s.s_scale) - 1.0) * pj);
                }
                const double e = clampd(s.o_zp + acc, -128, 127);
                const double err = fabs(o[(size_t)i * s.d + u] - e);
                CHECK(err <= bound,
                      "case %d: attention sq %d sk %d d %d [%d][%d]: off by %.2f > %.2f", t, s.sq,
                      s.sk, s.d, i, u, err, bound);
                worst_all = fmax(worst_all, err);
                worst_ratio = fmax(worst_ratio, err / bound);
                sum_err += err;
                n_err++;
            }
        }
        free(q);
        free(k);
        free(v);
        free(o);
        free(o2);
        free(mask);
        free(sc);
    }
    const double mean = sum_err / (double)n_err;
    CHECK(mean < 0.75, "attention: mean abs error %.3f LSB", mean);
    printf("attention: %d random heads, worst %.2f LSB (%.0f%% of its bound), mean %.3f LSB\n",
           cases, worst_all, 100 * worst_ratio, mean);
}

int main(void)
{
    const char *env = getenv("SEED");
    seed = env ? strtoull(env, NULL, 0) : 0x5eed5eedULL;
    if (!seed)
        seed = 1;
    printf("test_ops_nonlinear: SEED=%llu\n", seed);
    test_lut_random(300);
    test_lnorm_random(4000);
    test_softmax_row_exact(3000);
    test_softmax_random(4000);
    test_attention_random(1500);
    return check_done("test_ops_nonlinear");
}
