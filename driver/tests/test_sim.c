/* test_sim.c - libdlp on the "sim" backend (Verilated dlp_top): the same lowered layers as
 * on the ISS, byte for byte and with equal architectural counters; a device error, soft
 * reset and recovery; the wall-clock timeout on a program that runs for billions of
 * cycles, with progress callbacks; FST tracing; the DDR latency option. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "dlp/dev.h"
#include "workload.h"

static char msg[512];

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

typedef struct {
    int calls;
    uint64_t last;
} progress_t;

static void on_progress(void *user, uint64_t cycles)
{
    progress_t *p = user;
    p->last = cycles;
    p->calls++;
}

/* Run j on d; the packed output in *out (malloc'ed), the result in *r. */
static int run_one(dlp_dev *d, wl_job *j, dlp_job_result *r, uint8_t **out)
{
    int rc = dlp_dev_run(d, &j->job, 60000, r);
    CHECK(rc == 0, "%s on %s: rc %d: %s", j->what, d ? "device" : "?", rc, dlp_dev_last_error(d));
    long bad = wl_compare(j, msg, sizeof msg);
    CHECK(bad == 0, "%s: %ld mismatches vs the golden reference; %s", j->what, bad, msg);
    *out = malloc(j->y_len);
    wl_output(j, *out);
    return rc;
}

/* The same layer on the ISS and the RTL: identical bytes and architectural counters. */
static void test_vs_iss(dlp_dev *sim, dlp_dev *iss)
{
    const dlp_conv_shape cs = {.n = 1,
                               .h = 8,
                               .w = 8,
                               .c = 24,
                               .cout = 20,
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
    for (int t = 0; t < 2; t++) {
        wl_job js, ji;
        dlp_job_result rs, ri;
        uint8_t *os = NULL, *oi = NULL;
        int a = t == 0 ? wl_matmul(sim, 40, 72, 36, 11, &js, msg, sizeof msg)
                       : wl_conv(sim, &cs, 12, &js, msg, sizeof msg);
        CHECK(a == 0, "build on sim: %s", msg);
        int b = t == 0 ? wl_matmul(iss, 40, 72, 36, 11, &ji, msg, sizeof msg)
                       : wl_conv(iss, &cs, 12, &ji, msg, sizeof msg);
        CHECK(b == 0, "build on iss: %s", msg);
        if (a || b)
            return;
        CHECK(js.prog_len == ji.prog_len && !memcmp(js.prog_bytes, ji.prog_bytes, js.prog_len),
              "%s: the same program on both", js.what);
        run_one(sim, &js, &rs, &os);
        run_one(iss, &ji, &ri, &oi);
        CHECK(js.y_len == ji.y_len && !memcmp(os, oi, js.y_len), "%s: sim and iss outputs differ",
              js.what);
        int same = 1;
        for (int k = 0; k < DLP_PERF_FIRST_TIMING; k++)
            same &= rs.perf[k] == ri.perf[k];
        CHECK(same && rs.perf[DLP_PERF_MACS] > 0,
              "%s: architectural counters differ: insns %llu/%llu macs %llu/%llu rd %llu/%llu "
              "wr %llu/%llu vec %llu/%llu",
              js.what, (unsigned long long)rs.perf[0], (unsigned long long)ri.perf[0],
              (unsigned long long)rs.perf[1], (unsigned long long)ri.perf[1],
              (unsigned long long)rs.perf[2], (unsigned long long)ri.perf[2],
              (unsigned long long)rs.perf[3], (unsigned long long)ri.perf[3],
              (unsigned long long)rs.perf[4], (unsigned long long)ri.perf[4]);
        CHECK(rs.perf[DLP_PERF_CYCLES] > 0, "sim measured cycles");
        printf("  %s: %llu cycles on the RTL, MAC utilization %.1f %%\n", js.what,
               (unsigned long long)rs.perf[DLP_PERF_CYCLES],
               100.0 * (double)rs.perf[DLP_PERF_MACS] / (256.0 * (double)rs.perf[DLP_PERF_CYCLES]));
        free(os);
        free(oi);
        wl_free(&js);
        wl_free(&ji);
    }
}

static void test_error_and_timeout(dlp_dev *d)
{
    dlp_dev_info info;
    dlp_dev_info_get(d, &info);
    CHECK(
        !strcmp(info.backend, "sim") && info.id == DLP_ID_VALUE &&
            info.version == DLP_VERSION_VALUE && info.cfg.n == 16 && info.cfg.bus_bytes == 16 &&
            info.cfg.act_bytes == 128 * 1024 && info.cfg.wgt_bytes == 128 * 1024 &&
            info.cfg.acc_bytes == 64 * 1024 && info.cfg.queue_depth > 0 && info.cfg.token_bits > 0,
        "info: backend %s id 0x%x n %u bus %u act %u wgt %u acc %u", info.backend, info.id,
        info.cfg.n, info.cfg.bus_bytes, info.cfg.act_bytes, info.cfg.wgt_bytes, info.cfg.acc_bytes);

    wl_job w, e, mm;
    dlp_job_result r;
    CHECK(wl_window_error(d, &w, msg, sizeof msg) == 0, "%s", msg);
    CHECK(wl_endless(d, &e, msg, sizeof msg) == 0, "%s", msg);
    CHECK(wl_matmul(d, 16, 48, 16, 21, &mm, msg, sizeof msg) == 0, "%s", msg);

    int rc = dlp_dev_run(d, &w.job, 10000, &r);
    CHECK(rc == DLP_DEV_E_DEVICE && r.err_code == DLP_ERR_DMA_WINDOW && r.err_index == 0 &&
              r.err_addr == dlp_buf_addr(w.data) && strstr(dlp_dev_last_error(d), "DMA_WINDOW"),
          "window error on the RTL: rc %d code %u index %u addr 0x%x: %s", rc, r.err_code,
          r.err_index, r.err_addr, dlp_dev_last_error(d));
    CHECK(dlp_dev_soft_reset(d) == 0, "soft reset: %s", dlp_dev_last_error(d));
    uint8_t *o = NULL;
    run_one(d, &mm, &r, &o);
    free(o);

    /* two queued jobs, the second waited for first: both run, in order */
    wl_job mm2;
    CHECK(wl_matmul(d, 24, 40, 20, 22, &mm2, msg, sizeof msg) == 0, "%s", msg);
    const uint8_t zero[32] = {0};
    dlp_buf_write(mm.data, mm.y_off, zero, sizeof zero);
    uint32_t q1 = 0, q2 = 0;
    CHECK(dlp_dev_submit(d, &mm.job, &q1) == 0 && dlp_dev_submit(d, &mm2.job, &q2) == 0,
          "submit two: %s", dlp_dev_last_error(d));
    CHECK(dlp_dev_wait(d, q2, 20000, &r) == 0 && dlp_dev_wait(d, q1, 0, &r) == 0,
          "wait second then first: %s", dlp_dev_last_error(d));
    CHECK(wl_compare(&mm, msg, sizeof msg) == 0 && wl_compare(&mm2, msg, sizeof msg) == 0,
          "queued jobs on the RTL: %s", msg);
    wl_free(&mm2);

    /* a program of 65535 x 65535 LOADs: the wall-clock timeout ends the wait */
    progress_t pr = {0, 0};
    dlp_dev_set_progress(d, on_progress, &pr);
    uint32_t id;
    CHECK(dlp_dev_submit(d, &e.job, &id) == 0, "submit: %s", dlp_dev_last_error(d));
    const int64_t t0 = now_ms();
    rc = dlp_dev_wait(d, id, 1500, &r);
    int64_t dt = now_ms() - t0;
    CHECK(rc == DLP_DEV_E_TIMEOUT && r.status == DLP_DEV_E_TIMEOUT &&
              strstr(dlp_dev_last_error(d), "did not finish within 1500 ms"),
          "endless job: rc %d: %s", rc, dlp_dev_last_error(d));
    CHECK(dt >= 1490 && dt < 4000, "timeout after %lld ms (1500 asked, ms clock)", (long long)dt);
    /* Still pending: waiting again continues the job. The progress callback comes every
     * 2^20 cycles (seconds of simulation on a loaded machine): wait in slices until it has
     * been called, 30 s at most. */
    int waits = 0;
    do {
        rc = dlp_dev_wait(d, id, 500, &r);
        waits++;
    } while (rc == DLP_DEV_E_TIMEOUT && pr.calls < 1 && now_ms() - t0 < 30000);
    dt = now_ms() - t0;
    CHECK(rc == DLP_DEV_E_TIMEOUT, "further waits: rc %d", rc);
    CHECK(pr.calls == 1 && pr.last >= (1u << 20) && pr.last < (2u << 20),
          "progress callback: %d calls, last %llu cycles", pr.calls, (unsigned long long)pr.last);
    printf("  endless job: %llu cycles in %lld ms of waiting (%d waits): %.0f k cycles/s\n",
           (unsigned long long)pr.last, (long long)dt, waits + 1, (double)pr.last / (double)dt);
    uint32_t st = 0;
    dlp_dev_reg_read(d, DLP_CSR_STATUS, &st);
    CHECK(st & DLP_STATUS_BUSY, "device busy during the endless job: STATUS 0x%x", st);
    CHECK(dlp_dev_soft_reset(d) == 0, "soft reset of a running job: %s", dlp_dev_last_error(d));
    dlp_dev_reg_read(d, DLP_CSR_STATUS, &st);
    CHECK(st == 0, "STATUS after soft reset 0x%x", st);
    rc = dlp_dev_wait(d, id, 100, &r);
    CHECK(rc == DLP_DEV_E_DEVICE && strstr(dlp_dev_last_error(d), "dropped"),
          "the reset job is dropped: %d %s", rc, dlp_dev_last_error(d));
    const uint8_t junk[32] = {0};
    dlp_buf_write(mm.data, mm.y_off, junk, sizeof junk);
    run_one(d, &mm, &r, &o); /* good job after the reset */
    free(o);
    dlp_dev_set_progress(d, NULL, NULL);
    wl_free(&w);
    wl_free(&e);
    wl_free(&mm);
}

/* Options: FST trace file, DDR latency, region. */
static void test_options(void)
{
    char dir[] = "/tmp/dlp_sim_XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(path, sizeof path, "%s/job.fst", dir);
    uint64_t cycles[2] = {0, 0};
    const uint32_t lat[2] = {20, 200};
    for (int i = 0; i < 2; i++) {
        dlp_dev_opts o;
        dlp_dev_opts_default(&o);
        o.sim_latency = lat[i];
        o.mem_size = 4 << 20;
        o.mem_base = 0x40000000;
        o.trace_fst = i == 0 ? path : NULL;
        dlp_dev *d;
        if (dlp_dev_open("sim", &o, &d)) {
            CHECK(0, "open sim: %s", dlp_dev_last_error(NULL));
            continue;
        }
        dlp_dev_info info;
        dlp_dev_info_get(d, &info);
        CHECK(info.dma_base == 0x40000000 && info.dma_size == 4 << 20, "region option");
        wl_job j;
        dlp_job_result r;
        uint8_t *out = NULL;
        if (wl_matmul(d, 16, 32, 16, 5, &j, msg, sizeof msg) == 0) {
            run_one(d, &j, &r, &out);
            cycles[i] = r.perf[DLP_PERF_CYCLES];
            free(out);
            wl_free(&j);
        } else {
            CHECK(0, "%s", msg);
        }
        dlp_dev_close(d);
    }
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size > 1000, "FST trace written: %lld bytes",
          (long long)st.st_size);
    CHECK(cycles[0] > 0 && cycles[1] > cycles[0] + 180,
          "DDR latency 20 vs 200: %llu vs %llu cycles", (unsigned long long)cycles[0],
          (unsigned long long)cycles[1]);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    dlp_dev *sim = NULL, *iss = NULL;
    int rc = dlp_dev_open("sim", NULL, &sim);
    CHECK(rc == 0, "open sim: %s", dlp_dev_last_error(NULL));
    rc |= dlp_dev_open("iss", NULL, &iss);
    CHECK(iss != NULL, "open iss: %s", dlp_dev_last_error(NULL));
    if (!rc) {
        test_vs_iss(sim, iss);
        test_error_and_timeout(sim);
    }
    dlp_dev_close(sim);
    dlp_dev_close(iss);
    test_options();
    return check_done("driver_sim" TSUFFIX);
}
