/*
 * dlp/dev.h - libdlp, the userspace driver of the DLP.
 *
 * One register-level driver (the CSR protocol of docs/ARCHITECTURE.md section 7) over
 * interchangeable backends, chosen by name at open:
 *
 *   "iss"       the golden instruction-set simulator (golden/, functional, fast)
 *   "sim"       the Verilator model of rtl/top/dlp_top with the C++ AXI memory model as
 *               DMA memory (cycle-exact, slow: ~300k DLP cycles per second)
 *   "uio:NAME"  a board: the UIO device whose /sys/class/uio/uioX/name is NAME, DMA memory
 *               from u-dma-buf (/dev/udmabufN)
 *
 * Every backend exposes one DMA region (device address + host mapping); buffers are
 * carved from it. Jobs are instruction streams in a buffer: dlp_dev_submit queues one and
 * returns at once, dlp_dev_wait waits for it with a timeout. The device runs one job at a
 * time in submission order. Functions return 0 or a negative DLP_DEV_E_*;
 * dlp_dev_last_error() then holds a sentence naming what went wrong.
 *
 * Not thread-safe: one thread per dlp_dev.
 */
#ifndef DLP_DEV_H
#define DLP_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/isa.h" /* CSR offsets, DLP_ERR_*, DLP_NUM_PERF */
#include "dlp/iss.h" /* dlp_config */

#ifdef __cplusplus
extern "C" {
#endif

enum {
    DLP_DEV_OK = 0,
    DLP_DEV_E_ARG = -1,     /* bad argument (NULL, size 0, unknown backend name...) */
    DLP_DEV_E_NODEV = -2,   /* no such device (UIO name not found, backend not built) */
    DLP_DEV_E_BUSY = -3,    /* device opened by another process (lock held) */
    DLP_DEV_E_NOMEM = -4,   /* host or DMA memory exhausted */
    DLP_DEV_E_IO = -5,      /* a system call failed (open, mmap, read of the IRQ fd...) */
    DLP_DEV_E_TIMEOUT = -6, /* the job did not finish within the timeout */
    DLP_DEV_E_DEVICE = -7,  /* the device reported an error: see dlp_job_result.err_code */
    DLP_DEV_E_NOTDLP = -8,  /* the register space does not read the DLP ID */
    DLP_DEV_E_RANGE = -9,   /* access outside a buffer or the DMA region */
};
const char *dlp_dev_strerror(int rc); /* short phrase for a DLP_DEV_E_* code */

typedef struct dlp_dev dlp_dev;
typedef struct dlp_buf dlp_buf;

/* Options of dlp_dev_open; NULL or zero fields take the defaults. */
typedef struct {
    dlp_config cfg;         /* iss: configuration (n == 0: dlp_config_default);
                               sim/uio: ignored, read from CAPS */
    size_t mem_size;        /* iss/sim: DMA region bytes (0: 64 MiB) */
    uint32_t mem_base;      /* iss/sim: device address of the region (0: 0x10000000) */
    const char *sysfs_root; /* uio: NULL = "/sys" (tests point this at an emulated tree) */
    const char *dev_root;   /* uio: NULL = "/dev" */
    const char *trace_fst;  /* sim: write an FST waveform here (NULL: none) */
    uint32_t sim_latency;   /* sim: DDR read latency in cycles (0: 100); iss: latency of
                               its cycle estimate */
    const char *udmabuf;    /* uio: u-dma-buf device for DMA memory (NULL: "udmabuf0") */
    int irq_fd;             /* uio test seam (0: none): a bidirectional fd (one end of a
                               socketpair) used for the interrupt instead of /dev/uioX: the
                               driver writes the 4-byte re-enable to it and reads 4-byte
                               interrupt counts from it, as from the UIO device */
} dlp_dev_opts;
void dlp_dev_opts_default(dlp_dev_opts *o);

int dlp_dev_open(const char *name, const dlp_dev_opts *opts, dlp_dev **out);
/* Waits for nothing: a running job is soft-reset. Buffers still allocated are released;
 * do not use them afterwards. */
void dlp_dev_close(dlp_dev *d);
/* d == NULL: the message of the last failed dlp_dev_open in this thread. */
const char *dlp_dev_last_error(const dlp_dev *d);

typedef struct {
    char backend[8];      /* "iss", "sim", "uio" */
    char name[64];        /* UIO name, or the backend name */
    uint32_t id, version; /* CSR ID and VERSION */
    uint32_t caps[3];     /* CAPS0..2 as read */
    dlp_config cfg;       /* decoded from CAPS */
    uint64_t dma_base;    /* DMA region: device address and size */
    uint64_t dma_size;
} dlp_dev_info;
int dlp_dev_info_get(dlp_dev *d, dlp_dev_info *out);

/* Raw CSR access (byte offsets of dlp/isa.h), for `dlp info` and tests. */
int dlp_dev_reg_read(dlp_dev *d, uint32_t off, uint32_t *val);
int dlp_dev_reg_write(dlp_dev *d, uint32_t off, uint32_t val);

/* ------------------------------------------------------------------ DMA memory */
/* A buffer of `size` bytes in the DMA region, aligned to 4 KiB. */
int dlp_buf_alloc(dlp_dev *d, size_t size, dlp_buf **out);
void dlp_buf_free(dlp_buf *b);
uint64_t dlp_buf_addr(const dlp_buf *b); /* device (bus) address */
size_t dlp_buf_size(const dlp_buf *b);
/* Host<->device copies; they do the cache maintenance (u-dma-buf sync_for_device /
 * sync_for_cpu) the backend needs. DLP_DEV_E_RANGE when off+len exceeds the buffer. */
int dlp_buf_write(dlp_buf *b, size_t off, const void *src, size_t len);
int dlp_buf_read(dlp_buf *b, size_t off, void *dst, size_t len);

/* ------------------------------------------------------------------ jobs */
typedef struct {
    const dlp_buf *insns; /* the program: count instructions of DLP_INSN_BYTES at insn_off */
    size_t insn_off;
    uint32_t count;
    uint64_t win_base;  /* DMA window [win_base, win_limit] (inclusive); both 0: the */
    uint64_t win_limit; /* whole DMA region */
} dlp_job_desc;

typedef struct {
    int status;                  /* DLP_DEV_OK or DLP_DEV_E_DEVICE / DLP_DEV_E_TIMEOUT */
    uint32_t err_code;           /* DLP_ERR_* (0 when done); words: dlp_err_name/dlp_err_desc */
    uint32_t err_index;          /* faulting instruction index */
    uint32_t err_addr;           /* faulting DDR address (DMA and AXI errors) */
    uint64_t perf[DLP_NUM_PERF]; /* counters at the end of the job (dlp_perf_name) */
} dlp_job_result;

/* Queue a job; *job_id identifies it for dlp_dev_wait. Returns at once. */
int dlp_dev_submit(dlp_dev *d, const dlp_job_desc *job, uint32_t *job_id);
/* Wait until job_id has finished (timeout_ms < 0: forever). On DLP_DEV_E_TIMEOUT the
 * job is still pending; wait again or dlp_dev_soft_reset (iss and sim advance the model
 * only inside the wait, in steps, checking the clock between steps). On a device error the
 * remaining queued jobs are dropped (their waits return DLP_DEV_E_DEVICE, err_code 0). */
int dlp_dev_wait(dlp_dev *d, uint32_t job_id, int timeout_ms, dlp_job_result *res);
/* submit + wait. */
int dlp_dev_run(dlp_dev *d, const dlp_job_desc *job, int timeout_ms, dlp_job_result *res);

/* Soft reset (CTRL.SOFT_RESET): stops a running job, drops queued ones, clears errors. */
int dlp_dev_soft_reset(dlp_dev *d);
/* Current performance counters (n <= DLP_NUM_PERF). */
int dlp_dev_perf(dlp_dev *d, uint64_t *perf, int n);

/* Progress callback while waiting (sim: every ~1M cycles; others: never).
 * cycles = DLP cycles simulated so far in the current job. */
typedef void (*dlp_dev_progress_fn)(void *user, uint64_t cycles);
void dlp_dev_set_progress(dlp_dev *d, dlp_dev_progress_fn fn, void *user);

#ifdef __cplusplus
}
#endif

#endif /* DLP_DEV_H */
