/*
 * test_isa.c - instruction encoding (dlp/isa.h, src/isa.c) and the program builder
 * (dlp/prog.h, src/prog.c).
 *
 * The bit positions below are transcribed from docs/ARCHITECTURE.md section 5, not from
 * isa.c: every field is placed alone with a random value and the encoded words are
 * compared with where the spec puts it. Then random instructions of every opcode round-
 * trip through encode/decode/bytes, every field rejects the first value past its width,
 * the builder names the field and poisons, and the disassembler survives random words.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dlp/isa.h"
#include "dlp/prog.h"

typedef struct {
    const char *name;
    size_t off; /* offset of the uint32_t / int32_t member in dlp_decoded */
    int word, lo, width;
    int is_signed;
} fdesc;

#define F(name, member, word, lo, width)                                                           \
    {                                                                                              \
        name, offsetof(dlp_decoded, member), word, lo, width, 0                                    \
    }
#define FS(name, member, word, lo, width)                                                          \
    {                                                                                              \
        name, offsetof(dlp_decoded, member), word, lo, width, 1                                    \
    }

static const fdesc sync_f[] = {F("queue", queue, 0, 16, 2)};

static const fdesc dma_f[] = {
    F("sp", u.dma.sp, 0, 16, 2),
    F("pad_value", u.dma.pad_value, 0, 24, 8),
    F("dram", u.dma.dram, 1, 0, 32),
    F("sram", u.dma.sram, 2, 0, 16),
    F("x_size", u.dma.x_size, 2, 16, 16),
    F("y_size", u.dma.y_size, 3, 0, 16),
    F("z_size", u.dma.z_size, 3, 16, 16),
    F("y_stride", u.dma.y_stride, 4, 0, 32),
    F("z_stride", u.dma.z_stride, 5, 0, 32),
    F("x_pad_before", u.dma.x_pad[0], 6, 0, 8),
    F("x_pad_after", u.dma.x_pad[1], 6, 8, 8),
    F("y_pad_before", u.dma.y_pad[0], 6, 16, 8),
    F("y_pad_after", u.dma.y_pad[1], 6, 24, 8),
    F("z_pad_before", u.dma.z_pad[0], 7, 0, 8),
    F("z_pad_after", u.dma.z_pad[1], 7, 8, 8),
};

static const fdesc gemm_f[] = {
    F("clr", u.gemm.clr, 0, 16, 1),      F("act", u.gemm.act, 1, 0, 16),
    F("acc", u.gemm.acc, 1, 16, 16),     F("wgt", u.gemm.wgt, 2, 0, 16),
    F("n_pix", u.gemm.n_pix, 2, 16, 16), F("n_r1", u.gemm.n_r1, 3, 0, 16),
    F("n_r2", u.gemm.n_r2, 3, 16, 16),   F("s_pix", u.gemm.s_pix, 4, 0, 16),
    F("s_r1", u.gemm.s_r1, 4, 16, 16),   F("s_r2", u.gemm.s_r2, 5, 0, 16),
};

/* VEC fields common to all functions (func is set by the test). */
static const fdesc vec_f[] = {
    F("src", u.vec.src, 1, 0, 16),       F("src2", u.vec.src2, 1, 16, 16),
    F("dst", u.vec.dst, 2, 0, 16),       F("count", u.vec.count, 2, 16, 16),
    F("s_src", u.vec.s_src, 3, 0, 16),   F("s_dst", u.vec.s_dst, 3, 16, 16),
    F("s_src2", u.vec.s_src2, 4, 0, 16), F("prm", u.vec.prm, 4, 16, 16),
    FS("lo", u.vec.lo, 5, 0, 8),         FS("hi", u.vec.hi, 5, 8, 8),
    F("k0", u.vec.k0, 6, 0, 16),         F("k1", u.vec.k1, 6, 16, 16),
    F("imm", u.vec.imm, 7, 0, 32),
};
static const fdesc vec_acc_f[] = {F("dst_acc", u.vec.dst_acc, 5, 16, 1)}; /* not SOFTMAX */
static const fdesc vec_sm_f[] = {FS("zo", u.vec.zo, 5, 16, 8), FS("shift", u.vec.shift, 5, 24, 8)};

static const fdesc loop_f[] = {
    F("count", u.loop.count, 1, 0, 16),
    FS("inc0", u.loop.inc[0], 2, 0, 32),
    FS("inc1", u.loop.inc[1], 3, 0, 32),
    FS("inc2", u.loop.inc[2], 4, 0, 32),
};

#define NF(a) (sizeof a / sizeof a[0])

static unsigned long long seed = 0x15A15A15ULL;

static uint32_t *fld(dlp_decoded *d, const fdesc *f)
{
    return (uint32_t *)((char *)d + f->off);
}

static uint32_t rand_field(const fdesc *f)
{
    uint32_t v = (uint32_t)check_rand(&seed);
    if (f->width == 32)
        return v;
    v &= (1u << f->width) - 1u;
    if (f->is_signed && (v >> (f->width - 1))) /* sign-extend */
        v |= ~((1u << f->width) - 1u);
    return v;
}

static uint32_t field_bits(uint32_t v, int width)
{
    return width == 32 ? v : v & ((1u << width) - 1u);
}

static void base(dlp_decoded *d, uint32_t opcode, uint32_t func)
{
    memset(d, 0, sizeof *d);
    d->opcode = opcode;
    d->queue = (uint32_t)dlp_opcode_queue(opcode);
    if (opcode == DLP_OP_VEC) {
        d->u.vec.func = func;
        d->u.vec.lo = -128; /* any values: keep the encoder's int8 checks satisfied */
        d->u.vec.hi = 127;
    }
}

/* Each field alone: the encoded words hold exactly its bits where the spec puts them. */
static void check_positions(uint32_t opcode, uint32_t func, const fdesc *fs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int rep = 0; rep < 20; rep++) {
            dlp_decoded d;
            dlp_insn in;
            base(&d, opcode, func);
            uint32_t expect[DLP_INSN_WORDS] = {opcode};
            if (opcode == DLP_OP_VEC) {
                expect[0] |= func << 16;
                if (strcmp(fs[i].name, "lo") && strcmp(fs[i].name, "hi"))
                    expect[5] = 0x7F80u; /* lo = -128, hi = 127 */
                else if (!strcmp(fs[i].name, "lo"))
                    expect[5] = 0x7F00u;
                else
                    expect[5] = 0x0080u;
            }
            const uint32_t v = rand_field(&fs[i]);
            *fld(&d, &fs[i]) = v;
            expect[fs[i].word] |= fs[i].width == 32 ? v : field_bits(v, fs[i].width) << fs[i].lo;
            int rc = dlp_encode(&d, &in);
            CHECK(rc == 0, "%s.%s=0x%x: encode failed", dlp_opcode_name(opcode), fs[i].name, v);
            CHECK(!memcmp(in.w, expect, sizeof expect),
                  "%s.%s=0x%x: words %08x %08x %08x %08x %08x %08x %08x %08x",
                  dlp_opcode_name(opcode), fs[i].name, v, in.w[0], in.w[1], in.w[2], in.w[3],
                  in.w[4], in.w[5], in.w[6], in.w[7]);
        }
}

/* Each field one past its range is rejected by dlp_encode and named by dlp_emit. */
static void check_overflow(uint32_t opcode, uint32_t func, const fdesc *fs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (fs[i].width == 32)
            continue;
        for (int side = 0; side < (fs[i].is_signed ? 2 : 1); side++) {
            dlp_decoded d;
            dlp_insn in;
            base(&d, opcode, func);
            int64_t bad = fs[i].is_signed ? (side ? -(INT64_C(1) << (fs[i].width - 1)) - 1
                                                  : INT64_C(1) << (fs[i].width - 1))
                                          : INT64_C(1) << fs[i].width;
            *fld(&d, &fs[i]) = (uint32_t)bad;
            CHECK(dlp_encode(&d, &in) == -1, "%s.%s=%lld accepted", dlp_opcode_name(opcode),
                  fs[i].name, (long long)bad);
            /* the largest legal value is accepted */
            *fld(&d, &fs[i]) = (uint32_t)(fs[i].is_signed ? (side ? bad + 1 : bad - 1) : bad - 1);
            CHECK(dlp_encode(&d, &in) == 0, "%s.%s=%lld rejected", dlp_opcode_name(opcode),
                  fs[i].name, (long long)bad - 1);

            dlp_prog *p = dlp_prog_new();
            *fld(&d, &fs[i]) = (uint32_t)bad;
            CHECK(dlp_emit(p, &d) == -1, "emit accepted %s", fs[i].name);
            const char *e = dlp_prog_error(p);
            char want[64];
            snprintf(want, sizeof want, "field %s=%lld does not fit", fs[i].name, (long long)bad);
            CHECK(e && strstr(e, want) && strstr(e, dlp_opcode_name(opcode)),
                  "message '%s' lacks '%s'", e ? e : "(null)", want);
            dlp_prog_free(p);
        }
    }
}

/* Random fields of every kind, encode -> bytes -> decode. */
static void check_roundtrip(uint32_t opcode, uint32_t func, const fdesc *const *sets,
                            const size_t *ns, int nsets)
{
    for (int rep = 0; rep < 500; rep++) {
        dlp_decoded d, back;
        dlp_insn in, in2;
        uint8_t bytes[DLP_INSN_BYTES];
        base(&d, opcode, func);
        for (int s = 0; s < nsets; s++)
            for (size_t i = 0; i < ns[s]; i++)
                *fld(&d, &sets[s][i]) = rand_field(&sets[s][i]);
        d.flags = (uint32_t)check_range(&seed, 0, 15) << 8;
        if (dlp_encode(&d, &in) != 0) {
            CHECK(0, "%s: random legal fields rejected", dlp_opcode_name(opcode));
            continue;
        }
        dlp_insn_to_bytes(&in, bytes);
        int le = 1;
        for (int b = 0; b < DLP_INSN_BYTES; b++)
            le &= bytes[b] == (uint8_t)(in.w[b / 4] >> (8 * (b % 4)));
        CHECK(le, "%s: bytes are not little-endian words", dlp_opcode_name(opcode));
        dlp_insn_from_bytes(bytes, &in2);
        dlp_decode(&in2, &back);
        CHECK(!memcmp(&d, &back, sizeof d), "%s func %u: decode(encode(d)) != d (rep %d)",
              dlp_opcode_name(opcode), func, rep);
        CHECK((in.w[0] & 0xFFu) == opcode && (in.w[0] & DLP_F_MASK) == d.flags,
              "%s: opcode/flags bits", dlp_opcode_name(opcode));
    }
}

static void test_encoding(void)
{
    const fdesc *dma_s[] = {dma_f}, *gemm_s[] = {gemm_f}, *loop_s[] = {loop_f},
                *sync_s[] = {sync_f};
    const size_t dma_n[] = {NF(dma_f)}, gemm_n[] = {NF(gemm_f)}, loop_n[] = {NF(loop_f)},
                 sync_n[] = {NF(sync_f)};

    check_positions(DLP_OP_SYNC, 0, sync_f, NF(sync_f));
    check_positions(DLP_OP_LOAD, 0, dma_f, NF(dma_f));
    check_positions(DLP_OP_STORE, 0, dma_f, NF(dma_f));
    check_positions(DLP_OP_GEMM, 0, gemm_f, NF(gemm_f));
    check_positions(DLP_OP_LOOP, 0, loop_f, NF(loop_f));
    check_overflow(DLP_OP_SYNC, 0, sync_f, NF(sync_f));
    check_overflow(DLP_OP_LOAD, 0, dma_f, NF(dma_f));
    check_overflow(DLP_OP_STORE, 0, dma_f, NF(dma_f));
    check_overflow(DLP_OP_GEMM, 0, gemm_f, NF(gemm_f));
    check_overflow(DLP_OP_LOOP, 0, loop_f, NF(loop_f));
    check_roundtrip(DLP_OP_SYNC, 0, sync_s, sync_n, 1);
    check_roundtrip(DLP_OP_LOAD, 0, dma_s, dma_n, 1);
    check_roundtrip(DLP_OP_STORE, 0, dma_s, dma_n, 1);
    check_roundtrip(DLP_OP_GEMM, 0, gemm_s, gemm_n, 1);
    check_roundtrip(DLP_OP_LOOP, 0, loop_s, loop_n, 1);
    for (uint32_t func = DLP_VF_REQ; func <= DLP_VF_COPY; func++) {
        const int sm = func == DLP_VF_SOFTMAX;
        const fdesc *sets[] = {vec_f, sm ? vec_sm_f : vec_acc_f};
        const size_t ns[] = {NF(vec_f), sm ? NF(vec_sm_f) : NF(vec_acc_f)};
        check_positions(DLP_OP_VEC, func, vec_f, NF(vec_f));
        check_positions(DLP_OP_VEC, func, sets[1], ns[1]);
        check_overflow(DLP_OP_VEC, func, vec_f, NF(vec_f));
        check_overflow(DLP_OP_VEC, func, sets[1], ns[1]);
        check_roundtrip(DLP_OP_VEC, func, sets, ns, 2);
    }
    /* FINISH and illegal opcodes: the opcode and flags survive */
    for (uint32_t op = 0; op < 256; op++) {
        if (op >= DLP_OP_SYNC && op <= DLP_OP_LOOP)
            continue;
        dlp_decoded d, back;
        dlp_insn in;
        base(&d, op, 0);
        d.flags = DLP_F_POP_PREV | DLP_F_PUSH_NEXT;
        CHECK(dlp_encode(&d, &in) == 0 && in.w[0] == (op | d.flags), "opcode 0x%02x encode", op);
        dlp_decode(&in, &back);
        CHECK(back.opcode == op && back.flags == d.flags, "opcode 0x%02x decode", op);
    }
    /* queues of section 4.2 */
    CHECK(dlp_opcode_queue(DLP_OP_LOAD) == DLP_Q_LD, "LOAD queue");
    CHECK(dlp_opcode_queue(DLP_OP_STORE) == DLP_Q_ST, "STORE queue");
    CHECK(dlp_opcode_queue(DLP_OP_GEMM) == DLP_Q_CMP, "GEMM queue");
    CHECK(dlp_opcode_queue(DLP_OP_VEC) == DLP_Q_CMP, "VEC queue");
    CHECK(dlp_opcode_queue(DLP_OP_LOOP) == -1 && dlp_opcode_queue(DLP_OP_FINISH) == -1 &&
              dlp_opcode_queue(0) == -1 && dlp_opcode_queue(0xFF) == -1,
          "fetch-only / illegal opcodes have no queue");
    /* flag bits of section 4.3 */
    CHECK(DLP_F_POP_PREV == 1u << 8 && DLP_F_POP_NEXT == 1u << 9 && DLP_F_PUSH_PREV == 1u << 10 &&
              DLP_F_PUSH_NEXT == 1u << 11,
          "token flag bits");
    {
        dlp_decoded d;
        dlp_insn in;
        base(&d, DLP_OP_GEMM, 0);
        d.flags = 1u << 12;
        CHECK(dlp_encode(&d, &in) == -1, "flag bit 12 accepted");
        base(&d, 0x100, 0);
        CHECK(dlp_encode(&d, &in) == -1, "opcode 0x100 accepted");
        base(&d, DLP_OP_VEC, DLP_VF_SOFTMAX);
        d.u.vec.dst_acc = 1;
        CHECK(dlp_encode(&d, &in) == -1, "SOFTMAX with dst_acc accepted (bit 16 holds zo)");
    }
}

/* ------------------------------------------------------------------ program builder */
static void test_prog(void)
{
    dlp_prog *p = dlp_prog_new();
    if (!p) {
        CHECK(0, "dlp_prog_new");
        return;
    }
    CHECK(dlp_prog_len(p) == 0 && dlp_prog_error(p) == NULL, "new program");

    /* many instructions: growth keeps contents */
    for (int i = 0; i < 1000; i++) {
        const dlp_gemm_f g = {.act = (uint32_t)i, .n_pix = 1, .n_r1 = 1, .n_r2 = 1};
        CHECK(dlp_emit_gemm(p, &g, DLP_F_POP_PREV) == i, "emit index %d", i);
    }
    int ok = dlp_prog_len(p) == 1000;
    for (int i = 0; i < 1000 && ok; i++) {
        dlp_decoded d;
        dlp_decode(&dlp_prog_insns(p)[i], &d);
        ok = d.opcode == DLP_OP_GEMM && d.u.gemm.act == (uint32_t)i && d.flags == DLP_F_POP_PREV;
    }
    CHECK(ok, "1000 GEMMs kept");
    CHECK(dlp_prog_add_flags(p, 999, DLP_F_PUSH_NEXT) == 0 &&
              dlp_prog_insns(p)[999].w[0] == (DLP_OP_GEMM | DLP_F_POP_PREV | DLP_F_PUSH_NEXT),
          "add_flags");

    uint8_t *bytes = malloc(1000 * DLP_INSN_BYTES);
    CHECK(dlp_prog_bytes(p, bytes, 1000 * DLP_INSN_BYTES - 1) == 0, "bytes: cap too small");
    CHECK(dlp_prog_bytes(p, bytes, 1000 * DLP_INSN_BYTES) == 1000 * DLP_INSN_BYTES, "bytes");
    dlp_insn in;
    dlp_insn_from_bytes(bytes + 7 * DLP_INSN_BYTES, &in);
    CHECK(!memcmp(&in, &dlp_prog_insns(p)[7], sizeof in), "bytes of insn 7");
    free(bytes);

    /* each emitter */
    dlp_prog_reset(p);
    CHECK(dlp_prog_len(p) == 0, "reset");
    const dlp_dma_f m = {
        .sp = DLP_SP_ACC, .dram = 0x1000, .sram = 3, .x_size = 2, .y_size = 1, .z_size = 1};
    const dlp_vec_f v = {.func = DLP_VF_COPY, .count = 1, .lo = -128, .hi = 127};
    CHECK(dlp_emit_sync(p, DLP_Q_ST, DLP_F_PUSH_PREV) == 0, "sync");
    CHECK(dlp_emit_load(p, &m, DLP_F_PUSH_NEXT) == 1, "load");
    CHECK(dlp_emit_store(p, &m, DLP_F_POP_PREV) == 2, "store");
    CHECK(dlp_emit_vec(p, &v, 0) == 3, "vec");
    CHECK(dlp_emit_loop(p, 7, -1, 2, -3) == 4, "loop");
    CHECK(dlp_emit_finish(p) == 5, "finish");
    static const uint32_t ops[] = {DLP_OP_SYNC, DLP_OP_LOAD, DLP_OP_STORE,
                                   DLP_OP_VEC,  DLP_OP_LOOP, DLP_OP_FINISH};
    for (int i = 0; i < 6; i++)
        CHECK((dlp_prog_insns(p)[i].w[0] & 0xFF) == ops[i], "opcode of insn %d", i);
    CHECK(dlp_prog_insns(p)[0].w[0] == (DLP_OP_SYNC | DLP_F_PUSH_PREV | 2u << 16), "sync word");
    CHECK(dlp_prog_insns(p)[4].w[1] == 7 && dlp_prog_insns(p)[4].w[2] == 0xFFFFFFFFu &&
              dlp_prog_insns(p)[4].w[4] == 0xFFFFFFFDu,
          "loop words");

    /* the message and poisoning */
    const dlp_gemm_f big = {.n_pix = 70000, .n_r1 = 1, .n_r2 = 1};
    CHECK(dlp_emit_gemm(p, &big, 0) == -1, "n_pix 70000 accepted");
    CHECK(dlp_prog_error(p) &&
              !strcmp(dlp_prog_error(p), "GEMM field n_pix=70000 does not fit 16 bits"),
          "message: '%s'", dlp_prog_error(p) ? dlp_prog_error(p) : "(null)");
    CHECK(dlp_emit_finish(p) == -1 && dlp_emit_vec(p, &v, 0) == -1, "poisoned");
    CHECK(dlp_prog_add_flags(p, 0, DLP_F_POP_NEXT) == -1, "add_flags after poison");
    CHECK(dlp_prog_error(p) && strstr(dlp_prog_error(p), "n_pix"), "first message kept");
    CHECK(dlp_prog_len(p) == 6, "nothing appended after poison");
    dlp_prog_reset(p);
    CHECK(!dlp_prog_error(p) && dlp_emit_finish(p) == 0, "reset clears the poison");
    CHECK(dlp_emit_sync(p, -1, 0) == -1 && strstr(dlp_prog_error(p), "queue"), "sync -1");
    dlp_prog_reset(p);
    CHECK(dlp_emit_sync(p, 4, 0) == -1 && strstr(dlp_prog_error(p), "queue=4"), "sync 4");
    dlp_prog_reset(p);
    CHECK(dlp_emit_sync(p, 3, 0) == 0, "sync queue 3 encodes (legality is the ISS's)");
    CHECK(dlp_emit_gemm(p, &big, 1u << 7) == -1 && strstr(dlp_prog_error(p), "flags"), "bad flags");
    dlp_prog_reset(p);
    CHECK(dlp_prog_add_flags(p, 0, DLP_F_POP_NEXT) == -1, "add_flags out of range");
    dlp_prog_reset(p);
    const dlp_vec_f lo = {.func = DLP_VF_REQ, .count = 1, .lo = -129, .hi = 0};
    CHECK(dlp_emit_vec(p, &lo, 0) == -1 &&
              strstr(dlp_prog_error(p), "lo=-129 does not fit signed 8 bits"),
          "signed message: %s", dlp_prog_error(p) ? dlp_prog_error(p) : "(null)");
    dlp_prog_free(p);
}

/* ------------------------------------------------------------------ disassembler */
static void test_disasm(void)
{
    char buf[256];
    int ok = 1;
    for (int i = 0; i < 20000; i++) {
        dlp_insn in;
        for (int w = 0; w < DLP_INSN_WORDS; w++)
            in.w[w] = (uint32_t)check_rand(&seed);
        if (i % 2) /* mostly legal opcodes */
            in.w[0] = (in.w[0] & ~0xFFu) | (uint32_t)check_range(&seed, 1, 7);
        const size_t len = (size_t)check_range(&seed, 1, (int)sizeof buf);
        memset(buf, 'x', sizeof buf);
        dlp_disasm(&in, buf, len);
        ok &= memchr(buf, '\0', len) != NULL;
        for (size_t b = len; b < sizeof buf; b++)
            ok &= buf[b] == 'x';
    }
    CHECK(ok, "disasm stays inside its buffer and terminates");
    dlp_insn in = {
        {DLP_OP_GEMM | DLP_F_POP_PREV | 1u << 16, 5u << 16 | 3u, 7u << 16 | 2u, 0, 0, 0, 0, 0}};
    dlp_disasm(&in, buf, sizeof buf);
    CHECK(strstr(buf, "GEMM") && strstr(buf, "pop_prev"), "disasm GEMM: %s", buf);
    CHECK(!strcmp(dlp_opcode_name(0xFF), "ILLEGAL") && !strcmp(dlp_vfunc_name(0x0D), "ILLEGAL"),
          "illegal names");
    CHECK(!strcmp(dlp_err_name(DLP_ERR_NO_FINISH), "NO_FINISH") &&
              !strcmp(dlp_err_name(99), "UNKNOWN"),
          "error names");
    for (uint32_t e = 0; e <= DLP_NUM_ERRS; e++)
        CHECK(dlp_err_desc(e) && dlp_err_desc(e)[0], "error description %u", e);
    for (int k = -1; k <= DLP_NUM_PERF; k++)
        CHECK(dlp_perf_name(k) != NULL, "perf name %d", k);
}

int main(void)
{
    test_encoding();
    test_prog();
    test_disasm();
    return check_done("test_isa");
}
