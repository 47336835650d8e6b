/*
 * test_iss_ops.c - every op lowered by src/lower.c, run on the ISS, compared byte for byte
 * with the reference op of dlp/ops.h called directly on the same host data.
 *
 * Each case draws a shape (sizes not multiples of N, C = 1..40, K up to ~300, images up
 * to 20x20), a DLP configuration (N in {4, 8, 16}; default scratchpads or small ones
 * that force tiling over rows, output-channel blocks and the reduction; queue depth and
 * token width random) and data; packs the tensors into a DDR image with random garbage
 * around them, builds the program, runs it and checks:
 *   - the unpacked output equals the reference output exactly;
 *   - no DDR byte outside the output tensor changed;
 *   - the architectural counters (INSNS, MACS, RD_BYTES, WR_BYTES, VEC_ROWS) equal the
 *     values computed here from the emitted program by the formulas of the spec.
 * Cases whose shape does not fit a small configuration are counted as skipped; with the
 * default configuration nothing may be skipped.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dlp/iss.h"
#include "dlp/lower.h"
#include "dlp/ops.h"
#include "dlp/prog.h"
#include "dlp/quant.h"

#define MEM_BASE 0x40000000u
#define MEM_SIZE (2u << 20)
#define GUARD    64u

static unsigned long long seed = 0xD1F0C0DEULL;

static int rnd(int lo, int hi)
{
    return check_range(&seed, lo, hi);
}
static int imin(int a, int b)
{
    return a < b ? a : b;
}
static double rndf(double lo, double hi)
{
    return lo + (hi - lo) * (double)(check_rand(&seed) >> 11) / 9007199254740992.0;
}
static void rnd_s8(int8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (int8_t)rnd(-128, 127);
}

/* ------------------------------------------------------------------ environment */
typedef struct {
    dlp_config cfg;
    int small; /* scratchpads smaller than the default: not fitting is allowed */
    dlp_iss *iss;
    uint32_t brk;
    dlp_prog *prog;
    dlp_lower L;
} env_t;

/* Test-vector dump for the RTL harness (verif/top): with DLP_DUMP_DIR set, every case
 * runs in one fixed configuration (DLP_DUMP_N, DLP_DUMP_BUS, default scratchpads, queue
 * depth and token width: the RTL build's) and writes its DDR image before the run. */
static const char *dump_dir;
static int dump_n = 16, dump_bus = 16, dump_count, dump_max = 1000000, dump_every = 1, dump_seen;

static void env_open(env_t *e)
{
    static const uint32_t ns[] = {4, 8, 16};
    memset(e, 0, sizeof *e);
    dlp_config_default(&e->cfg);
    e->cfg.n = ns[rnd(0, 2)];
    e->cfg.bus_bytes = rnd(0, 1) ? 16 : 8;
    e->cfg.queue_depth = (uint32_t)rnd(2, 8);
    e->cfg.token_bits = (uint32_t)rnd(2, 8);
    e->small = rnd(0, 1);
    if (dump_dir) {
        dlp_config_default(&e->cfg);
        e->cfg.n = (uint32_t)dump_n;
        e->cfg.bus_bytes = (uint32_t)dump_bus;
        e->small = 0;
    }
    if (e->small) {
        e->cfg.act_bytes = 1024u << rnd(1, 3); /* 2..8 KiB */
        e->cfg.wgt_bytes = 1024u << rnd(0, 2); /* 1..4 KiB */
        e->cfg.acc_bytes = 1024u << rnd(0, 1); /* 1..2 KiB */
    }
    e->iss = dlp_iss_new(&e->cfg, MEM_BASE, MEM_SIZE);
    CHECK(e->iss != NULL, "dlp_iss_new");
    e->brk = MEM_BASE;
    e->prog = dlp_prog_new();
    CHECK(dlp_lower_init(&e->L, &e->cfg, e->prog) == 0, "lower init: %s", e->L.msg);
}

static void env_close(env_t *e)
{
    dlp_iss_free(e->iss);
    dlp_prog_free(e->prog);
}

/* DDR bytes [addr, addr+len) as a host pointer. */
static uint8_t *mem(env_t *e, uint32_t addr, size_t len)
{
    uint8_t *p = dlp_iss_mem(e->iss, addr, len);
    if (!p) {
        fprintf(stderr, "memory image too small\n");
        exit(2);
    }
    return p;
}

/* A buffer of len bytes, 64-byte aligned, with GUARD bytes of garbage after it (and its
 * own contents garbage until written). */
static uint32_t alloc(env_t *e, size_t len)
{
    const uint32_t a = (e->brk + 63u) & ~63u;
    uint8_t *p = mem(e, a, len + GUARD);
    for (size_t i = 0; i < len + GUARD; i++)
        p[i] = (uint8_t)check_rand(&seed);
    e->brk = a + (uint32_t)len + GUARD;
    return a;
}

static uint32_t put(env_t *e, const void *data, size_t len)
{
    const uint32_t a = alloc(e, len);
    memcpy(mem(e, a, len), data, len);
    return a;
}

/* Counters the spec defines exactly, computed from the program (section 7). */
typedef struct {
    uint64_t v[DLP_PERF_VEC_ROWS + 1];
} counters;

static void expected_counters(const dlp_prog *p, uint32_t N, counters *c)
{
    const dlp_insn *in = dlp_prog_insns(p);
    const size_t n = dlp_prog_len(p);
    uint64_t reps = 1;
    memset(c, 0, sizeof *c);
    c->v[DLP_PERF_INSNS] = n; /* every LOOP, target and FINISH once */
    for (size_t i = 0; i < n; i++) {
        dlp_decoded d;
        dlp_decode(&in[i], &d);
        if (d.opcode == DLP_OP_LOOP) {
            reps *= d.u.loop.count;
            continue;
        }
        if (d.opcode == DLP_OP_LOAD || d.opcode == DLP_OP_STORE) {
            const dlp_dma_f *m = &d.u.dma;
            const uint64_t e = m->sp == DLP_SP_ACC ? 4u * N : N;
            c->v[d.opcode == DLP_OP_LOAD ? DLP_PERF_RD_BYTES : DLP_PERF_WR_BYTES] +=
                reps * m->x_size * m->y_size * m->z_size * e;
        } else if (d.opcode == DLP_OP_GEMM) {
            const dlp_gemm_f *g = &d.u.gemm;
            c->v[DLP_PERF_MACS] += reps * g->n_r2 * g->n_r1 * g->n_pix * N * N;
        } else if (d.opcode == DLP_OP_VEC) {
            const dlp_vec_f *v = &d.u.vec;
            uint64_t rows = v->count;
            if (v->func == DLP_VF_SOFTMAX || v->func == DLP_VF_LNORM)
                rows *= v->k0;
            if (v->func == DLP_VF_LUTLD)
                rows = 0;
            c->v[DLP_PERF_VEC_ROWS] += reps * rows;
        }
        reps = 1;
    }
}

/* Stats per op. */
enum {
    OP_MATMUL,
    OP_CONV,
    OP_MAXPOOL,
    OP_AVGPOOL,
    OP_GAP,
    OP_ADD,
    OP_MUL,
    OP_LUT,
    OP_SOFTMAX,
    OP_LNORM,
    OP_CHAIN,
    NUM_OPS
};
static const char *const op_names[NUM_OPS] = {
    "matmul", "conv2d", "maxpool", "avgpool",   "global_avgpool",    "add",
    "mul",    "lut",    "softmax", "layernorm", "conv+maxpool chain"};
static int n_run[NUM_OPS], n_ok[NUM_OPS], n_skip[NUM_OPS];
static uint64_t total_insns;

/* Generator result: 1 = program built, 0 = skipped (does not fit a small config). */
static int built(env_t *e, int op, int rc, const char *what)
{
    if (rc == 0)
        return 1;
    if (rc == DLP_LOWER_E_FIT && e->small) {
        n_skip[op]++;
        return 0;
    }
    CHECK(0, "%s: lowering failed (%d): %s [N=%u act=%u wgt=%u acc=%u]", what, rc,
          dlp_lower_msg(&e->L), e->cfg.n, e->cfg.act_bytes, e->cfg.wgt_bytes, e->cfg.acc_bytes);
    n_skip[op]++;
    return 0;
}

/* Write one test vector: a header of little-endian words (see verif/top/case_file.h)
 * and the DDR image [MEM_BASE, MEM_BASE + used) as it is before the run. */
static void dump_case(const env_t *e, const char *what, const uint8_t *img, size_t used,
                      uint32_t pa, uint32_t n)
{
    if (!dump_dir || dump_count >= dump_max || dump_seen++ % dump_every)
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/case_%04d.bin", dump_dir, dump_count++);
    FILE *f = fopen(path, "wb");
    if (!f) {
        CHECK(0, "cannot write %s", path);
        return;
    }
    const uint32_t hdr[16] = {0x43504c44u /* "DLPC" */,
                              1,
                              e->cfg.n,
                              e->cfg.bus_bytes,
                              e->cfg.act_bytes,
                              e->cfg.wgt_bytes,
                              e->cfg.acc_bytes,
                              e->cfg.queue_depth,
                              e->cfg.token_bits,
                              MEM_BASE,
                              (uint32_t)used,
                              pa,
                              n,
                              MEM_BASE,
                              MEM_BASE + MEM_SIZE - 1,
                              0};
    char name[32] = {0};
    snprintf(name, sizeof name, "%s", what);
    int ok = fwrite(hdr, sizeof hdr, 1, f) == 1 && fwrite(name, sizeof name, 1, f) == 1 &&
             fwrite(img, 1, used, f) == used;
    CHECK(fclose(f) == 0 && ok, "writing %s", path);
}

/* FINISH, place the program, run, check status, counters and untouched DDR outside
 * [y, y+ylen). Returns 1 when the run succeeded. */
static int run(env_t *e, int op, const char *what, uint32_t y, size_t ylen)
{
    n_run[op]++;
    if (dlp_lower_finish(&e->L)) {
        CHECK(0, "%s: finish: %s", what, dlp_lower_msg(&e->L));
        return 0;
    }
    const size_t n = dlp_prog_len(e->prog);
    const uint32_t pa = alloc(e, n * DLP_INSN_BYTES);
    dlp_prog_bytes(e->prog, mem(e, pa, n * DLP_INSN_BYTES), n * DLP_INSN_BYTES);
    const size_t used = e->brk - MEM_BASE;
    uint8_t *snap = malloc(used);
    memcpy(snap, mem(e, MEM_BASE, used), used);
    dump_case(e, what, snap, used, pa, (uint32_t)n);

    /* Every third run in stepped mode (dlp_iss_step, as the driver uses it for timeouts),
     * with a few scheduling rounds per call: results and counters must not change. */
    static unsigned runs;
    const int stepped = runs++ % 3 == 1;
    dlp_iss_set_stepped(e->iss, stepped);
    int rc = dlp_iss_run(e->iss, pa, (uint32_t)n, MEM_BASE, MEM_BASE + MEM_SIZE - 1);
    if (stepped) {
        while (dlp_iss_step(e->iss, 1 + runs % 7))
            ;
        rc = (int)dlp_iss_csr_read(e->iss, DLP_CSR_ERR_CODE);
        dlp_iss_set_stepped(e->iss, 0);
    }
    total_insns += n;
    const uint32_t st = dlp_iss_csr_read(e->iss, DLP_CSR_STATUS);
    CHECK(rc == 0 && st == DLP_STATUS_DONE,
          "%s: ISS error %d (%s) at index %u, status %x "
          "[N=%u act=%u wgt=%u acc=%u qd=%u tb=%u]",
          what, rc, dlp_err_name((uint32_t)rc), dlp_iss_csr_read(e->iss, DLP_CSR_ERR_INDEX), st,
          e->cfg.n, e->cfg.act_bytes, e->cfg.wgt_bytes, e->cfg.acc_bytes, e->cfg.queue_depth,
          e->cfg.token_bits);

    counters c;
    expected_counters(e->prog, e->cfg.n, &c);
    for (int k = 0; k <= DLP_PERF_VEC_ROWS; k++)
        CHECK(dlp_iss_perf(e->iss, k) == c.v[k], "%s: counter %s = %llu, expected %llu", what,
              dlp_perf_name(k), (unsigned long long)dlp_iss_perf(e->iss, k),
              (unsigned long long)c.v[k]);

    const uint8_t *now = mem(e, MEM_BASE, used);
    size_t bad = 0;
    for (size_t i = 0; i < used; i++)
        if (now[i] != snap[i] && !(MEM_BASE + i >= y && MEM_BASE + i < y + ylen))
            bad++;
    CHECK(bad == 0, "%s: %zu DDR bytes changed outside the output", what, bad);
    free(snap);
    return rc == 0;
}

static int compare(int op, const char *what, const int8_t *got, const int8_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) {
            CHECK(0, "%s: element %zu of %zu: DLP %d, reference %d", what, i, n, got[i], want[i]);
            return 0;
        }
    n_ok[op]++;
    CHECK(1, "ok");
    return 1;
}

/* Output clamp: full range, ReLU-like or a random window around the zero point. */
static void rnd_clamp(int32_t zp, int32_t *lo, int32_t *hi)
{
    switch (rnd(0, 3)) {
    case 0:
        *lo = zp;
        *hi = 127;
        break;
    case 1:
        *lo = rnd(-128, zp);
        *hi = rnd(zp, 127);
        break;
    default:
        *lo = -128;
        *hi = 127;
        break;
    }
}

/* ------------------------------------------------------------------ matmul / FC */
static void case_matmul(void)
{
    env_t e;
    env_open(&e);
    const uint32_t N = e.cfg.n;
    const int m = rnd(0, 3) ? rnd(1, 24) : rnd(25, 80);
    const int k = rnd(0, 2) ? rnd(1, 64) : rnd(65, 300);
    const int n = rnd(0, 2) ? rnd(1, 40) : rnd(41, 90);
    const int trans_b = rnd(0, 1);
    const int32_t a_zp = rnd(-128, 127), y_zp = rnd(-20, 20), b_zp = 0;
    int8_t *A = malloc((size_t)m * k), *B = malloc((size_t)k * n);
    int8_t *want = malloc((size_t)m * n), *got = malloc((size_t)m * n);
    int32_t *bias = malloc(n * sizeof(int32_t)), *mult = malloc(n * sizeof(int32_t));
    int32_t *shift = malloc(n * sizeof(int32_t)), *wsum = malloc(n * sizeof(int32_t));
    float *ws = malloc(n * sizeof(float));
    char what[160];
    snprintf(what, sizeof what, "matmul m=%d k=%d n=%d trans_b=%d N=%u", m, k, n, trans_b, N);

    rnd_s8(A, (size_t)m * k);
    rnd_s8(B, (size_t)k * n);
    const double xs = rndf(0.005, 0.05);
    for (int j = 0; j < n; j++) {
        ws[j] = (float)rndf(0.002, 0.02);
        bias[j] = rnd(-40000, 40000);
    }
    const double ys = xs * 0.01 * sqrt((double)k) * 60.0 * rndf(0.3, 2.0);
    int32_t lo, hi;
    rnd_clamp(y_zp, &lo, &hi);
    CHECK(dlp_requant_prepare(xs, ws, n, ys, mult, shift) == DLP_OK, "requant_prepare");
    const dlp_requant rq = {mult, shift, n, y_zp, lo, hi, DLP_S8};
    const dlp_matmul_shape sh = {1, m, k, n, 0, trans_b, 0};
    CHECK(dlp_matmul_q(&sh, A, DLP_S8, a_zp, B, DLP_S8, &b_zp, 1, bias, &rq, want) == DLP_OK,
          "reference matmul");

    /* DDR image */
    uint8_t *buf =
        malloc(dlp_matmul_wgt_bytes(N, (uint32_t)k, (uint32_t)n) +
               dlp_act_bytes(N, (size_t)m, (uint32_t)k) + dlp_req_prm_bytes(N, (uint32_t)n));
    dlp_pack_act(N, (size_t)m, (uint32_t)k, A, a_zp, buf);
    const uint32_t a_addr = put(&e, buf, dlp_act_bytes(N, (size_t)m, (uint32_t)k));
    dlp_pack_matmul_wgt(N, (uint32_t)k, (uint32_t)n, trans_b, B, buf);
    const uint32_t w_addr = put(&e, buf, dlp_matmul_wgt_bytes(N, (uint32_t)k, (uint32_t)n));
    dlp_matmul_wsum((uint32_t)k, (uint32_t)n, trans_b, B, wsum);
    const dlp_req_prm rp = {(uint32_t)n, bias, wsum, a_zp, mult, shift, (uint32_t)n, NULL, y_zp};
    dlp_pack_req_prm(N, &rp, buf);
    const uint32_t p_addr = put(&e, buf, dlp_req_prm_bytes(N, (uint32_t)n));
    const size_t ylen = dlp_act_bytes(N, (size_t)m, (uint32_t)n);
    const uint32_t y_addr = alloc(&e, ylen);

    const dlp_lower_matmul_args args = {(uint32_t)m, (uint32_t)k, (uint32_t)n, a_addr, w_addr,
                                        p_addr,      y_addr,      lo,          hi};
    if (built(&e, OP_MATMUL, dlp_lower_matmul(&e.L, &args), what) &&
        run(&e, OP_MATMUL, what, y_addr, ylen)) {
        dlp_unpack_act(N, (size_t)m, (uint32_t)n, mem(&e, y_addr, ylen), got);
        compare(OP_MATMUL, what, got, want, (size_t)m * n);
    }
    free(A);
    free(B);
    free(want);
    free(got);
    free(bias);
    free(mult);
    free(shift);
    free(wsum);
    free(ws);
    free(buf);
    env_close(&e);
}

/* ------------------------------------------------------------------ conv2d */
static int rnd_conv_shape(dlp_conv_shape *s)
{
    memset(s, 0, sizeof *s);
    s->n = rnd(0, 3) ? 1 : 2;
    s->h = rnd(1, 20);
    s->w = rnd(1, 20);
    s->kh = rnd(1, imin(5, s->h + 2));
    s->kw = rnd(1, imin(5, s->w + 2));
    s->stride_h = rnd(1, 3);
    s->stride_w = rnd(1, 3);
    s->dil_h = rnd(0, 3) ? 1 : 2;
    s->dil_w = rnd(0, 3) ? 1 : 2;
    /* pads smaller than the dilated kernel extent (no window entirely in padding) */
    s->pad_t = rnd(0, imin(2, (s->kh - 1) * s->dil_h));
    s->pad_b = rnd(0, imin(2, (s->kh - 1) * s->dil_h));
    s->pad_l = rnd(0, imin(2, (s->kw - 1) * s->dil_w));
    s->pad_r = rnd(0, imin(2, (s->kw - 1) * s->dil_w));
    const int kind = rnd(0, 5);
    if (kind == 0) { /* depthwise, channel multiplier 1 or 2 */
        s->c = rnd(1, 40);
        s->groups = s->c;
        s->cout = s->c * rnd(1, 2);
    } else if (kind == 1) { /* grouped */
        s->groups = rnd(2, 4);
        s->c = s->groups * rnd(1, 10);
        s->cout = s->groups * rnd(1, 10);
    } else {
        s->groups = 1;
        s->c = rnd(1, 40);
        s->cout = rnd(1, 40);
    }
    int oh, ow;
    return dlp_conv_out_hw(s, &oh, &ow) == DLP_OK;
}

static void case_conv(void)
{
    env_t e;
    env_open(&e);
    const uint32_t N = e.cfg.n;
    dlp_conv_shape s;
    while (!rnd_conv_shape(&s))
        ;
    int oh, ow;
    dlp_conv_out_hw(&s, &oh, &ow);
    const size_t npx = (size_t)s.n * s.h * s.w, opx = (size_t)s.n * oh * ow;
    const size_t wlen = (size_t)s.cout * s.kh * s.kw * (s.c / s.groups);
    const int32_t x_zp = rnd(-128, 127), y_zp = rnd(-20, 20), w_zp = 0;
    int8_t *x = malloc(npx * s.c), *w = malloc(wlen);
    int8_t *want = malloc(opx * s.cout), *got = malloc(opx * s.cout);
    int32_t *bias = malloc(s.cout * sizeof(int32_t)), *mult = malloc(s.cout * sizeof(int32_t));
    int32_t *shift = malloc(s.cout * sizeof(int32_t)), *wsum = malloc(s.cout * sizeof(int32_t));
    float *ws = malloc(s.cout * sizeof(float));
    char what[256];
    snprintf(what, sizeof what,
             "conv n=%d %dx%dx%d -> %d k=%dx%d s=%d,%d d=%d,%d pad=%d,%d,%d,%d g=%d N=%u", s.n, s.h,
             s.w, s.c, s.cout, s.kh, s.kw, s.stride_h, s.stride_w, s.dil_h, s.dil_w, s.pad_t,
             s.pad_l, s.pad_b, s.pad_r, s.groups, N);

    rnd_s8(x, npx * s.c);
    rnd_s8(w, wlen);
    const double xs = rndf(0.005, 0.05);
    for (int j = 0; j < s.cout; j++) {
        ws[j] = (float)rndf(0.002, 0.02);
        bias[j] = rnd(-40000, 40000);
    }
    const double ys = xs * 0.01 * sqrt((double)wlen / s.cout) * 60.0 * rndf(0.3, 2.0);
    int32_t lo, hi;
    rnd_clamp(y_zp, &lo, &hi);
    CHECK(dlp_requant_prepare(xs, ws, s.cout, ys, mult, shift) == DLP_OK, "requant_prepare");
    const dlp_requant rq = {mult, shift, s.cout, y_zp, lo, hi, DLP_S8};
    CHECK(dlp_conv2d_q(&s, x, DLP_S8, x_zp, w, DLP_S8, &w_zp, 1, bias, &rq, want) == DLP_OK,
          "reference conv2d");

    const size_t xlen = dlp_act_bytes(N, npx, (uint32_t)s.c), wblen = dlp_conv_wgt_bytes(N, &s);
    uint8_t *buf = malloc(xlen + wblen + dlp_req_prm_bytes(N, (uint32_t)s.cout));
    dlp_pack_act(N, npx, (uint32_t)s.c, x, x_zp, buf);
    const uint32_t x_addr = put(&e, buf, xlen);
    dlp_pack_conv_wgt(N, &s, w, buf);
    const uint32_t w_addr = put(&e, buf, wblen);
    dlp_conv_wsum(&s, w, wsum);
    const dlp_req_prm rp = {(uint32_t)s.cout, bias, wsum, x_zp, mult, shift,
                            (uint32_t)s.cout, NULL, y_zp};
    dlp_pack_req_prm(N, &rp, buf);
    const uint32_t p_addr = put(&e, buf, dlp_req_prm_bytes(N, (uint32_t)s.cout));
    const size_t ylen = dlp_act_bytes(N, opx, (uint32_t)s.cout);
    const uint32_t y_addr = alloc(&e, ylen);

    const dlp_lower_conv_args args = {s, x_zp, x_addr, w_addr, p_addr, y_addr, lo, hi};
    if (built(&e, OP_CONV, dlp_lower_conv2d(&e.L, &args), what) &&
        run(&e, OP_CONV, what, y_addr, ylen)) {
        dlp_unpack_act(N, opx, (uint32_t)s.cout, mem(&e, y_addr, ylen), got);
        compare(OP_CONV, what, got, want, opx * s.cout);
    }
    free(x);
    free(w);
    free(want);
    free(got);
    free(bias);
    free(mult);
    free(shift);
    free(wsum);
    free(ws);
    free(buf);
    env_close(&e);
}

/* ------------------------------------------------------------------ pooling */
static int rnd_pool_shape(dlp_pool_shape *s, int global)
{
    memset(s, 0, sizeof *s);
    s->n = rnd(0, 3) ? 1 : 2;
    s->h = rnd(1, 20);
    s->w = rnd(1, 20);
    s->c = rnd(1, 40);
    s->stride_h = s->stride_w = s->dil_h = s->dil_w = 1;
    if (global) {
        s->kh = s->h;
        s->kw = s->w;
        return 1;
    }
    s->kh = rnd(1, imin(4, s->h));
    s->kw = rnd(1, imin(4, s->w));
    s->stride_h = rnd(1, 3);
    s->stride_w = rnd(1, 3);
    s->dil_h = rnd(0, 4) ? 1 : 2;
    s->dil_w = rnd(0, 4) ? 1 : 2;
    s->pad_t = rnd(0, (s->kh - 1) / 2 + (s->kh > 1));
    s->pad_b = rnd(0, (s->kh - 1) / 2 + (s->kh > 1));
    s->pad_l = rnd(0, (s->kw - 1) / 2 + (s->kw > 1));
    s->pad_r = rnd(0, (s->kw - 1) / 2 + (s->kw > 1));
    s->pad_t = imin(s->pad_t, s->kh - 1);
    s->pad_b = imin(s->pad_b, s->kh - 1);
    s->pad_l = imin(s->pad_l, s->kw - 1);
    s->pad_r = imin(s->pad_r, s->kw - 1);
    s->ceil_mode = rnd(0, 2) == 0;
    s->count_include_pad = rnd(0, 1);
    int oh, ow;
    return dlp_pool_out_hw(s, &oh, &ow) == DLP_OK;
}

static void case_pool(int op)
{
    env_t e;
    env_open(&e);
    const uint32_t N = e.cfg.n;
    dlp_pool_shape s;
    int oh, ow;
    size_t npx, opx;
    int8_t *x = NULL, *want = NULL;
    const int32_t x_zp = rnd(-128, 127), y_zp = rnd(-128, 127);
    const double xs = rndf(0.01, 0.1), ys = xs * rndf(0.5, 2.0);
    int32_t lo, hi;
    rnd_clamp(y_zp, &lo, &hi);
    const dlp_requant rq = {NULL, NULL, 1, y_zp, lo, hi, DLP_S8};
    for (;;) { /* a shape the reference accepts */
        if (!rnd_pool_shape(&s, op == OP_GAP))
            continue;
        dlp_pool_out_hw(&s, &oh, &ow);
        npx = (size_t)s.n * s.h * s.w;
        opx = (size_t)s.n * oh * ow;
        free(x);
        free(want);
        x = malloc(npx * s.c);
        want = malloc(opx * s.c);
        rnd_s8(x, npx * s.c);
        int st = op == OP_MAXPOOL ? dlp_maxpool(&s, x, DLP_S8, want)
                 : op == OP_AVGPOOL
                     ? dlp_avgpool_q(&s, x, DLP_S8, x_zp, xs, ys, &rq, want)
                     : dlp_global_avgpool_q(s.n, s.h, s.w, s.c, x, DLP_S8, x_zp, xs, ys, &rq, want);
        if (st == DLP_OK)
            break;
    }
    int8_t *got = malloc(opx * s.c);
    char what[256];
    snprintf(what, sizeof what,
             "%s n=%d %dx%dx%d k=%dx%d s=%d,%d d=%d,%d pad=%d,%d,%d,%d ceil=%d incl=%d N=%u",
             op_names[op], s.n, s.h, s.w, s.c, s.kh, s.kw, s.stride_h, s.stride_w, s.dil_h, s.dil_w,
             s.pad_t, s.pad_l, s.pad_b, s.pad_r, s.ceil_mode, s.count_include_pad, N);

    const size_t xlen = dlp_act_bytes(N, npx, (uint32_t)s.c);
    uint8_t *buf = malloc(xlen);
    dlp_pack_act(N, npx, (uint32_t)s.c, x, x_zp, buf);
    dlp_lower_pool_args args = {s, put(&e, buf, xlen), 0, 0, lo, hi};
    if (op != OP_MAXPOOL) {
        const size_t plen = dlp_avgpool_prm_bytes(N, &s);
        uint8_t *pb = malloc(plen);
        CHECK(plen && dlp_pack_avgpool_prm(N, &s, x_zp, xs, ys, y_zp, pb) == 0, "avgpool prm");
        args.prm = put(&e, pb, plen);
        free(pb);
    }
    const size_t ylen = dlp_act_bytes(N, opx, (uint32_t)s.c);
    args.y = alloc(&e, ylen);
    const int rc =
        op == OP_MAXPOOL ? dlp_lower_maxpool(&e.L, &args) : dlp_lower_avgpool(&e.L, &args);
    if (built(&e, op, rc, what) && run(&e, op, what, args.y, ylen)) {
        dlp_unpack_act(N, opx, (uint32_t)s.c, mem(&e, args.y, ylen), got);
        compare(op, what, got, want, opx * s.c);
    }
    free(x);
    free(want);
    free(got);
    free(buf);
    env_close(&e);
}

/* ------------------------------------------------------------------ elementwise */
static void case_eltwise(int op)
{
    env_t e;
    env_open(&e);
    const uint32_t N = e.cfg.n;
    const int px = rnd(0, 3) ? rnd(1, 64) : rnd(65, 2000), c = rnd(1, 40);
    const size_t cnt = (size_t)px * c;
    const int32_t a_zp = rnd(-128, 127), b_zp = rnd(-128, 127), y_zp = rnd(-128, 127);
    const double as = rndf(0.01, 0.1), bs = rndf(0.01, 0.1);
    const double ys = op == OP_ADD ? rndf(0.01, 0.2) : as * bs * rndf(20.0, 200.0);
    int32_t lo, hi;
    rnd_clamp(y_zp, &lo, &hi);
    int8_t *a = malloc(cnt), *b = malloc(cnt), *want = malloc(cnt), *got = malloc(cnt);
    rnd_s8(a, cnt);
    rnd_s8(b, cnt);
    const size_t len = dlp_act_bytes(N, (size_t)px, (uint32_t)c);
    uint8_t *buf = malloc(len), prm[DLP_ADD_PRM_ROWS * 4 * 16];
    dlp_lower_eltwise_args args = {(uint32_t)(len / N), 0, 0, 0, 0, lo, hi, 0};
    if (op == OP_ADD) {
        dlp_add_params p;
        CHECK(dlp_add_prepare(as, a_zp, bs, b_zp, ys, y_zp, lo, hi, &p) == DLP_OK, "add_prepare");
        CHECK(dlp_add_q(cnt, a, DLP_S8, b, DLP_S8, &p, want, DLP_S8) == DLP_OK, "reference add");
        dlp_pack_add_prm(N, &p, prm);
        args.prm = put(&e, prm, dlp_add_prm_bytes(N));
        args.left_shift = (uint32_t)p.left_shift;
    } else {
        dlp_mul_params p;
        CHECK(dlp_mul_prepare(as, a_zp, bs, b_zp, ys, y_zp, lo, hi, &p) == DLP_OK, "mul_prepare");
        CHECK(dlp_mul_q(cnt, a, DLP_S8, b, DLP_S8, &p, want, DLP_S8) == DLP_OK, "reference mul");
        dlp_pack_mul_prm(N, &p, prm);
        args.prm = put(&e, prm, dlp_mul_prm_bytes(N));
    }
    dlp_pack_act(N, (size_t)px, (uint32_t)c, a, a_zp, buf);
    args.a = put(&e, buf, len);
    dlp_pack_act(N, (size_t)px, (uint32_t)c, b, b_zp, buf);
    args.b = put(&e, buf, len);
    args.y = alloc(&e, len);
    char what[128];
    snprintf(what, sizeof what, "%s %d px x %d ch N=%u", op_names[op], px, c, N);
    const int rc = op == OP_ADD ? dlp_lower_add(&e.L, &args) : dlp_lower_mul(&e.L, &args);
    if (built(&e, op, rc, what) && run(&e, op, what, args.y, len)) {
        dlp_unpack_act(N, (size_t)px, (uint32_t)c, mem(&e, args.y, len), got);
        compare(op, what, got, want, cnt);
    }
    free(a);
    free(b);
    free(want);
    free(got);
    free(buf);
    env_close(&e);
}

/* ------------------------------------------------------------------ LUT */
static void case_lut(void)
{
    env_t e;
    env_open(&e);
    const uint32_t N = e.cfg.n;
    const int px = rnd(0, 3) ? rnd(1, 64) : rnd(65, 3000), c = rnd(1, 40);
    const size_t cnt = (size_t)px * c;
    int16_t lut[256];
    int32_t lo, hi;
    const int kind = rnd(0, 7);
    if (kind <= (int)DLP_FN_ERF) {
        CHECK(dlp_lut_build((dlp_fn)kind, rndf(0.01, 0.2), rnd(-20, 20), rndf(0.005, 0.05),
                            rnd(-20, 20), lut) == DLP_OK,
              "lut_build");
    } else { /* arbitrary int16 entries: the clamp matters */
        for (int i = 0; i < 256; i++)
            lut[i] = (int16_t)rnd(-32768, 32767);
    }
    rnd_clamp(0, &lo, &hi);
    int8_t *x = malloc(cnt), *want = malloc(cnt), *got = malloc(cnt);
    rnd_s8(x, cnt);
    CHECK(dlp_lut_s8(cnt, x, lut, lo, hi, want) == DLP_OK, "reference lut");
    const size_t len = dlp_act_bytes(N, (size_t)px, (uint32_t)c);
    uint8_t *buf = malloc(len), tb[DLP_LUT_BYTES];
    dlp_pack_lut(lut, tb);
    dlp_pack_act(N, (size_t)px, (uint32_t)c, x, 0, buf);
    dlp_lower_lut_args args = {
        (uint32_t)(len / N), put(&e, buf, len), 0, put(&e, tb, sizeof tb), lo, hi};
    args.y = alloc(&e, len);
    char what[128];
    snprintf(what, sizeof what, "lut kind %d %d px x %d ch N=%u", kind, px, c, N);
    if (built(&e, OP_LUT, dlp_lower_lut(&e.L, &args), what) && run(&e, OP_LUT, what, args.y, len)) {
        dlp_unpack_act(N, (size_t)px, (uint32_t)c, mem(&e, args.y, len), got);
        compare(OP_LUT, what, got, want, cnt);
        const int16_t *il = dlp_iss_lut(e.iss);
        CHECK(il && !memcmp(il, lut, sizeof lut), "%s: LUT table after LUTLD", what);
    }
    free(x);
    free(want);
    free(got);
    free(buf);
    env_close(&e);
}

/* ------------------------------------------------------------------ softmax / layernorm */
static void case_softmax(void)
{
    env_t e;
    env_open(&e);
    const uint32_t N = e.cfg.n;
    const int rows = rnd(1, 24), len = rnd(0, 2) ? rnd(1, 64) : rnd(65, 300);
    const double xs = rndf(0.01, 0.5);
    const int std_out = rnd(0, 2) != 0;
    const double ys = std_out ? 1.0 / 256.0 : rndf(0.002, 0.02);
    const int32_t y_zp = std_out ? -128 : rnd(-128, 0);
    const size_t cnt = (size_t)rows * len;
    int8_t *x = malloc(cnt), *want = malloc(cnt), *got = malloc(cnt);
    rnd_s8(x, cnt);
    if (rnd(0, 3) == 0) /* narrow value ranges: large exponents, many equal entries */
        for (size_t i = 0; i < cnt; i++)
            x[i] = (int8_t)(x[i] / 16);
    CHECK(dlp_softmax_q(rows, len, x, xs, ys, y_zp, want) == DLP_OK, "reference softmax");

    int16_t lut[256];
    uint8_t tb[DLP_LUT_BYTES];
    int32_t mult, shift;
    CHECK(dlp_lut_build_softmax_exp(xs, lut) == DLP_OK, "softmax table");
    dlp_quantize_multiplier(1.0 / (1073741824.0 * ys), &mult, &shift);
    dlp_pack_lut(lut, tb);
    const size_t xlen = dlp_act_bytes(N, (size_t)rows, (uint32_t)len);
    uint8_t *buf = malloc(xlen);
    dlp_pack_act(N, (size_t)rows, (uint32_t)len, x, 0, buf);
    dlp_lower_softmax_args args = {(uint32_t)rows,
                                   (uint32_t)len,
                                   put(&e, buf, xlen),
                                   0,
                                   put(&e, tb, sizeof tb),
                                   mult,
                                   shift,
                                   y_zp,
                                   -128,
                                   127};
    args.y = alloc(&e, xlen);
    char what[128];
    snprintf(what, sizeof what, "softmax %d x %d xs=%g N=%u", rows, len, xs, N);
    if (built(&e, OP_SOFTMAX, dlp_lower_softmax(&e.L, &args), what) &&
        run(&e, OP_SOFTMAX, what, args.y, xlen)) {
        dlp_unpack_act(N, (size_t)rows, (uint32_t)len, mem(&e, args.y, xlen), got);
        compare(OP_SOFTMAX, what, got, want, cnt);
    }
    free(x);
    free(want);
    free(got);
    free(buf);
    env_close(&e);
}

static void case_layernorm(void)
{
    env_t e;
    env_open(&e);
    const uint32_t N = e.cfg.n;
    const int rows = rnd(1, 24), len = rnd(0, 2) ? rnd(1, 64) : rnd(65, 300);
    const double xs = rndf(0.01, 0.2), ys = rndf(0.01, 0.1), eps = rnd(0, 1) ? 1e-5 : 1e-2;
    const int32_t y_zp = rnd(-20, 20);
    const size_t cnt = (size_t)rows * len;
    int8_t *x = malloc(cnt), *want = malloc(cnt), *got = malloc(cnt);
    float *gamma = malloc(len * sizeof(float)), *beta = malloc(len * sizeof(float));
    const int affine = rnd(0, 3) != 0;
    rnd_s8(x, cnt);
    if (rnd(0, 4) == 0) /* constant rows: Q = eps_term only */
        for (size_t i = 0; i < cnt; i++)
            x[i] = x[i - i % len];
    for (int j = 0; j < len; j++) {
        gamma[j] = (float)rndf(-2.0, 2.0);
        beta[j] = (float)rndf(-1.0, 1.0);
    }
    const float *g = affine ? gamma : NULL, *b = affine ? beta : NULL;
    CHECK(dlp_layernorm_q(rows, len, x, xs, g, b, eps, ys, y_zp, want) == DLP_OK,
          "reference layernorm");

    const size_t xlen = dlp_act_bytes(N, (size_t)rows, (uint32_t)len);
    const size_t plen = dlp_req_prm_bytes(N, (uint32_t)len);
    uint8_t *buf = malloc(xlen + plen);
    CHECK(dlp_pack_lnorm_prm(N, (uint32_t)len, g, b, ys, y_zp, buf) == 0, "lnorm prm");
    const uint32_t p_addr = put(&e, buf, plen);
    dlp_pack_act(N, (size_t)rows, (uint32_t)len, x, 0, buf);
    dlp_lower_lnorm_args args = {(uint32_t)rows,
                                 (uint32_t)len,
                                 put(&e, buf, xlen),
                                 0,
                                 p_addr,
                                 dlp_lnorm_eps_term(eps, len, xs),
                                 -128,
                                 127};
    args.y = alloc(&e, xlen);
    char what[128];
    snprintf(what, sizeof what, "layernorm %d x %d affine=%d N=%u", rows, len, affine, N);
    if (built(&e, OP_LNORM, dlp_lower_layernorm(&e.L, &args), what) &&
        run(&e, OP_LNORM, what, args.y, xlen)) {
        dlp_unpack_act(N, (size_t)rows, (uint32_t)len, mem(&e, args.y, xlen), got);
        compare(OP_LNORM, what, got, want, cnt);
    }
    free(x);
    free(want);
    free(got);
    free(gamma);
    free(beta);
    free(buf);
    env_close(&e);
}

/* ------------------------------------------------------------------ chained ops */
/* conv -> barrier -> maxpool in one program: the barrier orders the conv's STOREs before
 * the pool's LOADs of the same bytes. */
static void case_chain(void)
{
    env_t e;
    env_open(&e);
    const uint32_t N = e.cfg.n;
    dlp_conv_shape s = {.n = 1,
                        .h = rnd(4, 16),
                        .w = rnd(4, 16),
                        .c = rnd(1, 24),
                        .cout = rnd(1, 24),
                        .kh = 3,
                        .kw = 3,
                        .stride_h = 1,
                        .stride_w = 1,
                        .pad_t = 1,
                        .pad_l = 1,
                        .pad_b = 1,
                        .pad_r = 1,
                        .dil_h = 1,
                        .dil_w = 1,
                        .groups = 1};
    int oh, ow;
    dlp_conv_out_hw(&s, &oh, &ow);
    const dlp_pool_shape ps = {.n = 1,
                               .h = oh,
                               .w = ow,
                               .c = s.cout,
                               .kh = 2,
                               .kw = 2,
                               .stride_h = 2,
                               .stride_w = 2,
                               .dil_h = 1,
                               .dil_w = 1};
    int ph, pw;
    dlp_pool_out_hw(&ps, &ph, &pw);
    const size_t npx = (size_t)s.h * s.w, opx = (size_t)oh * ow, ppx = (size_t)ph * pw;
    const size_t wlen = (size_t)s.cout * 9 * s.c;
    const int32_t x_zp = rnd(-128, 127), y_zp = rnd(-20, 20), w_zp = 0;
    int8_t *x = malloc(npx * s.c), *w = malloc(wlen), *mid = malloc(opx * s.cout);
    int8_t *want = malloc(ppx * s.cout), *got = malloc(ppx * s.cout);
    int32_t bias[24], mult[24], shift[24], wsum[24];
    float ws[24];
    rnd_s8(x, npx * s.c);
    rnd_s8(w, wlen);
    for (int j = 0; j < s.cout; j++) {
        ws[j] = (float)rndf(0.002, 0.02);
        bias[j] = rnd(-4000, 4000);
    }
    const double xs = 0.02, ys = xs * 0.01 * sqrt(9.0 * s.c) * 60.0;
    CHECK(dlp_requant_prepare(xs, ws, s.cout, ys, mult, shift) == DLP_OK, "prepare");
    const dlp_requant rq = {mult, shift, s.cout, y_zp, -128, 127, DLP_S8};
    CHECK(dlp_conv2d_q(&s, x, DLP_S8, x_zp, w, DLP_S8, &w_zp, 1, bias, &rq, mid) == DLP_OK &&
              dlp_maxpool(&ps, mid, DLP_S8, want) == DLP_OK,
          "reference chain");

    const size_t xlen = dlp_act_bytes(N, npx, (uint32_t)s.c), wblen = dlp_conv_wgt_bytes(N, &s);
    uint8_t *buf = malloc(xlen + wblen);
    dlp_pack_act(N, npx, (uint32_t)s.c, x, x_zp, buf);
    const uint32_t x_addr = put(&e, buf, xlen);
    dlp_pack_conv_wgt(N, &s, w, buf);
    const uint32_t w_addr = put(&e, buf, wblen);
    dlp_conv_wsum(&s, w, wsum);
    const dlp_req_prm rp = {(uint32_t)s.cout, bias, wsum, x_zp, mult, shift,
                            (uint32_t)s.cout, NULL, y_zp};
    dlp_pack_req_prm(N, &rp, buf);
    const uint32_t p_addr = put(&e, buf, dlp_req_prm_bytes(N, (uint32_t)s.cout));
    /* intermediate and output adjacent: one "output" range for the DDR check */
    const size_t mlen = dlp_act_bytes(N, opx, (uint32_t)s.cout);
    const size_t ylen = dlp_act_bytes(N, ppx, (uint32_t)s.cout);
    const uint32_t m_addr = alloc(&e, mlen + ylen), y_addr = m_addr + (uint32_t)mlen;
    const dlp_lower_conv_args ca = {s, x_zp, x_addr, w_addr, p_addr, m_addr, -128, 127};
    const dlp_lower_pool_args pa = {ps, m_addr, y_addr, 0, -128, 127};
    char what[128];
    snprintf(what, sizeof what, "chain %dx%dx%d -> %d N=%u", s.h, s.w, s.c, s.cout, N);
    int rc = dlp_lower_conv2d(&e.L, &ca);
    if (!rc)
        rc = dlp_lower_barrier(&e.L);
    if (!rc)
        rc = dlp_lower_maxpool(&e.L, &pa);
    if (built(&e, OP_CHAIN, rc, what) && run(&e, OP_CHAIN, what, m_addr, mlen + ylen)) {
        dlp_unpack_act(N, ppx, (uint32_t)s.cout, mem(&e, y_addr, ylen), got);
        compare(OP_CHAIN, what, got, want, ppx * s.cout);
    }
    free(x);
    free(w);
    free(mid);
    free(want);
    free(got);
    free(buf);
    env_close(&e);
}

/* ------------------------------------------------------------------ lowering errors */
static void test_lower_errors(void)
{
    dlp_config cfg;
    dlp_prog *p = dlp_prog_new();
    dlp_lower L;
    dlp_config_default(&cfg);
    cfg.n = 16;
    cfg.wgt_bytes = 1024; /* 64 rows: one tap of 80 input channels needs 80 */
    CHECK(dlp_lower_init(&L, &cfg, p) == 0, "init");
    dlp_lower_conv_args ca = {.s = {.n = 1,
                                    .h = 4,
                                    .w = 4,
                                    .c = 80,
                                    .cout = 4,
                                    .kh = 1,
                                    .kw = 1,
                                    .stride_h = 1,
                                    .stride_w = 1,
                                    .dil_h = 1,
                                    .dil_w = 1,
                                    .groups = 1},
                              .lo = -128,
                              .hi = 127};
    CHECK(dlp_lower_conv2d(&L, &ca) == DLP_LOWER_E_FIT &&
              strstr(dlp_lower_msg(&L), "needs 80 WGT rows, WGT has 64"),
          "conv FIT message: %s", dlp_lower_msg(&L));
    cfg.wgt_bytes = 128 * 1024;
    cfg.act_bytes = 1024; /* 64 rows */
    dlp_prog_reset(p);
    CHECK(dlp_lower_init(&L, &cfg, p) == 0, "init");
    ca.s.h = ca.s.w = 20;
    ca.s.c = 40;
    CHECK(dlp_lower_conv2d(&L, &ca) == DLP_LOWER_E_FIT && strstr(dlp_lower_msg(&L), "ACT has 64"),
          "conv ACT message: %s", dlp_lower_msg(&L));
    ca.lo = 5;
    ca.hi = 4;
    CHECK(dlp_lower_conv2d(&L, &ca) == DLP_LOWER_E_ARG, "conv bad clamp");
    cfg.n = 5;
    CHECK(dlp_lower_init(&L, &cfg, p) == DLP_LOWER_E_ARG && strstr(dlp_lower_msg(&L), "N"),
          "bad config: %s", dlp_lower_msg(&L));
    cfg.n = 4;
    dlp_config_default(&cfg);
    cfg.n = 4;
    dlp_prog_reset(p);
    CHECK(dlp_lower_init(&L, &cfg, p) == 0, "init");
    const dlp_lower_pool_args pa = {.s = {.n = 1,
                                          .h = 2,
                                          .w = 300,
                                          .c = 1,
                                          .kh = 1,
                                          .kw = 1,
                                          .stride_h = 1,
                                          .stride_w = 1,
                                          .dil_h = 1,
                                          .dil_w = 1,
                                          .pad_l = 300},
                                    .lo = -128,
                                    .hi = 127};
    CHECK(dlp_lower_maxpool(&L, &pa) == DLP_LOWER_E_FIELD &&
              strstr(dlp_lower_msg(&L), "y_pad_before=300 does not fit 8 bits"),
          "field overflow message: %s", dlp_lower_msg(&L));
    dlp_prog_free(p);
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 2;
    dump_dir = getenv("DLP_DUMP_DIR");
    if (dump_dir) {
        dump_n = getenv("DLP_DUMP_N") ? atoi(getenv("DLP_DUMP_N")) : 16;
        dump_bus = getenv("DLP_DUMP_BUS") ? atoi(getenv("DLP_DUMP_BUS")) : 16;
        dump_max = getenv("DLP_DUMP_MAX") ? atoi(getenv("DLP_DUMP_MAX")) : 1000000;
        dump_every = getenv("DLP_DUMP_EVERY") ? atoi(getenv("DLP_DUMP_EVERY")) : 1;
        if (dump_every < 1)
            dump_every = 1;
    }
    test_lower_errors();
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < 300; i++)
            case_matmul();
        for (int i = 0; i < 400; i++)
            case_conv();
        for (int i = 0; i < 200; i++)
            case_pool(OP_MAXPOOL);
        for (int i = 0; i < 200; i++)
            case_pool(OP_AVGPOOL);
        for (int i = 0; i < 100; i++)
            case_pool(OP_GAP);
        for (int i = 0; i < 100; i++)
            case_eltwise(OP_ADD);
        for (int i = 0; i < 100; i++)
            case_eltwise(OP_MUL);
        for (int i = 0; i < 100; i++)
            case_lut();
        for (int i = 0; i < 150; i++)
            case_softmax();
        for (int i = 0; i < 150; i++)
            case_layernorm();
        for (int i = 0; i < 60; i++)
            case_chain();
    }
    for (int op = 0; op < NUM_OPS; op++)
        printf("  %-20s %4d run, %4d identical, %3d skipped (too large for a small config)\n",
               op_names[op], n_run[op], n_ok[op], n_skip[op]);
    printf("  %llu instructions executed\n", (unsigned long long)total_insns);
    return check_done("test_iss_ops");
}
