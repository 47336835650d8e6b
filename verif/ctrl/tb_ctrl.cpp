// tb_ctrl.cpp - tests of the DLP control block (dlp_csr + dlp_ctrl) against the golden ISS.
//
//  1. random legal programs (golden program builder; random LOOPs, SYNCs, token patterns,
//     random program placement across 4 KiB pages): every unit's command sequence
//     (instruction bits and slot addresses) equals the LOOP expansion of the decoded
//     program, and STATUS / ERR_* / the exact counters equal the ISS's;
//  2. every dispatch-time error, deadlocks (queue depth, token maximum), leftover tokens,
//     NO_FINISH, INSN_COUNT 0, START-time alignment / window, fetch AXI errors (and one
//     after FINISH that must be ignored), unit errors: code, index and address equal the
//     ISS's;
//  3. CSR map, IRQ enables and W1C, START while busy, SOFT_RESET mid-program.
// Usage: tb_ctrl [seed] [random programs]. Prints "ctrl: P passed, F failed".
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "dlp/isa.h"
#include "dlp/iss.h"
#include "dlp/prog.h"
#include "harness.h"

#ifndef CFG_N
#define CFG_N 16
#endif
#ifndef CFG_QD
#define CFG_QD 8
#endif
#ifndef CFG_TB
#define CFG_TB 8
#endif

static const uint32_t MEM_BASE = 0x80000000u;
static const uint32_t MEM_SIZE = 1u << 20;
static const uint32_t DATA = MEM_BASE + 0x40000u;
static const uint32_t TOKMAX = (1u << CFG_TB) - 1;

static int g_pass, g_fail;
static std::string g_test;
static bool g_ok;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (g_ok)
        fprintf(stderr, "FAIL %s: ", g_test.c_str());
    else
        fprintf(stderr, "     %s: ", g_test.c_str());
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    g_ok = false;
}
static void begin(const std::string &name)
{
    g_test = name;
    g_ok = true;
}
static void end()
{
    if (g_ok)
        g_pass++;
    else
        g_fail++;
}
#define EXPECT_EQ(a, b)                                                                            \
    do {                                                                                           \
        uint64_t _a = (a), _b = (b);                                                               \
        if (_a != _b)                                                                              \
            fail("%s = 0x%llx, expected 0x%llx (line %d)", #a, (unsigned long long)_a,             \
                 (unsigned long long)_b, __LINE__);                                                \
    } while (0)

static dlp_config config()
{
    dlp_config c;
    dlp_config_default(&c);
    c.n = CFG_N;
    c.bus_bytes = CFG_AXIW / 8;
    c.queue_depth = CFG_QD;
    c.token_bits = CFG_TB;
    return c;
}

// ---------------------------------------------------------------- program + run
struct Fault {
    uint32_t addr, len;
    int reads, writes;
};
struct UnitFail {
    int unit;
    size_t cmd;
    int code;
    uint32_t addr;
};
struct Prog {
    std::vector<dlp_insn> v;
    uint32_t addr = MEM_BASE + 0x1000;
    uint32_t count = 0; // 0: v.size()
    uint32_t win_base = MEM_BASE, win_limit = MEM_BASE + MEM_SIZE - 1;
    std::vector<Fault> faults;
    std::vector<UnitFail> ufails;
    bool force_count = false; // use count even when 0
};
struct Result {
    uint32_t status, code, index, addr, irq;
    uint64_t perf[5];
};

static std::vector<uint8_t> image(const Prog &p)
{
    std::vector<uint8_t> mem(MEM_SIZE, 0);
    for (size_t i = 0; i < p.v.size(); i++) {
        uint64_t a = (uint64_t)p.addr + 32 * i;
        if (a >= MEM_BASE && a + 32 <= (uint64_t)MEM_BASE + MEM_SIZE)
            dlp_insn_to_bytes(&p.v[i], &mem[a - MEM_BASE]);
    }
    for (uint32_t i = 0; i < 0x10000; i++) // some data for loads
        mem[DATA - MEM_BASE + i] = (uint8_t)(i * 7 + 3);
    return mem;
}

static uint32_t count_of(const Prog &p)
{
    return p.force_count || p.count ? p.count : (uint32_t)p.v.size();
}

static Result run_iss(const Prog &p)
{
    dlp_config c = config();
    dlp_iss *s = dlp_iss_new(&c, MEM_BASE, MEM_SIZE);
    std::vector<uint8_t> mem = image(p);
    memcpy(dlp_iss_mem(s, MEM_BASE, MEM_SIZE), mem.data(), MEM_SIZE);
    for (auto &f : p.faults)
        dlp_iss_add_fault(s, f.addr, f.len, f.reads, f.writes);
    dlp_iss_run(s, p.addr, count_of(p), p.win_base, p.win_limit);
    Result r;
    r.status = dlp_iss_csr_read(s, DLP_CSR_STATUS);
    r.code = dlp_iss_csr_read(s, DLP_CSR_ERR_CODE);
    r.index = dlp_iss_csr_read(s, DLP_CSR_ERR_INDEX);
    r.addr = dlp_iss_csr_read(s, DLP_CSR_ERR_ADDR);
    r.irq = dlp_iss_csr_read(s, DLP_CSR_IRQ_STATUS);
    for (int k = 0; k < 5; k++)
        r.perf[k] = dlp_iss_perf(s, k);
    dlp_iss_free(s);
    return r;
}

static void setup_rtl(Harness &h, const Prog &p)
{
    h.axi.base = MEM_BASE;
    h.axi.mem = image(p);
    h.axi.faults.clear();
    for (auto &f : p.faults)
        if (f.reads)
            h.axi.faults.push_back({f.addr, f.len});
    for (int u = 0; u < 4; u++) {
        h.unit[u].log.clear();
        h.unit[u].fail.clear();
        h.unit[u].min_delay = 1;
        h.unit[u].max_delay = (int)h.rnd(1, 40);
        h.unit[u].ready_pct = (int)h.rnd(20, 100);
    }
    for (auto &f : p.ufails)
        h.unit[f.unit].fail[f.cmd] = {f.code, f.addr};
    h.csr_write(DLP_CSR_INSN_BASE, p.addr);
    h.csr_write(DLP_CSR_INSN_COUNT, count_of(p));
    h.csr_write(DLP_CSR_WIN_BASE, p.win_base);
    h.csr_write(DLP_CSR_WIN_LIMIT, p.win_limit);
}

static Result read_result(Harness &h)
{
    Result r;
    r.status = h.csr_read(DLP_CSR_STATUS);
    r.code = h.csr_read(DLP_CSR_ERR_CODE);
    r.index = h.csr_read(DLP_CSR_ERR_INDEX);
    r.addr = h.csr_read(DLP_CSR_ERR_ADDR);
    r.irq = h.csr_read(DLP_CSR_IRQ_STATUS);
    for (int k = 0; k < 5; k++)
        r.perf[k] = h.perf(k);
    return r;
}

static Result run_rtl(Harness &h, const Prog &p, uint32_t ctrl_extra = 0)
{
    setup_rtl(h, p);
    h.csr_write(DLP_CSR_CTRL, DLP_CTRL_START | ctrl_extra);
    if (!h.wait_idle(400000))
        fail("timeout: still busy");
    Result r = read_result(h);
    for (int u = 0; u < 4; u++)
        if (h.unit[u].protocol_error)
            fail("unit %d got a command while holding one", u), h.unit[u].protocol_error = false;
    if (h.axi.bad_burst)
        fail("fetch burst breaks the rules (4 KiB, whole instructions, size, INCR)"),
            h.axi.bad_burst = false;
    return r;
}

// LOOP expansion of the decoded program: the commands each unit must receive.
static void expand(const Prog &p, std::vector<Cmd> out[4])
{
    int nloops = 0;
    dlp_loop_f loops[2];
    uint32_t n = std::min<uint32_t>(count_of(p), (uint32_t)p.v.size());
    for (uint32_t i = 0; i < n; i++) {
        dlp_decoded d;
        dlp_decode(&p.v[i], &d);
        if (d.opcode == DLP_OP_LOOP) {
            loops[nloops++] = d.u.loop;
            continue;
        }
        if (d.opcode == DLP_OP_FINISH)
            break;
        int unit = d.opcode == DLP_OP_LOAD    ? 0
                   : d.opcode == DLP_OP_GEMM  ? 1
                   : d.opcode == DLP_OP_VEC   ? 2
                   : d.opcode == DLP_OP_STORE ? 3
                                              : -1;
        uint32_t base[3] = {0, 0, 0};
        int used = 3;
        if (unit == 0 || unit == 3) {
            base[0] = d.u.dma.sram;
            base[1] = d.u.dma.dram;
            used = 2;
        } else if (unit == 1) {
            base[0] = d.u.gemm.act;
            base[1] = d.u.gemm.wgt;
            base[2] = d.u.gemm.acc;
        } else if (unit == 2) {
            base[0] = d.u.vec.src;
            base[1] = d.u.vec.src2;
            base[2] = d.u.vec.dst;
        }
        uint32_t c0 = nloops > 0 ? loops[0].count : 1, c1 = nloops > 1 ? loops[1].count : 1;
        if (unit >= 0)
            for (uint32_t a = 0; a < c0; a++)
                for (uint32_t b = 0; b < c1; b++) {
                    Cmd c;
                    memcpy(c.w, p.v[i].w, sizeof c.w);
                    for (int k = 0; k < 3; k++) {
                        uint32_t s = base[k];
                        if (nloops > 0)
                            s += a * (uint32_t)loops[0].inc[k];
                        if (nloops > 1)
                            s += b * (uint32_t)loops[1].inc[k];
                        c.slot[k] = k < used ? s : 0;
                    }
                    out[unit].push_back(c);
                }
        nloops = 0;
    }
}

static void compare(const Result &r, const Result &g, bool exact_counters)
{
    EXPECT_EQ(r.status, g.status);
    EXPECT_EQ(r.code, g.code);
    EXPECT_EQ(r.index, g.index);
    EXPECT_EQ(r.addr, g.addr);
    EXPECT_EQ(r.irq, g.irq);
    if (exact_counters)
        for (int k = 0; k < 5; k++)
            if (r.perf[k] != g.perf[k])
                fail("PERF[%d] = %llu, ISS %llu", k, (unsigned long long)r.perf[k],
                     (unsigned long long)g.perf[k]);
}

static void check_cmds(Harness &h, const Prog &p)
{
    std::vector<Cmd> exp[4];
    expand(p, exp);
    static const char *names[4] = {"LD", "MXU", "VPU", "ST"};
    for (int u = 0; u < 4; u++) {
        const auto &got = h.unit[u].log;
        if (got.size() != exp[u].size()) {
            fail("%s got %zu commands, expected %zu", names[u], got.size(), exp[u].size());
            continue;
        }
        for (size_t k = 0; k < got.size(); k++)
            if (!(got[k] == exp[u][k])) {
                fail("%s command %zu: w0 %08x slots %08x %08x %08x, expected w0 %08x slots %08x "
                     "%08x %08x",
                     names[u], k, got[k].w[0], got[k].slot[0], got[k].slot[1], got[k].slot[2],
                     exp[u][k].w[0], exp[u][k].slot[0], exp[u][k].slot[1], exp[u][k].slot[2]);
                break;
            }
    }
}

// Timing counters: CYCLES bounds every other one; a unit's busy counter is non-zero
// exactly when it received commands (GEMM_BUSY: MXU, VEC_BUSY: VPU).
static void timing_sanity(Harness &h)
{
    uint64_t t[20];
    for (int k = DLP_PERF_CYCLES; k < DLP_NUM_PERF; k++)
        t[k] = h.perf(k);
    for (int k = DLP_PERF_CYCLES + 1; k < DLP_NUM_PERF; k++)
        if (t[k] > t[DLP_PERF_CYCLES])
            fail("PERF[%d] = %llu > CYCLES %llu", k, (unsigned long long)t[k],
                 (unsigned long long)t[DLP_PERF_CYCLES]);
    static const int busy[4] = {DLP_PERF_LD_BUSY, DLP_PERF_GEMM_BUSY, DLP_PERF_VEC_BUSY,
                                DLP_PERF_ST_BUSY};
    for (int u = 0; u < 4; u++)
        if ((t[busy[u]] != 0) != !h.unit[u].log.empty())
            fail("PERF[%d] = %llu with %zu commands", busy[u], (unsigned long long)t[busy[u]],
                 h.unit[u].log.size());
    if (t[DLP_PERF_CYCLES] < 100)
        fail("CYCLES %llu below the fetch latency", (unsigned long long)t[DLP_PERF_CYCLES]);
}

// ---------------------------------------------------------------- random programs
struct Gen {
    std::mt19937 &rng;
    dlp_prog *p;
    uint32_t tok[4] = {0, 0, 0, 0}; // LC CL CS SC, sequential program order
    unsigned r(unsigned lo, unsigned hi) { return lo + rng() % (hi - lo + 1); }
    bool pc(unsigned x) { return rng() % 100 < x; }

    // Token flags legal in program order for queue q; updates the counters.
    uint32_t flags(int q)
    {
        uint32_t f = 0;
        // pops
        if (q == 0 && tok[1] && pc(50))
            f |= DLP_F_POP_NEXT, tok[1]--;
        if (q == 1 && tok[0] && pc(50))
            f |= DLP_F_POP_PREV, tok[0]--;
        if (q == 1 && tok[3] && pc(50))
            f |= DLP_F_POP_NEXT, tok[3]--;
        if (q == 2 && tok[2] && pc(50))
            f |= DLP_F_POP_PREV, tok[2]--;
        // pushes
        if (q == 0 && tok[0] < TOKMAX && pc(45))
            f |= DLP_F_PUSH_NEXT, tok[0]++;
        if (q == 1 && tok[1] < TOKMAX && pc(35))
            f |= DLP_F_PUSH_PREV, tok[1]++;
        if (q == 1 && tok[2] < TOKMAX && pc(45))
            f |= DLP_F_PUSH_NEXT, tok[2]++;
        if (q == 2 && tok[3] < TOKMAX && pc(35))
            f |= DLP_F_PUSH_PREV, tok[3]++;
        return f;
    }
    void loops(int target_ok)
    {
        if (!target_ok)
            return;
        int nl = pc(25) ? 1 : pc(12) ? 2 : 0;
        for (int i = 0; i < nl; i++)
            dlp_emit_loop(p, r(1, 3), (int32_t)r(0, 8), 0, (int32_t)r(0, 8));
    }
    void dma(bool load)
    {
        dlp_dma_f m;
        memset(&m, 0, sizeof m);
        m.sp = r(0, 2);
        uint32_t E = m.sp == 2 ? 4 * CFG_N : CFG_N;
        m.x_size = r(1, 4);
        m.y_size = r(1, 3);
        m.z_size = r(1, 2);
        m.sram = r(0, 64);
        m.y_stride = m.x_size * E * r(1, 2);
        m.z_stride = m.y_stride * m.y_size;
        m.dram = DATA + E * r(0, 256);
        if (load) {
            m.pad_value = r(0, 255);
            m.x_pad[0] = r(0, 1);
            m.x_pad[1] = r(0, 1);
            m.y_pad[0] = r(0, 1);
            m.z_pad[1] = r(0, 1);
        }
        int nl = pc(25) ? 1 : pc(15) ? 2 : 0;
        for (int i = 0; i < nl; i++) // slot 2 is unused: its increment must be ignored
            dlp_emit_loop(p, r(1, 3), (int32_t)r(0, 16), (int32_t)(E * r(0, 16)), (int32_t)rng());
        int q = load ? 0 : 2;
        uint32_t f = flags(q);
        if (load)
            dlp_emit_load(p, &m, f);
        else
            dlp_emit_store(p, &m, f);
    }
    void gemm()
    {
        dlp_gemm_f g;
        memset(&g, 0, sizeof g);
        g.clr = r(0, 1);
        g.act = r(0, 64);
        g.wgt = CFG_N * r(0, 8);
        g.acc = r(0, 32);
        g.n_pix = r(1, 4);
        g.n_r1 = r(1, 2);
        g.n_r2 = r(1, 2);
        g.s_pix = r(0, 2);
        g.s_r1 = r(0, 4);
        g.s_r2 = r(0, 8);
        int nl = pc(25) ? 1 : pc(15) ? 2 : 0;
        for (int i = 0; i < nl; i++)
            dlp_emit_loop(p, r(1, 3), (int32_t)r(0, 8), (int32_t)(CFG_N * r(0, 4)),
                          (int32_t)r(0, 8));
        dlp_emit_gemm(p, &g, flags(1));
    }
    void vec()
    {
        dlp_vec_f v;
        memset(&v, 0, sizeof v);
        if (pc(80)) {
            v.func = DLP_VF_COPY;
            v.src = r(0, 64);
            v.dst = r(0, 64);
            v.count = r(1, 4);
            v.s_src = 1;
            v.s_dst = 1;
        } else {
            v.func = DLP_VF_LUTLD;
            v.src = r(0, 64);
            v.count = r(0, 3);
        }
        loops(1);
        dlp_emit_vec(p, &v, flags(1));
    }
    void sync()
    {
        int q = (int)r(0, 2);
        dlp_emit_sync(p, q, flags(q));
    }
    // Drain the counters with SYNCs so the program ends with zero tokens.
    void drain()
    {
        while (tok[0])
            tok[0]--, dlp_emit_sync(p, DLP_Q_CMP, DLP_F_POP_PREV);
        while (tok[1])
            tok[1]--, dlp_emit_sync(p, DLP_Q_LD, DLP_F_POP_NEXT);
        while (tok[2])
            tok[2]--, dlp_emit_sync(p, DLP_Q_ST, DLP_F_POP_PREV);
        while (tok[3])
            tok[3]--, dlp_emit_sync(p, DLP_Q_CMP, DLP_F_POP_NEXT);
    }
};

static Prog random_prog(std::mt19937 &rng, bool drain)
{
    dlp_prog *dp = dlp_prog_new();
    Gen g{rng, dp};
    unsigned len = g.r(3, 40);
    for (unsigned i = 0; i < len; i++) {
        unsigned k = g.r(0, 99);
        if (k < 25)
            g.dma(true);
        else if (k < 40)
            g.dma(false);
        else if (k < 60)
            g.gemm();
        else if (k < 75)
            g.vec();
        else
            g.sync();
    }
    if (drain)
        g.drain();
    dlp_emit_finish(dp);
    if (dlp_prog_error(dp))
        fprintf(stderr, "builder: %s\n", dlp_prog_error(dp));
    Prog p;
    p.v.assign(dlp_prog_insns(dp), dlp_prog_insns(dp) + dlp_prog_len(dp));
    dlp_prog_free(dp);
    // Place the program anywhere, often across a 4 KiB page boundary.
    p.addr = MEM_BASE + 0x1000 * g.r(1, 8) - 32 * g.r(0, 8);
    return p;
}

// ---------------------------------------------------------------- instruction helpers
static dlp_insn enc(const dlp_decoded &d)
{
    dlp_insn i;
    memset(&i, 0, sizeof i);
    dlp_encode(&d, &i);
    return i;
}
static dlp_insn sync_i(int q, uint32_t f)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_SYNC;
    d.queue = q;
    d.flags = f;
    dlp_insn i = enc(d);
    i.w[0] |= f;
    return i;
}
static dlp_insn finish_i()
{
    dlp_insn i;
    memset(&i, 0, sizeof i);
    i.w[0] = DLP_OP_FINISH;
    return i;
}
static dlp_insn loop_i(uint32_t count, int32_t i0 = 0, int32_t i1 = 0, int32_t i2 = 0)
{
    dlp_insn i;
    memset(&i, 0, sizeof i);
    i.w[0] = DLP_OP_LOOP;
    i.w[1] = count;
    i.w[2] = (uint32_t)i0;
    i.w[3] = (uint32_t)i1;
    i.w[4] = (uint32_t)i2;
    return i;
}
static dlp_insn load_i(uint32_t sp, uint32_t sram, uint32_t dram, uint32_t x, uint32_t f = 0)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_LOAD;
    d.u.dma.sp = sp;
    d.u.dma.sram = sram;
    d.u.dma.dram = dram;
    d.u.dma.x_size = x;
    d.u.dma.y_size = 1;
    d.u.dma.z_size = 1;
    dlp_insn i = enc(d);
    i.w[0] |= f;
    return i;
}
static dlp_insn store_i(uint32_t sp, uint32_t sram, uint32_t dram, uint32_t x, uint32_t f = 0)
{
    dlp_insn i = load_i(sp, sram, dram, x, f);
    i.w[0] = (i.w[0] & ~0xFFu) | DLP_OP_STORE;
    return i;
}
static dlp_insn gemm_i(uint32_t act, uint32_t wgt, uint32_t acc, uint32_t npix, uint32_t f = 0)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_GEMM;
    d.u.gemm.act = act;
    d.u.gemm.wgt = wgt;
    d.u.gemm.acc = acc;
    d.u.gemm.n_pix = npix;
    d.u.gemm.n_r1 = 1;
    d.u.gemm.n_r2 = 1;
    d.u.gemm.s_pix = 1;
    dlp_insn i = enc(d);
    i.w[0] |= f;
    return i;
}
static dlp_insn vec_i(uint32_t func, uint32_t src, uint32_t dst, uint32_t count, uint32_t f = 0)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_VEC;
    d.u.vec.func = func;
    d.u.vec.src = src;
    d.u.vec.dst = dst;
    d.u.vec.count = count;
    d.u.vec.s_src = 1;
    d.u.vec.s_dst = 1;
    dlp_insn i = enc(d);
    i.w[0] |= f;
    return i;
}

// Run p on the ISS and the RTL; compare code/index/address (and counters if asked).
static void error_case(Harness &h, const std::string &name, const Prog &p, uint32_t want_code,
                       bool counters = false)
{
    begin(name);
    Result g = run_iss(p);
    Result r = run_rtl(h, p, DLP_CTRL_IRQ_EN_ERR | DLP_CTRL_IRQ_EN_DONE);
    if (g.code != want_code)
        fail("test program gives %s on the ISS, expected %s", dlp_err_name(g.code),
             dlp_err_name(want_code));
    compare(r, g, false);
    if (counters)
        EXPECT_EQ(r.perf[0], g.perf[0]);
    if (!h.m->irq_o)
        fail("irq_o low after an error with IRQ_EN_ERR");
    end();
}

static Prog prog_of(std::initializer_list<dlp_insn> l)
{
    Prog p;
    p.v.assign(l.begin(), l.end());
    return p;
}

static void error_tests(Harness &h, std::mt19937 &rng)
{
    const uint32_t N = CFG_N, ACT_ROWS = 131072 / N, ACC_ROWS = 65536 / (4 * N);
    dlp_insn ld = load_i(0, 0, DATA, 2, 0);
    dlp_insn g = gemm_i(0, 0, 0, 2);
    // --- ILLEGAL_OPCODE
    for (uint32_t op : {0x00u, 0x08u, 0xFFu}) {
        dlp_insn bad;
        memset(&bad, 0, sizeof bad);
        bad.w[0] = op;
        error_case(h, "illegal opcode " + std::to_string(op), prog_of({ld, g, bad, finish_i()}),
                   DLP_ERR_ILLEGAL_OPCODE);
    }
    {
        dlp_insn bad;
        memset(&bad, 0, sizeof bad);
        bad.w[0] = 0x09;
        error_case(h, "illegal opcode after LOOP", prog_of({loop_i(2), bad, finish_i()}),
                   DLP_ERR_ILLEGAL_OPCODE);
    }
    // --- ILLEGAL_FIELD
    {
        dlp_insn s3 = sync_i(0, 0);
        s3.w[0] |= 3u << 16;
        error_case(h, "SYNC queue 3", prog_of({ld, s3, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn s3f = s3;
        s3f.w[0] |= DLP_F_POP_PREV | DLP_F_PUSH_NEXT;
        error_case(h, "SYNC queue 3 with flags (field first)", prog_of({s3f, finish_i()}),
                   DLP_ERR_ILLEGAL_FIELD);
        dlp_insn sp3 = ld;
        sp3.w[0] |= 3u << 16;
        error_case(h, "LOAD sp 3", prog_of({g, sp3, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn x0 = store_i(0, 0, DATA, 1);
        x0.w[2] &= 0xFFFF;
        error_case(h, "STORE x_size 0", prog_of({x0, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn y0 = ld;
        y0.w[3] &= 0xFFFF0000u;
        error_case(h, "LOAD y_size 0", prog_of({y0, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn z0 = ld;
        z0.w[3] &= 0xFFFFu;
        error_case(h, "LOAD z_size 0", prog_of({z0, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn np0 = g;
        np0.w[2] &= 0xFFFF;
        error_case(h, "GEMM n_pix 0", prog_of({np0, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn r20 = g;
        r20.w[3] &= 0xFFFF;
        error_case(h, "GEMM n_r2 0", prog_of({ld, r20, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn r10 = g;
        r10.w[3] &= 0xFFFF0000u;
        error_case(h, "GEMM n_r1 0", prog_of({r10, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn ln = vec_i(DLP_VF_LNORM, 0, 0, 1);
        ln.w[6] = 1; // R 1, L 0
        error_case(h, "LNORM L 0", prog_of({ln, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        ln.w[6] = 1u | N << 16; // R 1, L N: legal
        error_case(h, "LNORM L = R*N is legal (then LOOP count 0)",
                   prog_of({ln, loop_i(0), finish_i()}), DLP_ERR_LOOP);
        dlp_insn sp = vec_i(DLP_VF_SUMPOOL, 0, 0, 1);
        sp.w[6] = 1u << 16; // KH 0
        error_case(h, "SUMPOOL KH 0", prog_of({sp, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn smx = vec_i(DLP_VF_SOFTMAX, 0, 0, 1);
        smx.w[6] = 1u | 1u << 16;
        smx.w[5] = 0x00000180u; // lo = -128, hi = 1: fine
        error_case(h, "SOFTMAX legal clamp (then opcode 0)",
                   prog_of({smx,
                            [] {
                                dlp_insn b0;
                                memset(&b0, 0, sizeof b0);
                                return b0;
                            }()}),
                   DLP_ERR_ILLEGAL_OPCODE);
        smx.w[5] = 0x00008001u; // lo = 1, hi = -128
        error_case(h, "SOFTMAX lo > hi", prog_of({smx, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn mul = vec_i(DLP_VF_MUL, 0, 0, 1);
        mul.w[5] = 0x00000102u; // lo = 2, hi = 1
        error_case(h, "MUL lo > hi", prog_of({mul, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn vf = vec_i(DLP_VF_COPY, 0, 1, 1);
        vf.w[0] = (vf.w[0] & ~0xFF0000u) | (0x0Du << 16);
        error_case(h, "VEC func 13", prog_of({vf, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        vf.w[0] &= ~0xFF0000u;
        error_case(h, "VEC func 0", prog_of({vf, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn c0 = vec_i(DLP_VF_COPY, 0, 1, 1);
        c0.w[2] &= 0xFFFF;
        error_case(h, "VEC count 0", prog_of({c0, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn lut0 = vec_i(DLP_VF_LUTLD, 0, 0, 1);
        lut0.w[2] &= 0xFFFF; // LUTLD ignores count: legal
        error_case(h, "LUTLD count 0 is legal, then bad opcode",
                   prog_of({lut0,
                            [] {
                                dlp_insn b;
                                memset(&b, 0, sizeof b);
                                b.w[0] = 0x10;
                                return b;
                            }(),
                            finish_i()}),
                   DLP_ERR_ILLEGAL_OPCODE);
        dlp_insn lohi = vec_i(DLP_VF_REQ, 0, 0, 1);
        lohi.w[5] = 0x0000F005u; // lo = 5, hi = -16
        error_case(h, "REQ lo > hi", prog_of({lohi, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn lutacc = vec_i(DLP_VF_LUT, 0, 0, 1);
        lutacc.w[5] = 0x0001F005u; // dst_acc: clamp unused
        dlp_insn bad;
        memset(&bad, 0, sizeof bad);
        bad.w[0] = 0x20;
        error_case(h, "LUT dst_acc ignores lo > hi", prog_of({lutacc, bad, finish_i()}),
                   DLP_ERR_ILLEGAL_OPCODE);
        dlp_insn add = vec_i(DLP_VF_ADD, 0, 0, 1);
        add.w[6] = 32;
        error_case(h, "ADD left_shift 32", prog_of({add, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn mp = vec_i(DLP_VF_MAXPOOL, 0, 0, 1);
        mp.w[6] = 1; // KW 0
        error_case(h, "MAXPOOL KW 0", prog_of({mp, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        dlp_insn sm = vec_i(DLP_VF_SOFTMAX, 0, 0, 1);
        sm.w[6] = 2u | (2u * N + 1) << 16; // L > R*N
        error_case(h, "SOFTMAX L > R*N", prog_of({sm, finish_i()}), DLP_ERR_ILLEGAL_FIELD);
        sm.w[6] = 0u | 1u << 16; // R 0
        error_case(h, "RMAX R 0",
                   prog_of({[&] {
                                dlp_insn x = sm;
                                x.w[0] = (x.w[0] & ~0xFF0000u) | (DLP_VF_RMAX << 16);
                                return x;
                            }(),
                            finish_i()}),
                   DLP_ERR_ILLEGAL_FIELD);
    }
    // --- LOOP
    error_case(h, "LOOP count 0", prog_of({ld, loop_i(0), ld, finish_i()}), DLP_ERR_LOOP);
    error_case(h, "third nested LOOP", prog_of({loop_i(2), loop_i(2), loop_i(2), ld, finish_i()}),
               DLP_ERR_LOOP);
    error_case(h, "LOOP before SYNC", prog_of({ld, loop_i(2), sync_i(1, 0), finish_i()}),
               DLP_ERR_LOOP);
    error_case(h, "LOOP before FINISH", prog_of({ld, loop_i(2), finish_i()}), DLP_ERR_LOOP);
    {
        dlp_insn s = sync_i(1, 0);
        s.w[0] |= DLP_F_POP_PREV; // LOOP before SYNC: LOOP error before the flags' check
        error_case(h, "LOOP before SYNC with flags", prog_of({loop_i(2), s, finish_i()}),
                   DLP_ERR_LOOP);
    }
    // --- TOKEN
    error_case(h, "LOAD pop_prev", prog_of({g, load_i(0, 0, DATA, 1, DLP_F_POP_PREV), finish_i()}),
               DLP_ERR_TOKEN);
    error_case(h, "LOAD push_prev", prog_of({load_i(0, 0, DATA, 1, DLP_F_PUSH_PREV), finish_i()}),
               DLP_ERR_TOKEN);
    error_case(h, "STORE push_next", prog_of({store_i(0, 0, DATA, 1, DLP_F_PUSH_NEXT), finish_i()}),
               DLP_ERR_TOKEN);
    error_case(h, "STORE pop_next", prog_of({store_i(0, 0, DATA, 1, DLP_F_POP_NEXT), finish_i()}),
               DLP_ERR_TOKEN);
    error_case(h, "SYNC LD push_prev", prog_of({sync_i(0, DLP_F_PUSH_PREV), finish_i()}),
               DLP_ERR_TOKEN);
    error_case(h, "SYNC ST pop_next", prog_of({ld, sync_i(2, DLP_F_POP_NEXT), finish_i()}),
               DLP_ERR_TOKEN);
    {
        dlp_insn l = loop_i(2);
        l.w[0] |= DLP_F_PUSH_NEXT;
        error_case(h, "LOOP with flags", prog_of({ld, l, ld, finish_i()}), DLP_ERR_TOKEN);
        dlp_insn l0 = loop_i(0);
        l0.w[0] |= DLP_F_PUSH_NEXT;
        error_case(h, "LOOP count 0 with flags (LOOP first)", prog_of({l0, ld, finish_i()}),
                   DLP_ERR_LOOP);
        dlp_insn f = finish_i();
        f.w[0] |= DLP_F_POP_PREV;
        error_case(h, "FINISH with flags", prog_of({ld, f}), DLP_ERR_TOKEN);
        dlp_insn bf = load_i(0, 0, DATA, 1, DLP_F_POP_PREV);
        bf.w[2] &= 0xFFFF; // x_size 0 too: flags before fields
        error_case(h, "LOAD bad flags and field (flags first)", prog_of({bf, finish_i()}),
                   DLP_ERR_TOKEN);
    }
    error_case(h, "tokens left at FINISH",
               prog_of({load_i(0, 0, DATA, 1, DLP_F_PUSH_NEXT), g, finish_i()}), DLP_ERR_TOKEN,
               true);
    error_case(h, "tokens left at FINISH (ST->CMP)",
               prog_of({g, g, store_i(0, 0, DATA, 1, DLP_F_PUSH_PREV), ld, finish_i()}),
               DLP_ERR_TOKEN, true);
    // --- DEADLOCK
    error_case(h, "deadlock: CMP pops with no producer",
               prog_of({ld, gemm_i(0, 0, 0, 1, DLP_F_POP_PREV), ld, finish_i()}), DLP_ERR_DEADLOCK,
               true);
    error_case(h, "deadlock: cycle LD<->CMP",
               prog_of({load_i(0, 0, DATA, 1, DLP_F_POP_NEXT | DLP_F_PUSH_NEXT),
                        gemm_i(0, 0, 0, 1, DLP_F_POP_PREV | DLP_F_PUSH_PREV), finish_i()}),
               DLP_ERR_DEADLOCK, true);
    {
        // Queue-depth deadlock: QueueDepth+1 LOADs wait for CMP tokens that come later.
        Prog p;
        for (int i = 0; i < CFG_QD + 1; i++)
            p.v.push_back(load_i(0, 0, DATA, 1, DLP_F_POP_NEXT));
        for (int i = 0; i < CFG_QD + 1; i++)
            p.v.push_back(sync_i(1, DLP_F_PUSH_PREV));
        p.v.push_back(finish_i());
        error_case(h, "deadlock: queue depth", p, DLP_ERR_DEADLOCK, true);
        // Same with QueueDepth LOADs: fits, completes.
        Prog q;
        for (int i = 0; i < CFG_QD; i++)
            q.v.push_back(load_i(0, 0, DATA, 1, DLP_F_POP_NEXT));
        for (int i = 0; i < CFG_QD; i++)
            q.v.push_back(sync_i(1, DLP_F_PUSH_PREV));
        q.v.push_back(finish_i());
        error_case(h, "queue exactly full: done", q, DLP_ERR_NONE, true);
    }
    {
        // Token maximum: TOKMAX+1 pushes with no consumer: the last push blocks forever.
        Prog p;
        for (uint32_t i = 0; i < TOKMAX + 1 && i < 40; i++)
            p.v.push_back(sync_i(0, DLP_F_PUSH_NEXT));
        p.v.push_back(finish_i());
        if (TOKMAX + 1 <= 40)
            error_case(h, "deadlock: token counter at maximum", p, DLP_ERR_DEADLOCK, true);
        // TOKMAX+1 pushes and a consumer behind them: blocking push, then done.
        Prog q;
        uint32_t k = TOKMAX + 2 < 40 ? TOKMAX + 2 : 40;
        for (uint32_t i = 0; i < k; i++)
            q.v.push_back(sync_i(0, DLP_F_PUSH_NEXT));
        for (uint32_t i = 0; i < k; i++)
            q.v.push_back(gemm_i(0, 0, 0, 1, DLP_F_POP_PREV));
        q.v.push_back(finish_i());
        error_case(h, "token push blocks at maximum, then done", q, DLP_ERR_NONE, true);
    }
    // --- NO_FINISH / START checks
    error_case(h, "no FINISH", prog_of({ld, g, ld}), DLP_ERR_NO_FINISH);
    {
        Prog p = prog_of({ld, finish_i()});
        p.count = 0;
        p.force_count = true;
        error_case(h, "INSN_COUNT 0", p, DLP_ERR_NO_FINISH);
        Prog a = prog_of({ld, finish_i()});
        a.addr += 16;
        error_case(h, "INSN_BASE misaligned", a, DLP_ERR_DMA_ALIGN);
        Prog w = prog_of({ld, finish_i()});
        w.win_base = w.addr + 32;
        error_case(h, "program starts before the window", w, DLP_ERR_DMA_WINDOW);
        Prog w2 = prog_of({ld, finish_i()});
        w2.win_limit = w2.addr + 62;
        error_case(h, "program ends after the window", w2, DLP_ERR_DMA_WINDOW);
        Prog w3 = prog_of({sync_i(0, 0), finish_i()});
        w3.win_limit = w3.addr + 63;
        error_case(h, "program ends at the window's last byte", w3, DLP_ERR_NONE);
        Prog w4 = prog_of({ld, finish_i()});
        w4.addr = 0xFFFFFFE0u;
        w4.count = 2;
        w4.win_limit = 0xFFFFFFFFu;
        error_case(h, "program wraps past 2^32", w4, DLP_ERR_DMA_WINDOW);
    }
    // --- fetch AXI errors
    {
        Prog p;
        for (int i = 0; i < 12; i++)
            p.v.push_back(i % 3 ? g : ld);
        p.v.push_back(finish_i());
        for (int k : {0, 5, 12}) {
            Prog q = p;
            q.faults.push_back({q.addr + 32u * k + 8, 4, 1, 0});
            error_case(h, "fetch SLVERR at " + std::to_string(k), q, DLP_ERR_AXI_READ);
        }
        Prog d = p;
        d.addr = MEM_BASE + MEM_SIZE - 32 * 10; // instructions 10.. beyond memory: DECERR
        d.win_limit = 0xFFFFFFFFu;
        error_case(h, "fetch DECERR beyond memory", d, DLP_ERR_AXI_READ);
        Prog after = p;
        after.v.push_back(ld);
        after.v.push_back(ld);
        after.faults.push_back({after.addr + 32u * 13, 64, 1, 0});
        error_case(h, "fault after FINISH is never reported", after, DLP_ERR_NONE, true);
    }
    // --- unit errors (the unit model raises what the ISS finds for that repetition)
    {
        // LD: the 3rd repetition of a looped LOAD is outside ACT.
        Prog p = prog_of({ld, g, loop_i(3, (int32_t)(ACT_ROWS / 2), 0, 0),
                          load_i(0, ACT_ROWS / 2 - 1, DATA, 1), g, finish_i()});
        p.ufails.push_back({0, 3, DLP_ERR_SP_RANGE, 0});
        error_case(h, "unit error: LOAD SP_RANGE in repetition 2", p, DLP_ERR_SP_RANGE);
        // ST: AXI write error, ERR_ADDR = the repetition's dram.
        Prog s = prog_of({ld, g, loop_i(2, 0, 4 * (int32_t)N, 0),
                          store_i(0, 0, DATA + 0x100 * N, 1), finish_i()});
        s.faults.push_back({DATA + 0x100 * N + 4 * N, 4, 0, 1});
        s.ufails.push_back({3, 1, DLP_ERR_AXI_WRITE, DATA + 0x100 * N + 4 * N});
        error_case(h, "unit error: STORE AXI_WRITE", s, DLP_ERR_AXI_WRITE);
        // MXU: ACC range.
        Prog m = prog_of({ld, g, gemm_i(0, 0, ACC_ROWS - 1, 2), ld, finish_i()});
        m.ufails.push_back({1, 1, DLP_ERR_SP_RANGE, 0});
        error_case(h, "unit error: GEMM SP_RANGE", m, DLP_ERR_SP_RANGE);
        // VPU: COPY past ACT.
        Prog v = prog_of({g, vec_i(DLP_VF_COPY, ACT_ROWS - 1, 0, 2), ld, finish_i()});
        v.ufails.push_back({2, 0, DLP_ERR_SP_RANGE, 0});
        error_case(h, "unit error: VEC SP_RANGE", v, DLP_ERR_SP_RANGE);
        // LD: DMA window, while the other units are busy.
        Prog w = prog_of({g, g, g, load_i(0, 0, DATA, 1), store_i(0, 0, DATA, 1),
                          load_i(0, 0, MEM_BASE + MEM_SIZE, 1), g, finish_i()});
        w.win_limit = MEM_BASE + MEM_SIZE - 1;
        w.ufails.push_back({0, 1, DLP_ERR_DMA_WINDOW, MEM_BASE + MEM_SIZE});
        error_case(h, "unit error: LOAD DMA_WINDOW", w, DLP_ERR_DMA_WINDOW);
    }
    (void)rng;
}

// ---------------------------------------------------------------- CSR tests
static void csr_tests(Harness &h, std::mt19937 &rng)
{
    const uint32_t N = CFG_N;
    begin("CSR map");
    EXPECT_EQ(h.csr_read(0x000), 0x444C5000u);
    EXPECT_EQ(h.csr_read(0x004), 0x00010000u);
    EXPECT_EQ(h.csr_read(0x008),
              N | (CFG_AXIW / 8) << 8 | CFG_QD << 16 | 2u << 24 | (uint32_t)CFG_TB << 28);
    EXPECT_EQ(h.csr_read(0x00C), 128u | 128u << 16);
    EXPECT_EQ(h.csr_read(0x010), 64u | 32u << 16);
    for (uint32_t a :
         {0x014u, 0x01Cu, 0x02Cu, 0x038u, 0x048u, 0x05Cu, 0x0FCu, 0x1A0u, 0x1FCu, 0xFFCu}) {
        h.csr_write(a, 0xFFFFFFFFu);
        EXPECT_EQ(h.csr_read(a), 0u);
    }
    for (uint32_t a : {0x030u, 0x034u, 0x040u, 0x044u}) {
        uint32_t v = rng();
        h.csr_write(a, v);
        EXPECT_EQ(h.csr_read(a), v);
        h.csr_write(a, 0xA5A5A5A5u, 0x2); // byte 1 only
        EXPECT_EQ(h.csr_read(a), (v & ~0xFF00u) | 0xA500u);
    }
    h.csr_write(0x020, 0xFFFFFFFCu); // no START/RESET, both enables
    EXPECT_EQ(h.csr_read(0x020), 0x300u);
    h.csr_write(0x020, 0x100u);
    EXPECT_EQ(h.csr_read(0x020), 0x100u);
    EXPECT_EQ(h.csr_read(0x024), 0u);
    for (uint32_t k = 0; k < 20; k++)
        EXPECT_EQ(h.csr_read(0x100 + 8 * k), 0u);
    end();

    // A good program with IRQ_EN_DONE: irq, W1C, PERF LO/HI.
    Prog p = random_prog(rng, true);
    begin("IRQ done + W1C");
    Result g = run_iss(p);
    Result r = run_rtl(h, p, DLP_CTRL_IRQ_EN_DONE);
    compare(r, g, true);
    if (!h.m->irq_o)
        fail("irq_o low after DONE with IRQ_EN_DONE");
    h.csr_write(DLP_CSR_IRQ_STATUS, 0x2); // wrong bit: stays
    if (!h.m->irq_o)
        fail("W1C of the ERROR bit cleared DONE");
    h.csr_write(DLP_CSR_IRQ_STATUS, 0x1);
    h.tick();
    if (h.m->irq_o)
        fail("irq_o still high after W1C");
    EXPECT_EQ(h.csr_read(DLP_CSR_IRQ_STATUS), 0u);
    EXPECT_EQ(h.csr_read(DLP_CSR_STATUS), DLP_STATUS_DONE);
    {
        uint32_t lo = h.csr_read(0x100 + 8 * DLP_PERF_CYCLES);
        uint32_t hi = h.csr_read(0x104 + 8 * DLP_PERF_CYCLES);
        if (lo == 0 || hi != 0)
            fail("CYCLES lo %u hi %u", lo, hi);
    }
    end();

    begin("IRQ enables mask");
    {
        Prog e = prog_of({sync_i(0, DLP_F_PUSH_PREV), finish_i()});
        run_rtl(h, e, DLP_CTRL_IRQ_EN_DONE); // error, only DONE enabled
        EXPECT_EQ(h.csr_read(DLP_CSR_IRQ_STATUS), DLP_IRQ_ERROR);
        if (h.m->irq_o)
            fail("irq_o high for ERROR with only IRQ_EN_DONE");
        h.csr_write(DLP_CSR_CTRL, DLP_CTRL_IRQ_EN_ERR); // enabling raises the level
        h.tick();
        if (!h.m->irq_o)
            fail("irq_o low after enabling IRQ_EN_ERR with ERROR pending");
        h.csr_write(DLP_CSR_CTRL, 0);
        h.tick();
        if (h.m->irq_o)
            fail("irq_o high with enables cleared");
    }
    end();

    begin("START while busy ignored");
    {
        Prog q = random_prog(rng, true);
        Result gi = run_iss(q);
        setup_rtl(h, q);
        for (int u = 0; u < 4; u++)
            h.unit[u].min_delay = 50, h.unit[u].max_delay = 80;
        h.csr_write(DLP_CSR_CTRL, DLP_CTRL_START);
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 30; c++)
                h.tick();
            if (!h.m->busy_o)
                break;
            EXPECT_EQ(h.csr_read(DLP_CSR_STATUS), DLP_STATUS_BUSY);
            h.csr_write(DLP_CSR_CTRL, DLP_CTRL_START);
        }
        if (!h.wait_idle(400000))
            fail("timeout");
        Result ri = read_result(h);
        compare(ri, gi, true);
        check_cmds(h, q);
    }
    end();

    begin("SOFT_RESET mid-program, then a program");
    {
        Prog q = random_prog(rng, true);
        setup_rtl(h, q);
        for (int u = 0; u < 4; u++)
            h.unit[u].min_delay = 20, h.unit[u].max_delay = 60;
        h.csr_write(DLP_CSR_CTRL, DLP_CTRL_START | DLP_CTRL_IRQ_EN_DONE);
        for (unsigned c = 0, e = h.rnd(120, 600); c < e; c++)
            h.tick();
        h.csr_write(DLP_CSR_CTRL, DLP_CTRL_SOFT_RESET | DLP_CTRL_START);
        if (!h.wait_idle(100000))
            fail("timeout after SOFT_RESET");
        EXPECT_EQ(h.csr_read(DLP_CSR_STATUS), 0u);
        EXPECT_EQ(h.csr_read(DLP_CSR_IRQ_STATUS), 0u);
        EXPECT_EQ(h.csr_read(DLP_CSR_ERR_CODE), 0u);
        EXPECT_EQ(h.csr_read(DLP_CSR_ERR_INDEX), 0u);
        for (int k = 0; k < 20; k++)
            EXPECT_EQ(h.perf(k), 0u);
        EXPECT_EQ(h.csr_read(DLP_CSR_INSN_BASE), q.addr); // configuration kept
        EXPECT_EQ(h.csr_read(DLP_CSR_CTRL), 0u);
        Prog q2 = random_prog(rng, true);
        Result g2 = run_iss(q2);
        Result r2 = run_rtl(h, q2);
        compare(r2, g2, true);
        check_cmds(h, q2);
    }
    end();

    begin("SOFT_RESET while an error drains, and when idle");
    {
        Prog q = prog_of({gemm_i(0, 0, 0, 1), load_i(0, 0, DATA, 1, DLP_F_POP_PREV), finish_i()});
        setup_rtl(h, q);
        h.unit[1].min_delay = h.unit[1].max_delay = 300;
        h.csr_write(DLP_CSR_CTRL, DLP_CTRL_START);
        for (int c = 0; c < 250; c++)
            h.tick();
        h.csr_write(DLP_CSR_CTRL, DLP_CTRL_SOFT_RESET);
        if (!h.wait_idle(100000))
            fail("timeout");
        EXPECT_EQ(h.csr_read(DLP_CSR_STATUS), 0u);
        EXPECT_EQ(h.csr_read(DLP_CSR_ERR_CODE), 0u);
        h.csr_write(DLP_CSR_CTRL, DLP_CTRL_SOFT_RESET);
        if (!h.wait_idle(100))
            fail("timeout (idle reset)");
        EXPECT_EQ(h.csr_read(DLP_CSR_STATUS), 0u);
    }
    end();
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1;
    int nrand = argc > 2 ? atoi(argv[2]) : 150;
    std::mt19937 rng(seed);
    Harness h(seed, CFG_N);
    printf("tb_ctrl: N=%d AXI=%d bits QueueDepth=%d TokenBits=%d seed=%u\n", CFG_N, CFG_AXIW,
           CFG_QD, CFG_TB, seed);

    csr_tests(h, rng);
    error_tests(h, rng);

    int done = 0;
    for (int t = 0; t < nrand; t++) {
        bool drain = rng() % 10 != 0;
        Prog p = random_prog(rng, drain);
        begin("random program " + std::to_string(t));
        Result g = run_iss(p);
        Result r = run_rtl(h, p, DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR);
        compare(r, g, g.code == 0);
        if (g.code == 0) {
            check_cmds(h, p);
            timing_sanity(h);
            done++;
        } else {
            EXPECT_EQ(r.perf[0], g.perf[0]);
        }
        if (!g_ok)
            fprintf(stderr, "     (ISS: %s index %u)\n", dlp_err_name(g.code), g.index);
        end();
    }
    printf("tb_ctrl: %d random programs, %d completed, %d ended in ERR_TOKEN/other\n", nrand, done,
           nrand - done);

    // Random programs with one bad instruction at a random place (units and queues busy
    // around it): code, index, address as the ISS.
    int nerr = nrand / 3;
    for (int t = 0; t < nerr; t++) {
        Prog p = random_prog(rng, true);
        size_t k = rng() % p.v.size();
        dlp_insn &x = p.v[k];
        switch (rng() % 6) {
        case 0: x.w[0] = (x.w[0] & ~0xFFu) | 0x0F; break;          // opcode
        case 1: x = loop_i(0); break;                              // LOOP count 0
        case 2: x = load_i(0, 0, DATA, 1, DLP_F_PUSH_PREV); break; // token flag
        case 3: x = sync_i(0, 0), x.w[0] |= 3u << 16; break;       // SYNC queue 3
        case 4: x = gemm_i(0, 0, 0, 1), x.w[2] &= 0xFFFF; break;   // n_pix 0
        default: {                                                 // fetch SLVERR
            p.faults.push_back({p.addr + 32 * (uint32_t)k, 32, 1, 0});
            break;
        }
        }
        begin("random program with an error " + std::to_string(t));
        Result g = run_iss(p);
        Result r = run_rtl(h, p, DLP_CTRL_IRQ_EN_ERR);
        compare(r, g, false);
        if (!g_ok)
            fprintf(stderr, "     (ISS: %s index %u, bad instruction %zu)\n", dlp_err_name(g.code),
                    g.index, k);
        end();
    }
    printf("ctrl: %d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
