/*
 * workload.h - test jobs for the driver tests: real layers built with golden's lowerings
 * (dlp/lower.h) in DMA buffers of a dlp_dev, with the golden reference op's output to
 * compare against, and small hand-written programs (a DMA outside the window, a program
 * that runs for a very long time).
 */
#ifndef DRIVER_TEST_WORKLOAD_H
#define DRIVER_TEST_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/dev.h"
#include "dlp/ops.h"

typedef struct {
    char what[160];
    dlp_dev *d;
    dlp_buf *data; /* tensors: inputs, weights, parameters, output */
    dlp_buf *prog; /* the instruction stream */
    dlp_job_desc job;
    size_t y_off, y_len; /* packed output in data */
    uint32_t y_px, y_c;  /* output pixels and channels (for unpacking) */
    int8_t *want;        /* reference output, y_px * y_c */
    uint8_t *prog_bytes; /* the program as written (for running it elsewhere) */
    size_t prog_len;
} wl_job;

/* 0, or -1 with a message in msg (lowering or allocation failed). */
int wl_matmul(dlp_dev *d, int m, int k, int n, uint32_t seed, wl_job *j, char *msg, size_t len);
int wl_conv(dlp_dev *d, const dlp_conv_shape *s, uint32_t seed, wl_job *j, char *msg, size_t len);
/* A LOAD from the data buffer, run with a window that holds only the program:
 * DLP_ERR_DMA_WINDOW at instruction 0 with ERR_ADDR = dlp_buf_addr(data). */
int wl_window_error(dlp_dev *d, wl_job *j, char *msg, size_t len);
/* Two nested LOOPs of 65535 around a LOAD: billions of cycles (never ends in a test). */
int wl_endless(dlp_dev *d, wl_job *j, char *msg, size_t len);

/* Read the packed output into out (y_len bytes). */
int wl_output(wl_job *j, uint8_t *out);
/* Number of output elements that differ from the reference (msg: the first one), or -1
 * when the output could not be read. */
long wl_compare(wl_job *j, char *msg, size_t len);
void wl_free(wl_job *j);

#endif
