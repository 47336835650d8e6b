// tb_mbqm - direct lane test of dlp_vpu_mbqm against golden dlp_mbqm.
//
// Feeds one random (x, m, s) per cycle (uniform, extremes INT32_MIN/MAX, QuantizeMultiplier
// range multipliers, shifts -31..30 and far beyond) and checks y three cycles later.
// The block takes the shift as left = max(s', 0), right = max(-s', 0), s' = clamp(s, -31,
// 30) (the lane computes them with dlp_vpu_shamt, checked through the lane in tb_vpu,
// whose shifts include the same extremes); here they come from that formula.
// Prints `vpu_mbqm: <passed> passed, <failed> failed`.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "Vdlp_vpu_mbqm.h"
#include "verilated.h"

#include "dlp/quant.h"

static std::mt19937_64 rng(777);

static int32_t pick32()
{
    switch (rng() % 10) {
    case 0: return INT32_MIN;
    case 1: return INT32_MAX;
    case 2: return (int32_t)(rng() % 601) - 300;
    case 3: return (int32_t)(0x40000000u + (uint32_t)(rng() % 0x40000000u));
    case 4: return -(int32_t)(rng() % 0x7FFFFFFFu);
    case 5: return (int32_t)(1u << (rng() % 32));
    default: return (int32_t)rng();
    }
}
static int32_t pickshift()
{
    switch (rng() % 6) {
    case 0: return (int32_t)(rng() % 81) - 40;
    case 1: return (rng() & 1) ? INT32_MIN : INT32_MAX;
    case 2: return (int32_t)rng();
    default: return (int32_t)(rng() % 62) - 31;
    }
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    long n = argc > 1 ? atol(argv[1]) : 200000;
    VerilatedContext ctx;
    Vdlp_vpu_mbqm m(&ctx);
    const int lat = 3;
    std::vector<int32_t> exp(n + lat + 1, 0);
    long pass = 0, fail = 0;
    m.clk_i = 0;
    m.eval();
    for (long c = 0; c < n + lat; c++) {
        if (c < n) {
            int32_t x = pick32(), mu = pick32(), s = pickshift();
            if (rng() % 50 == 0)
                x = mu = INT32_MIN;
            m.x_i = (uint32_t)x;
            m.m_i = (uint32_t)mu;
            int32_t sc = s < -31 ? -31 : s > 30 ? 30 : s;
            m.left_i = (uint8_t)(sc > 0 ? sc : 0);
            m.right_i = (uint8_t)(sc < 0 ? -sc : 0);
            exp[c] = dlp_mbqm(x, mu, s);
        }
        m.clk_i = 0;
        m.eval();
        if (c >= lat) {
            int32_t got = (int32_t)m.y_o;
            if (got == exp[c - lat])
                pass++;
            else if (fail++ < 10)
                fprintf(stderr, "mbqm #%ld: rtl %d golden %d\n", c - lat, got, exp[c - lat]);
        }
        m.clk_i = 1;
        m.eval();
    }
    printf("vpu_mbqm: %ld passed, %ld failed\n", pass, fail);
    m.final();
    return fail ? 1 : 0;
}
