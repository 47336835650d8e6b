// bench_top.cpp - RTL performance benchmark: dlp_top (Verilator) vs the golden ISS.
//
// For each layer of bench_prog.c (matmul 256^3, conv 3x3 56x56x64->64) the harness
//   - runs the program on the golden ISS and checks the output against the reference op;
//   - runs it on dlp_top with the AXI memory model of verif/dma (100-cycle read latency,
//     one beat per cycle, no backpressure) and the AXI protocol checker;
//   - checks the RTL's whole DDR image against the ISS's, STATUS/ERR and the exact
//     counters, and prints cycles, MACs, MAC utilization, DMA bytes, the timing counters
//     and the simulation speed (DLP cycles per second of host time).
//   usage: Vbench [matmul|conv|all]     exit status 1 when anything differs
// Built with --trace-fst (VM_TRACE) the model dumps every signal to bench_<layer>.fst in
// the current directory, for the traced-speed figure.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench_prog.h"
#include "dlp/iss.h"

#include "../top/top_harness.h"

// CPU time of this process (the host is shared: wall-clock time would count other jobs)
static double cpu_seconds()
{
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static bool run_layer(const char *tag, bench_case &c)
{
    const uint32_t N = c.cfg.n;
    std::vector<std::string> why;
    printf("%s: %s\n", tag, c.name);
    printf("  program          %u instructions (%u LOAD, %u GEMM, %u VEC, %u STORE)\n",
           c.insn_count, c.n_load, c.n_gemm, c.n_vec, c.n_store);

    // --- golden ISS
    dlp_iss *iss = dlp_iss_new(&c.cfg, 0, c.size);
    memcpy(dlp_iss_mem(iss, 0, c.size), c.image, c.size);
    int iss_err = dlp_iss_run(iss, c.insn_base, c.insn_count, 0, (uint32_t)c.size - 1);
    if (iss_err)
        why.push_back(std::string("ISS error ") + dlp_err_name((uint32_t)iss_err) + " at " +
                      std::to_string(dlp_iss_csr_read(iss, DLP_CSR_ERR_INDEX)));
    const uint8_t *gm = dlp_iss_mem(iss, 0, c.size);
    if (memcmp(gm + c.out_addr, c.ref, c.out_len))
        why.push_back("ISS output differs from the reference op");

    // --- RTL
    std::string fst = std::string("bench_") + tag + ".fst";
    Top t(fst.c_str());
    AxiMemCfg mc;
    mc.base = 0;
    mc.size = (uint32_t)c.size;
    mc.bus_bytes = BUS;
    mc.rd_latency = 100;
    t.mem.reset(new AxiMem(mc, 1));
    t.mem->mem.assign(c.image, c.image + c.size);
    t.chk.reset(new AxiChecker(BUS));
    t.chk->set_window(0, (uint32_t)c.size - 1);
    t.reset();
    bool ok = t.csr_write(DLP_CSR_INSN_BASE, c.insn_base) &&
              t.csr_write(DLP_CSR_INSN_COUNT, c.insn_count) && t.csr_write(DLP_CSR_WIN_BASE, 0) &&
              t.csr_write(DLP_CSR_WIN_LIMIT, (uint32_t)c.size - 1);
    auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    uint64_t start = t.cycle;
    ok = ok &&
         t.csr_write(DLP_CSR_CTRL, DLP_CTRL_START | DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR);
    const uint64_t limit = 20000000;
    while (ok && !t.m->irq_o && t.cycle - start < limit)
        t.tick();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double secs = cpu_seconds() - c0;
    uint64_t sim_cycles = t.cycle - start;
    if (!ok)
        why.push_back("CSR write timed out");
    if (!t.m->irq_o)
        why.push_back("no interrupt (hang)");
    for (int i = 0; i < 2000 && !t.mem->idle(); i++)
        t.tick();
    uint32_t status = t.csr_read(DLP_CSR_STATUS), err = t.csr_read(DLP_CSR_ERR_CODE);
    if (status != dlp_iss_csr_read(iss, DLP_CSR_STATUS) || err != (uint32_t)iss_err)
        why.push_back("RTL status " + std::to_string(status) + " err " + dlp_err_name(err) +
                      " at " + std::to_string(t.csr_read(DLP_CSR_ERR_INDEX)));
    uint64_t perf[DLP_PERF_FIRST_TIMING + 12] = {0};
    for (int k = 0; k < DLP_PERF_FIRST_TIMING + 12; k++) {
        if (!strcmp(dlp_perf_name(k), "reserved"))
            continue;
        perf[k] = t.perf(k);
        if (k < DLP_PERF_FIRST_TIMING && perf[k] != dlp_iss_perf(iss, k))
            why.push_back(std::string("counter ") + dlp_perf_name(k) + " " +
                          std::to_string(perf[k]) + " vs ISS " +
                          std::to_string(dlp_iss_perf(iss, k)));
    }
    if (memcmp(t.mem->mem.data() + c.out_addr, c.ref, c.out_len))
        why.push_back("RTL output differs from the reference op");
    size_t bad = 0;
    for (size_t i = 0; i < c.size; i++)
        bad += t.mem->mem[i] != gm[i];
    if (bad)
        why.push_back(std::to_string(bad) + " DDR bytes differ between RTL and ISS");
    for (auto &e : t.chk->errors)
        why.push_back("AXI: " + e);

    const uint64_t cyc = perf[DLP_PERF_CYCLES], macs = perf[DLP_PERF_MACS];
    if (macs != c.macs)
        why.push_back("MACS counter " + std::to_string(macs) + ", layer has " +
                      std::to_string(c.macs));
    const double util = 100.0 * (double)macs / ((double)N * N * (double)cyc);
    const uint64_t ideal = macs / (N * N);
    printf("  output           %s (%zu bytes vs ISS and %s)\n",
           why.empty() ? "identical" : "MISMATCH", c.out_len,
           c.name[0] == 'm' ? "dlp_matmul_q" : "dlp_conv2d_q");
    printf("  cycles           %llu  (ideal %llu = MACs/N^2; ISS estimate %llu)\n",
           (unsigned long long)cyc, (unsigned long long)ideal,
           (unsigned long long)dlp_iss_perf(iss, DLP_PERF_CYCLES));
    printf("  MACs             %llu\n", (unsigned long long)macs);
    printf("  MAC utilization  %.1f %%\n", util);
    printf("  DMA read/write   %llu / %llu bytes\n", (unsigned long long)perf[DLP_PERF_RD_BYTES],
           (unsigned long long)perf[DLP_PERF_WR_BYTES]);
    printf("  busy cycles      GEMM %llu, VEC %llu, LD %llu, ST %llu\n",
           (unsigned long long)perf[DLP_PERF_FIRST_TIMING + 2],
           (unsigned long long)perf[DLP_PERF_FIRST_TIMING + 3],
           (unsigned long long)perf[DLP_PERF_FIRST_TIMING + 1],
           (unsigned long long)perf[DLP_PERF_FIRST_TIMING + 4]);
    printf("  stalls           token LD/CMP/ST %llu/%llu/%llu, rd %llu, wr %llu, fetch %llu, "
           "wgt %llu\n",
           (unsigned long long)perf[DLP_PERF_FIRST_TIMING + 5],
           (unsigned long long)perf[DLP_PERF_FIRST_TIMING + 6],
           (unsigned long long)perf[DLP_PERF_FIRST_TIMING + 7],
           (unsigned long long)perf[DLP_PERF_FIRST_TIMING + 8],
           (unsigned long long)perf[DLP_PERF_FIRST_TIMING + 9],
           (unsigned long long)perf[DLP_PERF_FIRST_TIMING + 10],
           (unsigned long long)perf[DLP_PERF_FIRST_TIMING + 11]);
#if VM_TRACE
    const char *mode = "with FST tracing";
#else
    const char *mode = "no tracing";
#endif
    printf("  sim speed        %.0f DLP cycles/s (Verilator, %s; %llu cycles in %.2f s CPU, "
           "%.2f s wall)\n",
           (double)sim_cycles / secs, mode, (unsigned long long)sim_cycles, secs, wall);
    for (size_t i = 0; i < why.size() && i < 10; i++)
        printf("  FAIL: %s\n", why[i].c_str());
    dlp_iss_free(iss);
    return why.empty();
}

int main(int argc, char **argv)
{
    std::string which = argc > 1 ? argv[1] : "all";
    bool ok = true;
    int ran = 0;
    if (which == "matmul" || which == "all") {
        bench_case c;
        if (bench_build_matmul(&c))
            return 1;
        ok = run_layer("matmul", c) && ok;
        bench_free(&c);
        ran++;
    }
    if (which == "conv" || which == "all") {
        bench_case c;
        if (bench_build_conv(&c))
            return 1;
        ok = run_layer("conv", c) && ok;
        bench_free(&c);
        ran++;
    }
    if (!ran) {
        fprintf(stderr, "usage: %s [matmul|conv|all]\n", argv[0]);
        return 2;
    }
    printf("bench: %s\n", ok ? "outputs identical (RTL = ISS = reference)" : "FAILED");
    return ok ? 0 : 1;
}
