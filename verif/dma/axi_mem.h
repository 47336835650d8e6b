// axi_mem.h - AXI4 slave memory model and AXI4 protocol checker for the DMA testbench.
//
// AxiMem: a byte array [base, base + size). Called once per cycle: drive() sets the
// slave's outputs for the cycle from its own state only (random AR/AW/W ready, R beats
// after `rd_latency` cycles from the AR handshake with random gaps, B responses);
// sample() sees the settled pins just before the clock edge and takes the handshakes.
// At most one R beat per cycle, bursts answered in order. A beat outside the memory
// gets DECERR, a beat touching a read-fault range SLVERR (writes: the strobed bytes;
// faulty beats are not written). W beats are accepted only for an accepted AW (the DMA
// never sends W first).
//
// AxiChecker: protocol rules on the master side (and the model's): VALID held until
// READY with a stable payload on every channel, INCR, full-width size, aligned address,
// len <= 255, no 4 KiB crossing, WLAST exactly on the last beat, addresses inside the
// window (reads: the bus-aligned window, since a beat is the bus's unit; writes: every
// strobed byte), no transaction while `allow` is false. Errors are collected as text.
#ifndef DMA_AXI_MEM_H
#define DMA_AXI_MEM_H

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "axi_pins.h"

struct AxiMemCfg {
    uint32_t base = 0, size = 0;
    unsigned bus_bytes = 16;
    unsigned rd_latency = 100;
    double p_arready = 1, p_awready = 1, p_wready = 1, p_rbeat = 1, p_bvalid = 1;
};

class AxiMem
{
  public:
    AxiMem(const AxiMemCfg &cfg, uint64_t seed);
    std::vector<uint8_t> mem;
    AxiMemCfg cfg;
    void add_fault(uint32_t addr, uint32_t len, bool reads, bool writes);
    void clear_faults() { faults_.clear(); }
    void drive(AxiPins &p);
    void sample(const AxiPins &p);
    bool idle() const { return rq_.empty() && awq_.empty() && bq_.empty() && !rv_ && !bv_; }

  private:
    struct Fault {
        uint32_t addr, len;
        bool reads, writes;
    };
    struct Rd {
        uint32_t id, addr, beats, idx;
        uint64_t t;
    };
    struct Wr {
        uint32_t id, addr, beats, idx;
        bool err, decerr;
    };
    struct Bq {
        uint32_t id, resp;
        uint64_t t;
    };
    bool in_mem(uint64_t a, uint64_t n) const;
    bool faulty(uint64_t a, uint64_t n, bool write) const;
    Rng rng_;
    uint64_t cycle_ = 0;
    std::vector<Fault> faults_;
    std::deque<Rd> rq_;
    std::deque<Wr> awq_;
    std::deque<Bq> bq_;
    bool rv_ = false, bv_ = false;
    AxiPins out_; // the outputs driven this cycle
};

class AxiChecker
{
  public:
    AxiChecker(unsigned bus_bytes) : bus_(bus_bytes) {}
    void set_window(uint32_t b, uint32_t l)
    {
        wb_ = b;
        wl_ = l;
    }
    bool allow = true;            // transactions permitted now
    void check(const AxiPins &p); // once per cycle, settled pins before the edge
    unsigned open_reads() const { return (unsigned)rd_.size(); }
    unsigned open_writes() const { return (unsigned)aw_.size() + (unsigned)wdone_; }
    uint64_t ar_count = 0, aw_count = 0;
    unsigned max_reads_in_flight = 0;
    std::vector<std::string> errors;

  private:
    void err(const std::string &s);
    unsigned bus_;
    uint32_t wb_ = 0, wl_ = 0xFFFFFFFFu;
    bool have_prev_ = false;
    AxiPins prev_;
    std::deque<uint32_t> rd_;     // beats left of each open read burst
    std::deque<uint32_t> aw_;     // beats left of each write burst (W not complete)
    std::deque<uint32_t> awaddr_; // its address
    uint32_t awbeat_ = 0;         // beats sent of the front burst
    unsigned wdone_ = 0;          // bursts with all W sent, awaiting B
    uint64_t cycle_ = 0;
};

#endif
