// sp_port.h - C++ model of one scratchpad request port of the execution-unit contract
// (rtl/README.md): req held until gnt, write on the granted edge, read data the cycle
// after a granted read (garbage otherwise). Grants are random: each cycle with
// probability p_gnt, plus long stalls (up to 60 cycles) started with probability p_burst.
// Checks that a request is held unchanged until granted and that rows are in range.
// Call grant() before the clock edge (after the model's outputs settled), then edge().
#ifndef SP_PORT_H
#define SP_PORT_H

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

struct SpPort {
    const char *name;
    std::vector<uint8_t> &mem;
    uint32_t rows, row_bytes;
    std::mt19937_64 &rng;
    double p_gnt = 1.0, p_burst = 0.0;
    int stall = 0;
    bool pend = false; // requested and not granted last cycle
    uint32_t pend_addr = 0;
    bool pend_we = false;
    bool rd_pend = false; // granted read: data next cycle
    uint32_t rd_row = 0;
    int accesses = 0; // granted requests since clear()
    bool error = false;

    SpPort(const char *n, std::vector<uint8_t> &m, uint32_t r, uint32_t rb, std::mt19937_64 &g)
        : name(n), mem(m), rows(r), row_bytes(rb), rng(g)
    {
    }

    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

    // Read data for this cycle: the row read on the previous granted edge, or random.
    void rdata(uint8_t *out)
    {
        if (rd_pend)
            memcpy(out, &mem[(size_t)rd_row * row_bytes], row_bytes);
        else
            for (uint32_t i = 0; i < row_bytes; i++)
                out[i] = (uint8_t)rng();
        rd_pend = false;
    }

    // Grant decision for this cycle (only with a request).
    bool grant(bool req)
    {
        if (stall == 0 && p_burst > 0 && chance(p_burst))
            stall = (int)(rng() % 60);
        bool g = stall == 0 && chance(p_gnt);
        if (stall)
            stall--;
        return req && g;
    }

    // The clock edge: protocol checks, then the access.
    void edge(bool req, bool gnt, bool we, uint32_t addr, const uint8_t *wdata)
    {
        if (pend && (!req || addr != pend_addr || we != pend_we)) {
            if (!error)
                fprintf(stderr, "  %s: request dropped or changed before its grant\n", name);
            error = true;
        }
        pend = req && !gnt;
        pend_addr = addr;
        pend_we = we;
        if (!gnt)
            return;
        accesses++;
        if (addr >= rows) {
            if (!error)
                fprintf(stderr, "  %s: row %u out of range\n", name, addr);
            error = true;
            return;
        }
        if (we)
            memcpy(&mem[(size_t)addr * row_bytes], wdata, row_bytes);
        else {
            rd_pend = true;
            rd_row = addr;
        }
    }
};

#endif
