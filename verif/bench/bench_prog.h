/*
 * bench_prog.h - program generators of the RTL benchmark (verif/bench).
 *
 * Each generator builds a complete DDR image for the default configuration (N = 16,
 * 128-bit bus, ACT/WGT 128 KiB, ACC 64 KiB): random int8 tensors, packed weights and REQ
 * parameter blocks, and a hand-scheduled DLP program that overlaps loads, compute and
 * stores with dependency tokens. It also computes the expected output bytes with the
 * golden reference op (dlp_matmul_q / dlp_conv2d_q), packed in the DDR layout.
 */
#ifndef BENCH_PROG_H
#define BENCH_PROG_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/iss.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    char name[96];
    dlp_config cfg;
    uint8_t *image; /* DDR bytes [0, size) */
    size_t size;
    uint32_t insn_base, insn_count;
    uint32_t out_addr; /* output tensor in DDR */
    size_t out_len;
    uint8_t *ref;  /* expected bytes at out_addr (reference op, packed) */
    uint64_t macs; /* useful MACs of the layer (= MACS counter: no padded work) */
    uint32_t n_gemm, n_vec, n_load, n_store; /* instruction mix (LOOP targets once) */
} bench_case;

/* 0 on success, else -1 with a message on stderr. */
int bench_build_matmul(bench_case *c);
int bench_build_conv(bench_case *c);
void bench_free(bench_case *c);

#ifdef __cplusplus
}
#endif

#endif
