// tb_mxu.cpp - Verilator testbench of dlp_mxu against the golden ISS.
//
// Runs random GEMM repetitions on the RTL, with random grant stalls on all four
// scratchpad ports (sram_port.h), and the same GEMM (optionally behind a LOOP prefix,
// which exercises 32-bit slot values) as a program on dlp_iss with identical scratchpad
// contents; compares all of ACC byte for byte and the error code. Also measures the
// throughput of a large GEMM without stalls (printed, not asserted).
//
// Build-time: MXU_N (array size), MXU_ACT_ROWS, MXU_WGT_ROWS, MXU_ACC_ROWS (must match
// the -G parameters). Run-time: SEED, NTESTS; TRACE=1 builds write mxu.fst.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "Vdlp_mxu.h"
#include "verilated.h"
#ifdef TRACE
#include "verilated_fst_c.h"
#endif

#include "dlp/isa.h"
#include "dlp/iss.h"
#include "dlp/prog.h"
#include "sram_port.h"

static const uint32_t N = MXU_N;
static const uint32_t ACT_ROWS = MXU_ACT_ROWS;
static const uint32_t WGT_ROWS = MXU_WGT_ROWS;
static const uint32_t ACC_ROWS = MXU_ACC_ROWS;
static const uint64_t CMD_TIMEOUT = 2000000;

// ------------------------------------------------------------------ pin helpers
static void put(uint32_t &s, const uint8_t *b, uint32_t n)
{
    s = 0;
    for (uint32_t i = 0; i < n && i < 4; i++)
        s |= (uint32_t)b[i] << (8 * i);
}
static void put(uint64_t &s, const uint8_t *b, uint32_t n)
{
    s = 0;
    for (uint32_t i = 0; i < n && i < 8; i++)
        s |= (uint64_t)b[i] << (8 * i);
}
template <std::size_t W> static void put(VlWide<W> &s, const uint8_t *b, uint32_t n)
{
    for (std::size_t w = 0; w < W; w++) {
        uint32_t v = 0;
        for (uint32_t i = 0; i < 4 && 4 * w + i < n; i++)
            v |= (uint32_t)b[4 * w + i] << (8 * i);
        s[w] = v;
    }
}
static void get(const uint32_t &s, uint8_t *b, uint32_t n)
{
    for (uint32_t i = 0; i < n && i < 4; i++)
        b[i] = (uint8_t)(s >> (8 * i));
}
static void get(const uint64_t &s, uint8_t *b, uint32_t n)
{
    for (uint32_t i = 0; i < n && i < 8; i++)
        b[i] = (uint8_t)(s >> (8 * i));
}
template <std::size_t W> static void get(const VlWide<W> &s, uint8_t *b, uint32_t n)
{
    for (uint32_t i = 0; i < n && i < 4 * W; i++)
        b[i] = (uint8_t)(s[i / 4] >> (8 * (i % 4)));
}

// ------------------------------------------------------------------ harness
struct Harness {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vdlp_mxu> m;
#ifdef TRACE
    std::unique_ptr<VerilatedFstC> tfp;
#endif
    uint64_t cycle = 0;
    std::mt19937_64 rng;

    // scratchpads and their port models
    std::vector<uint8_t> act, wgt, acc;
    SramPort p_act, p_wgt, p_acc_rd, p_acc_wr;
    uint64_t collisions = 0, rows_streamed = 0, stall_wgt_cycles = 0;

    explicit Harness(uint64_t seed)
        : ctx(new VerilatedContext), rng(seed), act(ACT_ROWS * N), wgt(WGT_ROWS * N),
          acc(ACC_ROWS * 4 * N), p_act("act", &act, ACT_ROWS, N, false),
          p_wgt("wgt", &wgt, WGT_ROWS, N, false), p_acc_rd("acc_rd", &acc, ACC_ROWS, 4 * N, false),
          p_acc_wr("acc_wr", &acc, ACC_ROWS, 4 * N, true)
    {
        m.reset(new Vdlp_mxu(ctx.get()));
#ifdef TRACE
        ctx->traceEverOn(true);
        tfp.reset(new VerilatedFstC);
        m->trace(tfp.get(), 99);
        tfp->open("mxu.fst");
#endif
    }
    ~Harness()
    {
        m->final();
#ifdef TRACE
        tfp->close();
#endif
    }

    void dump()
    {
#ifdef TRACE
        tfp->dump(ctx->time());
#endif
        ctx->timeInc(1);
    }

    void reset()
    {
        m->clk_i = 0;
        m->rst_ni = 0;
        m->cmd_valid_i = 0;
        m->act_gnt_i = m->wgt_gnt_i = m->acc_rd_gnt_i = m->acc_wr_gnt_i = 0;
        m->eval();
        dump();
        for (int i = 0; i < 3; i++) {
            m->clk_i = 1;
            m->eval();
            dump();
            m->clk_i = 0;
            m->eval();
            dump();
        }
        m->rst_ni = 1;
        m->eval();
    }

    // One clock cycle: ports decide grants on this cycle's requests, then the edge.
    void tick()
    {
        uint8_t wbuf[4 * 16];
        m->eval();
        bool ag = p_act.cycle(rng, m->act_req_o, m->act_we_o, m->act_addr_o, nullptr);
        bool wg = p_wgt.cycle(rng, m->wgt_req_o, m->wgt_we_o, m->wgt_addr_o, nullptr);
        bool rg = p_acc_rd.cycle(rng, m->acc_rd_req_o, m->acc_rd_we_o, m->acc_rd_addr_o, nullptr);
        get(m->acc_wr_wdata_o, wbuf, 4 * N);
        bool xg = p_acc_wr.cycle(rng, m->acc_wr_req_o, m->acc_wr_we_o, m->acc_wr_addr_o, wbuf);
        if (rg && xg && m->acc_rd_addr_o == m->acc_wr_addr_o) {
            if (collisions++ < 5)
                fprintf(stderr, "acc read and write of row %u in one cycle\n",
                        (unsigned)m->acc_rd_addr_o);
        }
        m->act_gnt_i = ag;
        m->wgt_gnt_i = wg;
        m->acc_rd_gnt_i = rg;
        m->acc_wr_gnt_i = xg;
        m->eval();
        if (m->perf_row_o)
            rows_streamed++;
        if (m->stall_wgt_o)
            stall_wgt_cycles++;
        dump();
        m->clk_i = 1;
        m->eval();
        dump();
        m->clk_i = 0;
        p_act.after_edge(rng);
        p_wgt.after_edge(rng);
        p_acc_rd.after_edge(rng);
        p_acc_wr.after_edge(rng);
        put(m->act_rdata_i, p_act.rdata.data(), N);
        put(m->wgt_rdata_i, p_wgt.rdata.data(), N);
        put(m->acc_rd_rdata_i, p_acc_rd.rdata.data(), 4 * N);
        m->act_gnt_i = m->wgt_gnt_i = m->acc_rd_gnt_i = m->acc_wr_gnt_i = 0;
        m->eval();
        cycle++;
    }

    uint64_t port_grants() const
    {
        return p_act.grants + p_wgt.grants + p_acc_rd.grants + p_acc_wr.grants;
    }
    uint64_t port_errors() const
    {
        return p_act.errors + p_wgt.errors + p_acc_rd.errors + p_acc_wr.errors +
               p_act.protocol_errors + p_wgt.protocol_errors + p_acc_rd.protocol_errors +
               p_acc_wr.protocol_errors;
    }

    // Hand one repetition to the unit and wait for done. Returns the error code, or -1
    // on timeout; *cycles = accept to done.
    int run_cmd(const dlp_insn &in, uint32_t s0, uint32_t s1, uint32_t s2, int idle,
                uint64_t *cycles)
    {
        for (int i = 0; i < idle; i++)
            tick();
        for (int w = 0; w < 8; w++)
            m->cmd_insn_i[w] = in.w[w];
        m->cmd_slot0_i = s0;
        m->cmd_slot1_i = s1;
        m->cmd_slot2_i = s2;
        m->cmd_valid_i = 1;
        m->eval();
        uint64_t t0 = cycle;
        while (!m->cmd_ready_o) {
            tick();
            if (cycle - t0 > CMD_TIMEOUT)
                return -1;
        }
        tick(); // accepted at this edge
        m->cmd_valid_i = 0;
        for (int w = 0; w < 8; w++)
            m->cmd_insn_i[w] = (uint32_t)rng(); // the unit must have latched the command
        m->cmd_slot0_i = m->cmd_slot1_i = m->cmd_slot2_i = (uint32_t)rng();
        uint64_t t1 = cycle;
        for (;;) {
            m->eval();
            if (m->done_o) {
                int code = m->err_o ? (int)m->err_code_o : 0;
                if (!m->err_o && m->err_code_o != 0)
                    code = 100 + m->err_code_o; // err_code without err
                *cycles = cycle - t1;
                tick();
                return code;
            }
            tick();
            if (cycle - t1 > CMD_TIMEOUT)
                return -1;
        }
    }
};

// ------------------------------------------------------------------ golden side
struct Golden {
    dlp_iss *s = nullptr;
    dlp_prog *p = nullptr;
    static const uint32_t MEM_BASE = 0x1000, MEM_SIZE = 0x1000;

    Golden()
    {
        dlp_config c;
        dlp_config_default(&c);
        c.n = N;
        c.act_bytes = ACT_ROWS * N;
        c.wgt_bytes = WGT_ROWS * N;
        c.acc_bytes = ACC_ROWS * 4 * N;
        char why[128];
        if (dlp_config_check(&c, why, sizeof why)) {
            fprintf(stderr, "golden config: %s\n", why);
            exit(2);
        }
        s = dlp_iss_new(&c, MEM_BASE, MEM_SIZE);
        p = dlp_prog_new();
        if (!s || !p)
            exit(2);
    }
    ~Golden()
    {
        dlp_prog_free(p);
        dlp_iss_free(s);
    }

    // [LOOP]? GEMM FINISH with the harness's scratchpad contents; returns ERR_CODE.
    int run(const dlp_gemm_f &g, int loop_count, const int32_t inc[3], const Harness &h)
    {
        for (uint32_t r = 0; r < ACT_ROWS; r++)
            memcpy(dlp_iss_sp_row(s, DLP_SP_ACT, r), &h.act[r * N], N);
        for (uint32_t r = 0; r < WGT_ROWS; r++)
            memcpy(dlp_iss_sp_row(s, DLP_SP_WGT, r), &h.wgt[r * N], N);
        for (uint32_t r = 0; r < ACC_ROWS; r++)
            memcpy(dlp_iss_sp_row(s, DLP_SP_ACC, r), &h.acc[r * 4 * N], 4 * N);
        dlp_prog_reset(p);
        if (loop_count)
            dlp_emit_loop(p, (uint32_t)loop_count, inc[0], inc[1], inc[2]);
        dlp_emit_gemm(p, &g, 0);
        dlp_emit_finish(p);
        if (dlp_prog_error(p)) {
            fprintf(stderr, "prog: %s\n", dlp_prog_error(p));
            exit(2);
        }
        size_t n = dlp_prog_bytes(p, dlp_iss_mem(s, MEM_BASE, MEM_SIZE), MEM_SIZE);
        return dlp_iss_run(s, MEM_BASE, (uint32_t)(n / DLP_INSN_BYTES), MEM_BASE,
                           MEM_BASE + MEM_SIZE - 1);
    }
};

// ------------------------------------------------------------------ test generation
struct Test {
    dlp_gemm_f g;
    int loop_count; // 0: no LOOP prefix
    int32_t inc[3];
};

static uint32_t rnd(std::mt19937_64 &r, uint32_t lo, uint32_t hi) // inclusive
{
    return lo + (uint32_t)(r() % ((uint64_t)hi - lo + 1));
}

static Test gen_test(std::mt19937_64 &r)
{
    Test t;
    memset(&t, 0, sizeof t);
    dlp_gemm_f &g = t.g;
    switch (r() % 6) {
    case 0: g.n_pix = rnd(r, 1, 2); break;
    case 1: g.n_pix = rnd(r, 1, 4); break;
    case 2: g.n_pix = rnd(r, N - 1, N + 1); break;
    case 3: g.n_pix = rnd(r, 1, 2 * N); break;
    default: g.n_pix = rnd(r, 1, 48); break;
    }
    g.n_r1 = rnd(r, 1, r() % 4 ? 3 : 6);
    g.n_r2 = rnd(r, 1, r() % 4 ? 2 : 3);
    if (g.n_pix <= 4 && r() % 2) { // many tiles on few ACC rows: read-after-write hazards
        g.n_r1 = rnd(r, 4, 12);
        g.n_r2 = rnd(r, 1, 3);
    }
    g.clr = r() % 2;
    g.s_pix = (r() % 4 == 0) ? 0 : rnd(r, 1, r() % 2 ? 2 : 6);
    g.s_r1 = (r() % 4 == 0) ? 0 : rnd(r, 1, 8);
    g.s_r2 = (r() % 4 == 0) ? 0 : rnd(r, 1, 30);
    uint64_t span = (uint64_t)(g.n_pix - 1) * g.s_pix + (uint64_t)(g.n_r1 - 1) * g.s_r1 +
                    (uint64_t)(g.n_r2 - 1) * g.s_r2;
    while (span >= ACT_ROWS) { // shrink strides until it fits
        g.s_pix /= 2;
        g.s_r1 /= 2;
        g.s_r2 /= 2;
        span = (uint64_t)(g.n_pix - 1) * g.s_pix + (uint64_t)(g.n_r1 - 1) * g.s_r1 +
               (uint64_t)(g.n_r2 - 1) * g.s_r2;
    }
    uint32_t wrows = g.n_r2 * g.n_r1 * N;
    if (wrows > WGT_ROWS) {
        g.n_r2 = 1;
        g.n_r1 = WGT_ROWS / N;
        wrows = g.n_r1 * N;
    }
    g.act = rnd(r, 0, ACT_ROWS - 1 - (uint32_t)span);
    g.wgt = rnd(r, 0, WGT_ROWS - wrows);
    g.acc = rnd(r, 0, ACC_ROWS - g.n_pix);
    // Boundaries exactly in range.
    if (r() % 10 == 0)
        g.act = ACT_ROWS - 1 - (uint32_t)span;
    if (r() % 10 == 0)
        g.wgt = WGT_ROWS - wrows;
    if (r() % 10 == 0)
        g.acc = ACC_ROWS - g.n_pix;
    // Out of range by one (or much more).
    switch (r() % 40) { // 1 in 8: out of range
    case 0: g.act = ACT_ROWS - (uint32_t)span + rnd(r, 0, 3); break;
    case 1: g.wgt = WGT_ROWS - wrows + rnd(r, 1, 3); break;
    case 2: g.acc = ACC_ROWS - g.n_pix + rnd(r, 1, 3); break;
    case 3:
        g.n_pix = ACC_ROWS + 1;
        g.acc = 0;
        g.s_pix = 0;
        break;
    case 4:
        g.s_r2 = 0xFFFF;
        g.n_r2 = 2;
        if (g.n_r1 * 2 * N > WGT_ROWS)
            g.n_r1 = 1;
        g.wgt = 0;
        break;
    default: break;
    }
    if (g.act > 0xFFFF)
        g.act = 0xFFFF;
    if (g.wgt > 0xFFFF)
        g.wgt = 0xFFFF;
    if (g.acc > 0xFFFF)
        g.acc = 0xFFFF;
    // LOOP prefix: several repetitions with slot increments (32-bit slot arithmetic,
    // negative increments give huge unsigned rows -> SP_RANGE in a later repetition).
    if (r() % 5 == 0) {
        t.loop_count = (int)rnd(r, 1, 3);
        for (int s = 0; s < 3; s++) {
            switch (r() % 5) {
            case 0: t.inc[s] = 0; break;
            case 1: t.inc[s] = (int32_t)rnd(r, 1, 8); break;
            case 2: t.inc[s] = -(int32_t)rnd(r, 1, 4); break;
            case 3: t.inc[s] = (int32_t)(s == 1 ? N : 1); break;
            default: t.inc[s] = (r() % 2) ? 0x10000 : -0x10000; break;
            }
        }
    }
    return t;
}

static void randomize_sps(Harness &h)
{
    int mode = (int)(h.rng() % 4);
    for (auto &b : h.act)
        b = mode == 0 ? (h.rng() % 2 ? 0x80 : 0x7F) : (uint8_t)h.rng();
    for (auto &b : h.wgt)
        b = mode == 0 ? (h.rng() % 2 ? 0x80 : 0x7F) : (uint8_t)h.rng();
    for (auto &b : h.acc)
        b = (uint8_t)h.rng();
}

static void randomize_stalls(Harness &h, bool none)
{
    SramPort *ps[] = {&h.p_act, &h.p_wgt, &h.p_acc_rd, &h.p_acc_wr};
    for (SramPort *p : ps) {
        if (none)
            p->stall.none();
        else
            p->stall.randomize(h.rng);
    }
}

// Run one test on both sides; true when ACC and the error code agree.
struct Coverage {
    int sp_range = 0, loops = 0, npix_small = 0, npix_lt_n = 0, multi_tile = 0, clr = 0;
};
static Coverage cov;

static bool run_test(Harness &h, Golden &gold, const Test &t, int idx, uint64_t *cyc_out)
{
    int gerr = gold.run(t.g, t.loop_count, t.inc, h);
    cov.sp_range += gerr == DLP_ERR_SP_RANGE;
    cov.loops += t.loop_count > 0;
    cov.npix_small += t.g.n_pix <= 2;
    cov.npix_lt_n += t.g.n_pix < N;
    cov.multi_tile += t.g.n_r1 * t.g.n_r2 > 1;
    cov.clr += t.g.clr != 0;

    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_GEMM;
    d.u.gemm = t.g;
    dlp_insn in;
    dlp_encode(&d, &in);
    int reps = t.loop_count ? t.loop_count : 1;
    int rerr = 0;
    uint64_t cyc = 0, total = 0;
    uint64_t g0 = h.port_grants(), rows0 = h.rows_streamed;
    uint64_t expect_rows = 0;
    for (int j = 0; j < reps && rerr == 0; j++) {
        uint32_t s0 = t.g.act + (uint32_t)j * (uint32_t)t.inc[0];
        uint32_t s1 = t.g.wgt + (uint32_t)j * (uint32_t)t.inc[1];
        uint32_t s2 = t.g.acc + (uint32_t)j * (uint32_t)t.inc[2];
        uint64_t gb = h.port_grants();
        rerr = h.run_cmd(in, s0, s1, s2, (int)(h.rng() % 4), &cyc);
        total += cyc;
        if (rerr == DLP_ERR_SP_RANGE && h.port_grants() != gb) {
            fprintf(stderr, "test %d: scratchpad access on a faulting repetition\n", idx);
            rerr = 200;
        }
        if (rerr == 0)
            expect_rows += (uint64_t)t.g.n_r2 * t.g.n_r1 * t.g.n_pix;
    }
    (void)g0;
    if (cyc_out)
        *cyc_out = total;
    bool ok = true;
    if (rerr != gerr) {
        fprintf(stderr, "test %d: error code rtl %d golden %d\n", idx, rerr, gerr);
        ok = false;
    }
    if (h.rows_streamed - rows0 != expect_rows) {
        fprintf(stderr, "test %d: perf_row pulses %" PRIu64 " expected %" PRIu64 "\n", idx,
                h.rows_streamed - rows0, expect_rows);
        ok = false;
    }
    int bad_rows = 0;
    for (uint32_t r = 0; r < ACC_ROWS; r++) {
        if (memcmp(dlp_iss_sp_row(gold.s, DLP_SP_ACC, r), &h.acc[r * 4 * N], 4 * N)) {
            if (bad_rows++ < 3) {
                const int32_t *gv = (const int32_t *)dlp_iss_sp_row(gold.s, DLP_SP_ACC, r);
                int32_t rv[16];
                memcpy(rv, &h.acc[r * 4 * N], 4 * N);
                fprintf(stderr, "test %d: ACC row %u lane0 rtl %d golden %d\n", idx, r, rv[0],
                        gv[0]);
            }
        }
    }
    if (bad_rows)
        ok = false;
    if (!ok)
        fprintf(stderr,
                "  test %d: act %u wgt %u acc %u n_pix %u n_r1 %u n_r2 %u s_pix %u s_r1 %u "
                "s_r2 %u clr %u loop %d inc %d %d %d (%d bad rows)\n",
                idx, t.g.act, t.g.wgt, t.g.acc, t.g.n_pix, t.g.n_r1, t.g.n_r2, t.g.s_pix, t.g.s_r1,
                t.g.s_r2, t.g.clr, t.loop_count, t.inc[0], t.inc[1], t.inc[2], bad_rows);
    return ok;
}

int main(int argc, char **argv)
{
    uint64_t seed = getenv("SEED") ? strtoull(getenv("SEED"), nullptr, 0) : 1;
    int ntests = getenv("NTESTS") ? atoi(getenv("NTESTS")) : 300;
    Verilated::commandArgs(argc, argv);

    Harness h(seed);
    Golden gold;
    h.reset();

    int passed = 0, failed = 0;
    for (int i = 0; i < ntests; i++) {
        Test t = gen_test(h.rng);
        randomize_sps(h);
        randomize_stalls(h, h.rng() % 8 == 0);
        if (run_test(h, gold, t, i, nullptr))
            passed++;
        else
            failed++;
    }

    // Throughput: n_pix = 256, n_r1 = 16, no stalls (also checked against the ISS).
    struct {
        uint32_t n_pix, n_r1;
    } perf[] = {{256, 16}, {N, 16}};
    for (auto &pc : perf) {
        Test t;
        memset(&t, 0, sizeof t);
        t.g.n_pix = pc.n_pix;
        t.g.n_r1 = pc.n_r1;
        t.g.n_r2 = 1;
        t.g.s_pix = 1;
        t.g.s_r1 = 1;
        t.g.clr = 1;
        randomize_sps(h);
        randomize_stalls(h, true);
        uint64_t cyc = 0, sw0 = h.stall_wgt_cycles;
        if (run_test(h, gold, t, -1, &cyc))
            passed++;
        else
            failed++;
        uint64_t rows = (uint64_t)t.g.n_pix * t.g.n_r1;
        printf("mxu_n%u: throughput n_pix=%u n_r1=%u: %" PRIu64 " rows in %" PRIu64
               " cycles (accept to done), %.3f rows/cycle, stall_wgt %" PRIu64 " cycles\n",
               N, t.g.n_pix, t.g.n_r1, rows, cyc, (double)rows / (double)cyc,
               h.stall_wgt_cycles - sw0);
    }

    if (h.collisions || h.port_errors()) {
        fprintf(stderr, "port errors %" PRIu64 ", acc read/write collisions %" PRIu64 "\n",
                h.port_errors(), h.collisions);
        failed++;
    }
    printf("mxu_n%u: coverage: %d SP_RANGE, %d with LOOP prefix, %d n_pix<=2, %d n_pix<N, "
           "%d multi-tile, %d clr\n",
           N, cov.sp_range, cov.loops, cov.npix_small, cov.npix_lt_n, cov.multi_tile, cov.clr);
    printf("mxu_n%u: %d passed, %d failed (seed %" PRIu64 ", %" PRIu64 " cycles)\n", N, passed,
           failed, seed, h.cycle);
    return failed ? 1 : 0;
}
