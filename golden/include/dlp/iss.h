/*
 * dlp/iss.h - instruction-set simulator of the DLP.
 *
 * Executes instruction streams over a DDR memory image exactly as the hardware does
 * (docs/ARCHITECTURE.md): same scratchpad sizes, same queues and dependency tokens, same
 * error codes, ERR_INDEX/ERR_ADDR and architectural counters. It is driven through the
 * same CSR map as the RTL, so a driver backend can sit on it unchanged.
 *
 * Memory model: DDR is a byte array covering [mem_base, mem_base + mem_size). A DMA
 * access inside the protection window but outside that array gets DECERR, as an AXI
 * interconnect would answer (-> DLP_ERR_AXI_READ / DLP_ERR_AXI_WRITE); extra fault
 * ranges can be added to provoke SLVERR.
 *
 * Writing CTRL.START runs the whole program before the write returns (the ISS is a
 * functional model); STATUS then reads DONE or ERROR and the IRQ line is updated.
 * The timing counters (DLP_PERF_FIRST_TIMING and up) hold the ISS's cycle estimate.
 */
#ifndef DLP_ISS_H
#define DLP_ISS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dlp/isa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Build-time configuration of a DLP instance (the RTL parameters). */
typedef struct {
    uint32_t n;           /* array size N: 4, 8 or 16 (default 16) */
    uint32_t bus_bytes;   /* AXI data bytes: 8 or 16 (default 16) */
    uint32_t act_bytes;   /* ACT scratchpad bytes (default 128 KiB) */
    uint32_t wgt_bytes;   /* WGT scratchpad bytes (default 128 KiB) */
    uint32_t acc_bytes;   /* ACC scratchpad bytes (default 64 KiB) */
    uint32_t queue_depth; /* instructions per queue (default 8) */
    uint32_t token_bits;  /* width of each token counter (default 8: at most 255) */
    uint32_t mem_latency; /* DDR read latency in cycles, for the cycle estimate (100) */
} dlp_config;

void dlp_config_default(dlp_config *c);
/* 0, or -1 with a message in buf when a parameter is outside what the RTL supports. */
int dlp_config_check(const dlp_config *c, char *buf, size_t len);

/* Derived sizes. */
static inline uint32_t dlp_act_rows(const dlp_config *c)
{
    return c->act_bytes / c->n;
}
static inline uint32_t dlp_wgt_rows(const dlp_config *c)
{
    return c->wgt_bytes / c->n;
}
static inline uint32_t dlp_acc_rows(const dlp_config *c)
{
    return c->acc_bytes / (4 * c->n);
}
/* Bytes of one DMA element (one scratchpad row) of scratchpad sp. */
static inline uint32_t dlp_elem_bytes(const dlp_config *c, uint32_t sp)
{
    return sp == DLP_SP_ACC ? 4 * c->n : c->n;
}
/* ACT rows holding the 256 int16 LUT entries (LUTLD). */
static inline uint32_t dlp_lut_rows(const dlp_config *c)
{
    return 512 / c->n;
}

typedef struct dlp_iss dlp_iss;

/* NULL on bad config or allocation failure. */
dlp_iss *dlp_iss_new(const dlp_config *cfg, uint32_t mem_base, size_t mem_size);
void dlp_iss_free(dlp_iss *s);
const dlp_config *dlp_iss_config(const dlp_iss *s);

/* Pointer to DDR bytes [addr, addr+len), or NULL when outside the memory image. */
uint8_t *dlp_iss_mem(dlp_iss *s, uint32_t addr, size_t len);

/* Make accesses that touch [addr, addr+len) fail with SLVERR (reads and/or writes). */
int dlp_iss_add_fault(dlp_iss *s, uint32_t addr, uint32_t len, int reads, int writes);
void dlp_iss_clear_faults(dlp_iss *s);

/* CSR access, byte offsets of dlp/isa.h. Unmapped offsets read 0, writes are ignored. */
uint32_t dlp_iss_csr_read(dlp_iss *s, uint32_t off);
void dlp_iss_csr_write(dlp_iss *s, uint32_t off, uint32_t value);
int dlp_iss_irq(const dlp_iss *s);

/* Convenience: program the CSRs, start, return ERR_CODE (0 = done). */
int dlp_iss_run(dlp_iss *s, uint32_t insn_base, uint32_t insn_count, uint32_t win_base,
                uint32_t win_limit);
uint64_t dlp_iss_perf(const dlp_iss *s, int k);

/* Stepped mode (for drivers that must honour a timeout): when on, writing CTRL.START only
 * starts the program (STATUS.BUSY) and each dlp_iss_step runs at most max_reps instruction
 * repetitions (one DMA, GEMM or VEC execution of a LOOP expansion each; 0 counts as 1),
 * suspending an instruction in the middle if needed. Returns 1 while the program is still
 * running. Results, counters and errors are identical to running it inside the START
 * write (the schedule is the same). Off by default. */
void dlp_iss_set_stepped(dlp_iss *s, int on);
int dlp_iss_step(dlp_iss *s, uint32_t max_reps);

/* Scratchpad rows for tests: pointer to row `row` of sp (bytes: N or 4N), NULL if out of
 * range. The LUT table (256 int16). */
uint8_t *dlp_iss_sp_row(dlp_iss *s, uint32_t sp, uint32_t row);
const int16_t *dlp_iss_lut(const dlp_iss *s);

/* Print each instruction as it executes (queue, index, disassembly) to f; NULL = off. */
void dlp_iss_trace(dlp_iss *s, FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* DLP_ISS_H */
