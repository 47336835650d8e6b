/*
 * dlp/prog.h - program builder: emits DLP instruction streams.
 *
 * Low level: one emitter per instruction, taking the decoded fields of dlp/isa.h.
 * Emitters check that fields fit their bit widths (not legality: the ISS and hardware
 * report that) and return the instruction index, or -1 with dlp_prog_error() set.
 * After the first error the program is poisoned: further emits return -1.
 */
#ifndef DLP_PROG_H
#define DLP_PROG_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/isa.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dlp_prog dlp_prog;

dlp_prog *dlp_prog_new(void);
void dlp_prog_free(dlp_prog *p);
void dlp_prog_reset(dlp_prog *p);
size_t dlp_prog_len(const dlp_prog *p);
const dlp_insn *dlp_prog_insns(const dlp_prog *p);
const char *dlp_prog_error(const dlp_prog *p); /* NULL when fine */

/* Serialize to bytes (len * DLP_INSN_BYTES); returns bytes written or 0 if cap too small. */
size_t dlp_prog_bytes(const dlp_prog *p, uint8_t *out, size_t cap);

int dlp_emit(dlp_prog *p, const dlp_decoded *d); /* raw */
int dlp_emit_sync(dlp_prog *p, int queue, uint32_t flags);
int dlp_emit_load(dlp_prog *p, const dlp_dma_f *m, uint32_t flags);
int dlp_emit_store(dlp_prog *p, const dlp_dma_f *m, uint32_t flags);
int dlp_emit_gemm(dlp_prog *p, const dlp_gemm_f *g, uint32_t flags);
int dlp_emit_vec(dlp_prog *p, const dlp_vec_f *v, uint32_t flags);
int dlp_emit_loop(dlp_prog *p, uint32_t count, int32_t inc0, int32_t inc1, int32_t inc2);
int dlp_emit_finish(dlp_prog *p);

/* Flags of the last emitted instruction can be OR-ed in afterwards. */
int dlp_prog_add_flags(dlp_prog *p, size_t index, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif /* DLP_PROG_H */
