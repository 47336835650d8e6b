/*
 * prog.c - program builder of dlp/prog.h: a growable array of encoded instructions.
 *
 * Every emitter fills a dlp_decoded and goes through dlp_emit, which checks that each
 * field fits its bit width (naming the first one that does not) before dlp_encode packs
 * it. Legality (zero counts, ranges, tokens) is not checked here: that is what the ISS
 * and the hardware report. The first error poisons the program: later emits fail.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/prog.h"

struct dlp_prog {
    dlp_insn *v;
    size_t len, cap;
    int bad;
    char err[192];
};

dlp_prog *dlp_prog_new(void)
{
    return calloc(1, sizeof(dlp_prog));
}

void dlp_prog_free(dlp_prog *p)
{
    if (!p)
        return;
    free(p->v);
    free(p);
}

void dlp_prog_reset(dlp_prog *p)
{
    p->len = 0;
    p->bad = 0;
    p->err[0] = '\0';
}

size_t dlp_prog_len(const dlp_prog *p)
{
    return p->len;
}

const dlp_insn *dlp_prog_insns(const dlp_prog *p)
{
    return p->v;
}

const char *dlp_prog_error(const dlp_prog *p)
{
    return p->bad ? p->err : NULL;
}

size_t dlp_prog_bytes(const dlp_prog *p, uint8_t *out, size_t cap)
{
    if (cap / DLP_INSN_BYTES < p->len)
        return 0;
    for (size_t i = 0; i < p->len; i++)
        dlp_insn_to_bytes(&p->v[i], out + i * DLP_INSN_BYTES);
    return p->len * DLP_INSN_BYTES;
}

static int fail(dlp_prog *p, const char *fmt, ...)
{
    va_list ap;
    if (!p->bad) { /* keep the first message */
        va_start(ap, fmt);
        vsnprintf(p->err, sizeof p->err, fmt, ap);
        va_end(ap);
        p->bad = 1;
    }
    return -1;
}

/* ------------------------------------------------------------------ field checks */
typedef struct {
    const char *name;
    int64_t v;
    int bits; /* width */
    int is_signed;
} field;

#define U(n, val, b)                                                                               \
    {                                                                                              \
        n, (int64_t)(val), b, 0                                                                    \
    }
#define S(n, val, b)                                                                               \
    {                                                                                              \
        n, (int64_t)(val), b, 1                                                                    \
    }

static int fits(const field *f)
{
    if (f->is_signed)
        return f->v >= -(INT64_C(1) << (f->bits - 1)) && f->v < (INT64_C(1) << (f->bits - 1));
    return f->v >= 0 && f->v < (INT64_C(1) << f->bits);
}

/* Copies the first field of f[0..n) that does not fit into *bad; returns 1 if any. */
static int first_bad(const field *f, size_t n, field *bad)
{
    for (size_t i = 0; i < n; i++)
        if (!fits(&f[i])) {
            *bad = f[i];
            return 1;
        }
    return 0;
}

#define FIRST_BAD(arr, bad) first_bad(arr, sizeof arr / sizeof arr[0], bad)

static int check_fields(const dlp_decoded *d, field *bad)
{
    switch (d->opcode) {
    case DLP_OP_SYNC: {
        const field f[] = {U("queue", d->queue, 2)};
        return FIRST_BAD(f, bad);
    }
    case DLP_OP_LOAD:
    case DLP_OP_STORE: {
        const dlp_dma_f *m = &d->u.dma;
        const field f[] = {
            U("sp", m->sp, 2),
            U("pad_value", m->pad_value, 8),
            U("sram", m->sram, 16),
            U("x_size", m->x_size, 16),
            U("y_size", m->y_size, 16),
            U("z_size", m->z_size, 16),
            U("x_pad_before", m->x_pad[0], 8),
            U("x_pad_after", m->x_pad[1], 8),
            U("y_pad_before", m->y_pad[0], 8),
            U("y_pad_after", m->y_pad[1], 8),
            U("z_pad_before", m->z_pad[0], 8),
            U("z_pad_after", m->z_pad[1], 8),
        };
        return FIRST_BAD(f, bad);
    }
    case DLP_OP_GEMM: {
        const dlp_gemm_f *m = &d->u.gemm;
        const field f[] = {
            U("clr", m->clr, 1),    U("act", m->act, 16),     U("acc", m->acc, 16),
            U("wgt", m->wgt, 16),   U("n_pix", m->n_pix, 16), U("n_r1", m->n_r1, 16),
            U("n_r2", m->n_r2, 16), U("s_pix", m->s_pix, 16), U("s_r1", m->s_r1, 16),
            U("s_r2", m->s_r2, 16),
        };
        return FIRST_BAD(f, bad);
    }
    case DLP_OP_VEC: {
        const dlp_vec_f *m = &d->u.vec;
        const int sm = m->func == DLP_VF_SOFTMAX;
        const field f[] = {
            U("func", m->func, 8),      U("src", m->src, 16),
            U("src2", m->src2, 16),     U("dst", m->dst, 16),
            U("count", m->count, 16),   U("s_src", m->s_src, 16),
            U("s_dst", m->s_dst, 16),   U("s_src2", m->s_src2, 16),
            U("prm", m->prm, 16),       S("lo", m->lo, 8),
            S("hi", m->hi, 8),          U("dst_acc", m->dst_acc, 1),
            S("zo", sm ? m->zo : 0, 8), S("shift", sm ? m->shift : 0, 8),
            U("k0", m->k0, 16),         U("k1", m->k1, 16),
        };
        return FIRST_BAD(f, bad);
    }
    case DLP_OP_LOOP: {
        const field f[] = {U("count", d->u.loop.count, 16)};
        return FIRST_BAD(f, bad);
    }
    default: return 0;
    }
}

/* ------------------------------------------------------------------ emitters */
static int push(dlp_prog *p, const dlp_insn *in)
{
    if (p->len == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        dlp_insn *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return fail(p, "out of memory growing the program to %zu instructions", cap);
        p->v = v;
        p->cap = cap;
    }
    p->v[p->len] = *in;
    return (int)p->len++;
}

int dlp_emit(dlp_prog *p, const dlp_decoded *d)
{
    dlp_insn in;
    field b;
    if (p->bad)
        return -1;
    if (d->opcode > 0xFFu)
        return fail(p, "opcode 0x%x does not fit 8 bits", d->opcode);
    if (d->flags & ~DLP_F_MASK)
        return fail(p, "%s flags 0x%x outside the token bits 11:8", dlp_opcode_name(d->opcode),
                    d->flags);
    if (check_fields(d, &b))
        return fail(p, "%s field %s=%lld does not fit %s%d bits", dlp_opcode_name(d->opcode),
                    b.name, (long long)b.v, b.is_signed ? "signed " : "", b.bits);
    if (d->opcode == DLP_OP_VEC && d->u.vec.func == DLP_VF_SOFTMAX && d->u.vec.dst_acc)
        return fail(p, "VEC SOFTMAX cannot set dst_acc (its bit holds zo)");
    if (dlp_encode(d, &in) != 0) /* should not happen after the checks above */
        return fail(p, "%s: encoding failed", dlp_opcode_name(d->opcode));
    return push(p, &in);
}

int dlp_emit_sync(dlp_prog *p, int queue, uint32_t flags)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_SYNC;
    d.flags = flags;
    if (queue < 0)
        return fail(p, "SYNC field queue=%d does not fit 2 bits", queue);
    d.queue = (uint32_t)queue;
    return dlp_emit(p, &d);
}

static int emit_dma(dlp_prog *p, uint32_t op, const dlp_dma_f *m, uint32_t flags)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = op;
    d.flags = flags;
    d.u.dma = *m;
    return dlp_emit(p, &d);
}

int dlp_emit_load(dlp_prog *p, const dlp_dma_f *m, uint32_t flags)
{
    return emit_dma(p, DLP_OP_LOAD, m, flags);
}

int dlp_emit_store(dlp_prog *p, const dlp_dma_f *m, uint32_t flags)
{
    return emit_dma(p, DLP_OP_STORE, m, flags);
}

int dlp_emit_gemm(dlp_prog *p, const dlp_gemm_f *g, uint32_t flags)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_GEMM;
    d.flags = flags;
    d.u.gemm = *g;
    return dlp_emit(p, &d);
}

int dlp_emit_vec(dlp_prog *p, const dlp_vec_f *v, uint32_t flags)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_VEC;
    d.flags = flags;
    d.u.vec = *v;
    return dlp_emit(p, &d);
}

int dlp_emit_loop(dlp_prog *p, uint32_t count, int32_t inc0, int32_t inc1, int32_t inc2)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_LOOP;
    d.u.loop.count = count;
    d.u.loop.inc[0] = inc0;
    d.u.loop.inc[1] = inc1;
    d.u.loop.inc[2] = inc2;
    return dlp_emit(p, &d);
}

int dlp_emit_finish(dlp_prog *p)
{
    dlp_decoded d;
    memset(&d, 0, sizeof d);
    d.opcode = DLP_OP_FINISH;
    return dlp_emit(p, &d);
}

int dlp_prog_add_flags(dlp_prog *p, size_t index, uint32_t flags)
{
    if (p->bad)
        return -1;
    if (index >= p->len)
        return fail(p, "add_flags: instruction %zu does not exist (program has %zu)", index,
                    p->len);
    if (flags & ~DLP_F_MASK)
        return fail(p, "add_flags: flags 0x%x outside the token bits 11:8", flags);
    p->v[index].w[0] |= flags;
    return 0;
}
