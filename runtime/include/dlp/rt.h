/*
 * dlp/rt.h - libdlprt, the DLP runtime: ONNX import, compiler, executor.
 *
 *   dlp_rt_load_file / dlp_rt_load_mem   read a quantized ONNX model (QDQ or QLinear
 *                                        form) and check every node is supported
 *   dlp_rt_run                           bind inputs; on the first run (or new input
 *                                        shapes) compile for the device (tiling for its
 *                                        N and scratchpads, weights packed into DMA
 *                                        memory once, activation memory planned with
 *                                        reuse), then execute layer by layer
 *   dlp_rt_layers                        per-layer statistics of the last run
 *
 * Errors: functions return 0 or -1 with a message (naming the node and the reason) in
 * dlp_rt_error(). Not thread-safe: one thread per dlp_rt.
 */
#ifndef DLP_RT_H
#define DLP_RT_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/dev.h"
#include "dlp/npy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dlp_rt dlp_rt;

/* NULL on out-of-memory only; check dlp_rt_error after a failing load. */
dlp_rt *dlp_rt_new(void);
void dlp_rt_free(dlp_rt *rt);
const char *dlp_rt_error(const dlp_rt *rt);

int dlp_rt_load_mem(dlp_rt *rt, const uint8_t *buf, size_t len);
int dlp_rt_load_file(dlp_rt *rt, const char *path);

/* Graph inputs / outputs (initializers excluded). dims < 0 are symbolic. */
typedef struct {
    const char *name;
    dlp_npy_dtype dtype;
    int rank;
    int64_t dims[DLP_NPY_MAX_RANK];
} dlp_rt_io;
int dlp_rt_num_inputs(const dlp_rt *rt);
int dlp_rt_num_outputs(const dlp_rt *rt);
const dlp_rt_io *dlp_rt_input(const dlp_rt *rt, int i);
const dlp_rt_io *dlp_rt_output(const dlp_rt *rt, int i);

/* Run on dev. inputs[i] is graph input i (dtype and shape must match the model; symbolic
 * dimensions take the given size). outputs (n = dlp_rt_num_outputs) receive malloc'd
 * arrays (dlp_npy_free). progress, if set, is called with a one-line status per layer. */
typedef void (*dlp_rt_progress_fn)(void *user, const char *line);
int dlp_rt_run(dlp_rt *rt, dlp_dev *dev, const dlp_npy *inputs, int n_inputs, dlp_npy *outputs,
               dlp_rt_progress_fn progress, void *user);

typedef struct {
    const char *name;   /* ONNX node name (the output tensor when the node has none) */
    const char *op;     /* runtime op: conv, matmul, add, lut, softmax, ... */
    const char *where;  /* "dlp", "cpu" (fallback) or "host" (layout / boundary op) */
    uint64_t cycles;    /* DLP_PERF_CYCLES of the job (0 off the DLP) */
    uint64_t macs;      /* useful MACs (of the op, not of the padded tiles) */
    uint64_t dma_bytes; /* RD_BYTES + WR_BYTES of the job */
    uint64_t insns;     /* instructions executed */
    double util;        /* macs / (cycles * N * N) */
} dlp_rt_layer;
int dlp_rt_num_layers(const dlp_rt *rt);
const dlp_rt_layer *dlp_rt_layer_get(const dlp_rt *rt, int i);
uint32_t dlp_rt_array_n(const dlp_rt *rt); /* N of the device compiled for */

/* ------------------------------------------------------------------ benchmark layers */
/* Compile and run one synthetic layer (random int8 data) built from shapes, without ONNX:
 * kind "conv" (h, w, c, cout, k, stride), "matmul" (m, k, n), "softmax" (rows, len),
 * "layernorm" (rows, len). Fills *out (name/op point at static strings). */
typedef struct {
    const char *kind;
    int a, b, c, d, e, f;
} dlp_rt_bench_layer;
int dlp_rt_bench(dlp_dev *dev, const dlp_rt_bench_layer *l, dlp_rt_layer *out, char *err,
                 size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* DLP_RT_H */
