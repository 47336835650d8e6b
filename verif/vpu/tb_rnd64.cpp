// tb_rnd64 - dlp_vpu_rnd64 (LNORM output rounding) against golden dlp_rdbpot64.
//
// Every shift e = 18..49 with p drawn around the rounding ties (remainder 2^(e-1) - 1,
// 2^(e-1), 2^(e-1) + 1, 0, 2^e - 1; both signs), around the int64 extremes and uniform;
// the result is the low 32 bits of rdbpot64(p, e), as LNORM stores it.
// Prints `vpu_rnd64: <passed> passed, <failed> failed`.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "Vdlp_vpu_rnd64.h"
#include "verilated.h"

#include "dlp/quant.h"

static std::mt19937_64 rng(4242);

static int64_t pick(int e)
{
    const int64_t half = INT64_C(1) << (e - 1);
    const int64_t rems[] = {0, half - 1, half, half + 1, 2 * half - 1, 1};
    switch (rng() % 4) {
    case 0: return (int64_t)rng();
    case 1:
        return (rng() & 1) ? INT64_MAX - (int64_t)(rng() % 4) : INT64_MIN + (int64_t)(rng() % 4);
    default: {
        // a quotient of any size; q << e has its low e bits clear, so adding a remainder
        // below 2^e cannot overflow
        int64_t q = (int64_t)(rng() >> (rng() % 64) >> e);
        if (rng() & 1)
            q = -q - 1;
        return (int64_t)((uint64_t)q << e) + rems[rng() % 6];
    }
    }
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    long n = argc > 1 ? atol(argv[1]) : 200000;
    VerilatedContext ctx;
    Vdlp_vpu_rnd64 m(&ctx);
    long pass = 0, fail = 0;
    for (long i = 0; i < n; i++) {
        const int e = 18 + (int)(i % 32);
        const int64_t p = pick(e);
        m.p_i = (uint64_t)p;
        m.esh_i = (uint32_t)(e - 18);
        m.zh_i = (UINT64_C(1) << (e - 1)) - 1;
        m.eval();
        const int32_t want = (int32_t)dlp_rdbpot64(p, e);
        const int32_t got = (int32_t)m.z_o;
        if (got == want)
            pass++;
        else if (fail++ < 10)
            fprintf(stderr, "rnd64 #%ld: p %lld e %d: rtl %d golden %d\n", i, (long long)p, e, got,
                    want);
    }
    printf("vpu_rnd64: %ld passed, %ld failed\n", pass, fail);
    m.final();
    return fail ? 1 : 0;
}
