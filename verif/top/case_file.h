// case_file.h - test-vector files for the top-level harness.
//
// Written by golden/tests/test_iss_ops (dump_case) when DLP_DUMP_DIR is set. Layout:
// sixteen little-endian uint32 words
//   0 magic "DLPC"  1 version (1)  2 N  3 AXI bytes  4 ACT bytes  5 WGT bytes  6 ACC bytes
//   7 queue depth  8 token bits  9 mem_base  10 image bytes  11 INSN_BASE  12 INSN_COUNT
//   13 WIN_BASE  14 WIN_LIMIT  15 reserved
// then a 32-byte NUL-padded case name, then the DDR image [mem_base, mem_base + bytes).
// Version 2 (verif/top/gen_random) appends little-endian words:
//   nfaults, nfaults x {addr, len, reads, writes}   AXI SLVERR ranges (AxiMem/dlp_iss_add_fault)
//   rec_base, rec_count, chk_base, chk_len          recovery program run after SOFT_RESET
//                                                   (rec_count 0: none) and the DDR bytes
//                                                   it writes, compared with the ISS
//   expect_err                                      error code the program is built to end in
#ifndef VERIF_TOP_CASE_FILE_H
#define VERIF_TOP_CASE_FILE_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

struct CaseFile {
    uint32_t n, bus_bytes, act_bytes, wgt_bytes, acc_bytes, queue_depth, token_bits;
    uint32_t mem_base, insn_base, insn_count, win_base, win_limit;
    char name[33];
    std::vector<uint8_t> image;
    struct Fault {
        uint32_t addr, len, reads, writes;
    };
    std::vector<Fault> faults; // version 2
    uint32_t rec_base = 0, rec_count = 0, chk_base = 0, chk_len = 0, expect_err = 0;
    uint32_t version = 1;
};

static inline bool read_case_file(const std::string &path, CaseFile &c, std::string &err)
{
    FILE *f = fopen(path.c_str(), "rb");
    if (!f) {
        err = "cannot open";
        return false;
    }
    uint32_t h[16];
    bool ok = fread(h, sizeof h, 1, f) == 1 && fread(c.name, 32, 1, f) == 1;
    c.name[32] = 0;
    if (!ok || h[0] != 0x43504c44u || (h[1] != 1 && h[1] != 2)) {
        fclose(f);
        err = "not a version-1/2 DLPC test vector";
        return false;
    }
    c.n = h[2], c.bus_bytes = h[3], c.act_bytes = h[4], c.wgt_bytes = h[5], c.acc_bytes = h[6];
    c.queue_depth = h[7], c.token_bits = h[8], c.mem_base = h[9];
    c.insn_base = h[11], c.insn_count = h[12], c.win_base = h[13], c.win_limit = h[14];
    c.image.resize(h[10]);
    ok = fread(c.image.data(), 1, c.image.size(), f) == c.image.size();
    c.version = h[1];
    if (ok && h[1] == 2) {
        uint32_t nf = 0;
        ok = fread(&nf, 4, 1, f) == 1 && nf < 64;
        for (uint32_t i = 0; ok && i < nf; i++) {
            uint32_t w[4];
            ok = fread(w, sizeof w, 1, f) == 1;
            c.faults.push_back({w[0], w[1], w[2], w[3]});
        }
        uint32_t r[5];
        ok = ok && fread(r, sizeof r, 1, f) == 1;
        if (ok)
            c.rec_base = r[0], c.rec_count = r[1], c.chk_base = r[2], c.chk_len = r[3],
            c.expect_err = r[4];
    }
    fclose(f);
    if (!ok)
        err = "truncated image";
    return ok;
}

#endif
