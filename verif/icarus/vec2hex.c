/*
 * vec2hex - turn one test vector (verif/top/case_file.h format, written by
 * golden/tests/test_iss_ops with DLP_DUMP_DIR set) into $readmemh files for the Icarus
 * top-level testbench, running it on the golden ISS for the expected result.
 *   usage: vec2hex CASE.bin OUTPREFIX [CORRUPT [INSN_COUNT]]
 * writes
 *   OUTPREFIX.img  initial DDR image [mem_base, mem_base + bytes), one byte per line
 *   OUTPREFIX.exp  the ISS's final DDR image, one byte per line
 *   OUTPREFIX.par  32-bit words, one per line (index: meaning)
 *                    0 mem_base  1 image bytes  2 INSN_BASE  3 INSN_COUNT  4 WIN_BASE
 *                    5 WIN_LIMIT  6 STATUS  7 ERR_CODE  8 N  9 bus bytes
 *                    10 ACT bytes  11 WGT bytes  12 ACC bytes  13 queue depth  14 token bits
 *                    15 number of checked counters K
 *                    16 1: compare the DDR image (no error, or an empty program, which
 *                       writes nothing before its NO_FINISH error); 0: don't (DDR is
 *                       undefined after an error)
 *                    17 + 3i: counter index, expected LO, expected HI  (i < K)
 * and prints the case name. CORRUPT (a byte offset) flips the low bit of that byte of
 * the expected image, to check that the testbench can fail (-1: none). INSN_COUNT
 * overrides the program length (0: an empty program, DONE at once, which checks the
 * harness itself).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/iss.h"

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "vec2hex: %s: %s\n", path, what);
    return 1;
}

static int write_bytes(const char *prefix, const char *ext, const uint8_t *p, uint32_t n)
{
    char name[1024];
    snprintf(name, sizeof name, "%s.%s", prefix, ext);
    FILE *f = fopen(name, "w");
    if (!f)
        return fail("cannot write", name);
    for (uint32_t i = 0; i < n; i++)
        fprintf(f, "%02x\n", p[i]);
    return fclose(f) ? fail("write error", name) : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CASE.bin OUTPREFIX [CORRUPT_OFFSET|-1 [INSN_COUNT]]\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return fail("cannot open", argv[1]);
    uint32_t h[16];
    char cname[33] = {0};
    if (fread(h, sizeof h, 1, f) != 1 || fread(cname, 32, 1, f) != 1 || h[0] != 0x43504c44u ||
        h[1] != 1) {
        fclose(f);
        return fail("not a version-1 DLPC test vector", argv[1]);
    }
    const uint32_t mem_base = h[9], bytes = h[10];
    if (argc > 4)
        h[12] = (uint32_t)strtoul(argv[4], NULL, 0);
    uint8_t *img = malloc(bytes ? bytes : 1);
    if (!img || fread(img, 1, bytes, f) != bytes) {
        fclose(f);
        return fail("truncated image", argv[1]);
    }
    fclose(f);

    dlp_config cfg;
    dlp_config_default(&cfg);
    cfg.n = h[2], cfg.bus_bytes = h[3], cfg.act_bytes = h[4], cfg.wgt_bytes = h[5];
    cfg.acc_bytes = h[6], cfg.queue_depth = h[7], cfg.token_bits = h[8];
    dlp_iss *iss = dlp_iss_new(&cfg, mem_base, bytes);
    if (!iss)
        return fail("bad configuration", argv[1]);
    memcpy(dlp_iss_mem(iss, mem_base, bytes), img, bytes);
    int err = dlp_iss_run(iss, h[11], h[12], h[13], h[14]);
    uint8_t *fin = dlp_iss_mem(iss, mem_base, bytes);
    if (argc > 3) {
        long off = strtol(argv[3], NULL, 0);
        if (off >= 0 && (uint32_t)off < bytes)
            fin[off] ^= 1;
    }
    if (write_bytes(argv[2], "img", img, bytes) || write_bytes(argv[2], "exp", fin, bytes))
        return 1;

    char name[1024];
    snprintf(name, sizeof name, "%s.par", argv[2]);
    FILE *p = fopen(name, "w");
    if (!p)
        return fail("cannot write", name);
    uint32_t w[16] = {
        mem_base,      bytes, h[11], h[12], h[13], h[14], dlp_iss_csr_read(iss, DLP_CSR_STATUS),
        (uint32_t)err, h[2],  h[3],  h[4],  h[5],  h[6],  h[7],
        h[8],          0};
    int ks[DLP_PERF_FIRST_TIMING], nk = 0;
    for (int k = 0; k < DLP_PERF_FIRST_TIMING; k++)
        if (strcmp(dlp_perf_name(k), "reserved"))
            ks[nk++] = k;
    w[15] = (uint32_t)nk;
    for (int i = 0; i < 16; i++)
        fprintf(p, "%08x\n", w[i]);
    fprintf(p, "%08x\n", err == 0 || h[12] == 0 ? 1u : 0u);
    for (int i = 0; i < nk; i++) {
        uint64_t v = dlp_iss_perf(iss, ks[i]);
        fprintf(p, "%08x\n%08x\n%08x\n", (uint32_t)ks[i], (uint32_t)v, (uint32_t)(v >> 32));
    }
    if (fclose(p))
        return fail("write error", name);
    printf("%s: %s, %s, %llu insns, %llu MACs, ISS estimate %llu cycles\n", argv[2], cname,
           dlp_err_name((uint32_t)err), (unsigned long long)dlp_iss_perf(iss, DLP_PERF_INSNS),
           (unsigned long long)dlp_iss_perf(iss, DLP_PERF_MACS),
           (unsigned long long)dlp_iss_perf(iss, DLP_PERF_CYCLES));
    dlp_iss_free(iss);
    free(img);
    return 0;
}
