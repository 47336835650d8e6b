// harness.cpp - clock, reset, bus models and unit models of the dlp_ctrl testbench.
#include "harness.h"

#include <cstdio>
#include <cstring>

namespace
{
// Per-cycle handshakes seen before the clock edge.
struct Seen {
    bool ar = false, r = false, aw = false, w = false, b = false, lar = false, lr = false;
    uint32_t ar_addr = 0;
    unsigned ar_len = 0, ar_size = 0, ar_burst = 0;
    uint32_t lr_data = 0;
    bool acc[4] = {false, false, false, false};
    Cmd cmd[4];
};

// AXI-Lite master state (one transaction at a time).
struct Lite {
    bool aw = false, w = false, b_wait = false, ar = false, r_wait = false;
    unsigned aw_delay = 0, w_delay = 0;
    uint32_t awaddr = 0, wdata = 0, wstrb = 0, araddr = 0, rdata = 0;
    bool bready = false, rready = false;
} lite;

// Unit phases.
enum { U_IDLE, U_BUSY, U_DONE };
int uphase[4];
uint64_t uchunk[4];
} // namespace

void Harness::reset()
{
    m->clk_i = 0;
    m->rst_ni = 0;
    for (int u = 0; u < 4; u++) {
        uphase[u] = U_IDLE;
        unit[u].ev_left = 0;
    }
    lite = Lite();
    axi.q.clear();
    for (int i = 0; i < 4; i++)
        tick();
    m->rst_ni = 1;
    tick();
}

void Harness::drive()
{
    // AXI-Lite
    m->s_axil_awvalid_i = lite.aw && lite.aw_delay == 0;
    m->s_axil_awaddr_i = lite.awaddr;
    m->s_axil_wvalid_i = lite.w && lite.w_delay == 0;
    m->s_axil_wdata_i = lite.wdata;
    m->s_axil_wstrb_i = lite.wstrb;
    m->s_axil_bready_i = lite.bready;
    m->s_axil_arvalid_i = lite.ar;
    m->s_axil_araddr_i = lite.araddr;
    m->s_axil_rready_i = lite.rready;

    // AXI4 read slave
    m->m_axi_arready_i = axi.ar_ready;
    bool rv = false;
    uint8_t data[AXI_BYTES];
    memset(data, 0, sizeof data);
    int resp = 0, last = 0;
    if (!axi.q.empty() && axi.q.front().ready_at <= cyc && axi.r_valid) {
        const auto &b = axi.q.front();
        uint32_t a = b.addr + b.sent * AXI_BYTES;
        resp = axi.resp_of(a);
        if (resp == 0)
            memcpy(data, &axi.mem[a - axi.base], AXI_BYTES);
        last = b.sent + 1 == b.beats;
        rv = true;
    }
    m->m_axi_rvalid_i = rv;
    m->m_axi_rresp_i = resp;
    m->m_axi_rlast_i = last;
#if CFG_AXIW == 64
    uint64_t q = 0;
    memcpy(&q, data, 8);
    m->m_axi_rdata_i = q;
#else
    for (int i = 0; i < AXI_BYTES / 4; i++) {
        uint32_t w;
        memcpy(&w, data + 4 * i, 4);
        m->m_axi_rdata_i[i] = w;
    }
#endif

    // units
    uint8_t ready = 0, done = 0, err = 0;
    uint16_t code = 0;
    uint16_t rd = 0, wr = 0;
    uint8_t vrows = 0, mrow = 0;
    for (int u = 0; u < 4; u++) {
        Unit &x = unit[u];
        if (uphase[u] == U_IDLE && x.ready)
            ready |= 1 << u;
        if (uphase[u] == U_DONE) {
            done |= 1 << u;
            if (x.err)
                err |= 1 << u;
            code |= (x.code & 0xF) << (4 * u);
            m->err_addr_i[u] = x.addr;
        } else {
            // Garbage on the error fields when done is low: the control must ignore them.
            code |= (rng() & 0xF) << (4 * u);
            m->err_addr_i[u] = rng();
        }
        uchunk[u] = 0;
        if (uphase[u] == U_BUSY && x.ev_left) {
            uint64_t c = u == 0 || u == 3 ? (x.ev_left > 4096 ? 4096 : x.ev_left) : 1;
            uchunk[u] = c;
            if (u == 0)
                rd = (uint16_t)c;
            else if (u == 3)
                wr = (uint16_t)c;
            else if (u == 1)
                mrow = 1;
            else
                vrows = 1;
        }
    }
    m->cmd_ready_i = ready;
    m->done_i = done;
    m->err_i = err;
    m->err_code_i = code;
    m->ev_rd_bytes_i = rd;
    m->ev_wr_bytes_i = wr;
    m->ev_mxu_row_i = mrow;
    m->ev_vec_rows_i = vrows;
    m->ev_stall_rd_i = uphase[0] == U_BUSY && pct(30);
    m->ev_stall_wr_i = uphase[3] == U_BUSY && pct(30);
    m->ev_stall_wgt_i = uphase[1] == U_BUSY && pct(10);
}

uint64_t Harness::unit_events(const Cmd &c, int kind) const
{
    uint32_t w0 = c.w[0];
    switch (kind) {
    case 0:
    case 3: {
        uint64_t E = ((w0 >> 16) & 3) == 2 ? 4 * n : n;
        uint64_t X = c.w[2] >> 16, Y = c.w[3] & 0xFFFF, Z = c.w[3] >> 16;
        return X * Y * Z * E;
    }
    case 1: {
        uint64_t np = c.w[2] >> 16, r1 = c.w[3] & 0xFFFF, r2 = c.w[3] >> 16;
        return np * r1 * r2;
    }
    default: {
        uint32_t func = (w0 >> 16) & 0xFF, count = c.w[2] >> 16, R = c.w[6] & 0xFFFF;
        if (func == 0x05)
            return 0;
        if (func == 0x08 || func == 0x09)
            return (uint64_t)count * R;
        return count;
    }
    }
}

void Harness::observe() {}

void Harness::tick()
{
    m->clk_i = 0;
    drive();
    m->eval();
#if VM_TRACE
    if (tr)
        tr->dump(2 * cyc);
#endif
    // handshakes before the edge
    Seen s;
    s.ar = m->m_axi_arvalid_o && m->m_axi_arready_i;
    s.ar_addr = m->m_axi_araddr_o;
    s.ar_len = m->m_axi_arlen_o;
    s.ar_size = m->m_axi_arsize_o;
    s.ar_burst = m->m_axi_arburst_o;
    s.r = m->m_axi_rvalid_i && m->m_axi_rready_o;
    s.aw = m->s_axil_awvalid_i && m->s_axil_awready_o;
    s.w = m->s_axil_wvalid_i && m->s_axil_wready_o;
    s.b = m->s_axil_bvalid_o && m->s_axil_bready_i;
    s.lar = m->s_axil_arvalid_i && m->s_axil_arready_o;
    s.lr = m->s_axil_rvalid_o && m->s_axil_rready_i;
    s.lr_data = m->s_axil_rdata_o;
    for (int u = 0; u < 4; u++) {
        bool v = (m->cmd_valid_o >> u) & 1;
        if (v && uphase[u] != U_IDLE)
            unit[u].protocol_error = true; // a command while the unit holds one
        if (v && uphase[u] == U_IDLE && unit[u].ready) {
            s.acc[u] = true;
            for (int i = 0; i < 8; i++)
                s.cmd[u].w[i] = m->cmd_insn_o[u][i];
            s.cmd[u].slot[0] = m->cmd_slot0_o[u];
            s.cmd[u].slot[1] = m->cmd_slot1_o[u];
            s.cmd[u].slot[2] = m->cmd_slot2_o[u];
        }
    }

    m->clk_i = 1;
    m->eval();
#if VM_TRACE
    if (tr)
        tr->dump(2 * cyc + 1);
#endif
    cyc++;

    // ---- update models
    // AXI read slave
    if (s.ar) {
        AxiMem::Burst b;
        b.addr = s.ar_addr;
        b.beats = s.ar_len + 1;
        b.sent = 0;
        b.ready_at = cyc + rnd(axi.min_lat, axi.max_lat);
        if (!axi.q.empty() && b.ready_at < axi.q.back().ready_at)
            b.ready_at = axi.q.back().ready_at;
        uint64_t bytes = (uint64_t)b.beats * AXI_BYTES;
        if ((b.addr & 0xFFF) + bytes > 0x1000 || bytes % 32 || b.addr % 32 ||
            (1u << s.ar_size) != AXI_BYTES || s.ar_burst != 1)
            axi.bad_burst = true;
        axi.q.push_back(b);
        axi.bursts++;
    }
    if (s.r) {
        auto &b = axi.q.front();
        if (++b.sent == b.beats)
            axi.q.pop_front();
    }
    axi.ar_ready = pct(60);
    axi.r_valid = pct(75);

    // AXI-Lite master
    if (s.aw)
        lite.aw = false;
    if (s.w)
        lite.w = false;
    if (lite.aw_delay)
        lite.aw_delay--;
    if (lite.w_delay)
        lite.w_delay--;
    if (s.b)
        lite.b_wait = false;
    lite.bready = lite.b_wait && pct(70);
    if (s.lar)
        lite.ar = false;
    if (s.lr) {
        lite.r_wait = false;
        lite.rdata = s.lr_data;
    }
    lite.rready = lite.r_wait && !lite.ar && pct(70);

    // units
    for (int u = 0; u < 4; u++) {
        Unit &x = unit[u];
        if (uphase[u] == U_DONE) {
            uphase[u] = U_IDLE;
        } else if (uphase[u] == U_BUSY) {
            x.ev_left -= uchunk[u];
            if (x.remaining > 0)
                x.remaining--;
            if (x.remaining == 0 && x.ev_left == 0)
                uphase[u] = U_DONE;
        }
        if (s.acc[u]) {
            size_t k = x.log.size();
            x.log.push_back(s.cmd[u]);
            auto f = x.fail.find(k);
            x.err = f != x.fail.end();
            x.code = x.err ? f->second.first : 0;
            x.addr = x.err ? f->second.second : 0;
            x.ev_left = x.err ? 0 : unit_events(s.cmd[u], u);
            x.remaining = (int)rnd(x.min_delay, x.max_delay);
            uphase[u] = U_BUSY;
        }
        x.ready = pct(x.ready_pct);
    }
}

void Harness::csr_write(uint32_t addr, uint32_t data, uint32_t strb)
{
    lite.aw = lite.w = lite.b_wait = true;
    lite.awaddr = addr;
    lite.wdata = data;
    lite.wstrb = strb;
    lite.aw_delay = rnd(0, 3);
    lite.w_delay = rnd(0, 3);
    for (int i = 0; i < 1000 && (lite.aw || lite.w || lite.b_wait); i++)
        tick();
    if (lite.aw || lite.w || lite.b_wait) {
        fprintf(stderr, "csr_write 0x%03x: timeout\n", addr);
        lite = Lite();
    }
}

uint32_t Harness::csr_read(uint32_t addr)
{
    lite.ar = lite.r_wait = true;
    lite.araddr = addr;
    for (int i = 0; i < 1000 && (lite.ar || lite.r_wait); i++)
        tick();
    if (lite.ar || lite.r_wait) {
        fprintf(stderr, "csr_read 0x%03x: timeout\n", addr);
        lite = Lite();
        return 0xDEADBEEF;
    }
    return lite.rdata;
}

bool Harness::wait_idle(uint64_t timeout)
{
    for (uint64_t i = 0; i < timeout; i++) {
        if (!m->busy_o)
            return true;
        tick();
    }
    return !m->busy_o;
}
