// tb_shamt - dlp_vpu_shamt (the mbqm shift, clamped and split) against golden dlp_mbqm.
//
// mbqm(x, m, s) depends on s only through clamp(s, -31, 30) = left - right, so for each s
// the block's (left, right) must satisfy left * right == 0, left <= 30, right <= 31, and
// dlp_mbqm(x, m, left - right) == dlp_mbqm(x, m, s) for random x, m (a wrong shift changes
// almost every product). s: every value in -100..100, the int32 extremes, +-2^k +-1, uniform.
// Prints `vpu_shamt: <passed> passed, <failed> failed`.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "Vdlp_vpu_shamt.h"
#include "verilated.h"

#include "dlp/quant.h"

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    long n = argc > 1 ? atol(argv[1]) : 100000;
    std::mt19937_64 rng(31);
    std::vector<int32_t> ss;
    for (int32_t s = -100; s <= 100; s++)
        ss.push_back(s);
    for (int k = 5; k < 32; k++)
        for (int d = -1; d <= 1; d++) {
            ss.push_back((int32_t)((UINT32_C(1) << k) + (uint32_t)d));
            ss.push_back((int32_t)(0u - (UINT32_C(1) << k) + (uint32_t)d));
        }
    ss.push_back(INT32_MIN);
    ss.push_back(INT32_MAX);
    while ((long)ss.size() < n)
        ss.push_back((int32_t)rng());

    VerilatedContext ctx;
    Vdlp_vpu_shamt m(&ctx);
    long pass = 0, fail = 0;
    for (int32_t s : ss) {
        m.s_i = (uint32_t)s;
        m.eval();
        int left = m.left_o, right = m.right_o;
        bool ok = left * right == 0 && left <= 30 && right <= 31;
        for (int t = 0; ok && t < 4; t++) {
            int32_t x = (int32_t)rng(),
                    mu = (int32_t)(0x40000000u + (uint32_t)(rng() % 0x40000000u));
            if (t == 0)
                x = 1; // y = 2^left-ish: every left value gives a different y
            ok = dlp_mbqm(x, mu, left - right) == dlp_mbqm(x, mu, s);
        }
        if (ok)
            pass++;
        else if (fail++ < 10)
            fprintf(stderr, "shamt s=%d: rtl left %d right %d\n", s, left, right);
    }
    printf("vpu_shamt: %ld passed, %ld failed\n", pass, fail);
    m.final();
    return fail ? 1 : 0;
}
