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
//   usage: Vdlp_top DIR [SEED]     (environment: TRACE=1 writes top.fst, BACKPRESSURE=0)
#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "Vdlp_top.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

#include "axi_mem.h"
#include "case_file.h"
#include "dlp/iss.h"

#ifndef CFG_N
#define CFG_N 16
#endif
#ifndef CFG_BW
#define CFG_BW 128
#endif
static const unsigned BUS = CFG_BW / 8;

template <class T> static void to_bytes(const T &v, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((uint64_t)v >> (8 * i));
}
template <std::size_t W> static void to_bytes(const VlWide<W> &v, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v[i / 4] >> (8 * (i % 4)));
}
template <class T> static void from_bytes(T &v, const uint8_t *p, size_t n)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x |= (uint64_t)p[i] << (8 * i);
    v = (T)x;
}
template <std::size_t W> static void from_bytes(VlWide<W> &v, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < W; i++)
        v[i] = 0;
    for (size_t i = 0; i < n; i++)
        v[i / 4] |= (uint32_t)p[i] << (8 * (i % 4));
}

struct Top {
    VerilatedContext ctx;
    std::unique_ptr<Vdlp_top> m;
#if VM_TRACE
    std::unique_ptr<VerilatedFstC> fst;
#endif
    std::unique_ptr<AxiMem> mem;
    std::unique_ptr<AxiChecker> chk;
    uint64_t cycle = 0;

    Top()
    {
        m.reset(new Vdlp_top(&ctx));
#if VM_TRACE
        if (getenv("TRACE") && atoi(getenv("TRACE"))) {
            ctx.traceEverOn(true);
            fst.reset(new VerilatedFstC);
            m->trace(fst.get(), 99);
            fst->open("top.fst");
        }
#endif
    }
    ~Top()
    {
#if VM_TRACE
        if (fst)
            fst->close();
#endif
        m->final();
    }

    // One clock cycle: models drive, the DUT settles, models sample, rising edge.
    void tick()
    {
        AxiPins p;
        mem->drive(p);
        m->m_axi_arready_i = p.arready;
        m->m_axi_rvalid_i = p.rvalid;
        m->m_axi_rid_i = p.rid;
        m->m_axi_rresp_i = p.rresp;
        m->m_axi_rlast_i = p.rlast;
        from_bytes(m->m_axi_rdata_i, p.rdata, BUS);
        m->m_axi_awready_i = p.awready;
        m->m_axi_wready_i = p.wready;
        m->m_axi_bvalid_i = p.bvalid;
        m->m_axi_bid_i = p.bid;
        m->m_axi_bresp_i = p.bresp;
        m->clk_i = 0;
        m->eval();
#if VM_TRACE
        if (fst)
            fst->dump(ctx.time());
        ctx.timeInc(1);
#endif
        p.arvalid = m->m_axi_arvalid_o;
        p.arid = m->m_axi_arid_o;
        p.araddr = m->m_axi_araddr_o;
        p.arlen = m->m_axi_arlen_o;
        p.arsize = m->m_axi_arsize_o;
        p.arburst = m->m_axi_arburst_o;
        p.rready = m->m_axi_rready_o;
        p.awvalid = m->m_axi_awvalid_o;
        p.awid = m->m_axi_awid_o;
        p.awaddr = m->m_axi_awaddr_o;
        p.awlen = m->m_axi_awlen_o;
        p.awsize = m->m_axi_awsize_o;
        p.awburst = m->m_axi_awburst_o;
        p.wvalid = m->m_axi_wvalid_o;
        p.wlast = m->m_axi_wlast_o;
        p.wstrb = m->m_axi_wstrb_o;
        to_bytes(m->m_axi_wdata_o, p.wdata, BUS);
        p.bready = m->m_axi_bready_o;
        chk->check(p);
        mem->sample(p);
        // AXI-Lite handshakes seen this cycle (the master below reads them)
        lite_aw = m->s_axil_awvalid_i && m->s_axil_awready_o;
        lite_w = m->s_axil_wvalid_i && m->s_axil_wready_o;
        lite_b = m->s_axil_bvalid_o && m->s_axil_bready_i;
        lite_ar = m->s_axil_arvalid_i && m->s_axil_arready_o;
        lite_r = m->s_axil_rvalid_o && m->s_axil_rready_i;
        lite_rdata = m->s_axil_rdata_o;
        m->clk_i = 1;
        m->eval();
#if VM_TRACE
        if (fst)
            fst->dump(ctx.time());
        ctx.timeInc(1);
#endif
        cycle++;
    }

    bool lite_aw = false, lite_w = false, lite_b = false, lite_ar = false, lite_r = false;
    uint32_t lite_rdata = 0;

    void reset()
    {
        m->rst_ni = 0;
        m->s_axil_awvalid_i = m->s_axil_wvalid_i = m->s_axil_bready_i = 0;
        m->s_axil_arvalid_i = m->s_axil_rready_i = 0;
        for (int i = 0; i < 5; i++)
            tick();
        m->rst_ni = 1;
        tick();
    }

    // AXI4-Lite master: one transaction at a time; AW and W presented together.
    bool csr_write(uint32_t addr, uint32_t data)
    {
        m->s_axil_awvalid_i = 1;
        m->s_axil_awaddr_i = addr;
        m->s_axil_wvalid_i = 1;
        m->s_axil_wdata_i = data;
        m->s_axil_wstrb_i = 0xF;
        m->s_axil_bready_i = 1;
        for (int t = 0; t < 1000; t++) {
            tick();
            if (lite_aw)
                m->s_axil_awvalid_i = 0;
            if (lite_w)
                m->s_axil_wvalid_i = 0;
            if (lite_b) {
                m->s_axil_bready_i = 0;
                return true;
            }
        }
        return false;
    }
    uint32_t csr_read(uint32_t addr)
    {
        m->s_axil_arvalid_i = 1;
        m->s_axil_araddr_i = addr;
        m->s_axil_rready_i = 1;
        for (int t = 0; t < 1000; t++) {
            tick();
            if (lite_ar)
                m->s_axil_arvalid_i = 0;
            if (lite_r) {
                m->s_axil_rready_i = 0;
                return lite_rdata;
            }
        }
        fprintf(stderr, "CSR read 0x%03x timed out\n", addr);
        return 0xDEADBEEF;
    }
    uint64_t perf(int k)
    {
        uint32_t lo = csr_read(DLP_CSR_PERF_BASE + 8 * k);
        return (uint64_t)csr_read(DLP_CSR_PERF_BASE + 8 * k + 4) << 32 | lo;
    }
};

struct Stats {
    long passed = 0, failed = 0;
    uint64_t cycles = 0, macs = 0, gemm_cycles = 0, gemm_macs = 0;
    double sim_seconds = 0;
};

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
    int iss_err = dlp_iss_run(iss, c.insn_base, c.insn_count, c.win_base, c.win_limit);

    // --- the RTL
    Top t;
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
    t.chk.reset(new AxiChecker(BUS));
    t.chk->set_window(c.win_base, c.win_limit);
    t.reset();
    auto t0 = std::chrono::steady_clock::now();
    bool ok =
        t.csr_write(DLP_CSR_INSN_BASE, c.insn_base) &&
        t.csr_write(DLP_CSR_INSN_COUNT, c.insn_count) &&
        t.csr_write(DLP_CSR_WIN_BASE, c.win_base) && t.csr_write(DLP_CSR_WIN_LIMIT, c.win_limit) &&
        t.csr_write(DLP_CSR_CTRL, DLP_CTRL_START | DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR);
    uint64_t start = t.cycle, limit = 20000000;
    while (ok && !t.m->irq_o && t.cycle - start < limit)
        t.tick();
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

    uint64_t cyc = t.perf(DLP_PERF_CYCLES), macs = t.perf(DLP_PERF_MACS);
    st.cycles += cyc;
    st.macs += macs;
    if (!strncmp(c.name, "matmul", 6) || !strncmp(c.name, "conv", 4))
        st.gemm_cycles += cyc, st.gemm_macs += macs;
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
    for (size_t i = 0; i < files.size(); i++) {
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
    printf("  %zu vectors, %llu DLP cycles, %.0f cycles/s simulated (Verilator)\n", files.size(),
           (unsigned long long)st.cycles, st.cycles / (st.sim_seconds > 0 ? st.sim_seconds : 1));
    if (st.gemm_cycles)
        printf("  matmul/conv vectors: MAC utilization %.1f %% (small single-buffered tiles)\n",
               100.0 * st.gemm_macs / ((double)CFG_N * CFG_N * st.gemm_cycles));
    printf("top_n%d_b%d: %ld passed, %ld failed\n", CFG_N, CFG_BW, st.passed, st.failed);
    return st.failed ? 1 : 0;
}
