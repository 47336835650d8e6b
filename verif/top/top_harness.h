// top_harness.h - Verilator harness of dlp_top shared by verif/top (tb_top.cpp),
// verif/bench (bench_top.cpp) and verif/coverage.
//
// Top owns the model, the clock, optional FST tracing, the AXI4 memory model and protocol
// checker of verif/dma (set `mem` and `chk` before reset()), and an AXI4-Lite master for
// the CSRs. tick() is one clock cycle: the memory model drives, the DUT settles, the models
// sample, rising edge. CFG_BW (AXI data bits) selects the bus width.
#ifndef VERIF_TOP_HARNESS_H
#define VERIF_TOP_HARNESS_H

#include <cstdint>
#include <cstdlib>
#include <memory>

#include "Vdlp_top.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

#include "axi_mem.h"
#include "dlp/isa.h"

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
    bool lite_aw = false, lite_w = false, lite_b = false, lite_ar = false, lite_r = false;
    uint32_t lite_rdata = 0;

    // fst_name: write an FST waveform there (models built with --trace-fst), or nullptr.
    explicit Top(const char *fst_name = nullptr)
    {
        m.reset(new Vdlp_top(&ctx));
#if VM_TRACE
        if (fst_name) {
            ctx.traceEverOn(true);
            fst.reset(new VerilatedFstC);
            m->trace(fst.get(), 99);
            fst->open(fst_name);
        }
#else
        (void)fst_name;
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
    void dump()
    {
#if VM_TRACE
        if (fst)
            fst->dump(ctx.time());
        ctx.timeInc(1);
#endif
    }
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
        dump();
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
        lite_aw = m->s_axil_awvalid_i && m->s_axil_awready_o;
        lite_w = m->s_axil_wvalid_i && m->s_axil_wready_o;
        lite_b = m->s_axil_bvalid_o && m->s_axil_bready_i;
        lite_ar = m->s_axil_arvalid_i && m->s_axil_arready_o;
        lite_r = m->s_axil_rvalid_o && m->s_axil_rready_i;
        lite_rdata = m->s_axil_rdata_o;
        m->clk_i = 1;
        m->eval();
        dump();
        cycle++;
    }
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

#endif
