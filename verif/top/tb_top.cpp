// tb_top.cpp - top-level harness: dlp_top against the golden ISS on test-vector files.
//
// Each test vector (written by golden/tests/test_iss_ops with DLP_DUMP_DIR set, format in
// case_file.h) is a configuration, a DDR image holding tensors and a program, the program
// location and the DMA window. The harness runs it twice:
//   - on the golden ISS (dlp_iss), which gives the expected final DDR image, status and
//     architectural counters;
//   - on dlp_top in Verilator, with the AXI4 memory model of verif/dma (100-cycle read
//     latency, random backpressure on every channel, protocol checker) and an AXI4-Lite
//     master that programs the CSRs, starts, and waits for the interrupt.
// and compares the whole DDR image byte for byte, STATUS, ERR_CODE/INDEX and the exact
// counters, and reports the AXI protocol checker's findings.
// Version-2 vectors (gen_random) may carry AXI fault ranges (given to AxiMem and the ISS)
// and a recovery program. A vector that ends in an error (on the ISS) is checked for
// STATUS, ERR_CODE and ERR_INDEX equal to the ISS's and for irq_o within a bounded number
// of cycles after the error code is latched (the maximum is reported); the DDR image is
// not compared (undefined after an error, section 4.4). Then, in the same simulation,
// CTRL.SOFT_RESET, wait until not busy, clear the faults, run the recovery program and
// compare its output bytes, status and counters with the ISS doing the same.
//   usage: Vdlp_top DIR [SEED [LABEL]]   (environment: TRACE=1 writes top.fst,
//                                         BACKPRESSURE=0, ONLY=name-substring)
#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "Vdlp_top___024root.h"
#include "case_file.h"
#include "dlp/iss.h"

#ifndef CFG_N
#define CFG_N 16
#endif
#include "top_harness.h"

struct Stats {
    long passed = 0, failed = 0, errors = 0, recovered = 0, restarts_ignored = 0, aborts = 0;
    uint64_t max_irq_latency = 0;
    uint64_t cycles = 0, macs = 0, gemm_cycles = 0, gemm_macs = 0;
    double sim_seconds = 0;
};

// After an error: SOFT_RESET, wait until idle, clear faults, run the recovery program on
// both models, compare its status, counters and output bytes.
static void recover(Top &t, const CaseFile &c, dlp_iss *iss, std::vector<std::string> &why,
                    Stats &st)
{
    const uint32_t en = DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR;
    size_t nwhy = why.size();
    if (!t.csr_write(DLP_CSR_CTRL, DLP_CTRL_SOFT_RESET | en)) {
        why.push_back("recovery: SOFT_RESET write timed out");
        return;
    }
    uint32_t s = DLP_STATUS_BUSY;
    for (int i = 0; i < 2000 && (s & DLP_STATUS_BUSY); i++)
        s = t.csr_read(DLP_CSR_STATUS);
    if (s != 0 || t.m->irq_o || t.csr_read(DLP_CSR_ERR_CODE) != 0) {
        char b[120];
        snprintf(b, sizeof b, "recovery: after SOFT_RESET STATUS %x irq %d ERR_CODE %u", s,
                 (int)t.m->irq_o, t.csr_read(DLP_CSR_ERR_CODE));
        why.push_back(b);
        return;
    }
    dlp_iss_csr_write(iss, DLP_CSR_CTRL, DLP_CTRL_SOFT_RESET | en);
    dlp_iss_clear_faults(iss);
    const uint32_t wl = c.mem_base + (uint32_t)c.image.size() - 1;
    int iss_err = dlp_iss_run(iss, c.rec_base, c.rec_count, c.mem_base, wl);
    t.mem->clear_faults();
    t.chk->set_window(c.mem_base, wl);
    bool ok = t.csr_write(DLP_CSR_INSN_BASE, c.rec_base) &&
              t.csr_write(DLP_CSR_INSN_COUNT, c.rec_count) &&
              t.csr_write(DLP_CSR_WIN_BASE, c.mem_base) && t.csr_write(DLP_CSR_WIN_LIMIT, wl) &&
              t.csr_write(DLP_CSR_CTRL, DLP_CTRL_START | en);
    uint64_t start = t.cycle;
    while (ok && !t.m->irq_o && t.cycle - start < 2000000)
        t.tick();
    if (!t.m->irq_o) {
        why.push_back("recovery: no interrupt (hang)");
        return;
    }
    for (int i = 0; i < 2000 && !t.mem->idle(); i++)
        t.tick();
    uint32_t status = t.csr_read(DLP_CSR_STATUS), err = t.csr_read(DLP_CSR_ERR_CODE);
    if (iss_err || status != dlp_iss_csr_read(iss, DLP_CSR_STATUS) || err)
        why.push_back(std::string("recovery: status ") + std::to_string(status) + " err " +
                      dlp_err_name(err) + ", ISS err " + dlp_err_name((uint32_t)iss_err));
    for (int k = 0; k < DLP_PERF_FIRST_TIMING; k++) {
        if (!strcmp(dlp_perf_name(k), "reserved"))
            continue;
        uint64_t r = t.perf(k), g = dlp_iss_perf(iss, k);
        if (r != g)
            why.push_back(std::string("recovery: counter ") + dlp_perf_name(k) + " " +
                          std::to_string(r) + " vs ISS " + std::to_string(g));
    }
    const uint8_t *gm = dlp_iss_mem(iss, c.chk_base, c.chk_len);
    const uint8_t *rm = t.mem->mem.data() + (c.chk_base - c.mem_base);
    size_t bad = 0;
    for (uint32_t i = 0; i < c.chk_len; i++)
        bad += rm[i] != gm[i];
    if (bad)
        why.push_back("recovery: " + std::to_string(bad) + " output bytes differ from the ISS");
    if (why.size() == nwhy)
        st.recovered++;
}

static bool run_case(const std::string &path, const CaseFile &c, uint64_t seed, bool bp, Stats &st)
{
    // --- the golden ISS
    dlp_config cfg;
    dlp_config_default(&cfg);
    cfg.n = c.n, cfg.bus_bytes = c.bus_bytes, cfg.act_bytes = c.act_bytes;
    cfg.wgt_bytes = c.wgt_bytes, cfg.acc_bytes = c.acc_bytes;
    cfg.queue_depth = c.queue_depth, cfg.token_bits = c.token_bits;
    dlp_iss *iss = dlp_iss_new(&cfg, c.mem_base, c.image.size());
    if (!iss) {
        printf("FAIL %s: bad configuration\n", path.c_str());
        st.failed++;
        return false;
    }
    memcpy(dlp_iss_mem(iss, c.mem_base, c.image.size()), c.image.data(), c.image.size());
    for (auto &f : c.faults)
        dlp_iss_add_fault(iss, f.addr, f.len, (int)f.reads, (int)f.writes);
    int iss_err = dlp_iss_run(iss, c.insn_base, c.insn_count, c.win_base, c.win_limit);

    // --- the RTL
    Top t(getenv("TRACE") && atoi(getenv("TRACE")) ? "top.fst" : nullptr);
    AxiMemCfg mc;
    mc.base = c.mem_base;
    mc.size = (uint32_t)c.image.size();
    mc.bus_bytes = BUS;
    mc.rd_latency = 100;
    if (bp) {
        mc.p_arready = 0.7, mc.p_awready = 0.7, mc.p_wready = 0.8, mc.p_rbeat = 0.85;
        mc.p_bvalid = 0.7;
    }
    t.mem.reset(new AxiMem(mc, seed));
    t.mem->mem = c.image;
    for (auto &f : c.faults)
        t.mem->add_fault(f.addr, f.len, f.reads != 0, f.writes != 0);
    t.chk.reset(new AxiChecker(BUS));
    t.chk->set_window(c.win_base, c.win_limit);
    t.reset();
    auto t0 = std::chrono::steady_clock::now();
    bool ok =
        t.csr_write(DLP_CSR_INSN_BASE, c.insn_base) &&
        t.csr_write(DLP_CSR_INSN_COUNT, c.insn_count) &&
        t.csr_write(DLP_CSR_WIN_BASE, c.win_base) && t.csr_write(DLP_CSR_WIN_LIMIT, c.win_limit) &&
        t.csr_write(DLP_CSR_CTRL, DLP_CTRL_START | DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR);
    uint64_t start = t.cycle, limit = iss_err ? 2000000 : 20000000, err_cycle = 0;
    // Random programs (version 2, no error), every third: write CTRL.START again while
    // busy, which must be ignored; another third: abort a rerun with SOFT_RESET (below).
    const int mode = c.version >= 2 && !iss_err && c.rec_count ? (int)(seed % 3) : 0;
    uint64_t rng = seed * 0x9E3779B97F4A7C15ull + 12345;
    auto rnd = [&rng](uint64_t n) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        return n ? (rng >> 33) % n : 0;
    };
    const uint64_t est = dlp_iss_perf(iss, DLP_PERF_CYCLES);
    const uint64_t restart_at = mode == 1 ? 20 + rnd(est / 4 + 1) : ~0ull;
    while (ok && !t.m->irq_o && t.cycle - start < limit) {
        if (t.cycle - start == restart_at && (t.csr_read(DLP_CSR_STATUS) & DLP_STATUS_BUSY)) {
            ok = t.csr_write(DLP_CSR_CTRL,
                             DLP_CTRL_START | DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR);
            st.restarts_ignored++;
            continue;
        }
        t.tick();
        if (!err_cycle && t.m->rootp->dlp_top__DOT__err_code)
            err_cycle = t.cycle;
    }
    uint64_t irq_latency = 0;
    if (t.m->irq_o && err_cycle) {
        irq_latency = t.cycle - err_cycle;
        st.max_irq_latency = std::max(st.max_irq_latency, irq_latency);
    }
    st.sim_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::vector<std::string> why;
    if (!ok)
        why.push_back("CSR write timed out");
    if (!t.m->irq_o)
        why.push_back("no interrupt within " + std::to_string(limit) + " cycles (hang)");
    // let the memory model finish anything still open, then compare
    for (int i = 0; i < 2000 && !t.mem->idle(); i++)
        t.tick();

    uint32_t status = t.csr_read(DLP_CSR_STATUS), err = t.csr_read(DLP_CSR_ERR_CODE);
    uint32_t idx = t.csr_read(DLP_CSR_ERR_INDEX);
    uint32_t iss_status = dlp_iss_csr_read(iss, DLP_CSR_STATUS);
    if (status != iss_status || err != (uint32_t)iss_err ||
        (iss_err && idx != dlp_iss_csr_read(iss, DLP_CSR_ERR_INDEX))) {
        char b[200];
        snprintf(b, sizeof b, "status %x err %s@%u, ISS status %x err %s@%u", status,
                 dlp_err_name(err), idx, iss_status, dlp_err_name((uint32_t)iss_err),
                 dlp_iss_csr_read(iss, DLP_CSR_ERR_INDEX));
        why.push_back(b);
    }
    if (c.version >= 2 && (uint32_t)iss_err != c.expect_err)
        why.push_back(std::string("vector is built to end in ") + dlp_err_name(c.expect_err) +
                      " but the ISS gives " + dlp_err_name((uint32_t)iss_err));
    if (iss_err && !(status & DLP_STATUS_ERROR))
        why.push_back("STATUS.ERROR not set");
    if (iss_err && irq_latency > 10000)
        why.push_back("interrupt " + std::to_string(irq_latency) + " cycles after the error");
    if (iss_err && t.m->irq_o && !err_cycle)
        why.push_back("interrupt without an error code");
    if (!iss_err)
        for (int k = 0; k < DLP_PERF_FIRST_TIMING; k++) {
            if (!strcmp(dlp_perf_name(k), "reserved"))
                continue;
            uint64_t r = t.perf(k), g = dlp_iss_perf(iss, k);
            if (r != g)
                why.push_back(std::string("counter ") + dlp_perf_name(k) + " " + std::to_string(r) +
                              " vs ISS " + std::to_string(g));
        }
    const uint8_t *gm = dlp_iss_mem(iss, c.mem_base, c.image.size());
    size_t bad = 0, first = 0;
    if (!iss_err) // DDR is undefined after an error (section 4.4)
        for (size_t i = 0; i < c.image.size(); i++)
            if (t.mem->mem[i] != gm[i] && !bad++)
                first = i;
    if (bad) {
        char b[160];
        snprintf(b, sizeof b, "%zu DDR bytes differ from the ISS, first at 0x%08zx (%02x vs %02x)",
                 bad, c.mem_base + first, t.mem->mem[first], gm[first]);
        why.push_back(b);
    }
    for (auto &e : t.chk->errors)
        why.push_back("AXI: " + e);

    const uint32_t iss_idx = dlp_iss_csr_read(iss, DLP_CSR_ERR_INDEX);
    if (iss_err)
        st.errors++;
    uint64_t cyc = t.perf(DLP_PERF_CYCLES), macs = t.perf(DLP_PERF_MACS);
    if (iss_err && c.rec_count && t.m->irq_o)
        recover(t, c, iss, why, st);
    if (mode == 2 && why.empty()) {
        // Start the program again, abort it after a random number of cycles with
        // SOFT_RESET (AXI bursts in flight), then the recovery program must run exactly.
        for (int i = 0; i < 2000 && !t.mem->idle(); i++)
            t.tick();
        t.chk->set_window(c.win_base, c.win_limit);
        t.csr_write(DLP_CSR_CTRL, DLP_CTRL_START | DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR);
        uint64_t stop = t.cycle + 1 + rnd(cyc * 9 / 10 + 1);
        while (t.cycle < stop && !t.m->irq_o)
            t.tick();
        st.aborts++;
        recover(t, c, iss, why, st);
    }

    st.cycles += cyc;
    st.macs += macs;
    if (!strncmp(c.name, "matmul", 6) || !strncmp(c.name, "conv", 4))
        st.gemm_cycles += cyc, st.gemm_macs += macs;
    if (getenv("VERBOSE"))
        printf("  %-32s %s@%u irq latency %llu, %llu cycles\n", c.name,
               dlp_err_name((uint32_t)iss_err), iss_idx, (unsigned long long)irq_latency,
               (unsigned long long)cyc);
    dlp_iss_free(iss);
    if (why.empty()) {
        st.passed++;
        return true;
    }
    st.failed++;
    printf("FAIL %s (%s):\n", path.c_str(), c.name);
    for (size_t i = 0; i < why.size() && i < 8; i++)
        printf("  %s\n", why[i].c_str());
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [SEED]\n", argv[0]);
        return 2;
    }
    uint64_t seed = argc > 2 ? strtoull(argv[2], nullptr, 0) : 1;
    std::string label = argc > 3 ? std::string("_") + argv[3] : "";
    const char *only = getenv("ONLY");
    bool bp = !getenv("BACKPRESSURE") || atoi(getenv("BACKPRESSURE"));
    std::vector<std::string> files;
    if (DIR *d = opendir(argv[1])) {
        while (dirent *e = readdir(d))
            if (strstr(e->d_name, ".bin"))
                files.push_back(std::string(argv[1]) + "/" + e->d_name);
        closedir(d);
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        fprintf(stderr, "%s: no test vectors (*.bin) in %s\n", argv[0], argv[1]);
        return 2;
    }
    Stats st;
    size_t nrun = 0;
    for (size_t i = 0; i < files.size(); i++) {
        // ONLY selects files; the backpressure seed stays seed + position in the full set
        if (only && *only && !strstr(files[i].c_str() + files[i].rfind('/') + 1, only))
            continue;
        nrun++;
        CaseFile c;
        std::string err;
        if (!read_case_file(files[i], c, err)) {
            printf("FAIL %s: %s\n", files[i].c_str(), err.c_str());
            st.failed++;
            continue;
        }
        if (c.n != CFG_N || c.bus_bytes != BUS) {
            printf("FAIL %s: vector is for N=%u/%u-byte bus, model is N=%d/%u\n", files[i].c_str(),
                   c.n, c.bus_bytes, CFG_N, BUS);
            st.failed++;
            continue;
        }
        run_case(files[i], c, seed + i, bp, st);
    }
    printf("  %zu vectors, %llu DLP cycles, %.0f cycles/s simulated (Verilator)\n", nrun,
           (unsigned long long)st.cycles, st.cycles / (st.sim_seconds > 0 ? st.sim_seconds : 1));
    if (st.gemm_cycles)
        printf("  matmul/conv vectors: MAC utilization %.1f %% (small single-buffered tiles)\n",
               100.0 * st.gemm_macs / ((double)CFG_N * CFG_N * st.gemm_cycles));
    if (st.restarts_ignored || st.aborts)
        printf("  %ld runs got a START while busy (ignored), %ld reruns aborted by SOFT_RESET "
               "then recovered\n",
               st.restarts_ignored, st.aborts);
    if (st.errors)
        printf("  %ld vectors end in an error: max error-to-IRQ latency %llu cycles, %ld recovered "
               "after SOFT_RESET\n",
               st.errors, (unsigned long long)st.max_irq_latency, st.recovered);
    printf("top_n%d_b%d%s: %ld passed, %ld failed\n", CFG_N, CFG_BW, label.c_str(), st.passed,
           st.failed);
    return st.failed ? 1 : 0;
}
