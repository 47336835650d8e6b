/*
 * test_gemmlowp.cc - dlp/quant.h checked bit-exact against gemmlowp's fixedpoint.h.
 *
 * The reference is gemmlowp as shipped by Debian (libgemmlowp-dev), not code of this
 * project:
 *   dlp_srdhm  <-> gemmlowp::SaturatingRoundingDoublingHighMul(int32, int32)
 *   dlp_rdbpot <-> gemmlowp::RoundingDivideByPOT(int32, int)       (scalar int32 path)
 *   dlp_mbqm   <-> TFLite MultiplyByQuantizedMultiplier composed from the two above
 *                  exactly as tensorflow/lite/kernels/internal/common.h does:
 *                    left  = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift
 *                    RDBPOT(SRDHM(x * (1 << left), m), right)
 *                  with x * (1 << left) done in uint32 (wraps instead of signed-overflow UB,
 *                  which is the behaviour dlp/quant.h defines).
 *
 * Inputs: at least 10^6 random values per function (uniform int32, small values, values
 * near powers of two) plus edge cases (INT32_MIN/MAX, 0, +-1, every shift in -31..30,
 * every exponent 0..31, exact rounding ties of both signs, INT32_MIN * INT32_MIN).
 * Also dlp_quantize_multiplier: round trip of random reals in [1e-9, 1e3].
 */
#include <cmath>
#include <cstdint>
#include <cstdio>

/* fixedpoint.h builds cleanly with -Wall -Wextra -Werror under g++ (checked with
 * gemmlowp 0.0~git20211220); no pragmas are needed. It asserts 0 <= exponent <= 31 in
 * RoundingDivideByPOT, which every call below respects. No SIMD header is pulled in
 * unless GEMMLOWP_NEON/SSE4/AVX2... is detected; only the scalar int32 overloads are used. */
#include <fixedpoint/fixedpoint.h>

#include "check.h"
#include "dlp/quant.h"

namespace
{

unsigned long long g_seed = 0x243F6A8885A308D3ULL;
long g_count_srdhm, g_count_rdbpot, g_count_mbqm, g_count_qm;

int32_t u2i(uint32_t u)
{
    return static_cast<int32_t>(u);
}

int32_t rand_i32()
{
    return u2i(static_cast<uint32_t>(check_rand(&g_seed) >> 32));
}

/* One value of a random class: uniform int32, small, or near a power of two. */
int32_t rand_mixed()
{
    unsigned long long r = check_rand(&g_seed);
    switch (r % 4) {
    case 0:
    case 1: return rand_i32();
    case 2: return check_range(&g_seed, -1024, 1024);
    default: {
        int k = check_range(&g_seed, 0, 31);
        int d = check_range(&g_seed, -3, 3);
        uint32_t p = (uint32_t)1 << k;
        uint32_t v = p + static_cast<uint32_t>(d);
        return (check_rand(&g_seed) & 1) ? u2i(v) : u2i(0u - v);
    }
    }
}

/* A Q31 multiplier: mostly the normalized range [2^30, 2^31) that QuantizeMultiplier
 * produces (and its negation), sometimes any int32. */
int32_t rand_mult()
{
    unsigned long long r = check_rand(&g_seed);
    if (r % 4 == 3)
        return rand_mixed();
    int32_t m = u2i((1u << 30) | static_cast<uint32_t>(check_rand(&g_seed) >> 34));
    return (r % 4 == 2) ? -m : m;
}

int32_t ref_srdhm(int32_t a, int32_t b)
{
    return gemmlowp::SaturatingRoundingDoublingHighMul(a, b);
}

int32_t ref_rdbpot(int32_t x, int e)
{
    return gemmlowp::RoundingDivideByPOT(x, e);
}

int32_t ref_mbqm(int32_t x, int32_t m, int shift)
{
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;
    int32_t xl = u2i(static_cast<uint32_t>(x) << left); /* x * (1 << left), wrapping */
    return ref_rdbpot(ref_srdhm(xl, m), right);
}

void check_srdhm(int32_t a, int32_t b)
{
    int32_t got = dlp_srdhm(a, b), want = ref_srdhm(a, b);
    g_count_srdhm++;
    CHECK(got == want, "srdhm(%d, %d) = %d, gemmlowp %d", a, b, got, want);
}

void check_rdbpot(int32_t x, int e)
{
    int32_t got = dlp_rdbpot(x, e), want = ref_rdbpot(x, e);
    g_count_rdbpot++;
    CHECK(got == want, "rdbpot(%d, %d) = %d, gemmlowp %d", x, e, got, want);
}

void check_mbqm(int32_t x, int32_t m, int s)
{
    int32_t got = dlp_mbqm(x, m, s), want = ref_mbqm(x, m, s);
    g_count_mbqm++;
    CHECK(got == want, "mbqm(%d, %d, %d) = %d, gemmlowp/TFLite %d", x, m, s, got, want);
}

const int32_t kEdges[] = {
    INT32_MIN,
    INT32_MIN + 1,
    INT32_MIN + 2,
    -(1 << 30) - 1,
    -(1 << 30),
    -(1 << 30) + 1,
    -65537,
    -65536,
    -32768,
    -256,
    -129,
    -128,
    -3,
    -2,
    -1,
    0,
    1,
    2,
    3,
    127,
    128,
    255,
    32767,
    32768,
    65535,
    65536,
    (1 << 30) - 1,
    1 << 30,
    (1 << 30) + 1,
    INT32_MAX - 2,
    INT32_MAX - 1,
    INT32_MAX,
    0x55555555,
    u2i(0xAAAAAAAAu),
    1518500250 /* ~2^30.5 */,
};
const int kNumEdges = sizeof kEdges / sizeof kEdges[0];

void test_srdhm()
{
    /* The one overflow case saturates. */
    CHECK(dlp_srdhm(INT32_MIN, INT32_MIN) == INT32_MAX, "srdhm(MIN, MIN) = %d",
          dlp_srdhm(INT32_MIN, INT32_MIN));
    CHECK(ref_srdhm(INT32_MIN, INT32_MIN) == INT32_MAX, "gemmlowp srdhm(MIN, MIN) = %d",
          ref_srdhm(INT32_MIN, INT32_MIN));
    for (int i = 0; i < kNumEdges; i++)
        for (int j = 0; j < kNumEdges; j++)
            check_srdhm(kEdges[i], kEdges[j]);
    /* Exact ties: 2*a*b/2^32 has fraction exactly 1/2 iff a*b = 2^30 * odd, e.g. a = 2^30,
     * b odd, or a = 2^(30-sh), b = odd * 2^sh. Both signs of the product. */
    for (int t = 0; t < 20000; t++) {
        int32_t b = rand_i32() | 1;
        int sh = check_range(&g_seed, 0, 15);
        int32_t a = u2i((1u << 30) >> sh);
        int32_t b2 = u2i(static_cast<uint32_t>(check_range(&g_seed, -32767, 32767) | 1)
                         << sh); /* b2 = odd * 2^sh, |b2| < 2^31 */
        check_srdhm(1 << 30, b);
        check_srdhm(b, 1 << 30);
        check_srdhm(-(1 << 30), b);
        check_srdhm(a, b2);
        check_srdhm(u2i(0u - static_cast<uint32_t>(a)), b2);
    }
    for (int t = 0; t < 1000000; t++)
        check_srdhm(rand_mixed(), rand_mixed());
    for (int t = 0; t < 200000; t++)
        check_srdhm(rand_i32(), rand_mult());
}

void test_rdbpot()
{
    for (int e = 0; e <= 31; e++) {
        for (int i = 0; i < kNumEdges; i++)
            check_rdbpot(kEdges[i], e);
        if (e == 0)
            continue;
        /* Exact ties x = k*2^e + 2^(e-1) (both signs of k, and -x): away from zero. */
        for (int t = 0; t < 2000; t++) {
            int64_t half = INT64_C(1) << (e - 1);
            int64_t kmax = (INT64_C(1) << (31 - e)) - 1; /* keeps x inside int32 */
            int64_t k = static_cast<int64_t>(check_rand(&g_seed) % static_cast<uint64_t>(kmax + 1));
            int64_t x = k * (INT64_C(1) << e) + half;
            int64_t xs[4] = {x, -x, -k * (INT64_C(1) << e) + half, -k * (INT64_C(1) << e) - half};
            for (int v = 0; v < 4; v++)
                if (xs[v] >= INT32_MIN && xs[v] <= INT32_MAX)
                    check_rdbpot(static_cast<int32_t>(xs[v]), e);
        }
        /* Just above / below a tie. */
        for (int t = 0; t < 200; t++) {
            int64_t x = (static_cast<int64_t>(rand_i32()) >> e) * (INT64_C(1) << e) +
                        (INT64_C(1) << (e - 1));
            for (int d = -1; d <= 1; d++)
                if (x + d >= INT32_MIN && x + d <= INT32_MAX)
                    check_rdbpot(static_cast<int32_t>(x + d), e);
        }
    }
    for (int t = 0; t < 1100000; t++)
        check_rdbpot(rand_mixed(), check_range(&g_seed, 0, 31));
}

void test_mbqm()
{
    for (int s = DLP_SHIFT_MIN; s <= DLP_SHIFT_MAX; s++) {
        for (int i = 0; i < kNumEdges; i++)
            for (int j = 0; j < kNumEdges; j++)
                check_mbqm(kEdges[i], kEdges[j], s);
        for (int t = 0; t < 4000; t++)
            check_mbqm(rand_mixed(), rand_mult(), s);
    }
    /* dlp_mbqm clamps the shift to [-31, 30]; the reference is the clamped call. */
    const int32_t wild[] = {INT32_MIN, -1000, -64, -33, -32, 31, 32, 63, 1000, INT32_MAX};
    for (int32_t s : wild)
        for (int t = 0; t < 1000; t++) {
            int32_t x = rand_mixed(), m = rand_mult();
            int cs = s < DLP_SHIFT_MIN ? DLP_SHIFT_MIN : s > DLP_SHIFT_MAX ? DLP_SHIFT_MAX : s;
            int32_t got = dlp_mbqm(x, m, s), want = ref_mbqm(x, m, cs);
            g_count_mbqm++;
            CHECK(got == want, "mbqm(%d, %d, %d) = %d, want (clamped shift %d) %d", x, m, s, got,
                  cs, want);
        }
    /* Realistic requantization: int32 accumulators, normalized multipliers, right shifts. */
    for (int t = 0; t < 1000000; t++)
        check_mbqm(rand_mixed(), rand_mult(), check_range(&g_seed, DLP_SHIFT_MIN, DLP_SHIFT_MAX));
}

void check_qm_roundtrip(double real)
{
    int32_t m = -7, s = -7;
    int rc = dlp_quantize_multiplier(real, &m, &s);
    double back = static_cast<double>(m) * std::ldexp(1.0, s - 31);
    double rel = std::fabs(back - real) / real;
    g_count_qm++;
    CHECK(rc == 0 && m >= (1 << 30) && rel <= std::ldexp(1.0, -30),
          "quantize_multiplier(%.17g) = rc %d, mult %d, shift %d, back %.17g, rel err %g", real, rc,
          m, s, back, rel);
}

void test_quantize_multiplier()
{
    for (int t = 0; t < 1000000; t++) {
        /* log-uniform in [1e-9, 1e3] */
        double u = static_cast<double>(check_rand(&g_seed) >> 11) * std::ldexp(1.0, -53);
        check_qm_roundtrip(std::pow(10.0, -9.0 + 12.0 * u));
    }
    check_qm_roundtrip(1e-9);
    check_qm_roundtrip(1e3);
    for (int e = -30; e <= 9; e++) { /* powers of two: exact, mult = 2^30 */
        int32_t m, s;
        dlp_quantize_multiplier(std::ldexp(1.0, e), &m, &s);
        g_count_qm++;
        CHECK(m == (1 << 30) && s == e + 1, "quantize_multiplier(2^%d) = (%d, %d)", e, m, s);
    }
    /* frac rounds up to 2^31: renormalized to 2^30 with shift + 1. */
    int32_t m, s;
    dlp_quantize_multiplier(1.0 - std::ldexp(1.0, -40), &m, &s);
    g_count_qm++;
    CHECK(m == (1 << 30) && s == 1, "quantize_multiplier(1 - 2^-40) = (%d, %d)", m, s);
    int rc = dlp_quantize_multiplier(0.0, &m, &s);
    g_count_qm++;
    CHECK(rc == 0 && m == 0 && s == 0, "quantize_multiplier(0) = rc %d (%d, %d)", rc, m, s);
}

} // namespace

int main()
{
    test_srdhm();
    test_rdbpot();
    test_mbqm();
    test_quantize_multiplier();
    std::printf("test_gemmlowp: compared with gemmlowp: srdhm %ld, rdbpot %ld, mbqm %ld values; "
                "quantize_multiplier round trips %ld\n",
                g_count_srdhm, g_count_rdbpot, g_count_mbqm, g_count_qm);
    return check_done("test_gemmlowp");
}
