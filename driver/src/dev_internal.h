/*
 * dev_internal.h - private interface between the shared driver (dev.c) and its backends.
 *
 * The shared code speaks the CSR protocol of docs/ARCHITECTURE.md section 7 (program the
 * INSN_* and WIN_* registers, write CTRL.START with the interrupt enables, wait for the
 * interrupt, read STATUS, the ERR_ registers and the counters, clear IRQ_STATUS) and owns the DMA
 * allocator and the job queue. A backend only provides register access, one DMA region, and a way
 * to wait for the interrupt line.
 */
#ifndef DLP_DEV_INTERNAL_H
#define DLP_DEV_INTERNAL_H

#include <stdint.h>

#include "dlp/dev.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dlp_backend {
    const char *name; /* "iss", "sim", "uio" */
    /* 1: the device runs by itself after START (a board), so a job is started at submit
     * time; 0: the model only advances inside wait_irq (iss, sim), so jobs start there. */
    int async;
    /* arg: the part after "uio:" (NULL for iss/sim). Sets d->priv, d->mem, d->dma_base,
     * d->dma_size, d->name; on failure returns a DLP_DEV_E_* with dlp_dev_fail() and
     * leaves nothing to clean up (close is not called). */
    int (*open)(dlp_dev *d, const char *arg, const dlp_dev_opts *o);
    void (*close)(dlp_dev *d);
    uint32_t (*reg_read)(dlp_dev *d, uint32_t off);
    void (*reg_write)(dlp_dev *d, uint32_t off, uint32_t val);
    /* Return 0 once the interrupt line is (or may be) raised, DLP_DEV_E_TIMEOUT at the
     * deadline (CLOCK_MONOTONIC ms; < 0: none), or another DLP_DEV_E_* with dlp_dev_fail. */
    int (*wait_irq)(dlp_dev *d, int64_t deadline_ms);
    /* Cache maintenance of the DMA region bytes [off, off + len); NULL: coherent. */
    int (*sync_for_device)(dlp_dev *d, uint64_t off, uint64_t len);
    int (*sync_for_cpu)(dlp_dev *d, uint64_t off, uint64_t len);
} dlp_backend;

extern const dlp_backend dlp_backend_iss;
extern const dlp_backend dlp_backend_uio;
extern const dlp_backend dlp_backend_sim; /* in libdlp_sim.a only */

struct dlp_job;

struct dlp_dev {
    const dlp_backend *be;
    void *priv;        /* backend state */
    char name[64];     /* info.name */
    uint8_t *mem;      /* host view of the DMA region */
    uint64_t dma_base; /* its device address */
    uint64_t dma_size; /* and size */
    uint32_t id, version, caps[3];
    dlp_config cfg; /* decoded from CAPS */
    char err[512];  /* dlp_dev_last_error */
    dlp_dev_progress_fn progress;
    void *progress_user;
    dlp_buf *bufs;        /* allocated buffers, sorted by offset */
    struct dlp_job *jobs; /* submitted, not yet waited for, in submission order */
    size_t njobs, cap_jobs;
    uint32_t next_id;
    int running; /* jobs[first unfinished] has been started on the device */
};

/* Record a message for dlp_dev_last_error and return rc. */
int dlp_dev_fail(dlp_dev *d, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* CLOCK_MONOTONIC in ms. */
int64_t dlp_now_ms(void);

#ifdef __cplusplus
}
#endif

#endif
