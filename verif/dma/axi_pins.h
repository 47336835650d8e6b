// axi_pins.h - AXI4 channel pins as plain values, and a tiny xorshift RNG.
//
// The harness copies the DUT's pins into an AxiPins every cycle and back, so the bus
// models (axi_mem.h) do not depend on Verilator's width-dependent signal types.
#ifndef DMA_AXI_PINS_H
#define DMA_AXI_PINS_H

#include <cstdint>

struct AxiPins {
    // AR
    bool arvalid = false, arready = false;
    uint32_t arid = 0, araddr = 0, arlen = 0, arsize = 0, arburst = 0;
    // R
    bool rvalid = false, rready = false, rlast = false;
    uint32_t rid = 0, rresp = 0;
    uint8_t rdata[16] = {0};
    // AW
    bool awvalid = false, awready = false;
    uint32_t awid = 0, awaddr = 0, awlen = 0, awsize = 0, awburst = 0;
    // W
    bool wvalid = false, wready = false, wlast = false;
    uint8_t wdata[16] = {0};
    uint32_t wstrb = 0;
    // B
    bool bvalid = false, bready = false;
    uint32_t bid = 0, bresp = 0;
};

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
    uint64_t next()
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    uint32_t below(uint32_t n) { return n ? (uint32_t)(next() % n) : 0; }
    bool chance(double p) { return (next() >> 11) * (1.0 / 9007199254740992.0) < p; }
};

#endif
