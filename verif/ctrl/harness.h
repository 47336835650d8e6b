// harness.h - Verilator harness of tb_ctrl (dlp_csr + dlp_ctrl) with its bus and unit
// models: an AXI4-Lite master, an AXI4 read slave serving instruction memory, and four
// behavioural execution units (LD, MXU, VPU, ST) on the command ports.
//
// Clocking: each tick() drives the models' outputs with the clock low, evaluates, lets
// every model see the handshakes of this cycle, then raises the clock. FST tracing is on
// when the environment has TRACE=1 (file: $BUILD/tb_ctrl.fst).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vtb_ctrl.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

#ifndef CFG_AXIW
#define CFG_AXIW 128
#endif
#define AXI_BYTES (CFG_AXIW / 8)

// ---------------------------------------------------------------- AXI4 read slave
struct AxiMem {
    uint32_t base = 0;
    std::vector<uint8_t> mem;
    std::vector<std::pair<uint32_t, uint32_t>> faults; // [addr, addr+len) answer SLVERR
    struct Burst {
        uint32_t addr;
        unsigned beats, sent;
        uint64_t ready_at;
    };
    std::deque<Burst> q;
    unsigned min_lat = 100, max_lat = 140;
    int ar_ready = 0, r_valid = 0;
    uint8_t r_data[AXI_BYTES] = {0};
    int r_resp = 0, r_last = 0;
    uint64_t bursts = 0;
    bool bad_burst = false; // protocol check: crossing 4 KiB or partial instruction

    int resp_of(uint32_t a) const
    {
        if (a < base || (uint64_t)(a - base) + AXI_BYTES > mem.size())
            return 3; // DECERR
        for (auto &f : faults)
            if (a < (uint64_t)f.first + f.second && f.first < (uint64_t)a + AXI_BYTES)
                return 2; // SLVERR
        return 0;
    }
};

// ---------------------------------------------------------------- unit model
struct Cmd {
    uint32_t w[8];
    uint32_t slot[3];
    bool operator==(const Cmd &o) const
    {
        for (int i = 0; i < 8; i++)
            if (w[i] != o.w[i])
                return false;
        return slot[0] == o.slot[0] && slot[1] == o.slot[1] && slot[2] == o.slot[2];
    }
};

struct Unit {
    int kind = 0; // 0 LD, 1 MXU, 2 VPU, 3 ST
    std::vector<Cmd> log;
    std::map<size_t, std::pair<int, uint32_t>> fail; // command number -> (code, addr)
    int ready = 0, busy = 0, remaining = 0, done = 0, err = 0, code = 0;
    uint32_t addr = 0;
    int min_delay = 1, max_delay = 12;
    int ready_pct = 50;
    bool outstanding = false; // a command accepted, done not yet given
    // events still to emit for the current command
    uint64_t ev_left = 0;
    bool protocol_error = false;
};

struct Harness {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vtb_ctrl> m;
#if VM_TRACE
    std::unique_ptr<VerilatedFstC> tr;
#endif
    uint64_t cyc = 0;
    std::mt19937 rng;
    AxiMem axi;
    Unit unit[4];
    unsigned n = 16;
    // AXI-Lite master state
    int lite_order = 0;

    explicit Harness(uint32_t seed, unsigned n_) : ctx(new VerilatedContext), rng(seed), n(n_)
    {
        m.reset(new Vtb_ctrl(ctx.get()));
        for (int u = 0; u < 4; u++)
            unit[u].kind = u;
#if VM_TRACE
        const char *t = getenv("TRACE");
        if (t && t[0] == '1') {
            ctx->traceEverOn(true);
            tr.reset(new VerilatedFstC);
            m->trace(tr.get(), 99);
            std::string f = std::string(getenv("BUILD") ? getenv("BUILD") : ".") + "/tb_ctrl.fst";
            tr->open(f.c_str());
        }
#endif
        reset();
    }
    ~Harness()
    {
#if VM_TRACE
        if (tr)
            tr->close();
#endif
        m->final();
    }

    unsigned rnd(unsigned lo, unsigned hi)
    {
        return lo + rng() % (hi - lo + 1);
    }
    bool pct(unsigned p)
    {
        return rng() % 100 < p;
    }

    void reset();
    void tick();
    // AXI-Lite master (blocking; other models keep running).
    void csr_write(uint32_t addr, uint32_t data, uint32_t strb = 0xF);
    uint32_t csr_read(uint32_t addr);
    uint64_t perf(int k)
    {
        uint32_t lo = csr_read(0x100 + 8 * k);
        uint32_t hi = csr_read(0x104 + 8 * k);
        return (uint64_t)hi << 32 | lo;
    }
    // Wait until BUSY clears (by polling the pin); false on timeout.
    bool wait_idle(uint64_t timeout);

  private:
    void drive();
    void observe();
    uint64_t unit_events(const Cmd &c, int kind) const;
};
