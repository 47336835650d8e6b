// be_sim.cc - the "sim" backend: the Verilator model of rtl/top/dlp_top (default
// parameters: N = 16, 128-bit AXI) driven by the shared harness of verif/top
// (top_harness.h), with the AXI memory model of verif/dma as DMA memory and its protocol
// checker watching the master.
//
// CSR accesses are AXI4-Lite transactions on the model (a few cycles each). The model
// only advances inside register accesses and wait_irq, which steps it in chunks until
// irq_o rises, calls the progress callback about every 2^20 cycles and gives up at the
// wall-clock deadline (DLP_DEV_E_TIMEOUT: a hung device never hangs the host).
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "dev_internal.h"
#include "top_harness.h"

namespace
{

const uint64_t kChunk = 4096;            // cycles between wall-clock checks
const uint64_t kProgressEvery = 1 << 20; // cycles between progress callbacks

struct Sim {
    Top top;
    uint32_t win_base = 0, win_limit = 0;
    uint64_t job_cycles = 0, next_progress = kProgressEvery;
    bool broken = false; // an AXI-Lite access timed out or the checker fired
    size_t reported = 0; // checker errors already reported
    explicit Sim(const char *fst) : top(fst) {}
};

Sim *sim_of(dlp_dev *d)
{
    return static_cast<Sim *>(d->priv);
}

int sim_open(dlp_dev *d, const char *, const dlp_dev_opts *o)
{
    Sim *s = new (std::nothrow) Sim(o->trace_fst);
    if (!s)
        return dlp_dev_fail(d, DLP_DEV_E_NOMEM, "sim: out of host memory");
    AxiMemCfg mc;
    mc.base = o->mem_base;
    mc.size = (uint32_t)o->mem_size;
    mc.bus_bytes = BUS;
    mc.rd_latency = o->sim_latency;
    try {
        s->top.mem.reset(new AxiMem(mc, 1));
        s->top.chk.reset(new AxiChecker(BUS));
    } catch (const std::bad_alloc &) {
        delete s;
        return dlp_dev_fail(d, DLP_DEV_E_NOMEM, "sim: cannot allocate %zu bytes of DDR",
                            o->mem_size);
    }
    s->win_base = o->mem_base;
    s->win_limit = (uint32_t)(o->mem_base + o->mem_size - 1);
    s->top.chk->set_window(s->win_base, s->win_limit);
    s->top.reset();
    d->priv = s;
    d->mem = s->top.mem->mem.data();
    d->dma_base = o->mem_base;
    d->dma_size = o->mem_size;
    return DLP_DEV_OK;
}

void sim_close(dlp_dev *d)
{
    delete sim_of(d);
}

uint32_t sim_reg_read(dlp_dev *d, uint32_t off)
{
    Sim *s = sim_of(d);
    uint32_t v = s->top.csr_read(off); // 0xDEADBEEF (and a message) on a stuck AXI-Lite
    s->job_cycles += 4;
    return v;
}

void sim_reg_write(dlp_dev *d, uint32_t off, uint32_t val)
{
    Sim *s = sim_of(d);
    if (off == DLP_CSR_WIN_BASE)
        s->win_base = val;
    if (off == DLP_CSR_WIN_LIMIT)
        s->win_limit = val;
    s->top.chk->set_window(s->win_base, s->win_limit);
    if (off == DLP_CSR_CTRL && (val & DLP_CTRL_START)) {
        s->job_cycles = 0;
        s->next_progress = kProgressEvery;
    }
    if (!s->top.csr_write(off, val))
        s->broken = true;
}

int sim_wait_irq(dlp_dev *d, int64_t deadline_ms)
{
    Sim *s = sim_of(d);
    Top &t = s->top;
    if (s->broken)
        return dlp_dev_fail(d, DLP_DEV_E_IO,
                            "sim: a CSR access got no AXI-Lite response within 1000 cycles "
                            "(an RTL bug; reopen the device)");
    for (;;) {
        for (uint64_t i = 0; i < kChunk; i++) {
            if (t.m->irq_o)
                return DLP_DEV_OK;
            t.tick();
        }
        s->job_cycles += kChunk;
        if (t.chk->errors.size() > s->reported) {
            s->reported = t.chk->errors.size();
            return dlp_dev_fail(d, DLP_DEV_E_IO,
                                "sim: the AXI protocol checker flagged the DLP's master port "
                                "(an RTL bug): %s",
                                t.chk->errors.back().c_str());
        }
        if (s->job_cycles >= s->next_progress) {
            s->next_progress += kProgressEvery;
            if (d->progress)
                d->progress(d->progress_user, s->job_cycles);
        }
        if (deadline_ms >= 0 && dlp_now_ms() >= deadline_ms)
            return DLP_DEV_E_TIMEOUT;
    }
}

} // namespace

extern "C" const dlp_backend dlp_backend_sim = {
    .name = "sim",
    .async = 0,
    .open = sim_open,
    .close = sim_close,
    .reg_read = sim_reg_read,
    .reg_write = sim_reg_write,
    .wait_irq = sim_wait_irq,
    .sync_for_device = nullptr,
    .sync_for_cpu = nullptr,
};
