/*
 * bench_prog.c - hand-scheduled DLP programs of the RTL benchmark (see bench_prog.h).
 *
 * Both programs use the dlp_prog emitters directly and synchronise with dependency
 * tokens (docs/ARCHITECTURE.md 4.3): every push has exactly one pop, so all four
 * counters are zero at the end, and every wait is on an instruction earlier in the
 * program (no deadlock for QueueDepth >= 2).
 *
 * Matmul 256x256x256 (A m x k, B k x n, C m x n int8, per-channel REQ):
 *   ACT: A [m][kb] at row 0 (4096 rows), NBUF output buffers of 256 rows after it.
 *   WGT: every B tile (nb, kb) (4096 rows).  ACC: two GEMM result buffers + REQ params.
 *   A and B fit the scratchpads, so they are loaded once; the work is split into
 *   "steps" (row block, nb): GEMM over the whole K (n_r1 = 16 tiles) of a row block into
 *   ACC, REQ into one of NBUF rotating output buffers (ST->CMP tokens), STORE of that
 *   column block (16-byte runs, 256-byte row stride). Phase 1: rows 0..M1-1 for
 *   nb < NB1 (the first GEMM covers rows 0..M0-1 only, so it waits for just M0 rows of A,
 *   B column 0 and the first params); meanwhile the LD queue streams B columns 1..NB1-1
 *   and the rest of A. Phase 2: rows M1..255 for nb < NB1. Phase 3: all rows for the
 *   other nb (B and the remaining REQ params load during phase 1/2). The last step's REQ
 *   is split so that only a quarter of it is left to store at the end.
 *   Tuned on the RTL (M0 = 32, M1 = 64, NB1 = 5): the first phase is load-bound (every
 *   LOAD instruction pays the DDR latency), so a larger first block delays the start and a
 *   smaller one or more split columns add GEMM/REQ overheads.
 *
 * Conv 3x3 56x56x64 -> 64, stride 1, pad 1 (pad value = input zero point):
 *   The padded input (58x58x4 rows) does not fit ACT, so the output is computed in bands
 *   of R = 7 output rows; band b needs input rows 7b-1 .. 7b+7 (9 rows incl. halo), loaded
 *   by one LOAD that also produces the zero-point padding (x_pad = one pixel = CB rows,
 *   y_pad at the top / bottom band). Two input band buffers (LD waits for CMP, CMP->LD
 *   token) and two output band buffers (CMP waits for ST, ST->CMP token). Per band and
 *   output-channel block ob: a LOOP(7) GEMM (one output row per repetition: n_pix = 56,
 *   n_r1 = KW*CB = 12, n_r2 = KH = 3, 36 weight tiles) into ACC, then one REQ of 392 rows
 *   into the NHWC output band (s_dst = CB); one STORE per band (25 KiB contiguous).
 *   Band 0 is loaded in two parts (input rows -1..2, then 3..7) and its first GEMM split
 *   into LOOP(2) + LOOP(5), so compute starts after 3 input rows; the last band stores
 *   each channel block right after its REQ (16-byte runs) to shorten the tail.
 */
#include "bench_prog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/lower.h"
#include "dlp/ops.h"
#include "dlp/prog.h"

#define PROG_AT 0x1000u

static uint32_t rng_state = 12345u;
static uint32_t rnd32(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}
static void rnd_s8(int8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (int8_t)rnd32();
}
static double rndf(double lo, double hi)
{
    return lo + (hi - lo) * (rnd32() / 4294967296.0);
}

static int emit_dma(dlp_prog *p, int store, uint32_t sp, uint32_t dram, uint32_t sram, uint32_t x,
                    uint32_t y, uint32_t y_stride, uint32_t flags)
{
    dlp_dma_f m;
    memset(&m, 0, sizeof m);
    m.sp = sp, m.dram = dram, m.sram = sram, m.x_size = x, m.y_size = y, m.z_size = 1;
    m.y_stride = y_stride;
    return store ? dlp_emit_store(p, &m, flags) : dlp_emit_load(p, &m, flags);
}

static int finish_case(bench_case *c, dlp_prog *p)
{
    if (dlp_emit_finish(p) < 0 || dlp_prog_error(p)) {
        fprintf(stderr, "%s: program: %s\n", c->name, dlp_prog_error(p));
        return -1;
    }
    size_t n = dlp_prog_len(p);
    if (PROG_AT + n * DLP_INSN_BYTES > 0x10000u) {
        fprintf(stderr, "%s: program too long\n", c->name);
        return -1;
    }
    dlp_prog_bytes(p, c->image + PROG_AT, n * DLP_INSN_BYTES);
    c->insn_base = PROG_AT;
    c->insn_count = (uint32_t)n;
    const dlp_insn *in = dlp_prog_insns(p);
    for (size_t i = 0; i < n; i++) {
        uint32_t op = in[i].w[0] & 0xFF;
        c->n_load += op == DLP_OP_LOAD;
        c->n_store += op == DLP_OP_STORE;
        c->n_gemm += op == DLP_OP_GEMM;
        c->n_vec += op == DLP_OP_VEC;
    }
    return 0;
}

/* ------------------------------------------------------------------ matmul */
int bench_build_matmul(bench_case *c)
{
    enum { M = 256, K = 256, NC = 256 };
    memset(c, 0, sizeof *c);
    dlp_config_default(&c->cfg);
    const uint32_t N = c->cfg.n, KB = K / N, NB = NC / N;
    snprintf(c->name, sizeof c->name, "matmul %dx%dx%d int8, per-channel REQ", M, K, NC);
    const uint32_t A_AT = 0x10000, B_AT = 0x20000, P_AT = 0x30000, C_AT = 0x40000;
    c->size = 0x50000;
    c->image = calloc(1, c->size);
    c->ref = malloc((size_t)M * NC);
    c->out_addr = C_AT;
    c->out_len = (size_t)M * NC;
    c->macs = (uint64_t)M * K * NC;

    /* data and reference */
    int8_t *A = malloc((size_t)M * K), *B = malloc((size_t)K * NC), *Y = malloc((size_t)M * NC);
    int32_t bias[NC], mult[NC], shift[NC], wsum[NC];
    float ws[NC];
    rnd_s8(A, (size_t)M * K);
    rnd_s8(B, (size_t)K * NC);
    const int32_t a_zp = 3, y_zp = -5;
    const double xs = 0.02;
    for (int j = 0; j < NC; j++) {
        ws[j] = (float)rndf(0.002, 0.02);
        bias[j] = (int32_t)(rnd32() % 80001) - 40000;
    }
    const double ys = xs * 0.01 * sqrt((double)K) * 60.0;
    if (dlp_requant_prepare(xs, ws, NC, ys, mult, shift) != DLP_OK)
        return -1;
    const dlp_requant rq = {mult, shift, NC, y_zp, -128, 127, DLP_S8};
    const dlp_matmul_shape sh = {1, M, K, NC, 0, 0, 0};
    const int32_t b_zp = 0;
    if (dlp_matmul_q(&sh, A, DLP_S8, a_zp, B, DLP_S8, &b_zp, 1, bias, &rq, Y) != DLP_OK)
        return -1;
    dlp_pack_act(N, M, NC, Y, y_zp, c->ref);
    dlp_pack_act(N, M, K, A, a_zp, c->image + A_AT);
    dlp_pack_matmul_wgt(N, K, NC, 0, B, c->image + B_AT);
    dlp_matmul_wsum(K, NC, 0, B, wsum);
    const dlp_req_prm rp = {NC, bias, wsum, a_zp, mult, shift, NC, NULL, y_zp};
    dlp_pack_req_prm(N, &rp, c->image + P_AT);
    free(A), free(B), free(Y);

    /* scratchpad map */
    enum { NBUF = 4, SPLIT = 4 };
    const uint32_t C_ROW = M * KB; /* ACT: NBUF output buffers of 256 rows */
    const uint32_t ACC_BUF[2] = {0, 256}, P_ROW = 512;

    /* Steps (m-block, nb): GEMM + REQ + STORE. Phase 1: rows 0..M1-1 for nb < NB1 (a
     * small A block, so the first GEMM starts early); phase 2: rows M1..M-1 for nb < NB1
     * (A rest loaded during phase 1); phase 3: all rows for nb >= NB1. */
    /* M0: the first GEMM covers only rows 0..M0-1 of the first block (its A rows arrive
     * first), a second GEMM the rest of the block while those rows are still loading */
    uint32_t M0 = 32, M1 = 64, NB1 = 5; /* tuned on the RTL; BENCH_M0/M1/NB1 override */
    if (getenv("BENCH_M0"))
        M0 = (uint32_t)atoi(getenv("BENCH_M0"));
    if (getenv("BENCH_M1"))
        M1 = (uint32_t)atoi(getenv("BENCH_M1"));
    if (getenv("BENCH_NB1"))
        NB1 = (uint32_t)atoi(getenv("BENCH_NB1"));
    struct step {
        uint32_t m0, rows, nb;
    } stp[64];
    uint32_t ns = 0;
    for (uint32_t nb = 0; nb < NB1; nb++)
        stp[ns++] = (struct step){0, M1, nb};
    for (uint32_t nb = 0; nb < NB1; nb++)
        stp[ns++] = (struct step){M1, M - M1, nb};
    for (uint32_t nb = NB1; nb < NB; nb++)
        stp[ns++] = (struct step){0, M, nb};
    /* Load groups, each ending with one LD->CMP push that step cs pops (with its GEMM,
     * with its REQ when req is 1, with the second GEMM of step 0 when req is 2). Emitted
     * one group ahead of their consumer. */
    struct grp {
        uint32_t cs, req, a_lo, a_hi, b_lo, b_hi, p_lo, p_hi;
    } g[16];
    uint32_t ng = 0;
    g[ng++] = (struct grp){0, 0, 0, M0, 0, 1, 0, NB1}; /* first A rows, B col 0 */
    if (M0 < M1)
        g[ng++] = (struct grp){0, 2, M0, M1, 0, 0, 0, 0}; /* rest of the first block */
    /* B columns 1..NB1-1 in groups starting at these columns (each LOAD costs a DDR
     * latency, so groups grow while compute gets ahead of the loads) */
    uint32_t bg[16] = {1, 3}, nbg = 2;
    if (getenv("BENCH_BG")) {
        nbg = 0;
        for (char *q = getenv("BENCH_BG"); *q && nbg < 16; q += *q == ',')
            bg[nbg++] = (uint32_t)strtoul(q, &q, 10);
    }
    for (uint32_t i = 0; i < nbg && bg[i] < NB1; i++)
        g[ng++] = (struct grp){
            bg[i], 0, 0, 0, bg[i], i + 1 < nbg && bg[i + 1] < NB1 ? bg[i + 1] : NB1, 0, 0};
    g[ng++] = (struct grp){NB1, 0, M1, M, 0, 0, 0, 0};       /* rest of A for phase 2 */
    g[ng++] = (struct grp){2 * NB1, 0, 0, 0, NB1, NB, 0, 0}; /* rest of B for phase 3 */
    /* The remaining REQ parameters go to ACC last: the load DMA gets the ACC port only
     * in the gaps between GEMMs, and nothing waits for it before phase 3's first REQ. */
    g[ng++] = (struct grp){2 * NB1, 1, 0, 0, 0, 0, NB1, NB};

    dlp_prog *p = dlp_prog_new();
    uint32_t emitted = 0, u = 0;
    const uint32_t NU = ns - 1 + SPLIT; /* REQ/STORE units: the last step's REQ is split */
    for (uint32_t k = 0; k < ns; k++) {
        while (emitted < ng && (emitted == 0 || g[emitted - 1].cs <= k)) {
            const struct grp *G = &g[emitted++];
            int parts = (G->a_hi > G->a_lo) + (G->b_hi > G->b_lo) + (G->p_hi > G->p_lo), n = 0;
            if (G->a_hi > G->a_lo)
                emit_dma(p, 0, DLP_SP_ACT, A_AT + G->a_lo * K, G->a_lo * KB,
                         (G->a_hi - G->a_lo) * KB, 1, 0, ++n == parts ? DLP_F_PUSH_NEXT : 0);
            if (G->b_hi > G->b_lo)
                emit_dma(p, 0, DLP_SP_WGT, B_AT + G->b_lo * KB * N * N, G->b_lo * KB * N,
                         (G->b_hi - G->b_lo) * KB * N, 1, 0, ++n == parts ? DLP_F_PUSH_NEXT : 0);
            if (G->p_hi > G->p_lo)
                emit_dma(p, 0, DLP_SP_ACC, P_AT + G->p_lo * 4 * N * 4, P_ROW + 4 * G->p_lo,
                         4 * (G->p_hi - G->p_lo), 1, 0, ++n == parts ? DLP_F_PUSH_NEXT : 0);
        }
        const uint32_t m0 = stp[k].m0, rows = stp[k].rows, nb = stp[k].nb;
        uint32_t gpop = 0, rpop = 0, g2pop = 0;
        for (uint32_t i = 0; i < ng; i++)
            if (g[i].cs == k)
                *(g[i].req == 1 ? &rpop : g[i].req == 2 ? &g2pop : &gpop) = DLP_F_POP_PREV;
        /* step 0 with M0 < M1: two GEMMs (rows 0..M0-1, then M0..M1-1) */
        const uint32_t r0 = k == 0 && M0 < rows ? M0 : rows;
        dlp_gemm_f gm = {.clr = 1,
                         .act = m0 * KB,
                         .acc = ACC_BUF[k % 2],
                         .wgt = nb * KB * N,
                         .n_pix = r0,
                         .n_r1 = KB,
                         .n_r2 = 1,
                         .s_pix = KB,
                         .s_r1 = 1};
        dlp_emit_gemm(p, &gm, gpop);
        if (r0 < rows) {
            gm.act += r0 * KB, gm.acc += r0, gm.n_pix = rows - r0;
            dlp_emit_gemm(p, &gm, g2pop);
        }
        /* the last step's REQ in SPLIT parts, so its STOREs overlap the REQ (short tail) */
        const uint32_t parts = k + 1 == ns ? SPLIT : 1, prow = rows / parts;
        for (uint32_t q = 0; q < parts; q++, u++) {
            const uint32_t buf = C_ROW + (u % NBUF) * 256;
            dlp_vec_f v = {.func = DLP_VF_REQ,
                           .src = ACC_BUF[k % 2] + q * prow,
                           .dst = buf,
                           .count = prow,
                           .s_src = 1,
                           .s_dst = 1,
                           .prm = P_ROW + 4 * nb,
                           .lo = -128,
                           .hi = 127};
            dlp_emit_vec(p, &v,
                         DLP_F_PUSH_NEXT | (u >= NBUF ? DLP_F_POP_NEXT : 0) | (q == 0 ? rpop : 0));
            emit_dma(p, 1, DLP_SP_ACT, C_AT + (m0 + q * prow) * NC + nb * N, buf, 1, prow, NC,
                     DLP_F_POP_PREV | (u + NBUF < NU ? DLP_F_PUSH_PREV : 0));
        }
    }
    int rc = finish_case(c, p);
    dlp_prog_free(p);
    return rc;
}

/* ------------------------------------------------------------------ conv */
int bench_build_conv(bench_case *c)
{
    enum { H = 56, W = 56, C = 64, CO = 64, R = 7 };
    memset(c, 0, sizeof *c);
    dlp_config_default(&c->cfg);
    const uint32_t N = c->cfg.n, CB = C / N, OB = CO / N, WP = W + 2, NBAND = H / R;
    snprintf(c->name, sizeof c->name, "conv 3x3 %dx%dx%d -> %d, stride 1, pad 1", H, W, C, CO);
    const uint32_t X_AT = 0x10000, W_AT = 0x50000, P_AT = 0x60000, Y_AT = 0x70000;
    c->size = 0xB0000;
    c->image = calloc(1, c->size);
    const size_t npx = (size_t)H * W;
    c->ref = malloc(npx * CO);
    c->out_addr = Y_AT;
    c->out_len = npx * CO;
    c->macs = (uint64_t)npx * CO * C * 9;

    dlp_conv_shape s;
    memset(&s, 0, sizeof s);
    s.n = 1, s.h = H, s.w = W, s.c = C, s.cout = CO, s.kh = 3, s.kw = 3;
    s.stride_h = s.stride_w = 1, s.pad_t = s.pad_l = s.pad_b = s.pad_r = 1;
    s.dil_h = s.dil_w = 1, s.groups = 1;
    const size_t wlen = (size_t)CO * 9 * C;
    int8_t *x = malloc(npx * C), *w = malloc(wlen), *y = malloc(npx * CO);
    int32_t bias[CO], mult[CO], shift[CO], wsum[CO];
    float ws[CO];
    rnd_s8(x, npx * C);
    rnd_s8(w, wlen);
    const int32_t x_zp = -7, y_zp = 4, w_zp = 0;
    const double xs = 0.02;
    for (int j = 0; j < CO; j++) {
        ws[j] = (float)rndf(0.002, 0.02);
        bias[j] = (int32_t)(rnd32() % 80001) - 40000;
    }
    const double ys = xs * 0.01 * sqrt((double)wlen / CO) * 60.0;
    if (dlp_requant_prepare(xs, ws, CO, ys, mult, shift) != DLP_OK)
        return -1;
    const dlp_requant rq = {mult, shift, CO, y_zp, -128, 127, DLP_S8};
    if (dlp_conv2d_q(&s, x, DLP_S8, x_zp, w, DLP_S8, &w_zp, 1, bias, &rq, y) != DLP_OK)
        return -1;
    dlp_pack_act(N, npx, CO, y, y_zp, c->ref);
    dlp_pack_act(N, npx, C, x, x_zp, c->image + X_AT);
    dlp_pack_conv_wgt(N, &s, w, c->image + W_AT);
    dlp_conv_wsum(&s, w, wsum);
    const dlp_req_prm rp = {CO, bias, wsum, x_zp, mult, shift, CO, NULL, y_zp};
    dlp_pack_req_prm(N, &rp, c->image + P_AT);
    free(x), free(w), free(y);

    /* scratchpad map */
    const uint32_t IN_ROWS = (R + 2) * WP * CB, OUT_ROWS = R * W * OB; /* 2088, 1568 */
    const uint32_t IBUF[2] = {0, IN_ROWS}, OBUF[2] = {2 * IN_ROWS, 2 * IN_ROWS + OUT_ROWS};
    const uint32_t ACC_BUF[2] = {0, R * W}, P_ROW = 2 * R * W;
    const uint32_t TILES_OB = 9 * CB, TROWS_OB = TILES_OB * N; /* 36 tiles per ob */

    dlp_prog *p = dlp_prog_new();
/* one band's input rows, with the zero-point padding */
#define LOAD_BAND(b, fl)                                                                           \
    do {                                                                                           \
        const int y0 = (int)(b)*R, yf = y0 - 1 < 0 ? 0 : y0 - 1;                                   \
        const int yl = y0 + R > H - 1 ? H - 1 : y0 + R;                                            \
        dlp_dma_f m;                                                                               \
        memset(&m, 0, sizeof m);                                                                   \
        m.sp = DLP_SP_ACT, m.pad_value = (uint8_t)x_zp;                                            \
        m.dram = X_AT + (uint32_t)yf * W * C, m.sram = IBUF[(b) % 2];                              \
        m.x_size = W * CB, m.y_size = (uint32_t)(yl - yf + 1), m.z_size = 1;                       \
        m.y_stride = W * C, m.x_pad[0] = m.x_pad[1] = CB;                                          \
        m.y_pad[0] = y0 == 0, m.y_pad[1] = y0 + R > H - 1;                                         \
        dlp_emit_load(p, &m, (fl));                                                                \
    } while (0)
    /* g0: band 0 + weights of ob 0 + params (popped by band 0 ob 0); g1: weights of ob 1..3
     * (popped by band 0 ob 1); then band b+1 (popped by band b+1 ob 0) before band b */
    /* Band 0 in two parts so that the first GEMMs start early: g0 = weights of ob 0,
     * params and input rows -1..2 (padding row + 3 rows: output rows 0 and 1), popped by a
     * LOOP(2) GEMM; g0b = input rows 3..7, popped by the LOOP(5) GEMM of output rows 2..6. */
    emit_dma(p, 0, DLP_SP_WGT, W_AT, 0, TROWS_OB, 1, 0, 0);
    emit_dma(p, 0, DLP_SP_ACC, P_AT, P_ROW, 4 * OB, 1, 0, 0);
    {
        dlp_dma_f m;
        memset(&m, 0, sizeof m);
        m.sp = DLP_SP_ACT, m.pad_value = (uint8_t)x_zp, m.dram = X_AT, m.sram = IBUF[0];
        m.x_size = W * CB, m.y_size = 3, m.z_size = 1, m.y_stride = W * C;
        m.x_pad[0] = m.x_pad[1] = CB, m.y_pad[0] = 1;
        dlp_emit_load(p, &m, DLP_F_PUSH_NEXT);
        m.dram = X_AT + 3 * W * C, m.sram = IBUF[0] + 4 * WP * CB, m.y_size = R + 1 - 3;
        m.y_pad[0] = 0;
        dlp_emit_load(p, &m, DLP_F_PUSH_NEXT);
    }
    emit_dma(p, 0, DLP_SP_WGT, W_AT + TROWS_OB * N, TROWS_OB, (OB - 1) * TROWS_OB, 1, 0,
             DLP_F_PUSH_NEXT);
    for (uint32_t b = 0; b < NBAND; b++) {
        if (b + 1 < NBAND)
            LOAD_BAND(b + 1, DLP_F_PUSH_NEXT | (b + 1 >= 2 ? DLP_F_POP_NEXT : 0));
        for (uint32_t ob = 0; ob < OB; ob++) {
            uint32_t fl = 0;
            if (ob == 0 || (b == 0 && ob == 1))
                fl |= DLP_F_POP_PREV;
            if (ob == OB - 1 && b + 2 < NBAND)
                fl |= DLP_F_PUSH_PREV;
            dlp_gemm_f gm = {.clr = 1,
                             .act = IBUF[b % 2],
                             .acc = ACC_BUF[ob % 2],
                             .wgt = ob * TROWS_OB,
                             .n_pix = W,
                             .n_r1 = 3 * CB,
                             .n_r2 = 3,
                             .s_pix = CB,
                             .s_r1 = 1,
                             .s_r2 = WP * CB};
            if (b == 0 && ob == 0) { /* output rows 0-1, then 2-6 (band 0 in two parts) */
                dlp_emit_loop(p, 2, (int32_t)(WP * CB), 0, (int32_t)W);
                dlp_emit_gemm(p, &gm, DLP_F_POP_PREV);
                gm.act += 2 * WP * CB, gm.acc += 2 * W;
                dlp_emit_loop(p, R - 2, (int32_t)(WP * CB), 0, (int32_t)W);
                dlp_emit_gemm(p, &gm, DLP_F_POP_PREV);
            } else {
                dlp_emit_loop(p, R, (int32_t)(WP * CB), 0, (int32_t)W);
                dlp_emit_gemm(p, &gm, fl);
            }
            /* the last band stores each ob block on its own (16-byte runs, 64-byte stride)
             * right after its REQ, so only the last block's store is left at the end */
            const int last = b + 1 == NBAND;
            dlp_vec_f v = {.func = DLP_VF_REQ,
                           .src = ACC_BUF[ob % 2],
                           .dst = OBUF[b % 2] + (last ? ob * R * W : ob),
                           .count = R * W,
                           .s_src = 1,
                           .s_dst = last ? 1 : OB,
                           .prm = P_ROW + 4 * ob,
                           .lo = -128,
                           .hi = 127};
            uint32_t vf = 0;
            if (ob == 0 && b >= 2)
                vf |= DLP_F_POP_NEXT;
            if (ob == OB - 1 || last)
                vf |= DLP_F_PUSH_NEXT;
            dlp_emit_vec(p, &v, vf);
            if (last)
                emit_dma(p, 1, DLP_SP_ACT, Y_AT + b * R * W * CO + ob * N, OBUF[b % 2] + ob * R * W,
                         1, R * W, CO, DLP_F_POP_PREV);
        }
        if (b + 1 < NBAND)
            emit_dma(p, 1, DLP_SP_ACT, Y_AT + b * R * W * CO, OBUF[b % 2], OUT_ROWS, 1, 0,
                     DLP_F_POP_PREV | (b + 2 < NBAND ? DLP_F_PUSH_PREV : 0));
    }
#undef LOAD_BAND
    int rc = finish_case(c, p);
    dlp_prog_free(p);
    return rc;
}

void bench_free(bench_case *c)
{
    free(c->image);
    free(c->ref);
    c->image = c->ref = NULL;
}
