/* test_iss.c - libdlp on the "iss" backend: open/info, DMA allocator, copies, jobs built
 * with golden's lowerings vs golden reference ops, the job queue, device errors, soft
 * reset, counters. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "dlp/dev.h"
#include "dlp/iss.h"
#include "workload.h"

static char msg[512];

static void test_open_errors(void)
{
    dlp_dev *d = (dlp_dev *)1;
    int rc = dlp_dev_open("tpu", NULL, &d);
    CHECK(rc == DLP_DEV_E_ARG && !d && strstr(dlp_dev_last_error(NULL), "unknown device \"tpu\""),
          "unknown name: rc %d, %s", rc, dlp_dev_last_error(NULL));
    rc = dlp_dev_open("uio:", NULL, &d);
    CHECK(rc == DLP_DEV_E_ARG, "uio without a name: rc %d", rc);
    rc = dlp_dev_open("sim", NULL, &d);
    CHECK(rc == DLP_DEV_E_NODEV && strstr(dlp_dev_last_error(NULL), "libdlp_sim.a"),
          "sim not linked: rc %d, %s", rc, dlp_dev_last_error(NULL));
    dlp_dev_opts o;
    dlp_dev_opts_default(&o);
    o.mem_base = 0x10000100; /* not 4 KiB aligned */
    rc = dlp_dev_open("iss", &o, &d);
    CHECK(rc == DLP_DEV_E_ARG && strstr(dlp_dev_last_error(NULL), "4 KiB"),
          "unaligned region: rc %d, %s", rc, dlp_dev_last_error(NULL));
    dlp_dev_opts_default(&o);
    o.cfg.n = 5;
    rc = dlp_dev_open("iss", &o, &d);
    CHECK(rc == DLP_DEV_E_ARG && strstr(dlp_dev_last_error(NULL), "configuration"),
          "bad N: rc %d, %s", rc, dlp_dev_last_error(NULL));
    CHECK(!strcmp(dlp_dev_strerror(DLP_DEV_E_BUSY), "device busy (opened by another process)"),
          "strerror");
}

static void test_info(void)
{
    dlp_dev *d;
    int rc = dlp_dev_open("iss", NULL, &d);
    CHECK(rc == 0, "open iss: %s", dlp_dev_last_error(NULL));
    if (rc)
        return;
    dlp_dev_info info;
    dlp_config def;
    dlp_config_default(&def);
    CHECK(dlp_dev_info_get(d, &info) == 0, "info");
    CHECK(!strcmp(info.backend, "iss") && !strcmp(info.name, "iss"), "names %s %s", info.backend,
          info.name);
    CHECK(info.id == DLP_ID_VALUE && info.version == DLP_VERSION_VALUE, "id 0x%x version 0x%x",
          info.id, info.version);
    CHECK(info.cfg.n == def.n && info.cfg.bus_bytes == def.bus_bytes &&
              info.cfg.act_bytes == def.act_bytes && info.cfg.wgt_bytes == def.wgt_bytes &&
              info.cfg.acc_bytes == def.acc_bytes && info.cfg.queue_depth == def.queue_depth &&
              info.cfg.token_bits == def.token_bits,
          "CAPS decode: n %u bus %u act %u wgt %u acc %u qd %u tb %u", info.cfg.n,
          info.cfg.bus_bytes, info.cfg.act_bytes, info.cfg.wgt_bytes, info.cfg.acc_bytes,
          info.cfg.queue_depth, info.cfg.token_bits);
    CHECK(info.dma_base == 0x10000000 && info.dma_size == 64u << 20, "region 0x%llx + 0x%llx",
          (unsigned long long)info.dma_base, (unsigned long long)info.dma_size);
    uint32_t v = 0;
    CHECK(dlp_dev_reg_write(d, DLP_CSR_INSN_COUNT, 1234) == 0 &&
              dlp_dev_reg_read(d, DLP_CSR_INSN_COUNT, &v) == 0 && v == 1234,
          "CSR round trip: %u", v);
    CHECK(dlp_dev_reg_read(d, 0x22, &v) == DLP_DEV_E_ARG, "unaligned CSR offset");
    dlp_dev_close(d);

    /* options: another configuration and region */
    dlp_dev_opts o;
    dlp_dev_opts_default(&o);
    o.cfg.n = 8;
    o.mem_base = 0x20000000;
    o.mem_size = 1 << 20;
    rc = dlp_dev_open("iss", &o, &d);
    CHECK(rc == 0, "open iss N=8: %s", dlp_dev_last_error(NULL));
    if (rc)
        return;
    dlp_dev_info_get(d, &info);
    CHECK(info.cfg.n == 8 && info.dma_base == 0x20000000 && info.dma_size == 1 << 20,
          "options: n %u base 0x%llx size %llu", info.cfg.n, (unsigned long long)info.dma_base,
          (unsigned long long)info.dma_size);
    wl_job j; /* a layer lowered for N = 8 */
    dlp_job_result r;
    CHECK(wl_matmul(d, 19, 33, 21, 4, &j, msg, sizeof msg) == 0, "%s", msg);
    CHECK(dlp_dev_run(d, &j.job, 10000, &r) == 0, "N=8 job: %s", dlp_dev_last_error(d));
    long bad = wl_compare(&j, msg, sizeof msg);
    CHECK(bad == 0, "N=8 matmul: %ld mismatches; %s", bad, msg);
    wl_free(&j);
    dlp_dev_close(d);
}

static void test_alloc(void)
{
    dlp_dev *d;
    dlp_dev_opts o;
    dlp_dev_opts_default(&o);
    o.mem_size = 64 << 10; /* 16 pages */
    if (dlp_dev_open("iss", &o, &d)) {
        CHECK(0, "open: %s", dlp_dev_last_error(NULL));
        return;
    }
    dlp_buf *a, *b, *c, *e, *big;
    CHECK(dlp_buf_alloc(d, 1, &a) == 0 && dlp_buf_alloc(d, 5000, &b) == 0 &&
              dlp_buf_alloc(d, 4096, &c) == 0,
          "three buffers: %s", dlp_dev_last_error(d));
    CHECK(dlp_buf_addr(a) == 0x10000000 && dlp_buf_addr(b) == 0x10001000 &&
              dlp_buf_addr(c) == 0x10003000,
          "4 KiB aligned, packed: 0x%llx 0x%llx 0x%llx", (unsigned long long)dlp_buf_addr(a),
          (unsigned long long)dlp_buf_addr(b), (unsigned long long)dlp_buf_addr(c));
    CHECK(dlp_buf_size(b) == 5000, "size");
    dlp_buf_free(b);
    CHECK(dlp_buf_alloc(d, 8192, &e) == 0 && dlp_buf_addr(e) == 0x10001000,
          "first fit reuses the hole: 0x%llx", (unsigned long long)dlp_buf_addr(e));
    int rc = dlp_buf_alloc(d, 13 * 4096, &big);
    CHECK(rc == DLP_DEV_E_NOMEM && !big && strstr(dlp_dev_last_error(d), "in use"),
          "exhausted: rc %d %s", rc, dlp_dev_last_error(d));
    CHECK(dlp_buf_alloc(d, 12 * 4096, &big) == 0, "the rest fits: %s", dlp_dev_last_error(d));
    CHECK(dlp_buf_alloc(d, 0, &b) == DLP_DEV_E_ARG, "size 0");
    uint8_t in[100], out[100];
    for (int i = 0; i < 100; i++)
        in[i] = (uint8_t)(i * 7);
    CHECK(dlp_buf_write(e, 8100, in, 92) == 0 && dlp_buf_read(e, 8100, out, 92) == 0 &&
              !memcmp(in, out, 92),
          "copy round trip");
    rc = dlp_buf_write(e, 8100, in, 93);
    CHECK(rc == DLP_DEV_E_RANGE && strstr(dlp_dev_last_error(d), "outside the buffer"),
          "write past the end: %d %s", rc, dlp_dev_last_error(d));
    CHECK(dlp_buf_read(a, 2, out, SIZE_MAX) == DLP_DEV_E_RANGE, "huge read");
    dlp_buf_free(a);
    dlp_buf_free(c);
    dlp_dev_close(d); /* frees e and big */
}

static void run_checked(dlp_dev *d, wl_job *j, dlp_job_result *r)
{
    int rc = dlp_dev_run(d, &j->job, 10000, r);
    CHECK(rc == 0 && r->status == 0, "%s: rc %d: %s", j->what, rc, dlp_dev_last_error(d));
    long bad = wl_compare(j, msg, sizeof msg);
    CHECK(bad == 0, "%s: %ld mismatches vs the golden reference; %s", j->what, bad, msg);
}

/* The same program run directly on a fresh ISS must give the same counters. */
static void check_perf_vs_iss(dlp_dev *d, wl_job *j, const dlp_job_result *r)
{
    dlp_dev_info info;
    dlp_dev_info_get(d, &info);
    dlp_iss *s = dlp_iss_new(&info.cfg, (uint32_t)info.dma_base, info.dma_size);
    uint8_t *mem = dlp_iss_mem(s, (uint32_t)info.dma_base, info.dma_size);
    dlp_buf_read(j->data, 0, mem + (dlp_buf_addr(j->data) - info.dma_base), j->y_off);
    memcpy(mem + (dlp_buf_addr(j->prog) - info.dma_base), j->prog_bytes, j->prog_len);
    int err = dlp_iss_run(s, (uint32_t)dlp_buf_addr(j->prog), j->job.count, (uint32_t)info.dma_base,
                          (uint32_t)(info.dma_base + info.dma_size - 1));
    int same = !err;
    for (int k = 0; k < DLP_NUM_PERF; k++)
        same &= dlp_iss_perf(s, k) == r->perf[k];
    CHECK(same && r->perf[DLP_PERF_MACS] > 0,
          "%s: counters differ from a direct ISS run (MACS %llu vs %llu)", j->what,
          (unsigned long long)r->perf[DLP_PERF_MACS],
          (unsigned long long)dlp_iss_perf(s, DLP_PERF_MACS));
    uint64_t now[DLP_NUM_PERF];
    CHECK(dlp_dev_perf(d, now, DLP_NUM_PERF) == 0 && !memcmp(now, r->perf, sizeof now),
          "dlp_dev_perf after the job equals the job's counters");
    dlp_iss_free(s);
}

static void test_jobs(void)
{
    dlp_dev *d;
    if (dlp_dev_open("iss", NULL, &d)) {
        CHECK(0, "open: %s", dlp_dev_last_error(NULL));
        return;
    }
    wl_job mm, cv, mm2;
    dlp_job_result r;
    const dlp_conv_shape cs = {.n = 1,
                               .h = 9,
                               .w = 7,
                               .c = 20,
                               .cout = 24,
                               .kh = 3,
                               .kw = 3,
                               .stride_h = 1,
                               .stride_w = 2,
                               .pad_t = 1,
                               .pad_l = 1,
                               .pad_b = 1,
                               .pad_r = 1,
                               .dil_h = 1,
                               .dil_w = 1,
                               .groups = 1};
    CHECK(wl_matmul(d, 37, 70, 45, 1, &mm, msg, sizeof msg) == 0, "%s", msg);
    CHECK(wl_conv(d, &cs, 2, &cv, msg, sizeof msg) == 0, "%s", msg);
    CHECK(wl_matmul(d, 5, 300, 17, 3, &mm2, msg, sizeof msg) == 0, "%s", msg);
    run_checked(d, &mm, &r);
    check_perf_vs_iss(d, &mm, &r);
    run_checked(d, &cv, &r);
    check_perf_vs_iss(d, &cv, &r);

    /* queue: three jobs, waited for out of order */
    const uint8_t junk[64] = {0};
    dlp_buf_write(mm.data, mm.y_off, junk, sizeof junk);
    dlp_buf_write(cv.data, cv.y_off, junk, sizeof junk);
    uint32_t id[3];
    int rc = dlp_dev_submit(d, &mm.job, &id[0]) | dlp_dev_submit(d, &cv.job, &id[1]) |
             dlp_dev_submit(d, &mm2.job, &id[2]);
    CHECK(rc == 0 && id[0] != id[1] && id[1] != id[2], "submit three: %s", dlp_dev_last_error(d));
    CHECK(dlp_dev_wait(d, id[2], 10000, &r) == 0 && r.status == 0, "wait third first: %s",
          dlp_dev_last_error(d));
    CHECK(dlp_dev_wait(d, id[0], 0, &r) == 0, "first (already done): %s", dlp_dev_last_error(d));
    CHECK(dlp_dev_wait(d, id[1], 0, &r) == 0, "second (already done): %s", dlp_dev_last_error(d));
    CHECK(wl_compare(&mm, msg, sizeof msg) == 0, "queued matmul: %s", msg);
    CHECK(wl_compare(&cv, msg, sizeof msg) == 0, "queued conv: %s", msg);
    CHECK(wl_compare(&mm2, msg, sizeof msg) == 0, "queued matmul 2: %s", msg);
    rc = dlp_dev_wait(d, id[1], 0, &r);
    CHECK(rc == DLP_DEV_E_ARG && strstr(dlp_dev_last_error(d), "already waited"),
          "second wait on a job: %d %s", rc, dlp_dev_last_error(d));

    /* submit checks */
    dlp_job_desc bad = mm.job;
    bad.count = 1000;
    CHECK(dlp_dev_submit(d, &bad, &id[0]) == DLP_DEV_E_RANGE, "program past its buffer");
    bad = mm.job;
    bad.win_base = 0x10002000;
    bad.win_limit = 0x10001000;
    CHECK(dlp_dev_submit(d, &bad, &id[0]) == DLP_DEV_E_ARG, "empty window");
    wl_free(&mm);
    wl_free(&cv);
    wl_free(&mm2);
    dlp_dev_close(d);
}

static void test_errors(void)
{
    dlp_dev *d;
    if (dlp_dev_open("iss", NULL, &d)) {
        CHECK(0, "open: %s", dlp_dev_last_error(NULL));
        return;
    }
    wl_job w, mm;
    dlp_job_result r;
    CHECK(wl_window_error(d, &w, msg, sizeof msg) == 0, "%s", msg);
    CHECK(wl_matmul(d, 16, 32, 16, 9, &mm, msg, sizeof msg) == 0, "%s", msg);
    uint32_t e, g;
    dlp_dev_submit(d, &w.job, &e);
    dlp_dev_submit(d, &mm.job, &g);
    int rc = dlp_dev_wait(d, e, 1000, &r);
    const char *m = dlp_dev_last_error(d);
    CHECK(rc == DLP_DEV_E_DEVICE && r.status == DLP_DEV_E_DEVICE &&
              r.err_code == DLP_ERR_DMA_WINDOW && r.err_index == 0 &&
              r.err_addr == dlp_buf_addr(w.data),
          "window error: rc %d code %u index %u addr 0x%x", rc, r.err_code, r.err_index,
          r.err_addr);
    CHECK(strstr(m, "DMA_WINDOW") && strstr(m, "instruction 0") && strstr(m, "window"),
          "error in words: %s", m);
    rc = dlp_dev_wait(d, g, 1000, &r);
    CHECK(rc == DLP_DEV_E_DEVICE && r.err_code == 0 && strstr(dlp_dev_last_error(d), "dropped"),
          "job queued behind a failure is dropped: %d %s", rc, dlp_dev_last_error(d));
    CHECK(dlp_dev_soft_reset(d) == 0, "soft reset: %s", dlp_dev_last_error(d));
    uint32_t st = 1;
    dlp_dev_reg_read(d, DLP_CSR_STATUS, &st);
    CHECK(st == 0, "STATUS after soft reset: 0x%x", st);
    run_checked(d, &mm, &r);

    /* a START-time error: misaligned program */
    dlp_job_desc mis = mm.job;
    mis.insn_off = 16;
    mis.count = 1;
    rc = dlp_dev_run(d, &mis, 1000, &r);
    CHECK(rc == DLP_DEV_E_DEVICE && r.err_code == DLP_ERR_DMA_ALIGN &&
              r.err_index == DLP_ERR_INDEX_FETCH &&
              strstr(dlp_dev_last_error(d), "the program range"),
          "misaligned program: rc %d code %u: %s", rc, r.err_code, dlp_dev_last_error(d));
    run_checked(d, &mm, &r); /* recovers without a reset: the error ended the job */

    /* a program of 65535 x 65535 LOADs: the ISS runs in steps, so the timeout is honoured;
     * waiting again continues it; soft reset drops it and the next job runs */
    wl_job en;
    CHECK(wl_endless(d, &en, msg, sizeof msg) == 0, "%s", msg);
    uint32_t id;
    dlp_dev_submit(d, &en.job, &id);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = dlp_dev_wait(d, id, 300, &r);
    int rc2 = dlp_dev_wait(d, id, 100, &r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    CHECK(rc == DLP_DEV_E_TIMEOUT && rc2 == DLP_DEV_E_TIMEOUT && ms >= 390 && ms < 3000,
          "endless job on the ISS: rc %d then %d after %.1f ms (400 asked, ms clock): %s", rc, rc2,
          ms, dlp_dev_last_error(d));
    dlp_dev_reg_read(d, DLP_CSR_STATUS, &st);
    CHECK(st & DLP_STATUS_BUSY, "ISS busy during the endless job: STATUS 0x%x", st);
    CHECK(dlp_dev_soft_reset(d) == 0, "soft reset of a running job: %s", dlp_dev_last_error(d));
    rc = dlp_dev_wait(d, id, 100, &r);
    CHECK(rc == DLP_DEV_E_DEVICE && strstr(dlp_dev_last_error(d), "dropped"),
          "the reset job is dropped: %d %s", rc, dlp_dev_last_error(d));
    run_checked(d, &mm, &r);
    wl_free(&en);
    wl_free(&w);
    wl_free(&mm);
    dlp_dev_close(d);
}

int main(void)
{
    test_open_errors();
    test_info();
    test_alloc();
    test_jobs();
    test_errors();
    return check_done("driver_iss" TSUFFIX);
}
