// tb_dma.cc - Verilator testbench of dlp_dma_load / dlp_dma_store against the golden ISS.
//
// Each test is a one-instruction program ([LOOP] LOAD or STORE, FINISH) with random
// fields (scratchpad, sizes, strides, 3-D, all six pads, pad value, unaligned,
// out-of-window and out-of-range cases, SLVERR/DECERR injection). The golden ISS runs
// it from its DDR image; the RTL engines get the same repetitions through the
// execution-unit contract, with a C++ AXI4 slave memory (axi_mem.h: latency, random
// backpressure, random R gaps, fault ranges), an AXI protocol checker and scratchpad
// port models (1-cycle read after grant, random grant stalls) holding identical
// contents. After each test DDR and all scratchpads are compared byte for byte (except
// after an AXI error, whose state is undefined by the spec), as are the error code and
// address and the RD_BYTES/WR_BYTES counters. Prints `dma_nN_bW: P passed, F failed`
// and a bandwidth figure. Usage: tb_dma [tests] [seed]; TRACE=1 writes an FST.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "Vdma_tb_top.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

#include "dlp/isa.h"
#include "dlp/iss.h"
#include "dlp/prog.h"

#include "axi_mem.h"

#ifndef CFG_N
#define CFG_N 16
#endif
#ifndef CFG_BW
#define CFG_BW 128
#endif
static const unsigned N = CFG_N, BUS = CFG_BW / 8;
static const unsigned ROWS[3] = {CFG_ACT_ROWS, CFG_WGT_ROWS, CFG_ACC_ROWS};
static const uint32_t MEM_BASE = 0x40000000u, MEM_SIZE = 256 * 1024;
static const uint32_t PROG = MEM_BASE + MEM_SIZE / 2; // program, kept clear of STOREs

// ---------------------------------------------------------------- pin conversion
template <class T> static void to_bytes(const T &v, uint8_t *p, size_t n)
{
    uint64_t x = (uint64_t)v;
    memcpy(p, &x, n);
}
template <std::size_t W> static void to_bytes(const VlWide<W> &v, uint8_t *p, size_t n)
{
    memcpy(p, v.data(), n);
}
template <class T> static void from_bytes(T &v, const uint8_t *p, size_t n)
{
    uint64_t x = 0;
    memcpy(&x, p, n);
    v = (T)x;
}
template <std::size_t W> static void from_bytes(VlWide<W> &v, const uint8_t *p, size_t n)
{
    memset(v.data(), 0, sizeof(EData) * W);
    memcpy(v.data(), p, n);
}

// ---------------------------------------------------------------- scratchpad model
struct Sp {
    unsigned row_bytes = 0, rows = 0;
    std::vector<uint8_t> d;
    double p_gnt = 1;
    unsigned stall = 0; // forced no-grant cycles left
    bool rd_pend = false;
    uint32_t rd_row = 0;
    uint8_t rdata[64] = {0};
    bool prev_req = false, prev_gnt = false, prev_we = false;
    uint32_t prev_addr = 0;
    uint8_t prev_wdata[64] = {0};
    uint64_t reqs = 0; // cycles with a request
};

// ---------------------------------------------------------------- harness
// The model, its clock and reset, the clock edge, FST tracing (TRACE=1) and the timeout.
struct Sim {
    Vdma_tb_top *m;
    uint64_t cycle = 0;
#if VM_TRACE
    VerilatedFstC *tfp = nullptr;
#endif
    Sim()
    {
        m = new Vdma_tb_top;
#if VM_TRACE
        if (getenv("TRACE") && atoi(getenv("TRACE"))) {
            Verilated::traceEverOn(true);
            tfp = new VerilatedFstC;
            m->trace(tfp, 99);
            tfp->open(TRACE_FILE);
        }
#endif
    }
    ~Sim()
    {
#if VM_TRACE
        if (tfp) {
            tfp->close();
            delete tfp;
        }
#endif
        m->final();
        delete m;
    }
    static const uint64_t timeout = 4000000; // cycles per repetition before "hung"
    void reset()
    {
        m->rst_ni = 0;
        m->clk_i = 0;
        m->eval();
        for (int i = 0; i < 4; i++)
            edge();
        m->rst_ni = 1;
        m->eval();
    }
    void edge()
    {
        m->clk_i = 1;
        m->eval();
#if VM_TRACE
        if (tfp)
            tfp->dump(2 * cycle + 1);
#endif
        m->clk_i = 0;
        m->eval();
#if VM_TRACE
        if (tfp)
            tfp->dump(2 * cycle + 2);
#endif
        cycle++;
    }
};

struct Tb {
    Sim sim;
    AxiMem mem;
    AxiChecker chk;
    Sp sp[3];
    Rng rng;
    dlp_iss *iss = nullptr;
    std::vector<std::string> fails;
    uint64_t perf_bytes = 0, perf_stall = 0;
    bool hung = false;
    bool no_stalls = false;
    unsigned code_hist[16] = {0};

    static AxiMemCfg mcfg()
    {
        AxiMemCfg c;
        c.base = MEM_BASE;
        c.size = MEM_SIZE;
        c.bus_bytes = BUS;
        return c;
    }
    Tb(uint64_t seed) : mem(mcfg(), seed), chk(BUS), rng(seed + 7)
    {
        for (int s = 0; s < 3; s++) {
            sp[s].row_bytes = s == 2 ? 4 * N : N;
            sp[s].rows = ROWS[s];
            sp[s].d.resize((size_t)sp[s].row_bytes * sp[s].rows);
        }
        dlp_config c;
        dlp_config_default(&c);
        c.n = N;
        c.bus_bytes = BUS;
        c.act_bytes = ROWS[0] * N;
        c.wgt_bytes = ROWS[1] * N;
        c.acc_bytes = ROWS[2] * 4 * N;
        iss = dlp_iss_new(&c, MEM_BASE, MEM_SIZE);
        if (!iss) {
            fprintf(stderr, "dlp_iss_new failed\n");
            exit(2);
        }
        sim.reset();
    }
    ~Tb() { dlp_iss_free(iss); }

    // One clock cycle with both engines' ports served by the models.
    void cycle(bool load)
    {
        Vdma_tb_top *m = sim.m;
        AxiPins p;
        mem.drive(p);
        m->ld_m_axi_arready_i = p.arready;
        m->ld_m_axi_rvalid_i = p.rvalid;
        m->ld_m_axi_rid_i = p.rid;
        m->ld_m_axi_rresp_i = p.rresp;
        m->ld_m_axi_rlast_i = p.rlast;
        from_bytes(m->ld_m_axi_rdata_i, p.rdata, BUS);
        m->st_m_axi_awready_i = p.awready;
        m->st_m_axi_wready_i = p.wready;
        m->st_m_axi_bvalid_i = p.bvalid;
        m->st_m_axi_bid_i = p.bid;
        m->st_m_axi_bresp_i = p.bresp;
#define SP_RDATA(s, name)                                                                          \
    from_bytes(m->ld_##name##_rdata_i, sp[s].rdata, sp[s].row_bytes);                              \
    from_bytes(m->st_##name##_rdata_i, sp[s].rdata, sp[s].row_bytes);                              \
    m->ld_##name##_gnt_i = 0;                                                                      \
    m->st_##name##_gnt_i = 0;
        SP_RDATA(0, act)
        SP_RDATA(1, wgt)
        SP_RDATA(2, acc)
        m->eval();
        // Grants: only to a request, random, with occasional long stalls.
        bool req[3], we[3], gnt[3];
        uint32_t addr[3];
        uint8_t wdata[3][64];
#define SP_REQ(s, name)                                                                            \
    {                                                                                              \
        bool lr = load ? m->ld_##name##_req_o : m->st_##name##_req_o;                              \
        req[s] = lr;                                                                               \
        we[s] = load ? m->ld_##name##_we_o : m->st_##name##_we_o;                                  \
        addr[s] = load ? m->ld_##name##_addr_o : m->st_##name##_addr_o;                            \
        if (load)                                                                                  \
            to_bytes(m->ld_##name##_wdata_o, wdata[s], sp[s].row_bytes);                           \
        else                                                                                       \
            to_bytes(m->st_##name##_wdata_o, wdata[s], sp[s].row_bytes);                           \
        if ((load ? m->st_##name##_req_o : m->ld_##name##_req_o))                                  \
            fail("request from the idle engine");                                                  \
        if (sp[s].stall)                                                                           \
            sp[s].stall--;                                                                         \
        else if (!no_stalls && rng.chance(0.005))                                                  \
            sp[s].stall = 10 + rng.below(60);                                                      \
        gnt[s] = lr && !sp[s].stall && rng.chance(sp[s].p_gnt);                                    \
        if (load)                                                                                  \
            m->ld_##name##_gnt_i = gnt[s];                                                         \
        else                                                                                       \
            m->st_##name##_gnt_i = gnt[s];                                                         \
    }
        SP_REQ(0, act)
        SP_REQ(1, wgt)
        SP_REQ(2, acc)
        m->eval();
        p.arvalid = m->ld_m_axi_arvalid_o;
        p.arid = m->ld_m_axi_arid_o;
        p.araddr = m->ld_m_axi_araddr_o;
        p.arlen = m->ld_m_axi_arlen_o;
        p.arsize = m->ld_m_axi_arsize_o;
        p.arburst = m->ld_m_axi_arburst_o;
        p.rready = m->ld_m_axi_rready_o;
        p.awvalid = m->st_m_axi_awvalid_o;
        p.awid = m->st_m_axi_awid_o;
        p.awaddr = m->st_m_axi_awaddr_o;
        p.awlen = m->st_m_axi_awlen_o;
        p.awsize = m->st_m_axi_awsize_o;
        p.awburst = m->st_m_axi_awburst_o;
        p.wvalid = m->st_m_axi_wvalid_o;
        to_bytes(m->st_m_axi_wdata_o, p.wdata, BUS);
        p.wstrb = m->st_m_axi_wstrb_o;
        p.wlast = m->st_m_axi_wlast_o;
        p.bready = m->st_m_axi_bready_o;
        chk.check(p);
        mem.sample(p);
        for (int s = 0; s < 3; s++) {
            Sp &q = sp[s];
            if (q.prev_req && !q.prev_gnt &&
                (!req[s] || we[s] != q.prev_we || addr[s] != q.prev_addr ||
                 (we[s] && memcmp(wdata[s], q.prev_wdata, q.row_bytes))))
                fail("scratchpad request dropped or changed before its grant");
            if (req[s])
                q.reqs++;
            if (gnt[s] && addr[s] >= q.rows)
                fail("scratchpad row out of range");
            q.rd_pend = false;
            if (gnt[s] && addr[s] < q.rows) {
                if (we[s]) {
                    memcpy(&q.d[(size_t)addr[s] * q.row_bytes], wdata[s], q.row_bytes);
                } else {
                    q.rd_pend = true;
                    q.rd_row = addr[s];
                }
            }
            q.prev_req = req[s];
            q.prev_gnt = gnt[s];
            q.prev_we = we[s];
            q.prev_addr = addr[s];
            memcpy(q.prev_wdata, wdata[s], q.row_bytes);
        }
        perf_bytes += load ? m->ld_perf_bytes_o : m->st_perf_bytes_o;
        perf_stall += load ? m->ld_perf_stall_o : m->st_perf_stall_o;
        sim.edge();
        for (int s = 0; s < 3; s++) {
            Sp &q = sp[s];
            if (q.rd_pend)
                memcpy(q.rdata, &q.d[(size_t)q.rd_row * q.row_bytes], q.row_bytes);
            else
                for (unsigned i = 0; i < q.row_bytes; i++)
                    q.rdata[i] = (uint8_t)rng.next(); // data only valid after a grant
        }
    }

    void fail(const std::string &s)
    {
        if (fails.size() < 50)
            fails.push_back(s);
    }

    struct RepResult {
        bool err;
        unsigned code;
        uint32_t addr;
        uint64_t cycles;
    };

    // One repetition through the execution-unit contract.
    RepResult run_rep(bool load, const dlp_insn &insn, uint32_t slot0, uint32_t slot1)
    {
        Vdma_tb_top *m = sim.m;
        RepResult r = {true, 0, 0, 0};
        if (load) {
            m->ld_cmd_valid_i = 1;
            for (int i = 0; i < 8; i++)
                m->ld_cmd_insn_i.data()[i] = insn.w[i];
            m->ld_cmd_slot0_i = slot0;
            m->ld_cmd_slot1_i = slot1;
            m->ld_cmd_slot2_i = 0xDEADBEEF;
        } else {
            m->st_cmd_valid_i = 1;
            for (int i = 0; i < 8; i++)
                m->st_cmd_insn_i.data()[i] = insn.w[i];
            m->st_cmd_slot0_i = slot0;
            m->st_cmd_slot1_i = slot1;
            m->st_cmd_slot2_i = 0xDEADBEEF;
        }
        m->eval();
        if (!(load ? m->ld_cmd_ready_o : m->st_cmd_ready_o))
            fail("engine not ready for a command");
        uint64_t start = sim.cycle;
        cycle(load);
        m->ld_cmd_valid_i = 0;
        m->st_cmd_valid_i = 0;
        for (;;) {
            m->eval();
            bool done = load ? m->ld_done_o : m->st_done_o;
            if (done) {
                r.err = load ? m->ld_err_o : m->st_err_o;
                r.code = load ? m->ld_err_code_o : m->st_err_code_o;
                r.addr = load ? m->ld_err_addr_o : m->st_err_addr_o;
                cycle(load);
                break;
            }
            cycle(load);
            if (sim.cycle - start > Sim::timeout) {
                fail("timeout: repetition never finished");
                hung = true;
                return r;
            }
        }
        r.cycles = sim.cycle - start;
        if (chk.open_reads() || chk.open_writes())
            fail("done_o with open AXI transactions");
        if (r.err && !r.code)
            fail("err_o with code 0");
        return r;
    }

    void sync_from_iss()
    {
        memcpy(mem.mem.data(), dlp_iss_mem(iss, MEM_BASE, MEM_SIZE), MEM_SIZE);
        for (int s = 0; s < 3; s++)
            for (unsigned r = 0; r < sp[s].rows; r++)
                memcpy(&sp[s].d[(size_t)r * sp[s].row_bytes], dlp_iss_sp_row(iss, s, r),
                       sp[s].row_bytes);
    }

    bool compare_state(std::string &why)
    {
        const uint8_t *g = dlp_iss_mem(iss, MEM_BASE, MEM_SIZE);
        for (uint32_t i = 0; i < MEM_SIZE; i++)
            if (g[i] != mem.mem[i]) {
                char b[120];
                snprintf(b, sizeof b, "DDR byte %08x: rtl %02x golden %02x", MEM_BASE + i,
                         mem.mem[i], g[i]);
                why = b;
                return false;
            }
        for (int s = 0; s < 3; s++)
            for (unsigned r = 0; r < sp[s].rows; r++)
                if (memcmp(&sp[s].d[(size_t)r * sp[s].row_bytes], dlp_iss_sp_row(iss, s, r),
                           sp[s].row_bytes)) {
                    char b[120];
                    snprintf(b, sizeof b, "scratchpad %d row %u differs", s, r);
                    why = b;
                    return false;
                }
        return true;
    }

    void randomize()
    {
        uint8_t *g = dlp_iss_mem(iss, MEM_BASE, MEM_SIZE);
        for (uint32_t i = 0; i < MEM_SIZE; i += 8) {
            uint64_t x = rng.next();
            memcpy(g + i, &x, 8);
        }
        for (int s = 0; s < 3; s++)
            for (unsigned r = 0; r < sp[s].rows; r++) {
                uint8_t *row = dlp_iss_sp_row(iss, s, r);
                for (unsigned i = 0; i < sp[s].row_bytes; i++)
                    row[i] = (uint8_t)rng.next();
            }
    }

    // ------------------------------------------------------------ one random test
    bool one_test(int t, std::string &desc)
    {
        bool load = rng.below(2);
        dlp_dma_f f;
        memset(&f, 0, sizeof f);
        f.sp = rng.below(3);
        const uint32_t E = f.sp == 2 ? 4 * N : N;
        const uint32_t rows = ROWS[f.sp];
        unsigned kind = rng.below(100);
        f.pad_value = rng.below(256);
        f.x_size = 1 + rng.below(rng.chance(0.15) ? 300 : 24);
        f.y_size = 1 + rng.below(rng.chance(0.3) ? 1 : 6);
        f.z_size = 1 + rng.below(rng.chance(0.5) ? 1 : 3);
        if (load && rng.chance(0.6)) {
            f.x_pad[0] = rng.below(4);
            f.x_pad[1] = rng.below(4);
            f.y_pad[0] = rng.below(3);
            f.y_pad[1] = rng.below(3);
            f.z_pad[0] = rng.below(2);
            f.z_pad[1] = rng.below(2);
            if (rng.chance(0.05))
                f.x_pad[0] = 200 + rng.below(56);
        }
        auto box = [&]() -> uint64_t {
            uint64_t X = f.x_size, Y = f.y_size, Z = f.z_size;
            if (load) {
                X += f.x_pad[0] + f.x_pad[1];
                Y += f.y_pad[0] + f.y_pad[1];
                Z += f.z_pad[0] + f.z_pad[1];
            }
            return X * Y * Z;
        };
        while (box() > rows / 2) {
            if (f.x_size > 1)
                f.x_size = (f.x_size + 1) / 2;
            else if (f.y_size > 1)
                f.y_size--;
            else if (f.z_size > 1)
                f.z_size--;
            else
                f.x_pad[0] /= 2;
        }
        const uint32_t run = f.x_size * E;
        switch (rng.below(6)) {
        case 0: f.y_stride = run; break;                         // dense
        case 1: f.y_stride = E * rng.below(f.x_size + 1); break; // overlapping or 0
        default: f.y_stride = run + E * rng.below(8); break;
        }
        switch (rng.below(4)) {
        case 0: f.z_stride = f.y_stride * f.y_size; break;
        case 1: f.z_stride = E * rng.below(64); break;
        default: f.z_stride = f.y_stride * f.y_size + E * rng.below(16); break;
        }
        uint64_t fp =
            (uint64_t)(f.z_size - 1) * f.z_stride + (uint64_t)(f.y_size - 1) * f.y_stride + run;
        uint64_t bx = box();
        f.sram = rng.below(rows - (uint32_t)bx + 1);
        uint32_t win_base = MEM_BASE, win_limit = MEM_BASE + MEM_SIZE - 1;
        // DDR placement: E-aligned, away from the program for STORE.
        uint32_t dram = 0;
        for (int tries = 0;; tries++) {
            dram = MEM_BASE + E * rng.below((uint32_t)((MEM_SIZE - fp) / E));
            if (load || dram + fp <= PROG || dram >= PROG + 64 || tries > 100)
                break;
        }
        f.dram = dram;
        int reps = 1;
        int32_t inc0 = 0, inc1 = 0;
        if (rng.chance(0.2)) {
            reps = 2 + rng.below(2);
            inc0 = (int32_t)rng.below(8);
            inc1 = (int32_t)(E * rng.below(8));
            if (rng.chance(0.3))
                inc1 = -inc1;
        }
        if (!load && reps > 1) { // later repetitions must not overwrite the program
            inc1 = inc1 < 0 ? -inc1 : inc1;
            uint64_t last = (uint64_t)f.dram + (uint64_t)(reps - 1) * (uint32_t)inc1;
            if (!(last + fp <= PROG || f.dram >= PROG + 64))
                reps = 1;
        }
        const char *what = "normal";
        if (kind < 8) { // SP_RANGE, sometimes by a LOOP increment wrapping slot 0
            what = "sp-range";
            if (rng.chance(0.5) || bx + 2 > rows) {
                reps = 2;
                inc0 = rng.chance(0.5) ? -(int32_t)f.sram - 1 - (int32_t)rng.below(5)
                                       : (int32_t)(rows - f.sram - bx + 1 + rng.below(3));
                inc1 = 0;
            } else {
                f.sram = rows - (uint32_t)bx + 1 + rng.below(3);
            }
        } else if (kind < 16) { // DMA_ALIGN
            what = "align";
            switch (rng.below(3)) {
            case 0: f.dram += 1 + rng.below(E - 1); break;
            case 1: f.y_stride += 1 + rng.below(E - 1); break;
            default: f.z_stride += 1 + rng.below(E - 1); break;
            }
        } else if (kind < 28) { // DMA_WINDOW at either edge, or a wrapping stride
            what = "window";
            int d = (int)rng.below(3) - 1; // -1: inside by a byte, 0: exact, 1: out
            if (rng.chance(0.2)) { // top of the 32-bit space: end at 2^32 - E, 2^32, 2^32 + E
                win_limit = 0xFFFFFFFFu;
                f.dram = (uint32_t)((0x100000000ull - fp + (uint64_t)((int64_t)d * E)) &
                                    ~(uint64_t)(E - 1));
            } else if (rng.chance(0.15)) {
                f.y_stride = (uint32_t)(-(int32_t)E * (1 + (int32_t)rng.below(4)));
                if (f.y_size < 2)
                    f.y_size = 2;
            } else if (f.dram + fp <= PROG) {
                win_base = f.dram + d;
            } else if (f.dram + fp - 1 - d >= PROG + 64) {
                win_limit = (uint32_t)(f.dram + fp - 1 - d);
            } else {
                win_base = f.dram + 1; // keeps the program inside the window
            }
        } else if (kind < 38) { // SLVERR somewhere in the footprint
            what = "slverr";
            uint32_t a = (f.dram + rng.below((uint32_t)fp)) & ~15u;
            uint32_t len = 16 * (1 + rng.below(4));
            if (a < PROG + 256 && PROG < a + len) // never fault the program's fetch
                a = PROG + 256;
            dlp_iss_add_fault(iss, a, len, 1, 1);
            mem.add_fault(a, len, true, true);
        } else if (kind < 45) { // DECERR: footprint crosses the end or start of DDR
            what = "decerr";
            win_base = MEM_BASE - 16384;
            win_limit = MEM_BASE + MEM_SIZE + 16384 - 1;
            if (rng.chance(0.5))
                f.dram = (uint32_t)(MEM_BASE + MEM_SIZE - fp / 2) & ~(E - 1);
            else
                f.dram = (uint32_t)(MEM_BASE - fp / 2) & ~(E - 1);
        }
        // Scratchpad grant behaviour and bus backpressure for this test.
        static const double pg[] = {1.0, 0.8, 0.4, 0.1};
        for (int s = 0; s < 3; s++)
            sp[s].p_gnt = pg[rng.below(4)];
        static const double pr[] = {1.0, 0.7, 0.3};
        mem.cfg.p_arready = pr[rng.below(3)];
        mem.cfg.p_awready = pr[rng.below(3)];
        mem.cfg.p_wready = pr[rng.below(3)];
        mem.cfg.p_rbeat = pr[rng.below(3)];
        mem.cfg.p_bvalid = pr[rng.below(3)];
        mem.cfg.rd_latency = rng.chance(0.7) ? 100 : rng.below(20);

        // Golden: the program from DDR.
        randomize();
        dlp_prog *p = dlp_prog_new();
        if (reps > 1)
            dlp_emit_loop(p, reps, inc0, inc1, 0);
        int idx = load ? dlp_emit_load(p, &f, 0) : dlp_emit_store(p, &f, 0);
        dlp_emit_finish(p);
        if (idx < 0 || dlp_prog_error(p)) {
            desc = std::string("program builder: ") + (dlp_prog_error(p) ? dlp_prog_error(p) : "?");
            dlp_prog_free(p);
            return false;
        }
        dlp_insn insn = dlp_prog_insns(p)[idx];
        size_t nb = dlp_prog_bytes(p, dlp_iss_mem(iss, PROG, 256), 256);
        size_t count = dlp_prog_len(p);
        dlp_prog_free(p);
        if (!nb) {
            desc = "program too long";
            return false;
        }
        sync_from_iss();
        int g_code = dlp_iss_run(iss, PROG, (uint32_t)count, win_base, win_limit);
        uint32_t g_addr = dlp_iss_csr_read(iss, DLP_CSR_ERR_ADDR);
        uint64_t g_bytes = dlp_iss_perf(iss, load ? DLP_PERF_RD_BYTES : DLP_PERF_WR_BYTES);
        dlp_iss_clear_faults(iss);

        // RTL: the same repetitions.
        sim.m->win_base_i = win_base;
        sim.m->win_limit_i = win_limit;
        chk.set_window(win_base, win_limit);
        size_t nfails = fails.size();
        perf_bytes = 0;
        RepResult r = {false, 0, 0, 0};
        for (int i = 0; i < reps; i++) {
            uint32_t s0 = f.sram + (uint32_t)i * (uint32_t)inc0;
            uint32_t s1 = f.dram + (uint32_t)i * (uint32_t)inc1;
            uint64_t ar0 = chk.ar_count, aw0 = chk.aw_count;
            uint64_t rq0 = sp[0].reqs + sp[1].reqs + sp[2].reqs;
            r = run_rep(load, insn, s0, s1);
            if (hung)
                break;
            if (r.err &&
                (r.code == DLP_ERR_SP_RANGE || r.code == DLP_ERR_DMA_ALIGN ||
                 r.code == DLP_ERR_DMA_WINDOW) &&
                (chk.ar_count != ar0 || chk.aw_count != aw0 ||
                 sp[0].reqs + sp[1].reqs + sp[2].reqs != rq0))
                fail("a repetition that failed its checks made an access");
            if (r.err)
                break;
        }
        mem.clear_faults();
        for (auto &e : chk.errors)
            fail("AXI: " + e);
        chk.errors.clear();

        char b[400];
        snprintf(b, sizeof b,
                 "test %d %s %s sp=%u E=%u sram=%u dram=%08x x=%u y=%u z=%u ys=%u zs=%u "
                 "pad=%u,%u/%u,%u/%u,%u reps=%d inc=%d,%d win=[%08x,%08x] lat=%u",
                 t, load ? "LOAD" : "STORE", what, f.sp, E, f.sram, f.dram, f.x_size, f.y_size,
                 f.z_size, f.y_stride, f.z_stride, f.x_pad[0], f.x_pad[1], f.y_pad[0], f.y_pad[1],
                 f.z_pad[0], f.z_pad[1], reps, inc0, inc1, win_base, win_limit, mem.cfg.rd_latency);
        desc = b;
        snprintf(b, sizeof b, " -> golden %d", g_code);
        desc += b;
        code_hist[g_code & 15]++;
        if (fails.size() != nfails)
            return false;
        unsigned r_code = r.err ? r.code : 0;
        if ((int)r_code != g_code) {
            snprintf(b, sizeof b, ": error code rtl %u golden %d", r_code, g_code);
            desc += b;
            return false;
        }
        if (g_code && r.addr != g_addr) {
            snprintf(b, sizeof b, ": error address rtl %08x golden %08x", r.addr, g_addr);
            desc += b;
            return false;
        }
        if (g_code == DLP_ERR_AXI_READ || g_code == DLP_ERR_AXI_WRITE)
            return true; // state after an AXI error is undefined
        std::string why;
        if (!compare_state(why)) {
            desc += ": " + why;
            return false;
        }
        if (!g_code && perf_bytes != g_bytes) {
            snprintf(b, sizeof b, ": bytes counter rtl %" PRIu64 " golden %" PRIu64, perf_bytes,
                     g_bytes);
            desc += b;
            return false;
        }
        return true;
    }

    // 64 KiB LOAD (ACT rows), 100-cycle latency, no backpressure.
    void bandwidth(const char *name)
    {
        const uint32_t bytes = 65536;
        dlp_dma_f f;
        memset(&f, 0, sizeof f);
        f.sp = 0;
        f.x_size = bytes / N;
        f.y_size = f.z_size = 1;
        f.y_stride = f.z_stride = bytes;
        f.dram = MEM_BASE;
        if (f.x_size > ROWS[0]) {
            printf("%s bandwidth: skipped (ACT smaller than 64 KiB)\n", name);
            return;
        }
        dlp_prog *p = dlp_prog_new();
        dlp_emit_load(p, &f, 0);
        dlp_insn insn = dlp_prog_insns(p)[0];
        dlp_prog_free(p);
        for (int s = 0; s < 3; s++)
            sp[s].p_gnt = 1;
        mem.cfg.p_arready = mem.cfg.p_awready = mem.cfg.p_wready = 1;
        mem.cfg.p_rbeat = mem.cfg.p_bvalid = 1;
        mem.cfg.rd_latency = 100;
        no_stalls = true;
        sim.m->win_base_i = MEM_BASE;
        sim.m->win_limit_i = MEM_BASE + MEM_SIZE - 1;
        chk.set_window(MEM_BASE, MEM_BASE + MEM_SIZE - 1);
        perf_stall = 0;
        unsigned mr = chk.max_reads_in_flight;
        chk.max_reads_in_flight = 0;
        RepResult r = run_rep(true, insn, 0, MEM_BASE);
        if (r.err)
            fail("bandwidth LOAD failed");
        double beats = (double)bytes / BUS;
        printf("%s bandwidth: LOAD 64 KiB (E=%u B), latency 100, no backpressure: %" PRIu64
               " cycles, %.2f B/cycle, %.1f%% of the %u-byte bus, max %u bursts in flight, "
               "%" PRIu64 " R-stall cycles%s\n",
               name, N, r.cycles, bytes / (double)r.cycles, 100.0 * beats / r.cycles, BUS,
               chk.max_reads_in_flight, perf_stall, r.err ? " (ERROR)" : "");
        if (chk.max_reads_in_flight < 4)
            fail("fewer than 4 read bursts in flight on a 64 KiB LOAD");
        if (mr > chk.max_reads_in_flight)
            chk.max_reads_in_flight = mr;
        // Same for a STORE.
        p = dlp_prog_new();
        dlp_emit_store(p, &f, 0);
        insn = dlp_prog_insns(p)[0];
        dlp_prog_free(p);
        r = run_rep(false, insn, 0, MEM_BASE);
        if (r.err)
            fail("bandwidth STORE failed");
        for (auto &e : chk.errors)
            fail("AXI: " + e);
        chk.errors.clear();
        printf("%s bandwidth: STORE 64 KiB (E=%u B), no backpressure: %" PRIu64
               " cycles, %.1f%% of the bus%s\n",
               name, N, r.cycles, 100.0 * beats / r.cycles, r.err ? " (ERROR)" : "");
    }
};

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    int tests = argc > 1 ? atoi(argv[1]) : 400;
    uint64_t seed = argc > 2 ? strtoull(argv[2], nullptr, 0) : 1;
    char name[32];
    snprintf(name, sizeof name, "dma_n%u_b%u", N, BUS * 8);
    Tb tb(seed);
    int passed = 0, failed = 0;
    for (int t = 0; t < tests && !tb.hung; t++) {
        std::string desc;
        size_t nf = tb.fails.size();
        bool ok = tb.one_test(t, desc);
        if (ok) {
            passed++;
        } else {
            failed++;
            if (failed <= 5) {
                printf("FAIL %s\n", desc.c_str());
                for (size_t i = nf; i < tb.fails.size() && i < nf + 5; i++)
                    printf("  %s\n", tb.fails[i].c_str());
            }
        }
        if (getenv("VERBOSE"))
            printf("%s %s\n", ok ? "ok  " : "FAIL", desc.c_str());
    }
    if (!tb.hung) { // the bandwidth run counts as one more test (protocol, >= 4 in flight)
        size_t nf = tb.fails.size();
        tb.bandwidth(name);
        if (tb.fails.size() == nf) {
            passed++;
        } else {
            failed++;
            for (size_t i = nf; i < tb.fails.size() && i < nf + 5; i++)
                printf("FAIL bandwidth run: %s\n", tb.fails[i].c_str());
        }
    }
    printf("%s: max %u read bursts in flight, %" PRIu64 " cycles\n", name,
           tb.chk.max_reads_in_flight, tb.sim.cycle);
    printf("%s: outcomes:", name);
    for (int c = 0; c < 16; c++)
        if (tb.code_hist[c])
            printf(" %s=%u", c == 0 ? "ok" : dlp_err_name(c), tb.code_hist[c]);
    printf("\n");
    printf("%s: %d passed, %d failed\n", name, passed, failed);
    return failed ? 1 : 0;
}
