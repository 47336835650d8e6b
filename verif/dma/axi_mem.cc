// axi_mem.cc - see axi_mem.h.
#include "axi_mem.h"

#include <cstdio>
#include <cstring>

AxiMem::AxiMem(const AxiMemCfg &c, uint64_t seed) : mem(c.size), cfg(c), rng_(seed) {}

void AxiMem::add_fault(uint32_t addr, uint32_t len, bool reads, bool writes)
{
    faults_.push_back({addr, len, reads, writes});
}

bool AxiMem::in_mem(uint64_t a, uint64_t n) const
{
    return a >= cfg.base && a + n <= (uint64_t)cfg.base + cfg.size;
}

bool AxiMem::faulty(uint64_t a, uint64_t n, bool write) const
{
    for (const Fault &f : faults_)
        if ((write ? f.writes : f.reads) && a < (uint64_t)f.addr + f.len && f.addr < a + n)
            return true;
    return false;
}

void AxiMem::drive(AxiPins &p)
{
    const unsigned B = cfg.bus_bytes;
    out_.arready = rng_.chance(cfg.p_arready);
    out_.awready = rng_.chance(cfg.p_awready);
    out_.wready = !awq_.empty() && rng_.chance(cfg.p_wready);
    if (!rv_ && !rq_.empty() && rq_.front().t <= cycle_ && rng_.chance(cfg.p_rbeat)) {
        const Rd &r = rq_.front();
        uint64_t a = (uint64_t)r.addr + (uint64_t)r.idx * B;
        memset(out_.rdata, 0, sizeof out_.rdata);
        if (!in_mem(a, B)) {
            out_.rresp = 3; // DECERR
        } else {
            memcpy(out_.rdata, &mem[a - cfg.base], B);
            out_.rresp = faulty(a, B, false) ? 2 : 0;
        }
        out_.rid = r.id;
        out_.rlast = r.idx + 1 == r.beats;
        rv_ = true;
    }
    out_.rvalid = rv_;
    if (!bv_ && !bq_.empty() && bq_.front().t <= cycle_ && rng_.chance(cfg.p_bvalid)) {
        out_.bid = bq_.front().id;
        out_.bresp = bq_.front().resp;
        bv_ = true;
    }
    out_.bvalid = bv_;
    p.arready = out_.arready;
    p.awready = out_.awready;
    p.wready = out_.wready;
    p.rvalid = out_.rvalid;
    p.rid = out_.rid;
    p.rresp = out_.rresp;
    p.rlast = out_.rlast;
    memcpy(p.rdata, out_.rdata, sizeof p.rdata);
    p.bvalid = out_.bvalid;
    p.bid = out_.bid;
    p.bresp = out_.bresp;
}

void AxiMem::sample(const AxiPins &p)
{
    const unsigned B = cfg.bus_bytes;
    if (p.arvalid && p.arready)
        rq_.push_back({p.arid, p.araddr, p.arlen + 1, 0, cycle_ + cfg.rd_latency});
    if (rv_ && p.rready) {
        Rd &r = rq_.front();
        if (++r.idx == r.beats)
            rq_.pop_front();
        rv_ = false;
    }
    if (p.awvalid && p.awready)
        awq_.push_back({p.awid, p.awaddr, p.awlen + 1, 0, false, false});
    if (p.wvalid && p.wready && !awq_.empty()) {
        Wr &w = awq_.front();
        uint64_t a = (uint64_t)w.addr + (uint64_t)w.idx * B;
        bool bad = false;
        for (unsigned i = 0; i < B; i++) {
            if (!(p.wstrb >> i & 1))
                continue;
            if (!in_mem(a + i, 1)) {
                w.decerr = true;
                bad = true;
            } else if (faulty(a + i, 1, true)) {
                w.err = true;
                bad = true;
            }
        }
        if (!bad)
            for (unsigned i = 0; i < B; i++)
                if (p.wstrb >> i & 1)
                    mem[a + i - cfg.base] = p.wdata[i];
        if (++w.idx == w.beats) {
            bq_.push_back({w.id, w.decerr ? 3u : w.err ? 2u : 0u, cycle_ + 1 + rng_.below(4)});
            awq_.pop_front();
        }
    }
    if (bv_ && p.bready) {
        bq_.pop_front();
        bv_ = false;
    }
    cycle_++;
}

void AxiChecker::err(const std::string &s)
{
    if (errors.size() < 20)
        errors.push_back("cycle " + std::to_string(cycle_) + ": " + s);
}

void AxiChecker::check(const AxiPins &p)
{
    char buf[200];
    if (have_prev_) {
        const AxiPins &q = prev_;
        if (q.arvalid && !q.arready &&
            (!p.arvalid || p.araddr != q.araddr || p.arlen != q.arlen || p.arid != q.arid ||
             p.arsize != q.arsize || p.arburst != q.arburst))
            err("AR dropped or changed before ARREADY");
        if (q.awvalid && !q.awready &&
            (!p.awvalid || p.awaddr != q.awaddr || p.awlen != q.awlen || p.awid != q.awid ||
             p.awsize != q.awsize || p.awburst != q.awburst))
            err("AW dropped or changed before AWREADY");
        if (q.wvalid && !q.wready &&
            (!p.wvalid || memcmp(p.wdata, q.wdata, bus_) || p.wstrb != q.wstrb ||
             p.wlast != q.wlast))
            err("W dropped or changed before WREADY");
        if (q.rvalid && !q.rready &&
            (!p.rvalid || memcmp(p.rdata, q.rdata, bus_) || p.rresp != q.rresp ||
             p.rlast != q.rlast || p.rid != q.rid))
            err("R dropped or changed before RREADY (model)");
        if (q.bvalid && !q.bready && (!p.bvalid || p.bresp != q.bresp || p.bid != q.bid))
            err("B dropped or changed before BREADY (model)");
    }
    unsigned lg = bus_ == 8 ? 3 : 4;
    uint64_t rlo = wb_ & ~(uint64_t)(bus_ - 1), rhi = (uint64_t)wl_ | (bus_ - 1);
    if (p.arvalid && p.arready) {
        ar_count++;
        uint64_t end = (uint64_t)p.araddr + (uint64_t)(p.arlen + 1) * bus_;
        if (!allow)
            err("AR issued for a repetition that failed its checks");
        if (p.arburst != 1 || p.arsize != lg || p.arlen > 255 || p.araddr % bus_)
            err("AR burst/size/len/alignment");
        if ((p.araddr & 0xFFF) + (uint64_t)(p.arlen + 1) * bus_ > 4096) {
            snprintf(buf, sizeof buf, "AR crosses 4 KiB: %08x len %u", p.araddr, p.arlen);
            err(buf);
        }
        if (p.araddr < rlo || end - 1 > rhi) {
            snprintf(buf, sizeof buf, "AR outside window: %08x len %u", p.araddr, p.arlen);
            err(buf);
        }
        rd_.push_back(p.arlen + 1);
        if (rd_.size() > max_reads_in_flight)
            max_reads_in_flight = (unsigned)rd_.size();
    }
    if (p.rvalid && p.rready) {
        if (rd_.empty()) {
            err("R beat without AR");
        } else {
            if (p.rlast != (rd_.front() == 1))
                err("RLAST (model)");
            if (--rd_.front() == 0)
                rd_.pop_front();
        }
    }
    if (p.awvalid && p.awready) {
        aw_count++;
        if (!allow)
            err("AW issued for a repetition that failed its checks");
        if (p.awburst != 1 || p.awsize != lg || p.awlen > 255 || p.awaddr % bus_)
            err("AW burst/size/len/alignment");
        if ((p.awaddr & 0xFFF) + (uint64_t)(p.awlen + 1) * bus_ > 4096) {
            snprintf(buf, sizeof buf, "AW crosses 4 KiB: %08x len %u", p.awaddr, p.awlen);
            err(buf);
        }
        uint64_t end = (uint64_t)p.awaddr + (uint64_t)(p.awlen + 1) * bus_;
        if (p.awaddr < rlo || end - 1 > rhi)
            err("AW outside window");
        aw_.push_back(p.awlen + 1);
        awaddr_.push_back(p.awaddr);
    }
    if (p.wvalid && p.wready) {
        if (aw_.empty()) {
            err("W beat before its AW");
        } else {
            uint32_t beat = awbeat_;
            uint64_t a = (uint64_t)awaddr_.front() + (uint64_t)beat * bus_;
            for (unsigned i = 0; i < bus_; i++)
                if ((p.wstrb >> i & 1) && (a + i < wb_ || a + i > wl_)) {
                    snprintf(buf, sizeof buf, "strobed byte %08llx outside the window",
                             (unsigned long long)(a + i));
                    err(buf);
                    break;
                }
            if (p.wlast != (aw_.front() == 1))
                err("WLAST not on the last beat of the burst");
            awbeat_++;
            if (--aw_.front() == 0) {
                aw_.pop_front();
                awaddr_.pop_front();
                awbeat_ = 0;
                wdone_++;
            }
        }
    }
    if (p.bvalid && p.bready) {
        if (wdone_ == 0)
            err("B before the burst's last W");
        else
            wdone_--;
    }
    prev_ = p;
    have_prev_ = true;
    cycle_++;
}
