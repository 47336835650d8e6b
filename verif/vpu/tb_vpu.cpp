// tb_vpu - Verilator testbench of dlp_vpu against the golden ISS.
//
// Runs random VEC repetitions (every function, random counts, strides, in-place cases,
// extreme parameters, random LUT contents, LOOP-wrapped repetitions and SP_RANGE errors)
// on the RTL, with C++ models of its three scratchpad ports (1-cycle read latency after
// the grant, random grant stalls), and the same program ([LUTLD,] [LOOP,] VEC, FINISH) on
// the golden ISS with identical scratchpad contents; compares ACT, ACC, the LUT (read back
// through LUT dst_acc, against dlp_iss_lut), error codes and VEC_ROWS.
// Prints per-function counts and `vpu_nN: <passed> passed, <failed> failed`.
// Build with -DVPU_N=N (and -GN=N); TRACE=1 builds with FST tracing (vpu.fst).
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "Vdlp_vpu.h"
#include "verilated.h"
#include "sp_port.h"
#ifdef TRACE
#include "verilated_fst_c.h"
#endif

#include "dlp/isa.h"
#include "dlp/iss.h"
#include "dlp/prog.h"

#ifndef VPU_N
#define VPU_N 16
#endif

static const uint32_t N = VPU_N;
#ifndef VPU_ACT_ROWS
#define VPU_ACT_ROWS 512
#endif
#ifndef VPU_ACC_ROWS
#define VPU_ACC_ROWS 512
#endif
static const uint32_t ACT_ROWS = VPU_ACT_ROWS, ACC_ROWS = VPU_ACC_ROWS;
static const uint32_t LUT_ROWS = 512 / N;
static const uint32_t MEM_BASE = 0x10000, MEM_SIZE = 4096;

static std::mt19937_64 rng(12345);
static uint32_t rnd(uint32_t n)
{
    return n ? (uint32_t)(rng() % n) : 0;
}
static int32_t rrange(int32_t lo, int32_t hi)
{
    return lo + (int32_t)rnd((uint32_t)(hi - lo + 1));
}
static bool chance(double p)
{
    return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

// ---------------------------------------------------------------- wide-signal helpers
static void put(uint32_t &s, const uint8_t *b, int n)
{
    s = 0;
    for (int i = 0; i < n && i < 4; i++)
        s |= (uint32_t)b[i] << (8 * i);
}
static void put(uint64_t &s, const uint8_t *b, int n)
{
    s = 0;
    for (int i = 0; i < n && i < 8; i++)
        s |= (uint64_t)b[i] << (8 * i);
}
template <std::size_t W> static void put(VlWide<W> &s, const uint8_t *b, int n)
{
    for (std::size_t w = 0; w < W; w++) {
        uint32_t v = 0;
        for (int i = 0; i < 4; i++)
            if ((int)(4 * w + i) < n)
                v |= (uint32_t)b[4 * w + i] << (8 * i);
        s[w] = v;
    }
}
static void get(uint32_t s, uint8_t *b, int n)
{
    for (int i = 0; i < n; i++)
        b[i] = (uint8_t)(s >> (8 * i));
}
static void get(uint64_t s, uint8_t *b, int n)
{
    for (int i = 0; i < n; i++)
        b[i] = (uint8_t)(s >> (8 * i));
}
template <std::size_t W> static void get(const VlWide<W> &s, uint8_t *b, int n)
{
    for (int i = 0; i < n; i++)
        b[i] = (uint8_t)(s[i / 4] >> (8 * (i % 4)));
}

// ---------------------------------------------------------------- harness
struct Harness {
    VerilatedContext ctx;
    Vdlp_vpu *m;
#ifdef TRACE
    VerilatedFstC *tfp = nullptr;
#endif
    uint64_t cycle = 0;
    // scratchpad models
    std::vector<uint8_t> act; // ACT_ROWS * N
    std::vector<uint8_t> acc; // ACC_ROWS * 4N (little-endian int32 lanes)
    SpPort act_port, acc_rd_port, acc_wr_port;
    // observed per command
    int dones = 0, rows = 0, err = 0, err_code = 0;

    Harness()
        : act(ACT_ROWS * N), acc(ACC_ROWS * 4 * N), act_port("act", act, ACT_ROWS, N, rng),
          acc_rd_port("acc_rd", acc, ACC_ROWS, 4 * N, rng),
          acc_wr_port("acc_wr", acc, ACC_ROWS, 4 * N, rng)
    {
        m = new Vdlp_vpu(&ctx);
#ifdef TRACE
        ctx.traceEverOn(true);
        tfp = new VerilatedFstC;
        m->trace(tfp, 99);
        tfp->open("vpu.fst");
#endif
        m->clk_i = 0;
        m->rst_ni = 0;
        m->cmd_valid_i = 0;
        m->act_gnt_i = 0;
        m->acc_rd_gnt_i = 0;
        m->acc_wr_gnt_i = 0;
        m->eval();
        for (int i = 0; i < 3; i++)
            tick();
        m->rst_ni = 1;
        tick();
    }
    ~Harness()
    {
        m->final();
#ifdef TRACE
        tfp->close();
        delete tfp;
#endif
        delete m;
    }

    void set_grants(double p_gnt, double p_burst)
    {
        for (SpPort *p : {&act_port, &acc_rd_port, &acc_wr_port}) {
            p->p_gnt = p_gnt;
            p->p_burst = p_burst;
        }
    }
    int accesses() const
    {
        return act_port.accesses + acc_rd_port.accesses + acc_wr_port.accesses;
    }
    bool protocol_error() const
    {
        return act_port.error || acc_rd_port.error || acc_wr_port.error;
    }
    void clear_errors()
    {
        act_port.error = acc_rd_port.error = acc_wr_port.error = false;
    }

    // One clock cycle with the port models.
    void tick()
    {
        uint8_t buf[4 * 16];
        act_port.rdata(buf);
        put(m->act_rdata_i, buf, N);
        acc_rd_port.rdata(buf);
        put(m->acc_rd_rdata_i, buf, 4 * N);
        m->clk_i = 0;
        m->eval();
        m->act_gnt_i = act_port.grant(m->act_req_o);
        m->acc_rd_gnt_i = acc_rd_port.grant(m->acc_rd_req_o);
        m->acc_wr_gnt_i = acc_wr_port.grant(m->acc_wr_req_o);
        m->eval();
#ifdef TRACE
        tfp->dump(ctx.time());
        ctx.timeInc(1);
#endif
        if (m->rst_ni) {
            if (m->done_o) {
                dones++;
                if (m->err_o) {
                    err = 1;
                    err_code = m->err_code_o;
                }
            }
            if (m->perf_rows_o)
                rows++;
            get(m->act_wdata_o, buf, N);
            act_port.edge(m->act_req_o, m->act_gnt_i, m->act_we_o, m->act_addr_o, buf);
            acc_rd_port.edge(m->acc_rd_req_o, m->acc_rd_gnt_i, false, m->acc_rd_addr_o, nullptr);
            get(m->acc_wr_wdata_o, buf, 4 * N);
            acc_wr_port.edge(m->acc_wr_req_o, m->acc_wr_gnt_i, true, m->acc_wr_addr_o, buf);
        }
        m->clk_i = 1;
        m->eval();
#ifdef TRACE
        tfp->dump(ctx.time());
        ctx.timeInc(1);
#endif
        cycle++;
    }

    // Run one repetition; returns false on timeout / protocol error.
    bool run(const dlp_insn &insn, uint32_t s0, uint32_t s1, uint32_t s2, uint64_t *cycles)
    {
        uint8_t b[32];
        for (int w = 0; w < 8; w++)
            for (int i = 0; i < 4; i++)
                b[4 * w + i] = (uint8_t)(insn.w[w] >> (8 * i));
        put(m->cmd_insn_i, b, 32);
        m->cmd_slot0_i = s0;
        m->cmd_slot1_i = s1;
        m->cmd_slot2_i = s2;
        m->cmd_valid_i = 1;
        dones = 0;
        act_port.accesses = acc_rd_port.accesses = acc_wr_port.accesses = 0;
        err = 0;
        err_code = 0;
        uint64_t start = cycle;
        // handshake: accepted on the edge where valid && ready
        while (true) {
            m->clk_i = 0;
            m->eval();
            bool acc_now = m->cmd_ready_o;
            tick();
            if (acc_now)
                break;
            if (cycle - start > 1000)
                return false;
        }
        m->cmd_valid_i = 0;
        while (dones == 0) {
            tick();
            if (cycle - start > 400000)
                return false;
        }
        if (cycles)
            *cycles = cycle - start;
        if (err && accesses()) {
            fprintf(stderr, "  %d scratchpad accesses in a faulting repetition\n", accesses());
            return false;
        }
        for (int i = 0; i < 2; i++) { // no stray done
            tick();
        }
        return dones == 1 && !protocol_error();
    }
};

// ---------------------------------------------------------------- test state
static const char *fname(uint32_t f)
{
    static const char *n[] = {"?",       "REQ",     "ADD",   "MUL",  "LUT",  "LUTLD", "MAXPOOL",
                              "SUMPOOL", "SOFTMAX", "LNORM", "RMAX", "RSUM", "COPY"};
    return f <= 12 ? n[f] : "?";
}

struct Stats {
    int pass[16] = {0}, fail[16] = {0}, errs[16] = {0};
    uint64_t cycles[16] = {0}, items[16] = {0};
};
static Stats st;
static Harness *H;
static dlp_iss *S;

static int32_t rd_acc(const std::vector<uint8_t> &a, uint32_t row, uint32_t l)
{
    const uint8_t *p = &a[(row * N + l) * 4];
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24);
}
static void wr_acc(std::vector<uint8_t> &a, uint32_t row, uint32_t l, int32_t v)
{
    uint8_t *p = &a[(row * N + l) * 4];
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)((uint32_t)v >> (8 * i));
}

static int32_t rand_i32_extreme()
{
    switch (rnd(8)) {
    case 0: return INT32_MIN;
    case 1: return INT32_MAX;
    case 2: return rrange(-300, 300);
    case 3: return (int32_t)(0x40000000u + rnd(0x40000000u)); // QM range
    case 4: return -(int32_t)(0x40000000u + rnd(0x3FFFFFFFu));
    default: return (int32_t)rng();
    }
}
static int32_t rand_mult()
{
    return rand_i32_extreme();
}
static int32_t rand_shift()
{
    switch (rnd(6)) {
    case 0: return rrange(-40, 40);
    case 1: return chance(0.5) ? INT32_MIN : INT32_MAX;
    case 2: return (int32_t)rng();
    default: return rrange(-31, 30);
    }
}
static int32_t rand_off()
{
    return chance(0.7) ? rrange(-255, 255) : rand_i32_extreme();
}

static void randomize_mem()
{
    for (auto &b : H->act)
        b = (uint8_t)rng();
    for (uint32_t r = 0; r < ACC_ROWS; r++)
        for (uint32_t l = 0; l < N; l++)
            wr_acc(H->acc, r, l, chance(0.1) ? rand_i32_extreme() : rrange(-100000, 100000));
}

static void copy_to_iss()
{
    for (uint32_t r = 0; r < ACT_ROWS; r++)
        memcpy(dlp_iss_sp_row(S, DLP_SP_ACT, r), &H->act[r * N], N);
    for (uint32_t r = 0; r < ACC_ROWS; r++)
        memcpy(dlp_iss_sp_row(S, DLP_SP_ACC, r), &H->acc[r * 4 * N], 4 * N);
}

static bool compare_mem(const char *what)
{
    for (uint32_t r = 0; r < ACT_ROWS; r++)
        if (memcmp(dlp_iss_sp_row(S, DLP_SP_ACT, r), &H->act[r * N], N)) {
            const uint8_t *g = dlp_iss_sp_row(S, DLP_SP_ACT, r);
            fprintf(stderr, "  %s: ACT row %u differs:", what, r);
            for (uint32_t l = 0; l < N; l++)
                fprintf(stderr, " %d/%d", (int8_t)H->act[r * N + l], (int8_t)g[l]);
            fprintf(stderr, "  (rtl/golden)\n");
            return false;
        }
    for (uint32_t r = 0; r < ACC_ROWS; r++)
        if (memcmp(dlp_iss_sp_row(S, DLP_SP_ACC, r), &H->acc[r * 4 * N], 4 * N)) {
            const uint8_t *g = dlp_iss_sp_row(S, DLP_SP_ACC, r);
            fprintf(stderr, "  %s: ACC row %u differs:", what, r);
            for (uint32_t l = 0; l < N; l++) {
                int32_t gv;
                memcpy(&gv, g + 4 * l, 4);
                fprintf(stderr, " %d/%d", rd_acc(H->acc, r, l), gv);
            }
            fprintf(stderr, "  (rtl/golden)\n");
            return false;
        }
    return true;
}

struct Loop {
    uint32_t count = 0;
    int32_t inc[3] = {0, 0, 0};
};

// Run [LUTLD(lut_src)] [LOOP] VEC FINISH on the ISS and the same repetitions on the RTL.
// Returns true when both agree (memories, error code, VEC_ROWS).
static bool run_both(const dlp_vec_f &v, int lut_src, const Loop &lp, const char *tag)
{
    dlp_prog *p = dlp_prog_new();
    dlp_vec_f ll = {};
    if (lut_src >= 0) {
        ll.func = DLP_VF_LUTLD;
        ll.src = (uint32_t)lut_src;
        ll.count = 1;
        dlp_emit_vec(p, &ll, 0);
    }
    if (lp.count)
        dlp_emit_loop(p, lp.count, lp.inc[0], lp.inc[1], lp.inc[2]);
    dlp_emit_vec(p, &v, 0);
    dlp_emit_finish(p);
    if (dlp_prog_error(p)) {
        fprintf(stderr, "prog error: %s\n", dlp_prog_error(p));
        exit(2);
    }
    size_t nb = dlp_prog_bytes(p, dlp_iss_mem(S, MEM_BASE, MEM_SIZE), MEM_SIZE);
    size_t ninsn = nb / DLP_INSN_BYTES;
    const dlp_insn *insns = dlp_prog_insns(p);
    dlp_insn vi = insns[ninsn - 2];
    dlp_insn li = insns[0];
    dlp_prog_free(p);

    copy_to_iss();
    int gcode = dlp_iss_run(S, MEM_BASE, (uint32_t)ninsn, MEM_BASE, MEM_BASE + MEM_SIZE - 1);

    // RTL
    bool ok = true;
    int rcode = 0, rows = 0;
    H->rows = 0;
    if (lut_src >= 0) {
        ok = ok && H->run(li, ll.src, 0, 0, nullptr);
        if (H->err)
            rcode = H->err_code;
    }
    uint32_t reps = lp.count ? lp.count : 1;
    for (uint32_t i = 0; i < reps && ok && !rcode; i++) {
        uint32_t s0 = v.src + i * (uint32_t)lp.inc[0];
        uint32_t s1 = v.src2 + i * (uint32_t)lp.inc[1];
        uint32_t s2 = v.dst + i * (uint32_t)lp.inc[2];
        uint64_t cyc = 0;
        ok = ok && H->run(vi, s0, s1, s2, &cyc);
        if (H->err)
            rcode = H->err_code;
        else {
            st.cycles[v.func] += cyc;
            st.items[v.func] += v.func == DLP_VF_LUTLD ? 1 : v.count;
        }
    }
    rows = H->rows;
    if (!ok)
        fprintf(stderr, "  %s %s: RTL timeout or protocol error\n", tag, fname(v.func));
    if (ok && rcode != gcode) {
        fprintf(stderr, "  %s %s: error code rtl %d golden %d\n", tag, fname(v.func), rcode, gcode);
        ok = false;
    }
    if (ok && !gcode && (uint64_t)rows != dlp_iss_perf(S, DLP_PERF_VEC_ROWS)) {
        fprintf(stderr, "  %s %s: VEC_ROWS rtl %d golden %" PRIu64 "\n", tag, fname(v.func), rows,
                dlp_iss_perf(S, DLP_PERF_VEC_ROWS));
        ok = false;
    }
    if (ok && !compare_mem(tag))
        ok = false;
    if (!ok) {
        fprintf(stderr,
                "  FAIL %s func=%s src=%u src2=%u dst=%u count=%u s_src=%u s_dst=%u s_src2=%u "
                "prm=%u lo=%d hi=%d dacc=%u zo=%d shift=%d k0=%u k1=%u imm=0x%08x loop=%u\n",
                tag, fname(v.func), v.src, v.src2, v.dst, v.count, v.s_src, v.s_dst, v.s_src2,
                v.prm, v.lo, v.hi, v.dst_acc, v.zo, v.shift, v.k0, v.k1, v.imm, lp.count);
        H->clear_errors();
        // resynchronise the RTL-side memories with the ISS for the next test
        for (uint32_t r = 0; r < ACT_ROWS; r++)
            memcpy(&H->act[r * N], dlp_iss_sp_row(S, DLP_SP_ACT, r), N);
        for (uint32_t r = 0; r < ACC_ROWS; r++)
            memcpy(&H->acc[r * 4 * N], dlp_iss_sp_row(S, DLP_SP_ACC, r), 4 * N);
    }
    if (gcode)
        st.errs[v.func]++;
    return ok;
}

// LUT read-back: LUT dst_acc over 256 rows where lane l of row r holds (r + l) mod 256,
// so every lane's table replica is read at every index; compared with the ISS and with
// dlp_iss_lut().
static bool lut_readback()
{
    for (uint32_t r = 0; r < 256; r++)
        for (uint32_t l = 0; l < N; l++)
            H->act[r * N + l] = (uint8_t)(r + l);
    dlp_vec_f v = {};
    v.func = DLP_VF_LUT;
    v.src = 0;
    v.dst = 256;
    v.count = 256;
    v.s_src = 1;
    v.s_dst = 1;
    v.dst_acc = 1;
    v.lo = -128;
    v.hi = 127;
    Loop lp;
    bool ok = run_both(v, -1, lp, "lut-readback");
    const int16_t *lut = dlp_iss_lut(S);
    for (uint32_t r = 0; r < 256 && ok; r++)
        for (uint32_t l = 0; l < N; l++) {
            int8_t x = (int8_t)(uint8_t)(r + l);
            if (rd_acc(H->acc, 256 + r, l) != lut[x + 128]) {
                fprintf(stderr, "  LUT entry %d lane %u: rtl %d golden %d\n", x + 128, l,
                        rd_acc(H->acc, 256 + r, l), lut[x + 128]);
                ok = false;
                break;
            }
        }
    return ok;
}

// ---------------------------------------------------------------- random instructions
static void fill_lut_rows(uint32_t src, int kind)
{
    for (uint32_t e = 0; e < 256; e++) {
        int16_t val;
        switch (kind) {
        case 0: val = (int16_t)rng(); break;                             // anything
        case 1: val = (int16_t)rrange(-128, 127); break;                 // int8 function
        case 2: val = (int16_t)(32767.0 * exp(-0.05 * e)); break;        // softmax exp
        case 3: val = (int16_t)(chance(0.5) ? rrange(-5, 0) : 0); break; // S == 0
        default: val = (int16_t)(e < 8 ? rrange(-200, 32767) : rrange(-3000, 3000)); break;
        }
        uint32_t byte = 2 * e;
        H->act[(src + byte / N) * N + byte % N] = (uint8_t)val;
        H->act[(src + (byte + 1) / N) * N + (byte + 1) % N] = (uint8_t)((uint16_t)val >> 8);
    }
}

static void rand_lohi(dlp_vec_f &v)
{
    if (chance(0.4)) {
        v.lo = -128;
        v.hi = 127;
    } else {
        int a = rrange(-128, 127), b = rrange(-128, 127);
        v.lo = a < b ? a : b;
        v.hi = a < b ? b : a;
    }
}

static bool one_test(uint32_t func, int t)
{
    dlp_vec_f v = {};
    v.func = func;
    v.count = chance(0.25) ? 1 : chance(0.3) ? rrange(7, 40) : rrange(1, 6);
    v.s_src = rrange(0, 3);
    v.s_dst = rrange(0, 3);
    v.s_src2 = rrange(0, 3);
    rand_lohi(v);
    randomize_mem();
    int lut_src = -1;
    bool vector = func == DLP_VF_SOFTMAX || func == DLP_VF_LNORM || func == DLP_VF_RMAX ||
                  func == DLP_VF_RSUM;
    uint32_t span = 1;
    if (vector) {
        v.k0 = chance(0.08) ? rrange(7, 40) : rrange(1, 6);
        uint32_t rn = v.k0 * N;
        v.k1 = chance(0.3) ? rn : chance(0.2) ? 1 : rrange(1, (int)rn);
        span = v.k0;
        if (v.k0 > 6 && v.count > 6)
            v.count = rrange(1, 6);
    }
    if (func == DLP_VF_MAXPOOL || func == DLP_VF_SUMPOOL) {
        v.k0 = rrange(1, 3);
        v.k1 = rrange(1, 3);
        uint32_t skh = rrange(0, 8), skw = rrange(0, 3);
        v.imm = skh | skw << 16;
        span = (v.k0 - 1) * skh + (v.k1 - 1) * skw + 1;
    }
    // regions: ACT source [0, 256), ACT destination [256, 512); ACC params [0, 16),
    // ACC source [16, 256), ACC destination [256, 512)
    uint32_t foot_src = (v.count - 1) * v.s_src + span;
    uint32_t foot_dst =
        (v.count - 1) * v.s_dst + (func == DLP_VF_SOFTMAX || func == DLP_VF_LNORM ? span : 1);
    v.src = rnd(256 - foot_src);
    v.src2 = rnd(256 - ((v.count - 1) * v.s_src2 + 1));
    v.dst = 256 + (chance(0.15) ? 256 - foot_dst : rnd(256 - foot_dst));
    bool dst_act = true;
    switch (func) {
    case DLP_VF_REQ: {
        v.src = 16 + rnd(240 - foot_src);
        v.prm = rnd(12);
        for (uint32_t l = 0; l < N; l++) {
            wr_acc(H->acc, v.prm + 0, l, rand_i32_extreme());
            wr_acc(H->acc, v.prm + 1, l, rand_mult());
            wr_acc(H->acc, v.prm + 2, l, rand_shift());
            wr_acc(H->acc, v.prm + 3, l, rand_off());
        }
        break;
    }
    case DLP_VF_ADD: {
        v.prm = rnd(7);
        v.k0 = chance(0.5) ? 20 : rrange(0, 31);
        for (uint32_t l = 0; l < N; l++) {
            wr_acc(H->acc, v.prm + 0, l, rand_off());
            wr_acc(H->acc, v.prm + 1, l, rand_mult());
            wr_acc(H->acc, v.prm + 2, l, rand_shift());
            wr_acc(H->acc, v.prm + 3, l, rand_off());
            wr_acc(H->acc, v.prm + 4, l, rand_mult());
            wr_acc(H->acc, v.prm + 5, l, rand_shift());
            wr_acc(H->acc, v.prm + 6, l, rand_mult());
            wr_acc(H->acc, v.prm + 7, l, rand_shift());
            wr_acc(H->acc, v.prm + 8, l, rand_off());
        }
        break;
    }
    case DLP_VF_MUL: {
        v.prm = rnd(11);
        for (uint32_t l = 0; l < N; l++) {
            wr_acc(H->acc, v.prm + 0, l, rand_off());
            wr_acc(H->acc, v.prm + 1, l, rand_off());
            wr_acc(H->acc, v.prm + 2, l, rand_mult());
            wr_acc(H->acc, v.prm + 3, l, rand_shift());
            wr_acc(H->acc, v.prm + 4, l, rand_off());
        }
        break;
    }
    case DLP_VF_LUT:
        v.dst_acc = chance(0.3);
        if (v.dst_acc)
            dst_act = false;
        break;
    case DLP_VF_SUMPOOL:
    case DLP_VF_LNORM:
    case DLP_VF_RMAX:
    case DLP_VF_RSUM: dst_act = false; break;
    case DLP_VF_SOFTMAX:
        v.imm = (uint32_t)(chance(0.7) ? (int32_t)(0x40000000u + rnd(0x40000000u)) : rand_mult());
        v.shift = chance(0.8) ? rrange(-31, 30) : rrange(-128, 127);
        v.zo = rrange(-128, 127);
        break;
    default: break;
    }
    if (func == DLP_VF_LNORM) {
        switch (rnd(5)) {
        case 0: v.imm = 0; break;
        case 1: v.imm = 0xFFFFFFFFu; break;
        case 2: v.imm = (uint32_t)rng(); break;
        default: v.imm = rnd(5000); break;
        }
    }
    // data shaping for vectors: narrow ranges / constants (Q == 0, big maxima)
    if (vector && chance(0.3)) {
        int base = rrange(-128, 127), w = chance(0.5) ? 0 : rrange(0, 8);
        for (uint32_t r = 0; r < 256; r++)
            for (uint32_t l = 0; l < N; l++) {
                int x = base + rrange(0, w);
                H->act[r * N + l] = (uint8_t)(x > 127 ? 127 : x);
            }
    }
    // in place: dst == src, s_dst == s_src (vector ops need s_src >= R)
    bool same_sp = dst_act && func != DLP_VF_REQ;
    if (same_sp && chance(0.3)) {
        if (vector && v.s_src < span)
            v.s_src = span;
        foot_src = (v.count - 1) * v.s_src + span;
        v.src = rnd(256 - foot_src);
        v.dst = v.src;
        v.s_dst = v.s_src;
    }
    // LUT table source
    if (func == DLP_VF_LUT || func == DLP_VF_SOFTMAX || func == DLP_VF_LUTLD) {
        uint32_t ls = rnd(ACT_ROWS - LUT_ROWS + 1);
        int kind = func == DLP_VF_SOFTMAX ? (chance(0.15) ? 3 : chance(0.5) ? 2 : 4) : rnd(2);
        if (func == DLP_VF_LUTLD) {
            v.src = ls;
            v.count = rnd(3); // ignored
        } else
            lut_src = (int)ls;
        fill_lut_rows(ls, kind);
        if (func != DLP_VF_LUTLD && (ls < 256 + 256 && ls + LUT_ROWS > v.src)) {
            // table rows may be overwritten by the op later; harmless (LUTLD runs first)
        }
    }
    // LOOP-wrapped repetitions
    Loop lp;
    if (func != DLP_VF_LUTLD && chance(0.15)) {
        lp.count = rrange(1, 3);
        int32_t inc = rrange(0, 3) * (int32_t)(v.count * (span + 1));
        lp.inc[0] = lp.inc[2] = chance(0.1) ? (chance(0.5) ? 0x10000 : -600) : inc;
        lp.inc[1] = rrange(0, 3);
        if (!vector && chance(0.5))
            lp.inc[2] = rrange(0, 8);
    }
    // range errors
    if (chance(0.1)) {
        uint32_t which = rnd(4);
        uint32_t big = chance(0.3) ? 0xFFFF : 0;
        switch (which) {
        case 0:
            if (func == DLP_VF_REQ)
                v.src = big ? big : ACC_ROWS - foot_src + 1 + rnd(3);
            else if (func == DLP_VF_LUTLD)
                v.src = big ? big : ACT_ROWS - LUT_ROWS + 1 + rnd(3);
            else
                v.src = big ? big : ACT_ROWS - foot_src + 1 + rnd(3);
            break;
        case 1:
            if (func == DLP_VF_ADD || func == DLP_VF_MUL)
                v.src2 = big ? big : ACT_ROWS - ((v.count - 1) * v.s_src2) + rnd(3);
            else
                v.dst = big ? big : (dst_act ? ACT_ROWS : ACC_ROWS) - foot_dst + 1 + rnd(3);
            break;
        case 2:
            if (func == DLP_VF_REQ || func == DLP_VF_ADD || func == DLP_VF_MUL)
                v.prm = big ? big : ACC_ROWS - 3 + rnd(3);
            else
                v.dst = big ? big : (dst_act ? ACT_ROWS : ACC_ROWS) - foot_dst + 1 + rnd(3);
            break;
        default:
            v.count = 0xFFFF;
            v.s_src = v.s_dst = 1;
            break;
        }
        if (func == DLP_VF_LUTLD)
            v.count = 0;
    }
    // long stalls; REQ streams rows, so stall its write port often to fill its FIFO
    H->set_grants(chance(0.3)   ? 1.0
                  : chance(0.5) ? 0.7
                                : 0.25,
                  chance(func == DLP_VF_REQ ? 0.6 : 0.35) ? 0.05 : 0.0);
    char tag[32];
    snprintf(tag, sizeof tag, "t%d", t);
    bool ok = run_both(v, lut_src, lp, tag);
    if (ok && (func == DLP_VF_LUTLD || (lut_src >= 0 && chance(0.2))))
        ok = lut_readback();
    return ok;
}

static const char *dumpenv()
{
    return getenv("VPU_VERBOSE");
}

// Long vectors (L up to 65535, R up to 4096 rows; needs ACT_ROWS >= 2R, ACC_ROWS >= R):
// the largest S of SOFTMAX (all e = 32767), the largest Q of LNORM (x = +-128).
static bool big_test(uint32_t func, int t)
{
    dlp_vec_f v = {};
    v.func = func;
    v.count = 1;
    uint32_t rmax = ACC_ROWS < ACT_ROWS / 2 ? ACC_ROWS : ACT_ROWS / 2;
    uint32_t lmax = rmax * N > 65535 ? 65535 : rmax * N;
    v.k1 = t % 3 == 0 ? lmax : t % 3 == 1 ? lmax - rnd(N) : 1 + rnd(lmax);
    v.k0 = (v.k1 + N - 1) / N;
    if (t % 4 == 3 && v.k0 < rmax)
        v.k0++; // a spare row: lanes beyond L
    v.lo = -128;
    v.hi = 127;
    int shape = t % 4;
    for (uint32_t r = 0; r < ACT_ROWS; r++)
        for (uint32_t l = 0; l < N; l++) {
            int x = shape == 0   ? 77
                    : shape == 1 ? ((r + l) & 1 ? 127 : -128)
                    : shape == 2 ? rrange(-128, 127)
                                 : rrange(100, 127);
            H->act[r * N + l] = (uint8_t)x;
        }
    int lut_src = -1;
    v.src = 0;
    v.dst = func == DLP_VF_SOFTMAX ? (t % 2 ? 0 : ACT_ROWS / 2) : 0;
    if (func == DLP_VF_SOFTMAX) {
        lut_src = (int)(ACT_ROWS - LUT_ROWS);
        fill_lut_rows((uint32_t)lut_src, 2);
        v.imm = 0x40000000u + rnd(0x40000000u);
        v.shift = rrange(-31, 2);
        v.zo = -128;
    }
    if (func == DLP_VF_LNORM)
        v.imm = t % 2 ? (uint32_t)rng() : 0;
    H->set_grants(0.8, 0.0);
    Loop lp;
    char tag[32];
    snprintf(tag, sizeof tag, "big%d", t);
    return run_both(v, lut_src, lp, tag);
}

// Cycles per item with the grants always high (checked against the ISS as well).
static int perf_table()
{
    static const uint32_t vf[] = {DLP_VF_REQ,     DLP_VF_COPY,    DLP_VF_LUT,     DLP_VF_LUTLD,
                                  DLP_VF_MAXPOOL, DLP_VF_SUMPOOL, DLP_VF_ADD,     DLP_VF_MUL,
                                  DLP_VF_RMAX,    DLP_VF_RSUM,    DLP_VF_SOFTMAX, DLP_VF_LNORM};
    int fails = 0;
    printf("  cycles per item, grants always high (count 64 for REQ/COPY/LUT, else 16; pools 3x3; "
           "vectors R = 4, L = 4N):\n");
    for (uint32_t f : vf) {
        randomize_mem();
        dlp_vec_f v = {};
        v.func = f;
        v.count = f == DLP_VF_REQ || f == DLP_VF_COPY || f == DLP_VF_LUT ? 64 : 16;
        v.s_src = v.s_dst = v.s_src2 = 1;
        v.lo = -128;
        v.hi = 127;
        v.src = 0;
        v.src2 = 64;
        v.dst = 256;
        if (f == DLP_VF_REQ)
            v.src = 16;
        if (f == DLP_VF_ADD)
            v.k0 = 20;
        if (f == DLP_VF_MAXPOOL || f == DLP_VF_SUMPOOL) {
            v.k0 = v.k1 = 3;
            v.imm = 8 | 1u << 16;
        }
        if (f >= DLP_VF_SOFTMAX && f <= DLP_VF_RSUM) {
            v.k0 = 4;
            v.k1 = 4 * N;
            v.s_src = v.s_dst = 4;
            v.imm = f == DLP_VF_SOFTMAX ? 0x40000000u : 100;
        }
        int lut_src = -1;
        if (f == DLP_VF_LUT || f == DLP_VF_SOFTMAX) {
            lut_src = (int)(ACT_ROWS - LUT_ROWS);
            fill_lut_rows(ACT_ROWS - LUT_ROWS, 2);
        }
        if (f == DLP_VF_LUTLD)
            fill_lut_rows(0, 0);
        H->set_grants(1.0, 0.0);
        st.cycles[f] = st.items[f] = 0;
        Loop lp;
        if (!run_both(v, lut_src, lp, "perf"))
            fails++;
        printf("  %-8s %7.1f\n", fname(f), (double)st.cycles[f] / (double)st.items[f]);
    }
    printf("vpu_n%u_perf: %d passed, %d failed\n", N, 12 - fails, fails);
    return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    int iters = argc > 1 ? atoi(argv[1]) : 60;
    if (argc > 2)
        rng.seed(strtoull(argv[2], nullptr, 0));

    dlp_config cfg;
    dlp_config_default(&cfg);
    cfg.n = N;
    cfg.act_bytes = ACT_ROWS * N;
    cfg.acc_bytes = ACC_ROWS * 4 * N;
    cfg.wgt_bytes = 64 * N * N;
    char buf[200];
    if (dlp_config_check(&cfg, buf, sizeof buf)) {
        fprintf(stderr, "config: %s\n", buf);
        return 2;
    }
    S = dlp_iss_new(&cfg, MEM_BASE, MEM_SIZE);
    H = new Harness;

    // Establish a known LUT in both models first (the RTL LUT has no reset).
    {
        randomize_mem();
        fill_lut_rows(0, 0);
        dlp_vec_f v = {};
        v.func = DLP_VF_LUTLD;
        v.src = 0;
        Loop lp;
        if (!run_both(v, -1, lp, "init"))
            fprintf(stderr, "init LUTLD failed\n");
    }

    static const uint32_t order[] = {DLP_VF_REQ,     DLP_VF_COPY,    DLP_VF_LUT,     DLP_VF_LUTLD,
                                     DLP_VF_MAXPOOL, DLP_VF_SUMPOOL, DLP_VF_ADD,     DLP_VF_MUL,
                                     DLP_VF_RMAX,    DLP_VF_RSUM,    DLP_VF_SOFTMAX, DLP_VF_LNORM};
    int t = 0;
    if (argc > 3 && !strcmp(argv[3], "perf"))
        return perf_table();
    if (argc > 3 && !strcmp(argv[3], "big")) {
        static const uint32_t vf[] = {DLP_VF_SOFTMAX, DLP_VF_LNORM, DLP_VF_RMAX, DLP_VF_RSUM};
        for (int it = 0; it < iters; it++)
            for (uint32_t f : vf) {
                bool ok = big_test(f, t++);
                if (ok)
                    st.pass[f]++;
                else
                    st.fail[f]++;
            }
        int P = 0, F = 0;
        for (uint32_t f : vf) {
            printf("  %-8s %4d passed, %d failed (long vectors), %.1f cycles/item\n", fname(f),
                   st.pass[f], st.fail[f],
                   st.items[f] ? (double)st.cycles[f] / (double)st.items[f] : 0.0);
            P += st.pass[f];
            F += st.fail[f];
        }
        printf("vpu_n%u_long: %d passed, %d failed\n", N, P, F);
        delete H;
        dlp_iss_free(S);
        return F ? 1 : 0;
    }
    for (int it = 0; it < iters; it++)
        for (uint32_t f : order) {
            bool ok = one_test(f, t++);
            if (ok)
                st.pass[f]++;
            else
                st.fail[f]++;
            if (dumpenv())
                fprintf(stderr, "t%d %s %s\n", t - 1, fname(f), ok ? "ok" : "FAIL");
        }

    int P = 0, F = 0;
    for (uint32_t f : order) {
        printf(
            "  %-8s %4d passed, %d failed (%d with SP_RANGE), %.1f cycles/item (random grants)\n",
            fname(f), st.pass[f], st.fail[f], st.errs[f],
            st.items[f] ? (double)st.cycles[f] / (double)st.items[f] : 0.0);
        P += st.pass[f];
        F += st.fail[f];
    }
    printf("vpu_n%u: %d passed, %d failed\n", N, P, F);
    delete H;
    dlp_iss_free(S);
    return F ? 1 : 0;
}
