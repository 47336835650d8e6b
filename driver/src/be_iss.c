/*
 * be_iss.c - the "iss" backend: the golden instruction-set simulator behind its CSR
 * interface (dlp/iss.h). Writing CTRL.START runs the whole program inside the register
 * write; the shared code defers that write to dlp_dev_wait, so the work happens there.
 * The ISS cannot be interrupted: a job's timeout is not enforced (every program ends:
 * loop counts are bounded and a deadlock is detected and reported as an error).
 */
#include <stdio.h>

#include "dev_internal.h"

static dlp_iss *iss_of(dlp_dev *d)
{
    return (dlp_iss *)d->priv;
}

static int iss_open(dlp_dev *d, const char *arg, const dlp_dev_opts *o)
{
    (void)arg;
    dlp_config cfg = o->cfg;
    cfg.mem_latency = o->sim_latency;
    char why[256];
    if (dlp_config_check(&cfg, why, sizeof why))
        return dlp_dev_fail(d, DLP_DEV_E_ARG, "device \"iss\": bad configuration: %s", why);
    dlp_iss *s = dlp_iss_new(&cfg, o->mem_base, o->mem_size);
    if (!s)
        return dlp_dev_fail(d, DLP_DEV_E_NOMEM,
                            "device \"iss\": cannot allocate %zu bytes of simulated DDR",
                            o->mem_size);
    d->priv = s;
    d->mem = dlp_iss_mem(s, o->mem_base, o->mem_size);
    d->dma_base = o->mem_base;
    d->dma_size = o->mem_size;
    return DLP_DEV_OK;
}

static void iss_close(dlp_dev *d)
{
    dlp_iss_free(iss_of(d));
}

static uint32_t iss_reg_read(dlp_dev *d, uint32_t off)
{
    return dlp_iss_csr_read(iss_of(d), off);
}

static void iss_reg_write(dlp_dev *d, uint32_t off, uint32_t val)
{
    dlp_iss_csr_write(iss_of(d), off, val);
}

static int iss_wait_irq(dlp_dev *d, int64_t deadline_ms)
{
    (void)deadline_ms;
    if (dlp_iss_irq(iss_of(d)))
        return DLP_DEV_OK;
    /* The ISS finishes a program inside the START write: no interrupt now means none will
     * ever come (interrupts disabled through dlp_dev_reg_write, or no job started). */
    return dlp_dev_fail(d, DLP_DEV_E_TIMEOUT, "iss: no interrupt pending");
}

const dlp_backend dlp_backend_iss = {
    .name = "iss",
    .async = 0,
    .open = iss_open,
    .close = iss_close,
    .reg_read = iss_reg_read,
    .reg_write = iss_reg_write,
    .wait_irq = iss_wait_irq,
    .sync_for_device = NULL,
    .sync_for_cpu = NULL,
};
