/*
 * test_iss_errors.c - error behaviour, LOOP and token semantics and the CSR map of the ISS
 * against docs/ARCHITECTURE.md (sections 4, 5.6, 7, 8).
 *
 * One hand-written program per error code and variant. For each: ERR_CODE, ERR_INDEX,
 * ERR_ADDR (the repetition's dram for DMA errors, 0 where the spec says "else 0"),
 * STATUS = ERROR only, IRQ_STATUS = ERROR only, the irq line with IRQ_EN_ERR set and
 * clear; then a correct program runs (START clears the error) and produces its data.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dlp/iss.h"
#include "dlp/prog.h"

#define MB      0x10000000u /* memory image base */
#define MSZ     0x10000u    /* 64 KiB */
#define DATA    (MB + 0x1000u)
#define OUT     (MB + 0x2000u)
#define PROG    (MB + 0x8000u)
#define NO_ADDR (-1L) /* ERR_ADDR not checked (see the report on the spec) */

static dlp_config cfg;
static dlp_iss *S;
static dlp_prog *P;
static uint32_t N, ACT, WGT, ACC, LUTR;
static uint32_t win_base = MB, win_limit = MB + MSZ - 1;
static int irq_en_err = 1;
static unsigned long long seed = 0xE4404ULL;

/* ------------------------------------------------------------------ emit shortcuts */
static int ld3(uint32_t sp, uint32_t sram, uint32_t dram, uint32_t x, uint32_t y, uint32_t ys,
               uint32_t z, uint32_t zs, uint32_t flags)
{
    const dlp_dma_f m = {.sp = sp,
                         .sram = sram,
                         .dram = dram,
                         .x_size = x,
                         .y_size = y,
                         .z_size = z,
                         .y_stride = ys,
                         .z_stride = zs};
    return dlp_emit_load(P, &m, flags);
}
static int ld(uint32_t sp, uint32_t sram, uint32_t dram, uint32_t x, uint32_t flags)
{
    return ld3(sp, sram, dram, x, 1, 0, 1, 0, flags);
}
static int ldpad(uint32_t sram, uint32_t dram, uint32_t x, uint32_t xpa, uint32_t flags)
{
    const dlp_dma_f m = {.sp = DLP_SP_ACT,
                         .sram = sram,
                         .dram = dram,
                         .x_size = x,
                         .y_size = 1,
                         .z_size = 1,
                         .x_pad = {0, xpa}};
    return dlp_emit_load(P, &m, flags);
}
static int st3(uint32_t sp, uint32_t sram, uint32_t dram, uint32_t x, uint32_t y, uint32_t ys,
               uint32_t flags)
{
    const dlp_dma_f m = {.sp = sp,
                         .sram = sram,
                         .dram = dram,
                         .x_size = x,
                         .y_size = y,
                         .z_size = 1,
                         .y_stride = ys};
    return dlp_emit_store(P, &m, flags);
}
static int st(uint32_t sp, uint32_t sram, uint32_t dram, uint32_t x, uint32_t flags)
{
    return st3(sp, sram, dram, x, 1, 0, flags);
}
static int sync(int q, uint32_t flags)
{
    return dlp_emit_sync(P, q, flags);
}
static int vecf(const dlp_vec_f *v, uint32_t flags)
{
    return dlp_emit_vec(P, v, flags);
}
static int copy(uint32_t src, uint32_t dst, uint32_t count, uint32_t flags)
{
    const dlp_vec_f v = {.func = DLP_VF_COPY,
                         .src = src,
                         .dst = dst,
                         .count = count,
                         .s_src = 1,
                         .s_dst = 1,
                         .lo = -128,
                         .hi = 127};
    return vecf(&v, flags);
}
static int gemm(uint32_t act, uint32_t wgt, uint32_t acc, uint32_t n_pix, uint32_t flags)
{
    const dlp_gemm_f g = {.act = act,
                          .wgt = wgt,
                          .acc = acc,
                          .n_pix = n_pix,
                          .n_r1 = 1,
                          .n_r2 = 1,
                          .s_pix = 1,
                          .clr = 1};
    return dlp_emit_gemm(P, &g, flags);
}
static int raw_op(uint32_t opcode, uint32_t flags)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = opcode;
    d.flags = flags;
    return dlp_emit(P, &d);
}
static int loop(uint32_t count, int32_t i0, int32_t i1, int32_t i2)
{
    return dlp_emit_loop(P, count, i0, i1, i2);
}
static int fin(void)
{
    return dlp_emit_finish(P);
}

/* 0..3 harmless SYNCs in front, so that ERR_INDEX is not always 0; returns how many. */
static uint32_t pad_front(void)
{
    const int n = check_range(&seed, 0, 3);
    for (int i = 0; i < n; i++)
        sync(check_range(&seed, 0, 2), 0);
    return (uint32_t)n;
}

/* ------------------------------------------------------------------ running */
static uint32_t csr(uint32_t off)
{
    return dlp_iss_csr_read(S, off);
}

static void place(uint32_t base)
{
    CHECK(dlp_prog_error(P) == NULL, "program builder: %s", dlp_prog_error(P));
    /* copy as much of the program as lies inside the memory image */
    for (size_t i = 0; i < dlp_prog_len(P); i++) {
        uint8_t *p = dlp_iss_mem(S, base + (uint32_t)(i * DLP_INSN_BYTES), DLP_INSN_BYTES);
        if (p)
            dlp_insn_to_bytes(&dlp_prog_insns(P)[i], p);
    }
}

static uint32_t start(uint32_t base, uint32_t count)
{
    dlp_iss_csr_write(S, DLP_CSR_INSN_BASE, base);
    dlp_iss_csr_write(S, DLP_CSR_INSN_COUNT, count);
    dlp_iss_csr_write(S, DLP_CSR_WIN_BASE, win_base);
    dlp_iss_csr_write(S, DLP_CSR_WIN_LIMIT, win_limit);
    dlp_iss_csr_write(S, DLP_CSR_CTRL,
                      DLP_CTRL_START | DLP_CTRL_IRQ_EN_DONE |
                          (irq_en_err ? DLP_CTRL_IRQ_EN_ERR : 0));
    return csr(DLP_CSR_ERR_CODE);
}

static uint32_t run_at(uint32_t base)
{
    place(base);
    return start(base, (uint32_t)dlp_prog_len(P));
}

static uint32_t run(void)
{
    return run_at(PROG);
}

static void fill_data(void)
{
    uint8_t *d = dlp_iss_mem(S, DATA, 0x1000);
    for (int i = 0; i < 0x1000; i++)
        d[i] = (uint8_t)(i * 7 + 3);
}

/* A correct program: LOAD -> COPY -> STORE with tokens; checks its output and status. */
static void good_program(const char *after)
{
    dlp_prog_reset(P);
    memset(dlp_iss_mem(S, OUT, 4 * N), 0, 4 * N);
    ld(DLP_SP_ACT, 0, DATA, 2, DLP_F_PUSH_NEXT);
    copy(0, 2, 2, DLP_F_POP_PREV | DLP_F_PUSH_NEXT);
    st(DLP_SP_ACT, 2, OUT, 2, DLP_F_POP_PREV);
    fin();
    const uint32_t rc = run();
    CHECK(rc == 0 && csr(DLP_CSR_STATUS) == DLP_STATUS_DONE &&
              csr(DLP_CSR_IRQ_STATUS) == DLP_IRQ_DONE && csr(DLP_CSR_ERR_INDEX) == 0 &&
              csr(DLP_CSR_ERR_ADDR) == 0,
          "after %s: correct program: err %u status %x irq_status %x", after, rc,
          csr(DLP_CSR_STATUS), csr(DLP_CSR_IRQ_STATUS));
    CHECK(!memcmp(dlp_iss_mem(S, OUT, 2 * N), dlp_iss_mem(S, DATA, 2 * N), 2 * N),
          "after %s: correct program's data", after);
    CHECK(dlp_iss_irq(S) == 1, "after %s: done irq", after);
    CHECK(dlp_iss_perf(S, DLP_PERF_INSNS) == 4 && dlp_iss_perf(S, DLP_PERF_RD_BYTES) == 2 * N &&
              dlp_iss_perf(S, DLP_PERF_WR_BYTES) == 2 * N &&
              dlp_iss_perf(S, DLP_PERF_VEC_ROWS) == 2 && dlp_iss_perf(S, DLP_PERF_MACS) == 0,
          "after %s: counters", after);
}

/* Checks the state after an error, then that a correct program runs. */
static void expect(const char *name, uint32_t rc, uint32_t code, uint32_t index, long addr)
{
    CHECK(rc == code && csr(DLP_CSR_ERR_CODE) == code, "%s: ERR_CODE %u (%s), expected %u (%s)",
          name, csr(DLP_CSR_ERR_CODE), dlp_err_name(csr(DLP_CSR_ERR_CODE)), code,
          dlp_err_name(code));
    CHECK(csr(DLP_CSR_ERR_INDEX) == index, "%s: ERR_INDEX %u, expected %u", name,
          csr(DLP_CSR_ERR_INDEX), index);
    if (addr != NO_ADDR)
        CHECK(csr(DLP_CSR_ERR_ADDR) == (uint32_t)addr, "%s: ERR_ADDR 0x%08x, expected 0x%08x", name,
              csr(DLP_CSR_ERR_ADDR), (uint32_t)addr);
    CHECK(csr(DLP_CSR_STATUS) == DLP_STATUS_ERROR, "%s: STATUS %x", name, csr(DLP_CSR_STATUS));
    CHECK(csr(DLP_CSR_IRQ_STATUS) == DLP_IRQ_ERROR, "%s: IRQ_STATUS %x", name,
          csr(DLP_CSR_IRQ_STATUS));
    CHECK(dlp_iss_irq(S) == irq_en_err, "%s: irq line %d with IRQ_EN_ERR=%d", name, dlp_iss_irq(S),
          irq_en_err);
    irq_en_err = !irq_en_err; /* alternate */
    const uint32_t wb = win_base, wl = win_limit;
    win_base = MB;
    win_limit = MB + MSZ - 1;
    dlp_iss_clear_faults(S);
    good_program(name);
    win_base = wb;
    win_limit = wl;
}

#define NEW() (dlp_prog_reset(P), pad_front())

/* ------------------------------------------------------------------ 1 ILLEGAL_OPCODE */
static void t_illegal_opcode(void)
{
    static const uint32_t ops[] = {0x00, 0xFF, 0x08, 0x80};
    for (int i = 0; i < 4; i++) {
        uint32_t k = NEW();
        raw_op(ops[i], i == 1 ? DLP_F_POP_PREV : 0); /* opcode is checked before flags */
        fin();
        char name[64];
        snprintf(name, sizeof name, "opcode 0x%02x", ops[i]);
        expect(name, run(), DLP_ERR_ILLEGAL_OPCODE, k, 0);
    }
    uint32_t k = NEW();
    loop(2, 0, 0, 0);
    raw_op(0x00, 0);
    fin();
    expect("LOOP before opcode 0x00 (opcode first)", run(), DLP_ERR_ILLEGAL_OPCODE, k + 1, 0);
}

/* ------------------------------------------------------------------ 2 ILLEGAL_FIELD */
static void vec_field_case(const char *name, dlp_vec_f v)
{
    uint32_t k = NEW();
    vecf(&v, 0);
    fin();
    expect(name, run(), DLP_ERR_ILLEGAL_FIELD, k, 0);
}

static void t_illegal_field(void)
{
    uint32_t k;
    const dlp_dma_f good = {.sp = DLP_SP_ACT, .dram = DATA, .x_size = 1, .y_size = 1, .z_size = 1};
    k = NEW();
    sync(3, 0);
    fin();
    expect("SYNC queue 3", run(), DLP_ERR_ILLEGAL_FIELD, k, 0);

    for (int store = 0; store < 2; store++)
        for (int f = 0; f < 4; f++) {
            static const char *const what[] = {"sp=3", "x_size=0", "y_size=0", "z_size=0"};
            dlp_dma_f m = good;
            if (f == 0)
                m.sp = 3;
            else if (f == 1)
                m.x_size = 0;
            else if (f == 2)
                m.y_size = 0;
            else
                m.z_size = 0;
            k = NEW();
            if (store)
                dlp_emit_store(P, &m, 0);
            else
                dlp_emit_load(P, &m, 0);
            fin();
            char name[64];
            snprintf(name, sizeof name, "%s %s", store ? "STORE" : "LOAD", what[f]);
            expect(name, run(), DLP_ERR_ILLEGAL_FIELD, k, 0);
        }

    for (int f = 0; f < 3; f++) {
        dlp_gemm_f g = {.n_pix = 1, .n_r1 = 1, .n_r2 = 1};
        static const char *const what[] = {"GEMM n_pix=0", "GEMM n_r1=0", "GEMM n_r2=0"};
        if (f == 0)
            g.n_pix = 0;
        else if (f == 1)
            g.n_r1 = 0;
        else
            g.n_r2 = 0;
        k = NEW();
        dlp_emit_gemm(P, &g, 0);
        fin();
        expect(what[f], run(), DLP_ERR_ILLEGAL_FIELD, k, 0);
    }

    const dlp_vec_f copy1 = {.func = DLP_VF_COPY, .count = 1, .lo = -128, .hi = 127};
    dlp_vec_f v = copy1;
    v.count = 0;
    vec_field_case("VEC COPY count=0", v);
    v = copy1;
    v.func = DLP_VF_REQ;
    v.count = 0;
    vec_field_case("VEC REQ count=0", v);
    static const uint32_t bad_funcs[] = {0x00, 0x0D, 0x7F, 0xFF};
    for (int i = 0; i < 4; i++) {
        char name[64];
        v = copy1;
        v.func = bad_funcs[i];
        snprintf(name, sizeof name, "VEC func 0x%02x", bad_funcs[i]);
        vec_field_case(name, v);
    }
    static const uint32_t clamped[] = {DLP_VF_REQ, DLP_VF_ADD, DLP_VF_MUL, DLP_VF_LUT,
                                       DLP_VF_SOFTMAX};
    for (int i = 0; i < 5; i++) {
        char name[64];
        v = copy1;
        v.func = clamped[i];
        v.lo = 5;
        v.hi = 4;
        v.k0 = v.k1 = 1; /* SOFTMAX R, L */
        snprintf(name, sizeof name, "VEC %s lo > hi", dlp_vfunc_name(clamped[i]));
        vec_field_case(name, v);
    }
    v = copy1;
    v.func = DLP_VF_ADD;
    v.k0 = 32;
    vec_field_case("VEC ADD left_shift=32", v);
    static const uint32_t vecops[] = {DLP_VF_SOFTMAX, DLP_VF_LNORM, DLP_VF_RMAX, DLP_VF_RSUM};
    for (int i = 0; i < 4; i++)
        for (int f = 0; f < 3; f++) {
            char name[64];
            static const char *const what[] = {"R=0", "L=0", "L=R*N+1"};
            v = copy1;
            v.func = vecops[i];
            v.k0 = 2;
            v.k1 = f == 1 ? 0 : f == 2 ? 2 * N + 1 : 1;
            if (f == 0)
                v.k0 = 0;
            snprintf(name, sizeof name, "VEC %s %s", dlp_vfunc_name(vecops[i]), what[f]);
            vec_field_case(name, v);
        }
    for (int i = 0; i < 2; i++)
        for (int f = 0; f < 2; f++) {
            char name[64];
            v = copy1;
            v.func = i ? DLP_VF_SUMPOOL : DLP_VF_MAXPOOL;
            v.k0 = f ? 1 : 0;
            v.k1 = f ? 0 : 1;
            snprintf(name, sizeof name, "VEC %s %s=0", dlp_vfunc_name(v.func), f ? "KW" : "KH");
            vec_field_case(name, v);
        }

    /* order of the dispatch checks: opcode, LOOP structure, token flags, fields */
    dlp_dma_f m = good;
    m.x_size = 0;
    k = NEW();
    dlp_emit_load(P, &m, DLP_F_POP_PREV);
    fin();
    expect("LOAD pop_prev and x_size=0 (token before field)", run(), DLP_ERR_TOKEN, k, 0);
    k = NEW();
    loop(2, 0, 0, 0);
    sync(3, 0);
    fin();
    expect("LOOP before SYNC queue 3 (loop before field)", run(), DLP_ERR_LOOP, k + 1, 0);
    k = NEW();
    loop(2, 0, 0, 0);
    sync(DLP_Q_LD, DLP_F_POP_PREV);
    fin();
    expect("LOOP before SYNC LD pop_prev (loop before token)", run(), DLP_ERR_LOOP, k + 1, 0);
}

/* ------------------------------------------------------------------ 3 LOOP */
static void t_loop_errors(void)
{
    uint32_t k = NEW();
    loop(0, 0, 0, 0);
    copy(0, 1, 1, 0);
    fin();
    expect("LOOP count 0", run(), DLP_ERR_LOOP, k, 0);
    k = NEW();
    loop(2, 0, 0, 0);
    loop(0, 0, 0, 0);
    copy(0, 1, 1, 0);
    fin();
    expect("inner LOOP count 0", run(), DLP_ERR_LOOP, k + 1, 0);
    k = NEW();
    loop(2, 0, 0, 0);
    loop(2, 0, 0, 0);
    loop(2, 0, 0, 0);
    copy(0, 1, 1, 0);
    fin();
    expect("third nested LOOP", run(), DLP_ERR_LOOP, k + 2, 0);
    k = NEW();
    loop(2, 0, 0, 0);
    fin();
    expect("LOOP before FINISH", run(), DLP_ERR_LOOP, k + 1, 0);
    k = NEW();
    loop(2, 0, 0, 0);
    loop(3, 0, 0, 0);
    fin();
    expect("two LOOPs before FINISH", run(), DLP_ERR_LOOP, k + 2, 0);
    k = NEW();
    loop(2, 0, 0, 0);
    sync(DLP_Q_CMP, 0);
    fin();
    expect("LOOP before SYNC", run(), DLP_ERR_LOOP, k + 1, 0);
}

/* ------------------------------------------------------------------ 4 TOKEN */
static void t_token_errors(void)
{
    static const struct {
        const char *name;
        int kind; /* 0 LOAD, 1 STORE, 2 SYNC LD, 3 SYNC ST */
        uint32_t flags;
    } c[] = {
        {"LOAD pop_prev", 0, DLP_F_POP_PREV},
        {"LOAD push_prev", 0, DLP_F_PUSH_PREV},
        {"STORE pop_next", 1, DLP_F_POP_NEXT},
        {"STORE push_next", 1, DLP_F_PUSH_NEXT},
        {"SYNC LD pop_prev", 2, DLP_F_POP_PREV},
        {"SYNC ST push_next", 3, DLP_F_PUSH_NEXT},
        {"LOAD pop_prev|push_next", 0, DLP_F_POP_PREV | DLP_F_PUSH_NEXT},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        uint32_t k = NEW();
        if (c[i].kind == 0)
            ld(DLP_SP_ACT, 0, DATA, 1, c[i].flags);
        else if (c[i].kind == 1)
            st(DLP_SP_ACT, 0, OUT, 1, c[i].flags);
        else
            sync(c[i].kind == 2 ? DLP_Q_LD : DLP_Q_ST, c[i].flags);
        fin();
        expect(c[i].name, run(), DLP_ERR_TOKEN, k, 0);
    }
    uint32_t k = NEW();
    raw_op(DLP_OP_FINISH, DLP_F_PUSH_NEXT);
    expect("FINISH with flags", run(), DLP_ERR_TOKEN, k, 0);

    /* tokens left over at the end: ERR_INDEX is the FINISH */
    k = NEW();
    ld(DLP_SP_ACT, 0, DATA, 1, DLP_F_PUSH_NEXT);
    fin();
    expect("LD->CMP token left at FINISH", run(), DLP_ERR_TOKEN, k + 1, 0);
    k = NEW();
    copy(0, 1, 1, DLP_F_PUSH_PREV);
    sync(DLP_Q_ST, 0);
    fin();
    expect("CMP->LD token left at FINISH", run(), DLP_ERR_TOKEN, k + 2, 0);
    k = NEW();
    gemm(0, 0, 0, 1, DLP_F_PUSH_NEXT);
    fin();
    expect("CMP->ST token left at FINISH", run(), DLP_ERR_TOKEN, k + 1, 0);
    k = NEW();
    st(DLP_SP_ACT, 0, OUT, 1, DLP_F_PUSH_PREV);
    fin();
    expect("ST->CMP token left at FINISH", run(), DLP_ERR_TOKEN, k + 1, 0);
}

/* ------------------------------------------------------------------ 5 DEADLOCK */
static dlp_iss *new_iss(uint32_t qd, uint32_t tb)
{
    dlp_config c = cfg;
    c.queue_depth = qd;
    c.token_bits = tb;
    dlp_iss *s = dlp_iss_new(&c, MB, MSZ);
    CHECK(s != NULL, "dlp_iss_new qd=%u tb=%u", qd, tb);
    return s;
}

static void t_deadlock(void)
{
    uint32_t k = NEW();
    copy(0, 1, 1, DLP_F_POP_PREV);
    fin();
    expect("CMP pops a token never pushed", run(), DLP_ERR_DEADLOCK, k, 0);
    k = NEW();
    sync(DLP_Q_CMP, 0);
    ld(DLP_SP_ACT, 0, DATA, 1, DLP_F_POP_NEXT);
    st(DLP_SP_ACT, 0, OUT, 1, DLP_F_POP_PREV);
    fin();
    expect("LD and ST wait for CMP tokens never pushed", run(), DLP_ERR_DEADLOCK, k + 1, 0);
    k = NEW();
    copy(0, 1, 1, DLP_F_POP_PREV | DLP_F_POP_NEXT);
    ld(DLP_SP_ACT, 0, DATA, 1, DLP_F_PUSH_NEXT);
    fin();
    expect("CMP pops prev and next, only prev pushed", run(), DLP_ERR_DEADLOCK, k, 0);

    /* a consumer ahead of its producer in program order is fine while the queue has room */
    k = NEW();
    st(DLP_SP_ACT, 0, OUT, 1, DLP_F_POP_PREV);
    sync(DLP_Q_CMP, DLP_F_PUSH_NEXT);
    fin();
    CHECK(run() == 0, "consumer before producer: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));

    /* queue depth: 3 CMP waits then their 3 LD producers. Depth 2: fetch stalls on the
     * third CMP and never reaches the producers. Depth 3: runs. */
    dlp_iss *keep = S;
    for (uint32_t qd = 2; qd <= 3; qd++) {
        S = new_iss(qd, 8);
        fill_data();
        k = NEW();
        for (int i = 0; i < 3; i++)
            sync(DLP_Q_CMP, DLP_F_POP_PREV);
        for (int i = 0; i < 3; i++)
            sync(DLP_Q_LD, DLP_F_PUSH_NEXT);
        fin();
        if (qd == 2)
            expect("deadlock by queue depth 2", run(), DLP_ERR_DEADLOCK, k, 0);
        else
            CHECK(run() == 0, "same program with queue depth 3: %s",
                  dlp_err_name(csr(DLP_CSR_ERR_CODE)));
        dlp_iss_free(S);
    }
    /* a full token counter: TokenBits 2 holds 3. The 4th push waits for a pop that comes
     * after a CMP instruction waiting for a token never pushed. */
    for (int blocked = 1; blocked >= 0; blocked--) {
        S = new_iss(8, 2);
        fill_data();
        k = NEW();
        for (int i = 0; i < 4; i++)
            sync(DLP_Q_LD, DLP_F_PUSH_NEXT);
        if (blocked)
            sync(DLP_Q_CMP, DLP_F_POP_NEXT);
        for (int i = 0; i < 4; i++)
            sync(DLP_Q_CMP, DLP_F_POP_PREV);
        fin();
        if (blocked)
            expect("4th push into a full 2-bit counter, consumer blocked", run(), DLP_ERR_DEADLOCK,
                   k + 3, 0);
        else
            CHECK(run() == 0, "4 pushes through a 2-bit counter: %s",
                  dlp_err_name(csr(DLP_CSR_ERR_CODE)));
        dlp_iss_free(S);
    }
    S = keep;
}

/* ------------------------------------------------------------------ 6 SP_RANGE */
static void t_sp_range(void)
{
    uint32_t k = NEW();
    ld(DLP_SP_ACT, ACT - 1, DATA, 2, 0);
    fin();
    expect("LOAD ACT past the end", run(), DLP_ERR_SP_RANGE, k, 0);
    k = NEW();
    ld(DLP_SP_ACT, ACT - 2, DATA, 2, 0); /* exactly fits */
    ld(DLP_SP_WGT, WGT - 4, DATA, 4, 0);
    ld(DLP_SP_ACC, ACC - 1, DATA, 1, 0);
    st(DLP_SP_ACC, ACC - 1, OUT, 1, 0);
    fin();
    CHECK(run() == 0, "LOAD/STORE up to the last row: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    k = NEW();
    ldpad(ACT - 2, DATA, 1, 2, 0);
    fin();
    expect("LOAD padding past the end", run(), DLP_ERR_SP_RANGE, k, 0);
    k = NEW();
    ld(DLP_SP_WGT, WGT - 1, DATA, 2, 0);
    fin();
    expect("LOAD WGT past the end", run(), DLP_ERR_SP_RANGE, k, 0);
    k = NEW();
    st(DLP_SP_ACC, ACC - 1, OUT, 2, 0);
    fin();
    expect("STORE ACC past the end", run(), DLP_ERR_SP_RANGE, k, 0);
    k = NEW();
    st3(DLP_SP_ACT, ACT - 3, OUT, 2, 2, 2 * N, 0);
    fin();
    expect("STORE ACT y_size past the end", run(), DLP_ERR_SP_RANGE, k, 0);

    k = NEW();
    gemm(ACT - 1, 0, 0, 2, 0);
    fin();
    expect("GEMM act past the end", run(), DLP_ERR_SP_RANGE, k, 0);
    k = NEW();
    gemm(0, WGT - N + 1, 0, 1, 0);
    fin();
    expect("GEMM weight tile past the end", run(), DLP_ERR_SP_RANGE, k, 0);
    k = NEW();
    gemm(0, 0, ACC - 1, 2, 0);
    fin();
    expect("GEMM acc past the end", run(), DLP_ERR_SP_RANGE, k, 0);
    k = NEW();
    gemm(ACT - 2, WGT - N, ACC - 2, 2, 0);
    fin();
    CHECK(run() == 0, "GEMM up to the last rows: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
}

static void vec_range_case(const char *name, dlp_vec_f v)
{
    uint32_t k = NEW();
    vecf(&v, 0);
    fin();
    expect(name, run(), DLP_ERR_SP_RANGE, k, 0);
}

static void t_sp_range_vec(void)
{
    const dlp_vec_f base = {.count = 1, .s_src = 1, .s_dst = 1, .lo = -128, .hi = 127};
    dlp_vec_f v = base;
    v.func = DLP_VF_REQ;
    v.prm = ACC - 3;
    vec_range_case("REQ parameter rows past the end", v);
    v = base;
    v.func = DLP_VF_REQ;
    v.src = ACC;
    vec_range_case("REQ source past ACC", v);
    v = base;
    v.func = DLP_VF_COPY;
    v.dst = ACT;
    vec_range_case("COPY destination past ACT", v);
    v = base;
    v.func = DLP_VF_COPY;
    v.count = 3;
    v.dst = ACT - 2;
    vec_range_case("COPY third item past ACT", v);
    v = base;
    v.func = DLP_VF_ADD;
    v.src2 = ACT;
    vec_range_case("ADD second source past ACT", v);
    v = base;
    v.func = DLP_VF_ADD;
    v.prm = ACC - 8;
    vec_range_case("ADD 9 parameter rows past ACC", v);
    v = base;
    v.func = DLP_VF_MAXPOOL;
    v.src = ACT - 2;
    v.k0 = 2;
    v.k1 = 1;
    v.imm = 2;
    vec_range_case("MAXPOOL window past ACT", v);
    v = base;
    v.func = DLP_VF_SUMPOOL;
    v.dst = ACC;
    v.k0 = v.k1 = 1;
    vec_range_case("SUMPOOL destination past ACC", v);
    v = base;
    v.func = DLP_VF_SOFTMAX;
    v.src = ACT - 1;
    v.dst = 0;
    v.k0 = 2;
    v.k1 = 2;
    vec_range_case("SOFTMAX vector past ACT", v);
    v = base;
    v.func = DLP_VF_LNORM;
    v.dst = ACC - 1;
    v.k0 = 2;
    v.k1 = 2;
    vec_range_case("LNORM output rows past ACC", v);
    v = base;
    v.func = DLP_VF_LUTLD;
    v.src = ACT - LUTR + 1;
    vec_range_case("LUTLD table past ACT", v);
    v = base;
    v.func = DLP_VF_LUT;
    v.dst_acc = 1;
    v.dst = ACC;
    vec_range_case("LUT to ACC past the end", v);

    /* after LOOP offsets: the third repetition is out; the first two took effect */
    memset(dlp_iss_sp_row(S, DLP_SP_ACT, 100), 0, N);
    memset(dlp_iss_sp_row(S, DLP_SP_ACT, 350), 0, N);
    uint32_t k = NEW();
    loop(3, 250, (int32_t)N, 0);
    ld(DLP_SP_ACT, 100, DATA, 1, 0);
    fin();
    expect("LOOP: third repetition past ACT", run(), DLP_ERR_SP_RANGE, k + 1, 0);
    CHECK(!memcmp(dlp_iss_sp_row(S, DLP_SP_ACT, 100), dlp_iss_mem(S, DATA, N), N) &&
              !memcmp(dlp_iss_sp_row(S, DLP_SP_ACT, 350), dlp_iss_mem(S, DATA + N, N), N),
          "repetitions before the fault took effect");
    k = NEW();
    loop(2, -1, 0, 0);
    ld(DLP_SP_ACT, 0, DATA, 1, 0);
    fin();
    expect("LOOP: negative increment below row 0", run(), DLP_ERR_SP_RANGE, k + 1, 0);
    k = NEW();
    loop(2, (int32_t)(ACT / 2), 0, 0);
    loop(3, 1, 0, 0);
    ld(DLP_SP_ACT, ACT / 2 - 1, DATA, 2, 0);
    fin();
    expect("two-level LOOP: repetition (1,0) past ACT", run(), DLP_ERR_SP_RANGE, k + 2, 0);
    k = NEW();
    loop(2, 0, 0, (int32_t)(ACC - 1));
    gemm(0, 0, 0, 1, 0);
    fin();
    CHECK(run() == 0, "LOOP GEMM acc slot up to the last row: %s",
          dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    k = NEW();
    loop(2, 0, 0, (int32_t)ACC);
    gemm(0, 0, 0, 1, 0);
    fin();
    expect("LOOP GEMM acc slot (2) past ACC", run(), DLP_ERR_SP_RANGE, k + 1, 0);
    k = NEW();
    loop(2, 0, (int32_t)(WGT - N + 1), 0);
    gemm(0, 0, 0, 1, 0);
    fin();
    expect("LOOP GEMM wgt slot (1) past WGT", run(), DLP_ERR_SP_RANGE, k + 1, 0);
    k = NEW();
    loop(2, 0, 0, (int32_t)ACT);
    copy(0, 0, 1, 0);
    fin();
    expect("LOOP VEC dst slot (2) past ACT", run(), DLP_ERR_SP_RANGE, k + 1, 0);
}

/* ------------------------------------------------------------------ 7 DMA_ALIGN */
static void t_dma_align(void)
{
    uint32_t k = NEW();
    ld(DLP_SP_ACT, 0, DATA + 3, 1, 0);
    fin();
    expect("LOAD ACT dram not a multiple of N", run(), DLP_ERR_DMA_ALIGN, k, DATA + 3);
    k = NEW();
    ld(DLP_SP_ACC, 0, DATA + N, 1, 0);
    fin();
    expect("LOAD ACC dram a multiple of N, not of 4N", run(), DLP_ERR_DMA_ALIGN, k, DATA + N);
    k = NEW();
    ld3(DLP_SP_ACT, 0, DATA, 1, 2, N + 1, 1, 0, 0);
    fin();
    expect("LOAD y_stride not a multiple of E", run(), DLP_ERR_DMA_ALIGN, k, DATA);
    k = NEW();
    ld3(DLP_SP_WGT, 0, DATA, 1, 1, 0, 2, 3 * N / 2, 0);
    fin();
    expect("LOAD z_stride not a multiple of E", run(), DLP_ERR_DMA_ALIGN, k, DATA);
    k = NEW();
    ld3(DLP_SP_ACT, 0, DATA, 1, 1, 1, 1, 0, 0);
    fin();
    expect("LOAD unused y_stride not a multiple of E", run(), DLP_ERR_DMA_ALIGN, k, DATA);
    k = NEW();
    st3(DLP_SP_ACC, 0, OUT, 1, 2, 4 * N + N, 0);
    fin();
    expect("STORE ACC y_stride", run(), DLP_ERR_DMA_ALIGN, k, OUT);
    k = NEW();
    st(DLP_SP_ACT, 0, OUT + 1, 1, 0);
    fin();
    expect("STORE dram unaligned", run(), DLP_ERR_DMA_ALIGN, k, OUT + 1);
    k = NEW();
    loop(2, 0, (int32_t)(N / 2), 0);
    ld(DLP_SP_ACT, 0, DATA, 1, 0);
    fin();
    expect("LOOP makes the second dram unaligned", run(), DLP_ERR_DMA_ALIGN, k + 1, DATA + N / 2);

    /* INSN_BASE not 32-byte aligned: checked at START */
    dlp_prog_reset(P);
    fin();
    place(PROG + 16);
    const uint32_t rc = start(PROG + 16, 1);
    CHECK(dlp_iss_perf(S, DLP_PERF_INSNS) == 0, "nothing fetched with a bad INSN_BASE");
    expect("INSN_BASE 16 bytes off", rc, DLP_ERR_DMA_ALIGN, DLP_ERR_INDEX_FETCH, NO_ADDR);
}

/* ------------------------------------------------------------------ 8 DMA_WINDOW */
static void t_dma_window(void)
{
    win_base = MB + 0x1000;
    win_limit = MB + 0xBFFF;
    uint32_t k = NEW();
    ld(DLP_SP_ACT, 0, win_base - N, 1, 0);
    fin();
    expect("LOAD below WIN_BASE", run(), DLP_ERR_DMA_WINDOW, k, win_base - N);
    k = NEW();
    ld(DLP_SP_ACT, 0, win_base - N, 2, 0);
    fin();
    expect("LOAD straddling WIN_BASE", run(), DLP_ERR_DMA_WINDOW, k, win_base - N);
    k = NEW();
    ld(DLP_SP_ACT, 0, win_base, 2, 0);
    ld(DLP_SP_ACT, 0, win_limit + 1 - 2 * N, 2, 0);
    st(DLP_SP_ACT, 0, win_limit + 1 - N, 1, 0);
    fin();
    CHECK(run() == 0, "DMA touching both window ends: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    k = NEW();
    ld(DLP_SP_ACT, 0, win_limit + 1 - 2 * N, 3, 0);
    fin();
    expect("LOAD one element past WIN_LIMIT", run(), DLP_ERR_DMA_WINDOW, k, win_limit + 1 - 2 * N);
    k = NEW();
    ld3(DLP_SP_ACT, 0, win_limit + 1 - 4 * N, 1, 2, 4 * N, 1, 0, 0);
    fin();
    expect("LOAD second run past WIN_LIMIT", run(), DLP_ERR_DMA_WINDOW, k, win_limit + 1 - 4 * N);
    k = NEW();
    ld3(DLP_SP_ACT, 0, win_base, 1, 2, 0xFFFFFF00u, 1, 0, 0);
    fin();
    expect("LOAD footprint wrapping 2^32 (64-bit check)", run(), DLP_ERR_DMA_WINDOW, k, win_base);
    k = NEW();
    ld3(DLP_SP_ACT, 0, win_base, 1, 1, 0, 2, 0xFFFFFFF0u & ~(N - 1), 0);
    fin();
    expect("LOAD z footprint wrapping 2^32", run(), DLP_ERR_DMA_WINDOW, k, win_base);

    /* byte-exact window ends (not multiples of E) */
    win_limit = MB + 0xBFFE;
    k = NEW();
    ld(DLP_SP_ACT, 0, MB + 0xC000 - 2 * N, 2, 0);
    fin();
    expect("LOAD whose last byte is 1 past WIN_LIMIT", run(), DLP_ERR_DMA_WINDOW, k,
           MB + 0xC000 - 2 * N);
    win_base = MB + 0x1001;
    win_limit = MB + 0xBFFF;
    k = NEW();
    ld(DLP_SP_ACT, 0, MB + 0x1000 + N, 1, 0);
    ld(DLP_SP_ACT, 0, MB + 0x1000, 1, 0);
    fin();
    expect("LOAD whose first byte is 1 below WIN_BASE", run(), DLP_ERR_DMA_WINDOW, k + 1,
           MB + 0x1000);
    win_base = MB + 0x1000;

    /* the window check happens before any write: no byte changes */
    uint8_t *o = dlp_iss_mem(S, win_limit + 1 - 2 * N, 4 * N);
    memset(o, 0x5A, 4 * N);
    k = NEW();
    st(DLP_SP_ACT, 0, win_limit + 1 - 2 * N, 4, 0);
    fin();
    expect("STORE past WIN_LIMIT", run(), DLP_ERR_DMA_WINDOW, k, win_limit + 1 - 2 * N);
    int untouched = 1;
    for (uint32_t i = 0; i < 4 * N; i++)
        untouched &= o[i] == 0x5A;
    CHECK(untouched, "STORE outside the window wrote nothing");
    k = NEW();
    loop(3, 0, 0x1000, 0);
    ld(DLP_SP_ACT, 0, win_limit + 1 - 0x2000, 1, 0);
    fin();
    expect("LOOP: third repetition past WIN_LIMIT", run(), DLP_ERR_DMA_WINDOW, k + 1,
           win_limit + 1);

    /* the program itself (expect() runs another program: rebuild each time) */
    uint32_t rc;
    dlp_prog_reset(P);
    sync(0, 0);
    fin();
    place(MB);
    expect("program below WIN_BASE", start(MB, 2), DLP_ERR_DMA_WINDOW, DLP_ERR_INDEX_FETCH,
           NO_ADDR);
    dlp_prog_reset(P);
    sync(0, 0);
    fin();
    place(win_limit + 1 - 64);
    CHECK(start(win_limit + 1 - 64, 2) == 0, "program ending at WIN_LIMIT: %s",
          dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    place(win_limit + 1 - 32);
    rc = start(win_limit + 1 - 32, 2);
    CHECK(dlp_iss_perf(S, DLP_PERF_INSNS) == 0, "nothing fetched outside the window");
    expect("program ending past WIN_LIMIT", rc, DLP_ERR_DMA_WINDOW, DLP_ERR_INDEX_FETCH, NO_ADDR);
    win_base = MB;
    win_limit = MB + MSZ - 1;
}

/* ------------------------------------------------------------------ 9 / 10 AXI */
static void t_axi(void)
{
    uint32_t k = NEW();
    dlp_iss_add_fault(S, DATA + 3 * N, 1, 1, 0);
    ld(DLP_SP_ACT, 0, DATA, 4, 0);
    fin();
    expect("LOAD with SLVERR on its 4th element", run(), DLP_ERR_AXI_READ, k, DATA);
    k = NEW();
    dlp_iss_add_fault(S, DATA, 4 * N, 0, 1); /* writes only */
    ld(DLP_SP_ACT, 0, DATA, 4, 0);
    fin();
    CHECK(run() == 0, "write fault does not affect LOAD: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    dlp_iss_clear_faults(S);
    k = NEW();
    dlp_iss_add_fault(S, DATA + 0x100, 0x10, 1, 0);
    loop(2, 1, 0x100, 0);
    ld(DLP_SP_ACT, 0, DATA, 1, 0);
    fin();
    expect("LOOP: second repetition reads a faulting range", run(), DLP_ERR_AXI_READ, k + 1,
           DATA + 0x100);

    /* DECERR: inside the window, outside the memory image */
    win_limit = MB + 2 * MSZ - 1;
    k = NEW();
    ld(DLP_SP_ACT, 0, MB + MSZ, 1, 0);
    fin();
    expect("LOAD past the memory image (DECERR)", run(), DLP_ERR_AXI_READ, k, MB + MSZ);
    k = NEW();
    ld(DLP_SP_ACT, 0, MB + MSZ - N, 2, 0);
    fin();
    expect("LOAD straddling the end of memory (DECERR)", run(), DLP_ERR_AXI_READ, k, MB + MSZ - N);
    k = NEW();
    st(DLP_SP_ACT, 0, MB + MSZ, 1, 0);
    fin();
    expect("STORE past the memory image (DECERR)", run(), DLP_ERR_AXI_WRITE, k, MB + MSZ);
    /* fetch beyond the memory image: instructions 0, 1 inside, 2 outside */
    dlp_prog_reset(P);
    sync(0, 0);
    sync(1, 0);
    sync(2, 0);
    fin();
    expect("fetch past the memory image", run_at(MB + MSZ - 64), DLP_ERR_AXI_READ, 2, NO_ADDR);
    win_limit = MB + MSZ - 1;

    k = NEW();
    dlp_iss_add_fault(S, OUT + N, N, 0, 1);
    st(DLP_SP_ACT, 0, OUT, 2, 0);
    fin();
    expect("STORE with SLVERR", run(), DLP_ERR_AXI_WRITE, k, OUT);
    k = NEW();
    dlp_iss_add_fault(S, OUT, 2 * N, 1, 0); /* reads only */
    st(DLP_SP_ACT, 0, OUT, 2, 0);
    fin();
    CHECK(run() == 0, "read fault does not affect STORE: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    dlp_iss_clear_faults(S);

    /* fetch fault on instruction k+1 */
    k = NEW();
    sync(0, 0);
    sync(1, 0);
    fin();
    dlp_iss_add_fault(S, PROG + 32 * (k + 1) + 8, 4, 1, 0);
    expect("fetch SLVERR on an instruction", run(), DLP_ERR_AXI_READ, k + 1, NO_ADDR);
}

/* Order of the per-repetition DMA checks (section 5.2): SP_RANGE, DMA_ALIGN, DMA_WINDOW,
 * AXI. Each case breaks two of them; the earlier one is reported. */
static void t_dma_check_order(void)
{
    uint32_t k = NEW();
    ld(DLP_SP_ACT, ACT, DATA + 1, 1, 0);
    fin();
    expect("SP_RANGE before DMA_ALIGN", run(), DLP_ERR_SP_RANGE, k, 0);
    k = NEW();
    ld(DLP_SP_ACT, 0, MB + MSZ + 1, 1, 0);
    fin();
    expect("DMA_ALIGN before DMA_WINDOW", run(), DLP_ERR_DMA_ALIGN, k, MB + MSZ + 1);
    k = NEW();
    dlp_iss_add_fault(S, MB + MSZ - N, N, 1, 1);
    st(DLP_SP_ACT, 0, MB + MSZ - N, 2, 0);
    fin();
    expect("DMA_WINDOW before AXI_WRITE", run(), DLP_ERR_DMA_WINDOW, k, MB + MSZ - N);
}

/* ------------------------------------------------------------------ 11 NO_FINISH */
static void t_no_finish(void)
{
    dlp_prog_reset(P);
    fin();
    place(PROG);
    expect("INSN_COUNT 0", start(PROG, 0), DLP_ERR_NO_FINISH, 0, 0);
    dlp_prog_reset(P);
    sync(0, 0);
    sync(1, 0);
    sync(2, 0);
    expect("program without FINISH", run(), DLP_ERR_NO_FINISH, 3, 0);
    dlp_prog_reset(P);
    sync(0, 0);
    sync(1, 0);
    sync(2, 0);
    fin();
    place(PROG);
    expect("FINISH just past INSN_COUNT", start(PROG, 3), DLP_ERR_NO_FINISH, 3, 0);
    dlp_prog_reset(P);
    sync(0, 0);
    loop(2, 0, 0, 0);
    expect("LOOP as the last instruction", run(), DLP_ERR_NO_FINISH, 2, 0);
}

/* ------------------------------------------------------------------ LOOP semantics */
static void t_loop_semantics(void)
{
    /* Two levels, the first is the outer: sram = 40 + 6i - 2j, dram = DATA + N(3i + j):
     * for i < 3, j < 2 (negative inner sram increment). Element (i, j) lands in row
     * 40 + 6i - 2j and holds DDR element 3i + j. */
    for (uint32_t r = 0; r < 64; r++)
        memset(dlp_iss_sp_row(S, DLP_SP_ACT, r), 0xEE, N);
    dlp_prog_reset(P);
    loop(3, 6, (int32_t)(3 * N), 0);
    loop(2, -2, (int32_t)N, 0);
    ld(DLP_SP_ACT, 40, DATA, 1, 0);
    fin();
    CHECK(run() == 0, "two-level LOOP LOAD: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    int ok = 1, untouched = 1;
    for (uint32_t i = 0; i < 3; i++)
        for (uint32_t j = 0; j < 2; j++)
            ok &= !memcmp(dlp_iss_sp_row(S, DLP_SP_ACT, 40 + 6 * i - 2 * j),
                          dlp_iss_mem(S, DATA + N * (3 * i + j), N), N);
    for (uint32_t r = 0; r < 64; r++) {
        int hit = 0;
        for (uint32_t i = 0; i < 3; i++)
            for (uint32_t j = 0; j < 2; j++)
                hit |= r == 40 + 6 * i - 2 * j;
        if (!hit)
            untouched &= dlp_iss_sp_row(S, DLP_SP_ACT, r)[0] == 0xEE;
    }
    CHECK(ok, "two-level LOOP: every repetition at slot = field + i*outer + j*inner");
    CHECK(untouched, "two-level LOOP: no other row written");
    CHECK(dlp_iss_perf(S, DLP_PERF_INSNS) == 4 && dlp_iss_perf(S, DLP_PERF_RD_BYTES) == 6 * N,
          "LOOP counters: INSNS %llu (each LOOP and target once), RD_BYTES %llu",
          (unsigned long long)dlp_iss_perf(S, DLP_PERF_INSNS),
          (unsigned long long)dlp_iss_perf(S, DLP_PERF_RD_BYTES));

    /* VEC slots: src (0) and dst (2); src2 (1) ignored by COPY. Reverse 4 rows. */
    dlp_prog_reset(P);
    ld(DLP_SP_ACT, 0, DATA, 4, DLP_F_PUSH_NEXT);
    loop(4, 1, 1000, -1);
    copy(0, 13, 1, DLP_F_POP_PREV | DLP_F_PUSH_NEXT);
    st(DLP_SP_ACT, 10, OUT, 4, DLP_F_POP_PREV);
    fin();
    CHECK(run() == 0, "LOOP COPY: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    ok = 1;
    for (uint32_t r = 0; r < 4; r++)
        ok &= !memcmp(dlp_iss_mem(S, OUT + r * N, N), dlp_iss_mem(S, DATA + (3 - r) * N, N), N);
    CHECK(ok, "LOOP COPY with a negative dst increment reverses rows");
    CHECK(dlp_iss_perf(S, DLP_PERF_VEC_ROWS) == 4, "VEC_ROWS of a looped COPY");

    /* STORE slots: sram (0), dram (1), wrapping sram increment mod 2^32 inside range */
    dlp_prog_reset(P);
    memset(dlp_iss_mem(S, OUT, 8 * N), 0, 8 * N);
    ld(DLP_SP_ACT, 0, DATA, 4, DLP_F_PUSH_NEXT);
    sync(DLP_Q_CMP, DLP_F_POP_PREV | DLP_F_PUSH_NEXT);
    loop(2, 2, (int32_t)(4 * N), 0);
    loop(2, -1, (int32_t)N, 0);
    st(DLP_SP_ACT, 1, OUT, 1, DLP_F_POP_PREV);
    fin();
    CHECK(run() == 0, "LOOP STORE: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    static const uint32_t expect_row[4][2] = {{1, 0}, {0, 1}, {3, 4}, {2, 5}}; /* row, slot */
    ok = 1;
    for (int r = 0; r < 4; r++)
        ok &= !memcmp(dlp_iss_mem(S, OUT + expect_row[r][1] * N, N),
                      dlp_iss_mem(S, DATA + expect_row[r][0] * N, N), N);
    CHECK(ok, "two-level LOOP STORE with negative inner sram increment");
    CHECK(dlp_iss_perf(S, DLP_PERF_WR_BYTES) == 4 * N && dlp_iss_perf(S, DLP_PERF_INSNS) == 6,
          "LOOP STORE counters");

    /* GEMM slots: act (0), wgt (1), acc (2); MACS per repetition */
    dlp_prog_reset(P);
    ld(DLP_SP_ACT, 0, DATA, 3, 0);
    ld(DLP_SP_WGT, 0, DATA + 0x100, 3 * N, DLP_F_PUSH_NEXT);
    loop(3, 1, (int32_t)N, 2);
    gemm(0, 0, 0, 1, DLP_F_POP_PREV | DLP_F_PUSH_NEXT);
    st(DLP_SP_ACC, 0, OUT, 6, DLP_F_POP_PREV);
    fin();
    memset(dlp_iss_mem(S, OUT, 24 * N), 0, 24 * N);
    for (uint32_t r = 0; r < 6; r++)
        memset(dlp_iss_sp_row(S, DLP_SP_ACC, r), 0x77, 4 * N);
    CHECK(run() == 0, "LOOP GEMM: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    ok = 1;
    for (uint32_t i = 0; i < 3; i++)
        for (uint32_t n = 0; n < N; n++) {
            int32_t dot = 0;
            for (uint32_t kk = 0; kk < N; kk++)
                dot += (int8_t)dlp_iss_mem(S, DATA + i * N + kk, 1)[0] *
                       (int8_t)dlp_iss_mem(S, DATA + 0x100 + (i * N + n) * N + kk, 1)[0];
            const uint8_t *o = dlp_iss_mem(S, OUT + (2 * i) * 4 * N + 4 * n, 4);
            ok &= (int32_t)((uint32_t)o[0] | (uint32_t)o[1] << 8 | (uint32_t)o[2] << 16 |
                            (uint32_t)o[3] << 24) == dot;
        }
    for (uint32_t i = 0; i < 3; i++) /* odd ACC rows untouched */
        ok &= dlp_iss_mem(S, OUT + (2 * i + 1) * 4 * N, 1)[0] == 0x77;
    CHECK(ok, "LOOP GEMM: act/wgt/acc slots and clr");
    CHECK(dlp_iss_perf(S, DLP_PERF_MACS) == 3ull * N * N, "LOOP GEMM MACS");
}

/* VEC functions no generator uses: RMAX, RSUM (broadcast int32), LUT to ACC (sign-
 * extended, no clamp), COPY of all lanes; values from the formulas of section 5.4. */
static void t_vec_misc(void)
{
    const uint32_t R = 3, L = 2 * N + 3; /* a vector of L int8 in R rows */
    int8_t x[3 * 16] = {0};
    for (uint32_t j = 0; j < R * N; j++)
        x[j] = (int8_t)(j < L ? (int)((j * 37 + 11) % 256) - 128 : 127); /* lanes >= L: 127 */
    memcpy(dlp_iss_mem(S, DATA + 0x400, R * N), x, R * N);
    uint8_t *tab = dlp_iss_mem(S, DATA + 0x800, 512);
    for (int e = 0; e < 256; e++) { /* LUT[e] = (e - 128) * 200 */
        const uint16_t v = (uint16_t)(int16_t)((e - 128) * 200);
        tab[2 * e] = (uint8_t)v;
        tab[2 * e + 1] = (uint8_t)(v >> 8);
    }
    dlp_prog_reset(P);
    ld(DLP_SP_ACT, 0, DATA + 0x800, LUTR, 0);
    ld(DLP_SP_ACT, LUTR, DATA + 0x400, R, DLP_F_PUSH_NEXT);
    const dlp_vec_f lutld = {.func = DLP_VF_LUTLD, .count = 1, .lo = -128, .hi = 127};
    const dlp_vec_f rmax = {.func = DLP_VF_RMAX,
                            .src = LUTR,
                            .dst = 0,
                            .count = 1,
                            .k0 = R,
                            .k1 = L,
                            .lo = -128,
                            .hi = 127};
    const dlp_vec_f rsum = {.func = DLP_VF_RSUM,
                            .src = LUTR,
                            .dst = 1,
                            .count = 1,
                            .k0 = R,
                            .k1 = L,
                            .lo = -128,
                            .hi = 127};
    const dlp_vec_f lut = {.func = DLP_VF_LUT,
                           .src = LUTR,
                           .dst = 2,
                           .count = R,
                           .s_src = 1,
                           .s_dst = 1,
                           .dst_acc = 1,
                           .lo = 5,
                           .hi = 4}; /* clamp unused */
    vecf(&lutld, DLP_F_POP_PREV);
    vecf(&rmax, 0);
    vecf(&rsum, 0);
    vecf(&lut, DLP_F_PUSH_NEXT);
    st(DLP_SP_ACC, 0, OUT, 2 + R, DLP_F_POP_PREV);
    fin();
    CHECK(run() == 0, "RMAX/RSUM/LUT program: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    int32_t mx = -128, sum = 0;
    for (uint32_t j = 0; j < L; j++) {
        mx = x[j] > mx ? x[j] : mx;
        sum += x[j];
    }
    int ok_max = 1, ok_sum = 1, ok_lut = 1;
    for (uint32_t r = 0; r < 2 + R; r++)
        for (uint32_t l = 0; l < N; l++) {
            const uint8_t *o = dlp_iss_mem(S, OUT + (r * N + l) * 4, 4);
            const int32_t v = (int32_t)((uint32_t)o[0] | (uint32_t)o[1] << 8 |
                                        (uint32_t)o[2] << 16 | (uint32_t)o[3] << 24);
            if (r == 0)
                ok_max &= v == mx;
            else if (r == 1)
                ok_sum &= v == sum;
            else
                ok_lut &= v == (x[(r - 2) * N + l] + 128 - 128) * 200;
        }
    CHECK(ok_max, "RMAX broadcasts the max of the L values (lanes beyond L ignored)");
    CHECK(ok_sum, "RSUM broadcasts the sum of the L values");
    CHECK(ok_lut, "LUT with dst_acc writes the sign-extended entry, unclamped");
    CHECK(dlp_iss_perf(S, DLP_PERF_VEC_ROWS) == 2 + R,
          "VEC_ROWS: RMAX 1 + RSUM 1 + LUT R, "
          "LUTLD 0: %llu",
          (unsigned long long)dlp_iss_perf(S, DLP_PERF_VEC_ROWS));
}

/* ------------------------------------------------------------------ token semantics */
static void t_tokens(void)
{
    /* Producer/consumer through all four counters, 4 rounds, single buffers: LD fills
     * row 0 once CMP has freed it, CMP copies it to row 8 once ST has stored the previous
     * round, ST stores row 8. Any missing wait would let a round overwrite a buffer
     * before its data moved on; the ISS's schedule then shows it in OUT. */
    dlp_prog_reset(P);
    memset(dlp_iss_mem(S, OUT, 4 * N), 0, 4 * N);
    for (uint32_t r = 0; r < 4; r++) {
        ld(DLP_SP_ACT, 0, DATA + r * N, 1, DLP_F_PUSH_NEXT | (r ? DLP_F_POP_NEXT : 0));
        copy(0, 8, 1,
             DLP_F_POP_PREV | DLP_F_PUSH_NEXT | (r < 3 ? DLP_F_PUSH_PREV : 0) |
                 (r ? DLP_F_POP_NEXT : 0));
        st(DLP_SP_ACT, 8, OUT + r * N, 1, DLP_F_POP_PREV | (r < 3 ? DLP_F_PUSH_PREV : 0));
    }
    fin();
    CHECK(run() == 0, "producer/consumer program: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    CHECK(!memcmp(dlp_iss_mem(S, OUT, 4 * N), dlp_iss_mem(S, DATA, 4 * N), 4 * N),
          "producer/consumer: every round's data arrived in order");

    /* LOOP-prefixed instruction: pops once before the first repetition, pushes once after
     * the last. One token each way balances a 5-repetition LOAD. */
    dlp_prog_reset(P);
    loop(5, 1, (int32_t)N, 0);
    ld(DLP_SP_ACT, 0, DATA, 1, DLP_F_PUSH_NEXT);
    copy(0, 10, 5, DLP_F_POP_PREV);
    fin();
    CHECK(run() == 0, "LOOP target pushes once: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    dlp_prog_reset(P);
    sync(DLP_Q_LD, DLP_F_PUSH_NEXT);
    loop(5, 1, 0, 1);
    copy(0, 10, 1, DLP_F_POP_PREV);
    fin();
    CHECK(run() == 0, "LOOP target pops once: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));

    /* both pops of one instruction, pushes of both kinds from one instruction */
    dlp_prog_reset(P);
    sync(DLP_Q_LD, DLP_F_PUSH_NEXT);
    sync(DLP_Q_ST, DLP_F_PUSH_PREV);
    sync(DLP_Q_CMP, DLP_F_POP_PREV | DLP_F_POP_NEXT | DLP_F_PUSH_PREV | DLP_F_PUSH_NEXT);
    sync(DLP_Q_LD, DLP_F_POP_NEXT);
    sync(DLP_Q_ST, DLP_F_POP_PREV);
    fin();
    CHECK(run() == 0, "SYNC with four flags: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    CHECK(dlp_iss_perf(S, DLP_PERF_INSNS) == 6, "SYNC counts as an instruction");
}

/* ------------------------------------------------------------------ CSRs, START, reset */
static void t_csrs(void)
{
    dlp_config c;
    dlp_config_default(&c);
    c.n = 8;
    c.bus_bytes = 8;
    c.act_bytes = 48 * 1024;
    c.wgt_bytes = 20 * 1024;
    c.acc_bytes = 12 * 1024;
    c.queue_depth = 5;
    c.token_bits = 3;
    dlp_iss *s = dlp_iss_new(&c, MB, MSZ);
    CHECK(s != NULL, "non-default config");
    CHECK(dlp_iss_csr_read(s, DLP_CSR_ID) == 0x444C5000u, "ID");
    CHECK(dlp_iss_csr_read(s, DLP_CSR_VERSION) == 0x00010000u, "VERSION 1.0.0");
    CHECK(dlp_iss_csr_read(s, DLP_CSR_CAPS0) == (8u | 8u << 8 | 5u << 16 | 2u << 24 | 3u << 28),
          "CAPS0 %08x", dlp_iss_csr_read(s, DLP_CSR_CAPS0));
    CHECK(dlp_iss_csr_read(s, DLP_CSR_CAPS1) == (48u | 20u << 16), "CAPS1 %08x",
          dlp_iss_csr_read(s, DLP_CSR_CAPS1));
    CHECK(dlp_iss_csr_read(s, DLP_CSR_CAPS2) == (12u | 32u << 16), "CAPS2 %08x",
          dlp_iss_csr_read(s, DLP_CSR_CAPS2));
    dlp_config_default(&c);
    dlp_iss *d = dlp_iss_new(&c, MB, MSZ);
    CHECK(d &&
              dlp_iss_csr_read(d, DLP_CSR_CAPS0) ==
                  (16u | 16u << 8 | 8u << 16 | 2u << 24 | 8u << 28) &&
              dlp_iss_csr_read(d, DLP_CSR_CAPS1) == (128u | 128u << 16) &&
              dlp_iss_csr_read(d, DLP_CSR_CAPS2) == (64u | 32u << 16),
          "CAPS of the default config");
    dlp_iss_free(d);
    /* read-only registers ignore writes; unmapped offsets read 0 and ignore writes */
    static const uint32_t ro[] = {DLP_CSR_ID,       DLP_CSR_VERSION,  DLP_CSR_CAPS0,
                                  DLP_CSR_STATUS,   DLP_CSR_ERR_CODE, DLP_CSR_ERR_INDEX,
                                  DLP_CSR_ERR_ADDR, DLP_CSR_PERF_BASE};
    for (int i = 0; i < 8; i++) {
        const uint32_t before = dlp_iss_csr_read(s, ro[i]);
        dlp_iss_csr_write(s, ro[i], 0xDEADBEEFu);
        CHECK(dlp_iss_csr_read(s, ro[i]) == before, "RO register 0x%03x changed", ro[i]);
    }
    static const uint32_t unmapped[] = {0x014, 0x018, 0x02C, 0x038, 0x048,
                                        0x05C, 0x0FC, 0x1A0, 0x200, 0xFFC};
    for (int i = 0; i < 10; i++) {
        dlp_iss_csr_write(s, unmapped[i], 0xFFFFFFFFu);
        CHECK(dlp_iss_csr_read(s, unmapped[i]) == 0, "unmapped 0x%03x reads 0", unmapped[i]);
    }
    /* RW registers */
    static const uint32_t rw[] = {DLP_CSR_INSN_BASE, DLP_CSR_INSN_COUNT, DLP_CSR_WIN_BASE,
                                  DLP_CSR_WIN_LIMIT};
    for (int i = 0; i < 4; i++) {
        dlp_iss_csr_write(s, rw[i], 0x12345660u + (uint32_t)i);
        CHECK(dlp_iss_csr_read(s, rw[i]) == 0x12345660u + (uint32_t)i, "RW 0x%03x", rw[i]);
    }
    dlp_iss_csr_write(s, DLP_CSR_CTRL, DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR);
    CHECK(dlp_iss_csr_read(s, DLP_CSR_CTRL) == (DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR),
          "CTRL enables read back, START/SOFT_RESET read 0");
    CHECK(dlp_iss_csr_read(s, DLP_CSR_STATUS) == 0 &&
              dlp_iss_csr_read(s, DLP_CSR_IRQ_STATUS) == 0 && !dlp_iss_irq(s),
          "idle after reset");
    dlp_iss_free(s);
}

static void t_start_reset(void)
{
    /* PERF CSRs: LO then latched HI */
    good_program("PERF");
    uint32_t lo = csr(DLP_CSR_PERF_BASE + 8 * DLP_PERF_RD_BYTES);
    uint32_t hi = csr(DLP_CSR_PERF_BASE + 8 * DLP_PERF_RD_BYTES + 4);
    CHECK(lo == 2 * N && hi == 0, "PERF RD_BYTES via CSR: %u/%u", lo, hi);
    CHECK(csr(DLP_CSR_PERF_BASE + 8 * DLP_PERF_INSNS) == 4, "PERF INSNS via CSR");
    CHECK(dlp_iss_perf(S, DLP_PERF_CYCLES) > 0, "CYCLES estimate");

    /* IRQ_STATUS is write-1-to-clear; the irq line follows */
    CHECK(dlp_iss_irq(S) == 1 && csr(DLP_CSR_IRQ_STATUS) == DLP_IRQ_DONE, "done irq");
    dlp_iss_csr_write(S, DLP_CSR_IRQ_STATUS, DLP_IRQ_ERROR);
    CHECK(csr(DLP_CSR_IRQ_STATUS) == DLP_IRQ_DONE, "W1C of a clear bit changes nothing");
    dlp_iss_csr_write(S, DLP_CSR_IRQ_STATUS, DLP_IRQ_DONE);
    CHECK(csr(DLP_CSR_IRQ_STATUS) == 0 && !dlp_iss_irq(S), "W1C clears DONE and the line");
    CHECK(csr(DLP_CSR_STATUS) == DLP_STATUS_DONE, "STATUS.DONE stays after the W1C");

    /* done irq masked */
    dlp_prog_reset(P);
    fin();
    place(PROG);
    dlp_iss_csr_write(S, DLP_CSR_INSN_BASE, PROG);
    dlp_iss_csr_write(S, DLP_CSR_INSN_COUNT, 1);
    dlp_iss_csr_write(S, DLP_CSR_CTRL, DLP_CTRL_START | DLP_CTRL_IRQ_EN_ERR);
    CHECK(csr(DLP_CSR_STATUS) == DLP_STATUS_DONE && csr(DLP_CSR_IRQ_STATUS) == DLP_IRQ_DONE &&
              !dlp_iss_irq(S),
          "DONE with IRQ_EN_DONE clear: no irq");

    /* error, then SOFT_RESET: status, errors and counters cleared; configuration CSRs,
     * IRQ enables (written with the reset), scratchpads and LUT kept */
    dlp_prog_reset(P);
    ld(DLP_SP_ACT, 5, DATA + 5 * N, 1, 0);
    fin();
    CHECK(run() == 0, "LOAD row 5");
    dlp_prog_reset(P);
    copy(0, 1, 0, 0); /* count 0 */
    fin();
    CHECK(run() == DLP_ERR_ILLEGAL_FIELD, "error before SOFT_RESET");
    uint8_t row5[16];
    memcpy(row5, dlp_iss_sp_row(S, DLP_SP_ACT, 5), N);
    int16_t lut[256];
    memcpy(lut, dlp_iss_lut(S), sizeof lut);
    const uint32_t base = csr(DLP_CSR_INSN_BASE), count = csr(DLP_CSR_INSN_COUNT);
    dlp_iss_csr_write(S, DLP_CSR_CTRL, DLP_CTRL_SOFT_RESET | DLP_CTRL_IRQ_EN_ERR);
    CHECK(csr(DLP_CSR_STATUS) == 0 && csr(DLP_CSR_IRQ_STATUS) == 0 && !dlp_iss_irq(S),
          "SOFT_RESET clears STATUS and IRQ_STATUS");
    CHECK(csr(DLP_CSR_ERR_CODE) == 0 && csr(DLP_CSR_ERR_INDEX) == 0 && csr(DLP_CSR_ERR_ADDR) == 0,
          "SOFT_RESET clears ERR_*");
    int zero = 1;
    for (int k = 0; k < DLP_NUM_PERF; k++)
        zero &= dlp_iss_perf(S, k) == 0;
    CHECK(zero, "SOFT_RESET clears the counters");
    CHECK(csr(DLP_CSR_INSN_BASE) == base && csr(DLP_CSR_INSN_COUNT) == count &&
              csr(DLP_CSR_WIN_BASE) == win_base && csr(DLP_CSR_WIN_LIMIT) == win_limit,
          "SOFT_RESET keeps INSN_* and WIN_*");
    CHECK(csr(DLP_CSR_CTRL) == DLP_CTRL_IRQ_EN_ERR, "CTRL after SOFT_RESET: %x", csr(DLP_CSR_CTRL));
    CHECK(!memcmp(dlp_iss_sp_row(S, DLP_SP_ACT, 5), row5, N) &&
              !memcmp(row5, dlp_iss_mem(S, DATA + 5 * N, N), N),
          "SOFT_RESET keeps the scratchpads");
    CHECK(!memcmp(dlp_iss_lut(S), lut, sizeof lut), "SOFT_RESET keeps the LUT");
    good_program("SOFT_RESET");

    /* START clears a previous DONE: an error run shows ERROR only */
    dlp_prog_reset(P);
    raw_op(0xFF, 0);
    CHECK(run() == DLP_ERR_ILLEGAL_OPCODE && csr(DLP_CSR_IRQ_STATUS) == DLP_IRQ_ERROR &&
              csr(DLP_CSR_STATUS) == DLP_STATUS_ERROR,
          "START clears DONE of the previous run");
    /* LUT survives START: LUTLD once, then a later program uses LUT without reloading */
    dlp_prog_reset(P);
    uint8_t *tab = dlp_iss_mem(S, DATA + 0x800, 512);
    for (int i = 0; i < 512; i++)
        tab[i] = (uint8_t)(i & 1 ? 0 : (uint8_t)(255 - i / 2)); /* LUT[e] = 255-e, low byte */
    ld(DLP_SP_ACT, 0, DATA + 0x800, LUTR, DLP_F_PUSH_NEXT);
    const dlp_vec_f lutld = {.func = DLP_VF_LUTLD, .src = 0, .count = 1, .lo = -128, .hi = 127};
    vecf(&lutld, DLP_F_POP_PREV);
    fin();
    CHECK(run() == 0, "LUTLD: %s", dlp_err_name(csr(DLP_CSR_ERR_CODE)));
    int lut_ok = 1;
    for (int e = 0; e < 256; e++)
        lut_ok &= dlp_iss_lut(S)[e] == 255 - e;
    CHECK(lut_ok, "LUTLD: entry e from bytes 2e, 2e+1 of the rows");
    good_program("LUTLD");
    lut_ok = 1;
    for (int e = 0; e < 256; e++)
        lut_ok &= dlp_iss_lut(S)[e] == 255 - e;
    CHECK(lut_ok, "START keeps the LUT");
}

int main(void)
{
    dlp_config_default(&cfg);
    cfg.n = 8;
    cfg.act_bytes = 4096; /* 512 rows */
    cfg.wgt_bytes = 4096; /* 512 rows = 8 tiles */
    cfg.acc_bytes = 2048; /* 64 rows */
    cfg.queue_depth = 4;
    cfg.token_bits = 4;
    N = cfg.n;
    ACT = dlp_act_rows(&cfg);
    WGT = dlp_wgt_rows(&cfg);
    ACC = dlp_acc_rows(&cfg);
    LUTR = dlp_lut_rows(&cfg);
    S = dlp_iss_new(&cfg, MB, MSZ);
    P = dlp_prog_new();
    if (!S || !P)
        return 1;
    fill_data();
    good_program("nothing");
    t_illegal_opcode();
    t_illegal_field();
    t_loop_errors();
    t_token_errors();
    t_deadlock();
    t_sp_range();
    t_sp_range_vec();
    t_dma_align();
    t_dma_window();
    t_axi();
    t_dma_check_order();
    t_no_finish();
    t_vec_misc();
    t_loop_semantics();
    t_tokens();
    t_csrs();
    t_start_reset();
    dlp_prog_free(P);
    dlp_iss_free(S);
    return check_done("test_iss_errors");
}
