/*
 * be_iss.c - the "iss" backend: the golden instruction-set simulator behind its CSR
 * interface (dlp/iss.h), in stepped mode: writing CTRL.START only starts the program and
 * wait_irq advances it 4096 instruction repetitions at a time (dlp_iss_step), so the job's
 * timeout is honoured; the shared code defers START to dlp_dev_wait.
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
    dlp_iss_set_stepped(s, 1);
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
    dlp_iss *s = iss_of(d);
    /* 4096 instruction repetitions (DMA, GEMM or VEC executions) between clock reads. */
    while (dlp_iss_step(s, 4096))
        if (deadline_ms >= 0 && dlp_now_ms() >= deadline_ms)
            return dlp_dev_fail(d, DLP_DEV_E_TIMEOUT, "iss: job still running at the timeout");
    if (dlp_iss_irq(s))
        return DLP_DEV_OK;
    /* Not busy and no interrupt: interrupts disabled through dlp_dev_reg_write, or no job
     * started. */
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
