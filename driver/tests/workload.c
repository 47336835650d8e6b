/* workload.c - see workload.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/lower.h"
#include "workload.h"

/* xorshift32: deterministic data per seed, the same on every backend. */
static uint32_t rng_next(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}
static int32_t rng_int(uint32_t *s, int32_t lo, int32_t hi)
{
    return lo + (int32_t)(rng_next(s) % (uint32_t)(hi - lo + 1));
}
static void rng_s8(uint32_t *s, int8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (int8_t)rng_int(s, -128, 127);
}

static int fail(char *msg, size_t len, const char *what, const char *why)
{
    snprintf(msg, len, "%s: %s", what, why);
    return -1;
}

/* Device config as the lowerings need it (decoded from CAPS by the driver). */
static dlp_config dev_cfg(dlp_dev *d)
{
    dlp_dev_info info;
    dlp_dev_info_get(d, &info);
    return info.cfg;
}

/* Serialize p into a new program buffer and fill j->job. */
static int put_prog(wl_job *j, dlp_prog *p, char *msg, size_t len)
{
    j->prog_len = dlp_prog_len(p) * DLP_INSN_BYTES;
    j->prog_bytes = malloc(j->prog_len);
    if (!j->prog_bytes || dlp_prog_bytes(p, j->prog_bytes, j->prog_len) != j->prog_len)
        return fail(msg, len, j->what, "serializing the program");
    if (dlp_buf_alloc(j->d, j->prog_len, &j->prog) ||
        dlp_buf_write(j->prog, 0, j->prog_bytes, j->prog_len))
        return fail(msg, len, j->what, dlp_dev_last_error(j->d));
    j->job.insns = j->prog;
    j->job.insn_off = 0;
    j->job.count = (uint32_t)dlp_prog_len(p);
    return 0;
}

/* Lay out `n` pieces one after the other (32-byte aligned) in a new data buffer. */
static int put_data(wl_job *j, const uint8_t **piece, const size_t *plen, int n, size_t out_len,
                    uint32_t *addr, char *msg, size_t len)
{
    size_t total = 0, off[8];
    for (int i = 0; i < n; i++) {
        off[i] = total;
        total += (plen[i] + 63) & ~(size_t)63;
    }
    j->y_off = total;
    j->y_len = out_len;
    total += out_len;
    if (dlp_buf_alloc(j->d, total, &j->data))
        return fail(msg, len, j->what, dlp_dev_last_error(j->d));
    const uint64_t base = dlp_buf_addr(j->data);
    for (int i = 0; i < n; i++) {
        if (dlp_buf_write(j->data, off[i], piece[i], plen[i]))
            return fail(msg, len, j->what, dlp_dev_last_error(j->d));
        addr[i] = (uint32_t)(base + off[i]);
    }
    /* Poison the output so a job that writes nothing cannot pass. */
    uint8_t *junk = malloc(out_len);
    if (!junk)
        return fail(msg, len, j->what, "out of memory");
    memset(junk, 0x5A, out_len);
    int rc = dlp_buf_write(j->data, j->y_off, junk, out_len);
    free(junk);
    if (rc)
        return fail(msg, len, j->what, dlp_dev_last_error(j->d));
    addr[n] = (uint32_t)(base + j->y_off);
    return 0;
}

int wl_matmul(dlp_dev *d, int m, int k, int n, uint32_t seed, wl_job *j, char *msg, size_t len)
{
    memset(j, 0, sizeof *j);
    j->d = d;
    snprintf(j->what, sizeof j->what, "matmul m=%d k=%d n=%d seed=%u", m, k, n, seed);
    const dlp_config cfg = dev_cfg(d);
    const uint32_t N = cfg.n;
    uint32_t s = seed * 2654435761u + 1;
    const int32_t a_zp = rng_int(&s, -100, 100), y_zp = rng_int(&s, -10, 10), b_zp = 0;
    int8_t *A = malloc((size_t)m * k), *B = malloc((size_t)k * n);
    int32_t *bias = malloc(n * sizeof(int32_t)), *mult = malloc(n * sizeof(int32_t));
    int32_t *shift = malloc(n * sizeof(int32_t)), *wsum = malloc(n * sizeof(int32_t));
    float *ws = malloc(n * sizeof(float));
    j->want = malloc((size_t)m * n);
    j->y_px = (uint32_t)m;
    j->y_c = (uint32_t)n;
    const size_t alen = dlp_act_bytes(N, (size_t)m, (uint32_t)k);
    const size_t wlen = dlp_matmul_wgt_bytes(N, (uint32_t)k, (uint32_t)n);
    const size_t plen = dlp_req_prm_bytes(N, (uint32_t)n);
    uint8_t *ap = malloc(alen), *wp = malloc(wlen), *pp = malloc(plen);
    dlp_prog *p = dlp_prog_new();
    int rc = -1;
    if (!A || !B || !bias || !mult || !shift || !wsum || !ws || !j->want || !ap || !wp || !pp ||
        !p) {
        fail(msg, len, j->what, "out of memory");
        goto out;
    }
    rng_s8(&s, A, (size_t)m * k);
    rng_s8(&s, B, (size_t)k * n);
    for (int c = 0; c < n; c++) {
        ws[c] = 0.002f + 0.0001f * (float)(rng_next(&s) % 100);
        bias[c] = rng_int(&s, -20000, 20000);
    }
    const double xs = 0.02, ys = xs * 0.01 * sqrt((double)k) * 60.0;
    if (dlp_requant_prepare(xs, ws, n, ys, mult, shift) != DLP_OK) {
        fail(msg, len, j->what, "dlp_requant_prepare");
        goto out;
    }
    const dlp_requant rq = {mult, shift, n, y_zp, -128, 127, DLP_S8};
    const dlp_matmul_shape sh = {1, m, k, n, 0, 0, 0};
    if (dlp_matmul_q(&sh, A, DLP_S8, a_zp, B, DLP_S8, &b_zp, 1, bias, &rq, j->want) != DLP_OK) {
        fail(msg, len, j->what, "reference dlp_matmul_q");
        goto out;
    }
    dlp_pack_act(N, (size_t)m, (uint32_t)k, A, a_zp, ap);
    dlp_pack_matmul_wgt(N, (uint32_t)k, (uint32_t)n, 0, B, wp);
    dlp_matmul_wsum((uint32_t)k, (uint32_t)n, 0, B, wsum);
    const dlp_req_prm rp = {(uint32_t)n, bias, wsum, a_zp, mult, shift, (uint32_t)n, NULL, y_zp};
    dlp_pack_req_prm(N, &rp, pp);
    const uint8_t *pieces[3] = {ap, wp, pp};
    const size_t lens[3] = {alen, wlen, plen};
    uint32_t addr[4];
    if (put_data(j, pieces, lens, 3, dlp_act_bytes(N, (size_t)m, (uint32_t)n), addr, msg, len))
        goto out;
    dlp_lower L;
    const dlp_lower_matmul_args args = {(uint32_t)m, (uint32_t)k, (uint32_t)n, addr[0], addr[1],
                                        addr[2],     addr[3],     -128,        127};
    if (dlp_lower_init(&L, &cfg, p) || dlp_lower_matmul(&L, &args) || dlp_lower_finish(&L)) {
        fail(msg, len, j->what, dlp_lower_msg(&L));
        goto out;
    }
    rc = put_prog(j, p, msg, len);
out:
    free(A);
    free(B);
    free(bias);
    free(mult);
    free(shift);
    free(wsum);
    free(ws);
    free(ap);
    free(wp);
    free(pp);
    dlp_prog_free(p);
    return rc;
}

int wl_conv(dlp_dev *d, const dlp_conv_shape *sh, uint32_t seed, wl_job *j, char *msg, size_t len)
{
    memset(j, 0, sizeof *j);
    j->d = d;
    const dlp_conv_shape s = *sh;
    snprintf(j->what, sizeof j->what, "conv %dx%dx%d -> %d k=%dx%d stride %d pad %d seed=%u", s.h,
             s.w, s.c, s.cout, s.kh, s.kw, s.stride_h, s.pad_t, seed);
    const dlp_config cfg = dev_cfg(d);
    const uint32_t N = cfg.n;
    int oh, ow;
    if (dlp_conv_out_hw(&s, &oh, &ow) != DLP_OK)
        return fail(msg, len, j->what, "bad shape");
    uint32_t r = seed * 2654435761u + 7;
    const size_t npx = (size_t)s.n * s.h * s.w, opx = (size_t)s.n * oh * ow;
    const size_t wcount = (size_t)s.cout * s.kh * s.kw * (s.c / s.groups);
    const int32_t x_zp = rng_int(&r, -100, 100), y_zp = rng_int(&r, -10, 10), w_zp = 0;
    int8_t *x = malloc(npx * s.c), *w = malloc(wcount);
    int32_t *bias = malloc(s.cout * sizeof(int32_t)), *mult = malloc(s.cout * sizeof(int32_t));
    int32_t *shift = malloc(s.cout * sizeof(int32_t)), *wsum = malloc(s.cout * sizeof(int32_t));
    float *ws = malloc(s.cout * sizeof(float));
    j->want = malloc(opx * s.cout);
    j->y_px = (uint32_t)opx;
    j->y_c = (uint32_t)s.cout;
    const size_t xlen = dlp_act_bytes(N, npx, (uint32_t)s.c);
    const size_t wlen = dlp_conv_wgt_bytes(N, &s);
    const size_t plen = dlp_req_prm_bytes(N, (uint32_t)s.cout);
    uint8_t *xp = malloc(xlen), *wp = malloc(wlen), *pp = malloc(plen);
    dlp_prog *p = dlp_prog_new();
    int rc = -1;
    if (!x || !w || !bias || !mult || !shift || !wsum || !ws || !j->want || !xp || !wp || !pp ||
        !p) {
        fail(msg, len, j->what, "out of memory");
        goto out;
    }
    rng_s8(&r, x, npx * s.c);
    rng_s8(&r, w, wcount);
    for (int c = 0; c < s.cout; c++) {
        ws[c] = 0.002f + 0.0001f * (float)(rng_next(&r) % 100);
        bias[c] = rng_int(&r, -20000, 20000);
    }
    const double xs = 0.02, ys = xs * 0.01 * sqrt((double)wcount / s.cout) * 60.0;
    if (dlp_requant_prepare(xs, ws, s.cout, ys, mult, shift) != DLP_OK) {
        fail(msg, len, j->what, "dlp_requant_prepare");
        goto out;
    }
    const dlp_requant rq = {mult, shift, s.cout, y_zp, -128, 127, DLP_S8};
    if (dlp_conv2d_q(&s, x, DLP_S8, x_zp, w, DLP_S8, &w_zp, 1, bias, &rq, j->want) != DLP_OK) {
        fail(msg, len, j->what, "reference dlp_conv2d_q");
        goto out;
    }
    dlp_pack_act(N, npx, (uint32_t)s.c, x, x_zp, xp);
    dlp_pack_conv_wgt(N, &s, w, wp);
    dlp_conv_wsum(&s, w, wsum);
    const dlp_req_prm rp = {(uint32_t)s.cout, bias, wsum, x_zp, mult, shift,
                            (uint32_t)s.cout, NULL, y_zp};
    dlp_pack_req_prm(N, &rp, pp);
    const uint8_t *pieces[3] = {xp, wp, pp};
    const size_t lens[3] = {xlen, wlen, plen};
    uint32_t addr[4];
    if (put_data(j, pieces, lens, 3, dlp_act_bytes(N, opx, (uint32_t)s.cout), addr, msg, len))
        goto out;
    dlp_lower L;
    const dlp_lower_conv_args args = {s, x_zp, addr[0], addr[1], addr[2], addr[3], -128, 127};
    if (dlp_lower_init(&L, &cfg, p) || dlp_lower_conv2d(&L, &args) || dlp_lower_finish(&L)) {
        fail(msg, len, j->what, dlp_lower_msg(&L));
        goto out;
    }
    rc = put_prog(j, p, msg, len);
out:
    free(x);
    free(w);
    free(bias);
    free(mult);
    free(shift);
    free(wsum);
    free(ws);
    free(xp);
    free(wp);
    free(pp);
    dlp_prog_free(p);
    return rc;
}

/* A program of one (optionally LOOPed) LOAD of 4 ACT rows from the data buffer. */
static int load_prog(dlp_dev *d, wl_job *j, uint32_t loops, char *msg, size_t len)
{
    const dlp_config cfg = dev_cfg(d);
    j->y_off = 0;
    j->y_len = 4096;
    if (dlp_buf_alloc(d, j->y_len, &j->data))
        return fail(msg, len, j->what, dlp_dev_last_error(d));
    dlp_prog *p = dlp_prog_new();
    if (!p)
        return fail(msg, len, j->what, "out of memory");
    dlp_dma_f m;
    memset(&m, 0, sizeof m);
    m.sp = DLP_SP_ACT;
    m.dram = (uint32_t)dlp_buf_addr(j->data);
    m.x_size = 4;
    m.y_size = m.z_size = 1;
    m.y_stride = m.z_stride = 4 * cfg.n;
    for (uint32_t i = 0; i < loops; i++)
        dlp_emit_loop(p, 65535, 0, 0, 0);
    dlp_emit_load(p, &m, 0);
    dlp_emit_finish(p);
    int rc =
        dlp_prog_error(p) ? fail(msg, len, j->what, dlp_prog_error(p)) : put_prog(j, p, msg, len);
    dlp_prog_free(p);
    return rc;
}

int wl_window_error(dlp_dev *d, wl_job *j, char *msg, size_t len)
{
    memset(j, 0, sizeof *j);
    j->d = d;
    snprintf(j->what, sizeof j->what, "LOAD outside the DMA window");
    if (load_prog(d, j, 0, msg, len))
        return -1;
    j->job.win_base = dlp_buf_addr(j->prog);
    j->job.win_limit = dlp_buf_addr(j->prog) + j->prog_len - 1;
    return 0;
}

int wl_endless(dlp_dev *d, wl_job *j, char *msg, size_t len)
{
    memset(j, 0, sizeof *j);
    j->d = d;
    snprintf(j->what, sizeof j->what, "65535 x 65535 LOADs");
    return load_prog(d, j, 2, msg, len);
}

int wl_output(wl_job *j, uint8_t *out)
{
    return dlp_buf_read(j->data, j->y_off, out, j->y_len);
}

long wl_compare(wl_job *j, char *msg, size_t len)
{
    dlp_dev_info info;
    dlp_dev_info_get(j->d, &info);
    uint8_t *packed = malloc(j->y_len);
    int8_t *got = malloc((size_t)j->y_px * j->y_c);
    long bad = -1;
    if (!packed || !got || wl_output(j, packed)) {
        snprintf(msg, len, "%s: cannot read the output: %s", j->what, dlp_dev_last_error(j->d));
        goto out;
    }
    dlp_unpack_act(info.cfg.n, j->y_px, j->y_c, packed, got);
    bad = 0;
    for (size_t i = 0; i < (size_t)j->y_px * j->y_c; i++) {
        if (got[i] != j->want[i] && bad++ == 0)
            snprintf(msg, len, "%s: element %zu (pixel %zu, channel %zu) is %d, reference %d",
                     j->what, i, i / j->y_c, i % j->y_c, got[i], j->want[i]);
    }
out:
    free(packed);
    free(got);
    return bad;
}

void wl_free(wl_job *j)
{
    dlp_buf_free(j->data);
    dlp_buf_free(j->prog);
    free(j->want);
    free(j->prog_bytes);
    memset(j, 0, sizeof *j);
}
