/*
 * bench_iss.c - speed of the golden ISS (make bench).
 *
 * Runs an int8 matmul C = A (M x K) * B (K x Nc) with per-channel requantization as a
 * DLP program on the ISS (default configuration, N = 16) and prints the ISS's speed in
 * simulated MACs per second of host time, plus the architectural counters and the ISS's
 * own cycle estimate. Wall-clock figures depend on the host; the counters do not.
 *   usage: bench_iss [M K Nc [repeats]]     (default 256 256 256 5)
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlp/iss.h"
#include "dlp/prog.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    uint32_t M = 256, K = 256, NC = 256;
    int reps = 5;
    if (argc >= 4) {
        M = (uint32_t)atoi(argv[1]);
        K = (uint32_t)atoi(argv[2]);
        NC = (uint32_t)atoi(argv[3]);
    }
    if (argc >= 5)
        reps = atoi(argv[4]);
    dlp_config cfg;
    dlp_config_default(&cfg);
    const uint32_t N = cfg.n;
    if (!M || !K || !NC || K % N || NC % N || reps < 1 || M > dlp_acc_rows(&cfg) ||
        M * (K / N) + M > dlp_act_rows(&cfg) || (K / N) * (NC / N) * N > dlp_wgt_rows(&cfg)) {
        fprintf(stderr,
                "bench_iss: K and Nc must be multiples of %u and A, B, C must fit the "
                "scratchpads (M <= %u)\n",
                N, dlp_acc_rows(&cfg));
        return 2;
    }
    const uint32_t KB = K / N, NB = NC / N;
    /* DDR map */
    const uint32_t A_AT = 0x100000, B_AT = 0x200000, P_AT = 0x300000, C_AT = 0x400000,
                   PROG_AT = 0x1000;
    dlp_iss *s = dlp_iss_new(&cfg, 0, 8u << 20);
    dlp_prog *p = dlp_prog_new();
    if (!s || !p)
        return 1;
    srand(1);
    uint8_t *a = dlp_iss_mem(s, A_AT, (size_t)M * K), *b = dlp_iss_mem(s, B_AT, (size_t)K * NC);
    for (size_t i = 0; i < (size_t)M * K; i++)
        a[i] = (uint8_t)rand();
    for (size_t i = 0; i < (size_t)K * NC; i++)
        b[i] = (uint8_t)(rand() % 255 + 1);
    int32_t *prm = (int32_t *)dlp_iss_mem(s, P_AT, 4u * N * 4 * NB);
    for (uint32_t nb = 0; nb < NB; nb++)
        for (uint32_t l = 0; l < N; l++) {
            prm[(nb * 4 + 0) * N + l] = 0;          /* bias */
            prm[(nb * 4 + 1) * N + l] = 1518500250; /* ~1/sqrt(2) in Q31 */
            prm[(nb * 4 + 2) * N + l] = -12;        /* shift */
            prm[(nb * 4 + 3) * N + l] = 0;          /* output zero point */
        }

    /* ACT: A rows [m][kb] at 0; C block at M*KB. WGT: tiles [nb][kb]. ACC: C at 0, params at M. */
    const uint32_t C_ROW = M * KB, P_ROW = M;
    dlp_dma_f ld = {
        .sp = DLP_SP_ACT, .dram = A_AT, .sram = 0, .x_size = M * KB, .y_size = 1, .z_size = 1};
    dlp_emit_load(p, &ld, 0);
    dlp_dma_f lw = {
        .sp = DLP_SP_WGT, .dram = B_AT, .sram = 0, .x_size = KB * NB * N, .y_size = 1, .z_size = 1};
    dlp_emit_load(p, &lw, 0);
    dlp_dma_f lp = {
        .sp = DLP_SP_ACC, .dram = P_AT, .sram = P_ROW, .x_size = 4 * NB, .y_size = 1, .z_size = 1};
    dlp_emit_load(p, &lp, DLP_F_PUSH_NEXT);
    for (uint32_t nb = 0; nb < NB; nb++) {
        dlp_gemm_f g = {.clr = 1,
                        .act = 0,
                        .acc = 0,
                        .wgt = nb * KB * N,
                        .n_pix = M,
                        .n_r1 = KB,
                        .n_r2 = 1,
                        .s_pix = KB,
                        .s_r1 = 1};
        uint32_t flags = nb == 0 ? DLP_F_POP_PREV : DLP_F_POP_NEXT;
        dlp_emit_gemm(p, &g, flags);
        dlp_vec_f v = {.func = DLP_VF_REQ,
                       .src = 0,
                       .dst = C_ROW,
                       .count = M,
                       .s_src = 1,
                       .s_dst = 1,
                       .prm = P_ROW + 4 * nb,
                       .lo = -128,
                       .hi = 127};
        dlp_emit_vec(p, &v, DLP_F_PUSH_NEXT);
        /* C rows [m][nb]: store the block as M runs of one element, stride NC bytes */
        dlp_dma_f st = {.sp = DLP_SP_ACT,
                        .dram = C_AT + nb * N,
                        .sram = C_ROW,
                        .x_size = 1,
                        .y_size = M,
                        .z_size = 1,
                        .y_stride = NC};
        dlp_emit_store(p, &st, DLP_F_POP_PREV | (nb + 1 < NB ? DLP_F_PUSH_PREV : 0));
    }
    dlp_emit_finish(p);
    if (dlp_prog_error(p)) {
        fprintf(stderr, "bench_iss: %s\n", dlp_prog_error(p));
        return 1;
    }
    size_t n = dlp_prog_len(p);
    dlp_prog_bytes(p, dlp_iss_mem(s, PROG_AT, n * DLP_INSN_BYTES), n * DLP_INSN_BYTES);

    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        int err = dlp_iss_run(s, PROG_AT, (uint32_t)n, 0, (8u << 20) - 1);
        double t = now() - t0;
        if (err) {
            fprintf(stderr, "bench_iss: ISS error %s at instruction %u\n",
                    dlp_err_name((uint32_t)err), dlp_iss_csr_read(s, DLP_CSR_ERR_INDEX));
            return 1;
        }
        best = t < best ? t : best;
    }
    uint64_t macs = dlp_iss_perf(s, DLP_PERF_MACS), cyc = dlp_iss_perf(s, DLP_PERF_CYCLES);
    printf("golden ISS, N=%u, matmul %ux%ux%u int8 (%zu instructions)\n", N, M, K, NC, n);
    printf("  MACs               %llu\n", (unsigned long long)macs);
    printf("  DMA read / write   %llu / %llu bytes\n",
           (unsigned long long)dlp_iss_perf(s, DLP_PERF_RD_BYTES),
           (unsigned long long)dlp_iss_perf(s, DLP_PERF_WR_BYTES));
    printf("  ISS cycle estimate %llu (MAC utilization %.1f %% by the estimate)\n",
           (unsigned long long)cyc, 100.0 * (double)macs / ((double)N * N * (double)cyc));
    printf("  ISS speed          %.1f M MAC/s, %.2f M DLP-cycles/s (best of %d, %.3f s)\n",
           (double)macs / best / 1e6, (double)cyc / best / 1e6, reps, best);
    dlp_prog_free(p);
    dlp_iss_free(s);
    return 0;
}
