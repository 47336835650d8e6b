/*
 * dev.c - the shared part of libdlp: opening a device by name, the CSR protocol of a job
 * (docs/ARCHITECTURE.md sections 4.4 and 7), the software job queue, the DMA allocator,
 * error reporting. Backends (dev_internal.h) only move register values and wait for the
 * interrupt line.
 *
 * Compiled twice: without DLP_HAVE_SIM into libdlp.a ("sim" answers NODEV), and with it
 * into libdlp_sim.a, which also holds the sim backend.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev_internal.h"

#define DLP_PAGE         4096u
#define DLP_DEF_MEM_SIZE (64u << 20)
#define DLP_DEF_MEM_BASE 0x10000000u
#define DLP_DEF_LATENCY  100u
/* After SOFT_RESET the device finishes its outstanding AXI transactions, then idles. */
#define DLP_RESET_MS 200

struct dlp_buf {
    dlp_dev *d;
    uint64_t off; /* from the start of the DMA region */
    size_t size;  /* as asked */
    size_t span;  /* rounded up to DLP_PAGE */
    dlp_buf *next;
};

struct dlp_job {
    uint32_t id;
    uint32_t insn_addr, count, win_base, win_limit;
    int done;
    int dropped; /* finished without running: soft reset or an earlier job's error */
    dlp_job_result res;
};

/* The message of the last failed dlp_dev_open in this thread. */
static _Thread_local char open_err[512];

int64_t dlp_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int dlp_dev_fail(dlp_dev *d, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d ? d->err : open_err, d ? sizeof d->err : sizeof open_err, fmt, ap);
    va_end(ap);
    return rc;
}

const char *dlp_dev_strerror(int rc)
{
    switch (rc) {
    case DLP_DEV_OK: return "success";
    case DLP_DEV_E_ARG: return "invalid argument";
    case DLP_DEV_E_NODEV: return "no such device";
    case DLP_DEV_E_BUSY: return "device busy (opened by another process)";
    case DLP_DEV_E_NOMEM: return "out of memory";
    case DLP_DEV_E_IO: return "system call failed";
    case DLP_DEV_E_TIMEOUT: return "timed out";
    case DLP_DEV_E_DEVICE: return "the device reported an error";
    case DLP_DEV_E_NOTDLP: return "not a DLP (wrong ID register)";
    case DLP_DEV_E_RANGE: return "access outside the buffer";
    default: return "unknown error code";
    }
}

const char *dlp_dev_last_error(const dlp_dev *d)
{
    return d ? d->err : open_err;
}

void dlp_dev_opts_default(dlp_dev_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    dlp_config_default(&o->cfg);
    o->mem_size = DLP_DEF_MEM_SIZE;
    o->mem_base = DLP_DEF_MEM_BASE;
    o->sim_latency = DLP_DEF_LATENCY;
}

/* ------------------------------------------------------------------ open / close / info */
#ifdef DLP_HAVE_SIM
#define SIM_BACKEND (&dlp_backend_sim)
#else
#define SIM_BACKEND NULL
#endif

static void decode_caps(dlp_dev *d)
{
    dlp_config *c = &d->cfg;
    const uint32_t mem_latency = c->mem_latency; /* set by the backend, not in CAPS */
    memset(c, 0, sizeof *c);
    c->n = d->caps[0] & 0xFF;
    c->bus_bytes = (d->caps[0] >> 8) & 0xFF;
    c->queue_depth = (d->caps[0] >> 16) & 0xFF;
    c->token_bits = d->caps[0] >> 28;
    c->act_bytes = (d->caps[1] & 0xFFFF) * 1024u;
    c->wgt_bytes = (d->caps[1] >> 16) * 1024u;
    c->acc_bytes = (d->caps[2] & 0xFFFF) * 1024u;
    c->mem_latency = mem_latency ? mem_latency : DLP_DEF_LATENCY;
}

int dlp_dev_open(const char *name, const dlp_dev_opts *opts, dlp_dev **out)
{
    if (out)
        *out = NULL;
    if (!name || !out)
        return dlp_dev_fail(NULL, DLP_DEV_E_ARG, "dlp_dev_open: name and out must not be NULL");
    dlp_dev_opts o;
    dlp_dev_opts_default(&o);
    if (opts) {
        o = *opts;
        if (!o.cfg.n)
            dlp_config_default(&o.cfg);
        if (!o.mem_size)
            o.mem_size = DLP_DEF_MEM_SIZE;
        if (!o.mem_base)
            o.mem_base = DLP_DEF_MEM_BASE;
        if (!o.sim_latency)
            o.sim_latency = DLP_DEF_LATENCY;
    }
    const dlp_backend *be = NULL;
    const char *arg = NULL;
    if (!strcmp(name, "iss")) {
        be = &dlp_backend_iss;
    } else if (!strcmp(name, "sim")) {
        be = SIM_BACKEND;
        if (!be)
            return dlp_dev_fail(NULL, DLP_DEV_E_NODEV,
                                "device \"sim\": this program was linked without the sim backend "
                                "(link libdlp_sim.a instead of libdlp.a, see driver/README.md)");
    } else if (!strncmp(name, "uio:", 4) && name[4]) {
        be = &dlp_backend_uio;
        arg = name + 4;
    } else {
        return dlp_dev_fail(NULL, DLP_DEV_E_ARG,
                            "unknown device \"%s\": expected \"iss\", \"sim\" or \"uio:NAME\" "
                            "(NAME as in /sys/class/uio/uioX/name)",
                            name);
    }
    if ((be == &dlp_backend_iss || be == SIM_BACKEND) &&
        ((o.mem_base % DLP_PAGE) || (o.mem_size % DLP_PAGE) ||
         (uint64_t)o.mem_base + o.mem_size > 0x100000000ull))
        return dlp_dev_fail(NULL, DLP_DEV_E_ARG,
                            "device \"%s\": DMA region base 0x%x size 0x%zx must be 4 KiB "
                            "aligned and end at or below 4 GiB (32-bit device addresses)",
                            name, o.mem_base, o.mem_size);

    dlp_dev *d = calloc(1, sizeof *d);
    if (!d)
        return dlp_dev_fail(NULL, DLP_DEV_E_NOMEM, "out of host memory opening \"%s\"", name);
    d->be = be;
    d->next_id = 1;
    snprintf(d->name, sizeof d->name, "%s", arg ? arg : be->name);
    int rc = be->open(d, arg, &o);
    if (rc) {
        snprintf(open_err, sizeof open_err, "%s", d->err);
        free(d);
        return rc;
    }
    d->id = be->reg_read(d, DLP_CSR_ID);
    d->version = be->reg_read(d, DLP_CSR_VERSION);
    for (int i = 0; i < 3; i++)
        d->caps[i] = be->reg_read(d, DLP_CSR_CAPS0 + 4u * i);
    d->cfg.mem_latency = o.sim_latency;
    decode_caps(d);
    /* A device left running by a crashed process: stop it before we own it. */
    if (be->reg_read(d, DLP_CSR_STATUS) & DLP_STATUS_BUSY)
        (void)dlp_dev_soft_reset(d);
    be->reg_write(d, DLP_CSR_IRQ_STATUS, DLP_IRQ_DONE | DLP_IRQ_ERROR);
    d->err[0] = 0;
    *out = d;
    return DLP_DEV_OK;
}

void dlp_dev_close(dlp_dev *d)
{
    if (!d)
        return;
    if (d->running)
        (void)dlp_dev_soft_reset(d);
    while (d->bufs) {
        dlp_buf *b = d->bufs;
        d->bufs = b->next;
        free(b);
    }
    free(d->jobs);
    d->be->close(d);
    free(d);
}

int dlp_dev_info_get(dlp_dev *d, dlp_dev_info *out)
{
    if (!d || !out)
        return DLP_DEV_E_ARG;
    memset(out, 0, sizeof *out);
    snprintf(out->backend, sizeof out->backend, "%s", d->be->name);
    snprintf(out->name, sizeof out->name, "%s", d->name);
    out->id = d->id;
    out->version = d->version;
    memcpy(out->caps, d->caps, sizeof out->caps);
    out->cfg = d->cfg;
    out->dma_base = d->dma_base;
    out->dma_size = d->dma_size;
    return DLP_DEV_OK;
}

static int check_off(dlp_dev *d, uint32_t off)
{
    if (off >= 0x1000 || (off & 3))
        return dlp_dev_fail(d, DLP_DEV_E_ARG,
                            "CSR offset 0x%x: must be a multiple of 4 below 0x1000", off);
    return 0;
}

int dlp_dev_reg_read(dlp_dev *d, uint32_t off, uint32_t *val)
{
    if (!d || !val)
        return DLP_DEV_E_ARG;
    int rc = check_off(d, off);
    if (rc)
        return rc;
    *val = d->be->reg_read(d, off);
    return DLP_DEV_OK;
}

int dlp_dev_reg_write(dlp_dev *d, uint32_t off, uint32_t val)
{
    if (!d)
        return DLP_DEV_E_ARG;
    int rc = check_off(d, off);
    if (rc)
        return rc;
    d->be->reg_write(d, off, val);
    return DLP_DEV_OK;
}

void dlp_dev_set_progress(dlp_dev *d, dlp_dev_progress_fn fn, void *user)
{
    if (!d)
        return;
    d->progress = fn;
    d->progress_user = user;
}

int dlp_dev_perf(dlp_dev *d, uint64_t *perf, int n)
{
    if (!d || !perf || n < 0 || n > DLP_NUM_PERF)
        return d ? dlp_dev_fail(d, DLP_DEV_E_ARG, "dlp_dev_perf: n = %d, must be 0..%d", n,
                                DLP_NUM_PERF)
                 : DLP_DEV_E_ARG;
    for (int k = 0; k < n; k++) {
        /* Reading LO latches HI. */
        const uint32_t lo = d->be->reg_read(d, DLP_CSR_PERF_BASE + 8u * k);
        const uint32_t hi = d->be->reg_read(d, DLP_CSR_PERF_BASE + 8u * k + 4);
        perf[k] = (uint64_t)hi << 32 | lo;
    }
    return DLP_DEV_OK;
}

/* ------------------------------------------------------------------ DMA memory */
int dlp_buf_alloc(dlp_dev *d, size_t size, dlp_buf **out)
{
    if (out)
        *out = NULL;
    if (!d || !out || !size)
        return d ? dlp_dev_fail(d, DLP_DEV_E_ARG, "dlp_buf_alloc: size 0 or out NULL")
                 : DLP_DEV_E_ARG;
    if (size > d->dma_size)
        return dlp_dev_fail(d, DLP_DEV_E_NOMEM,
                            "DMA buffer of %zu bytes is larger than the whole DMA region (%llu "
                            "bytes)",
                            size, (unsigned long long)d->dma_size);
    const size_t span = (size + DLP_PAGE - 1) / DLP_PAGE * DLP_PAGE;
    /* First fit over the gaps between the buffers (sorted by offset). */
    uint64_t at = 0;
    dlp_buf **link = &d->bufs;
    for (dlp_buf *b = d->bufs; b; b = b->next) {
        if (b->off - at >= span)
            break;
        at = b->off + b->span;
        link = &b->next;
    }
    if (at + span > d->dma_size) {
        uint64_t used = 0;
        for (dlp_buf *b = d->bufs; b; b = b->next)
            used += b->span;
        return dlp_dev_fail(d, DLP_DEV_E_NOMEM,
                            "no room for a DMA buffer of %zu bytes: %llu of %llu bytes of the DMA "
                            "region in use (free buffers, or open with a larger mem_size / "
                            "u-dma-buf size)",
                            size, (unsigned long long)used, (unsigned long long)d->dma_size);
    }
    dlp_buf *nb = calloc(1, sizeof *nb);
    if (!nb)
        return dlp_dev_fail(d, DLP_DEV_E_NOMEM, "out of host memory");
    nb->d = d;
    nb->off = at;
    nb->size = size;
    nb->span = span;
    nb->next = *link;
    *link = nb;
    *out = nb;
    return DLP_DEV_OK;
}

void dlp_buf_free(dlp_buf *b)
{
    if (!b)
        return;
    for (dlp_buf **link = &b->d->bufs; *link; link = &(*link)->next) {
        if (*link == b) {
            *link = b->next;
            free(b);
            return;
        }
    }
}

uint64_t dlp_buf_addr(const dlp_buf *b)
{
    return b ? b->d->dma_base + b->off : 0;
}

size_t dlp_buf_size(const dlp_buf *b)
{
    return b ? b->size : 0;
}

static int buf_range(dlp_buf *b, size_t off, size_t len, const void *p, const char *what)
{
    if (!b)
        return DLP_DEV_E_ARG;
    if (!p && len)
        return dlp_dev_fail(b->d, DLP_DEV_E_ARG, "%s: NULL host pointer", what);
    if (off > b->size || len > b->size - off)
        return dlp_dev_fail(b->d, DLP_DEV_E_RANGE,
                            "%s: bytes [%zu, %zu) are outside the buffer of %zu bytes at 0x%llx",
                            what, off, off + len, b->size, (unsigned long long)dlp_buf_addr(b));
    return 0;
}

int dlp_buf_write(dlp_buf *b, size_t off, const void *src, size_t len)
{
    int rc = buf_range(b, off, len, src, "dlp_buf_write");
    if (rc || !len)
        return rc;
    dlp_dev *d = b->d;
    memcpy(d->mem + b->off + off, src, len);
    if (d->be->sync_for_device)
        return d->be->sync_for_device(d, b->off + off, len);
    return DLP_DEV_OK;
}

int dlp_buf_read(dlp_buf *b, size_t off, void *dst, size_t len)
{
    int rc = buf_range(b, off, len, dst, "dlp_buf_read");
    if (rc || !len)
        return rc;
    dlp_dev *d = b->d;
    if (d->be->sync_for_cpu && (rc = d->be->sync_for_cpu(d, b->off + off, len)))
        return rc;
    memcpy(dst, d->mem + b->off + off, len);
    return DLP_DEV_OK;
}

/* ------------------------------------------------------------------ jobs */
static struct dlp_job *find_job(dlp_dev *d, uint32_t id)
{
    for (size_t i = 0; i < d->njobs; i++)
        if (d->jobs[i].id == id)
            return &d->jobs[i];
    return NULL;
}

static struct dlp_job *first_pending(dlp_dev *d)
{
    for (size_t i = 0; i < d->njobs; i++)
        if (!d->jobs[i].done)
            return &d->jobs[i];
    return NULL;
}

static const uint32_t IRQ_ENABLES = DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR;

static int start_job(dlp_dev *d, struct dlp_job *j)
{
    const dlp_backend *be = d->be;
    if (be->sync_for_device) {
        int rc = be->sync_for_device(d, 0, d->dma_size);
        if (rc)
            return rc;
    }
    be->reg_write(d, DLP_CSR_INSN_BASE, j->insn_addr);
    be->reg_write(d, DLP_CSR_INSN_COUNT, j->count);
    be->reg_write(d, DLP_CSR_WIN_BASE, j->win_base);
    be->reg_write(d, DLP_CSR_WIN_LIMIT, j->win_limit);
    be->reg_write(d, DLP_CSR_IRQ_STATUS, DLP_IRQ_DONE | DLP_IRQ_ERROR);
    be->reg_write(d, DLP_CSR_CTRL, DLP_CTRL_START | IRQ_ENABLES);
    d->running = 1;
    return DLP_DEV_OK;
}

/* Drop every job not finished yet (they never ran, or were stopped by a soft reset). */
static void drop_pending(dlp_dev *d)
{
    for (size_t i = 0; i < d->njobs; i++) {
        struct dlp_job *j = &d->jobs[i];
        if (j->done)
            continue;
        j->done = j->dropped = 1;
        memset(&j->res, 0, sizeof j->res);
        j->res.status = DLP_DEV_E_DEVICE;
    }
    d->running = 0;
}

/* The running job has raised the interrupt: collect its result. */
static int finish_job(dlp_dev *d, struct dlp_job *j, uint32_t status)
{
    const dlp_backend *be = d->be;
    dlp_job_result *r = &j->res;
    memset(r, 0, sizeof *r);
    r->err_code = be->reg_read(d, DLP_CSR_ERR_CODE);
    r->err_index = be->reg_read(d, DLP_CSR_ERR_INDEX);
    r->err_addr = be->reg_read(d, DLP_CSR_ERR_ADDR);
    (void)dlp_dev_perf(d, r->perf, DLP_NUM_PERF);
    be->reg_write(d, DLP_CSR_IRQ_STATUS, DLP_IRQ_DONE | DLP_IRQ_ERROR);
    r->status = (status & DLP_STATUS_ERROR) ? DLP_DEV_E_DEVICE : DLP_DEV_OK;
    if (r->status == DLP_DEV_OK)
        r->err_code = r->err_index = r->err_addr = 0;
    j->done = 1;
    d->running = 0;
    if (be->sync_for_cpu) {
        int rc = be->sync_for_cpu(d, 0, d->dma_size);
        if (rc)
            return rc;
    }
    if (r->status != DLP_DEV_OK)
        drop_pending(d); /* later jobs may depend on this one's results */
    return DLP_DEV_OK;
}

int dlp_dev_submit(dlp_dev *d, const dlp_job_desc *job, uint32_t *job_id)
{
    if (!d || !job || !job_id)
        return d ? dlp_dev_fail(d, DLP_DEV_E_ARG, "dlp_dev_submit: job and job_id must be set")
                 : DLP_DEV_E_ARG;
    const dlp_buf *ib = job->insns;
    if (!ib || ib->d != d)
        return dlp_dev_fail(d, DLP_DEV_E_ARG,
                            "dlp_dev_submit: insns must be a buffer allocated on this device");
    if (!job->count)
        return dlp_dev_fail(d, DLP_DEV_E_ARG, "dlp_dev_submit: the program has 0 instructions");
    if (job->insn_off > ib->size ||
        (uint64_t)job->count * DLP_INSN_BYTES > ib->size - job->insn_off)
        return dlp_dev_fail(d, DLP_DEV_E_RANGE,
                            "dlp_dev_submit: %u instructions at offset %zu do not fit the "
                            "program buffer of %zu bytes",
                            job->count, job->insn_off, ib->size);
    uint64_t wb = job->win_base, wl = job->win_limit;
    if (!wb && !wl) {
        wb = d->dma_base;
        wl = d->dma_base + d->dma_size - 1;
    }
    if (wl < wb || wl > 0xFFFFFFFFull)
        return dlp_dev_fail(d, DLP_DEV_E_ARG,
                            "dlp_dev_submit: DMA window [0x%llx, 0x%llx] is empty or above 4 GiB",
                            (unsigned long long)wb, (unsigned long long)wl);
    if (d->njobs == d->cap_jobs) {
        size_t cap = d->cap_jobs ? 2 * d->cap_jobs : 16;
        struct dlp_job *nj = realloc(d->jobs, cap * sizeof *nj);
        if (!nj)
            return dlp_dev_fail(d, DLP_DEV_E_NOMEM, "out of host memory queueing a job");
        d->jobs = nj;
        d->cap_jobs = cap;
    }
    struct dlp_job *j = &d->jobs[d->njobs++];
    memset(j, 0, sizeof *j);
    j->id = d->next_id++;
    if (!d->next_id)
        d->next_id = 1;
    j->insn_addr = (uint32_t)(dlp_buf_addr(ib) + job->insn_off);
    j->count = job->count;
    j->win_base = (uint32_t)wb;
    j->win_limit = (uint32_t)wl;
    *job_id = j->id;
    if (d->be->async && !d->running)
        return start_job(d, first_pending(d));
    return DLP_DEV_OK;
}

static void remove_job(dlp_dev *d, struct dlp_job *j)
{
    size_t i = (size_t)(j - d->jobs);
    memmove(&d->jobs[i], &d->jobs[i + 1], (d->njobs - i - 1) * sizeof *j);
    d->njobs--;
}

int dlp_dev_wait(dlp_dev *d, uint32_t job_id, int timeout_ms, dlp_job_result *res)
{
    if (!d)
        return DLP_DEV_E_ARG;
    if (res) {
        memset(res, 0, sizeof *res);
        res->status = DLP_DEV_E_ARG;
    }
    struct dlp_job *j = find_job(d, job_id);
    if (!j)
        return dlp_dev_fail(d, DLP_DEV_E_ARG,
                            "dlp_dev_wait: no job %u (never submitted, or already waited for)",
                            job_id);
    const int64_t deadline = timeout_ms < 0 ? -1 : dlp_now_ms() + timeout_ms;
    while (!j->done) {
        struct dlp_job *head = first_pending(d);
        int rc;
        if (!d->running && (rc = start_job(d, head)))
            return rc;
        rc = d->be->wait_irq(d, deadline);
        if (rc == DLP_DEV_E_TIMEOUT) {
            if (res)
                res->status = rc;
            return dlp_dev_fail(d, rc,
                                "job %u did not finish within %d ms (job %u is running on the "
                                "device): wait again, or stop it with dlp_dev_soft_reset",
                                job_id, timeout_ms, head->id);
        }
        if (rc)
            return rc;
        const uint32_t st = d->be->reg_read(d, DLP_CSR_STATUS);
        if ((st & DLP_STATUS_BUSY) || !(st & (DLP_STATUS_DONE | DLP_STATUS_ERROR)))
            continue; /* not ours, or spurious: wait again */
        if ((rc = finish_job(d, head, st)))
            return rc;
        if (d->be->async && first_pending(d) && (rc = start_job(d, first_pending(d))))
            return rc;
        j = find_job(d, job_id); /* start_job does not move jobs, but be safe */
    }
    const dlp_job_result r = j->res;
    const int dropped = j->dropped;
    remove_job(d, j);
    if (res)
        *res = r;
    if (dropped)
        return dlp_dev_fail(d, DLP_DEV_E_DEVICE,
                            "job %u did not run: it was dropped by a soft reset or because an "
                            "earlier job failed",
                            job_id);
    if (r.status == DLP_DEV_E_DEVICE) {
        char idx[32];
        if (r.err_index == DLP_ERR_INDEX_FETCH)
            snprintf(idx, sizeof idx, "the program range");
        else
            snprintf(idx, sizeof idx, "instruction %u", r.err_index);
        return dlp_dev_fail(d, DLP_DEV_E_DEVICE,
                            "job %u failed on the device: %s (error %u) at %s, address 0x%08x: %s",
                            job_id, dlp_err_name(r.err_code), r.err_code, idx, r.err_addr,
                            dlp_err_desc(r.err_code));
    }
    return DLP_DEV_OK;
}

int dlp_dev_run(dlp_dev *d, const dlp_job_desc *job, int timeout_ms, dlp_job_result *res)
{
    uint32_t id = 0;
    int rc = dlp_dev_submit(d, job, &id);
    if (rc) {
        if (res) {
            memset(res, 0, sizeof *res);
            res->status = rc;
        }
        return rc;
    }
    return dlp_dev_wait(d, id, timeout_ms, res);
}

int dlp_dev_soft_reset(dlp_dev *d)
{
    if (!d)
        return DLP_DEV_E_ARG;
    const dlp_backend *be = d->be;
    be->reg_write(d, DLP_CSR_CTRL, DLP_CTRL_SOFT_RESET | IRQ_ENABLES);
    /* Outstanding AXI transactions complete, then BUSY clears. Each read of a simulated
     * device advances it, so count reads as well as time. */
    const int64_t t0 = dlp_now_ms();
    int busy = 1;
    for (long i = 0; busy && (i < 10000 || dlp_now_ms() - t0 < DLP_RESET_MS); i++)
        busy = (be->reg_read(d, DLP_CSR_STATUS) & DLP_STATUS_BUSY) != 0;
    be->reg_write(d, DLP_CSR_IRQ_STATUS, DLP_IRQ_DONE | DLP_IRQ_ERROR);
    drop_pending(d);
    if (busy)
        return dlp_dev_fail(d, DLP_DEV_E_IO,
                            "soft reset: STATUS.BUSY still set %d ms after CTRL.SOFT_RESET (the "
                            "device does not respond; reload the bitstream / power-cycle)",
                            DLP_RESET_MS);
    return DLP_DEV_OK;
}
