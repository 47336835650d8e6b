// sram_port.h - C++ models of the scratchpad request ports of rtl/README.md.
//
// Called once per cycle with the pins: cycle() before the clock edge decides the grant
// (request AND a random stall pattern) and samples the transaction; after_edge() applies
// writes and presents read data for the next cycle (1-cycle latency after the grant).
// Cycles without a grant the cycle before get random bytes on rdata, so a unit that
// samples rdata at the wrong time fails the comparison.
#pragma once
#include <cstdint>
#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

// Random grant pattern: a per-cycle grant probability plus occasional long stalls.
struct StallGen {
    double p_gnt = 1.0;  // probability of a grant while requesting
    double p_long = 0.0; // probability per cycle of starting a long stall
    int long_max = 0;    // longest stall in cycles
    int long_left = 0;

    bool next(std::mt19937_64 &rng)
    {
        std::uniform_real_distribution<double> u(0.0, 1.0);
        if (long_left > 0) {
            long_left--;
            return false;
        }
        if (p_long > 0 && u(rng) < p_long) {
            long_left = 1 + (int)(rng() % (uint64_t)long_max);
            return false;
        }
        return u(rng) < p_gnt;
    }
    void randomize(std::mt19937_64 &rng)
    {
        static const double ps[] = {1.0, 1.0, 0.9, 0.7, 0.5, 0.25, 0.1};
        p_gnt = ps[rng() % (sizeof ps / sizeof ps[0])];
        p_long = (rng() % 3 == 0) ? 0.01 : 0.0;
        long_max = (rng() % 2) ? 30 : 300;
        long_left = 0;
    }
    void none()
    {
        p_gnt = 1.0;
        p_long = 0.0;
        long_left = 0;
    }
};

// One port on a row-addressed memory (rows x row_bytes bytes). `mem` is shared by the
// ports of one scratchpad (ACC has a read and a write port).
struct SramPort {
    const char *name;
    std::vector<uint8_t> *mem;
    uint32_t rows, row_bytes;
    bool allow_write;
    StallGen stall;
    std::vector<uint8_t> rdata; // presented to the unit this cycle
    uint64_t grants = 0, errors = 0;

    bool rd_pend = false, wr_pend = false;
    uint32_t wr_addr = 0;
    std::vector<uint8_t> rd_next, wr_data;

    SramPort(const char *n, std::vector<uint8_t> *m, uint32_t r, uint32_t rb, bool w)
        : name(n), mem(m), rows(r), row_bytes(rb), allow_write(w), rdata(rb), rd_next(rb),
          wr_data(rb)
    {
    }

    // Protocol: a request not granted must be held, unchanged, until granted.
    bool held = false, held_we = false;
    uint32_t held_addr = 0;
    std::vector<uint8_t> held_wdata;
    uint64_t protocol_errors = 0;

    // Before the edge: pins of this cycle; returns gnt_i.
    bool cycle(std::mt19937_64 &rng, bool req, bool we, uint32_t addr, const uint8_t *wdata)
    {
        if (held && (!req || we != held_we || addr != held_addr ||
                     (we && !std::equal(held_wdata.begin(), held_wdata.end(), wdata)))) {
            if (protocol_errors++ < 5)
                fprintf(stderr, "%s: request changed or withdrawn before its grant\n", name);
        }
        bool gnt = req && stall.next(rng);
        held = req && !gnt;
        if (held) {
            held_we = we;
            held_addr = addr;
            if (we)
                held_wdata.assign(wdata, wdata + row_bytes);
        }
        if (!gnt)
            return false;
        grants++;
        if (addr >= rows || we != allow_write) {
            if (errors++ < 5)
                fprintf(stderr, "%s: bad access addr %u we %d\n", name, addr, (int)we);
            return true;
        }
        if (we) {
            wr_pend = true;
            wr_addr = addr;
            for (uint32_t i = 0; i < row_bytes; i++)
                wr_data[i] = wdata[i];
        } else {
            rd_pend = true;
            for (uint32_t i = 0; i < row_bytes; i++)
                rd_next[i] = (*mem)[(size_t)addr * row_bytes + i];
        }
        return true;
    }

    // After the edge: commit the write, present read data (or garbage).
    void after_edge(std::mt19937_64 &rng)
    {
        if (wr_pend)
            for (uint32_t i = 0; i < row_bytes; i++)
                (*mem)[(size_t)wr_addr * row_bytes + i] = wr_data[i];
        for (uint32_t i = 0; i < row_bytes; i++)
            rdata[i] = rd_pend ? rd_next[i] : (uint8_t)rng();
        rd_pend = wr_pend = false;
    }
};
