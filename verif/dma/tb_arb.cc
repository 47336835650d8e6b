// tb_arb.cc - Verilator testbench of dlp_axi_rd_arb (2 AXI4 read masters -> 1).
//
// Two master models issue random AR bursts (random IDs, lengths, addresses) with random
// valid timing and random RREADY; the slave model accepts ARs with random ARREADY and
// answers bursts of different IDs interleaved at random (in order per ID), one beat per
// cycle with random gaps, each beat's data a function of (full ID, address, beat).
// Checked: downstream AR held stable until ARREADY, the master bit of the downstream ID,
// every master gets exactly its own bursts, in order per ID, with the right data, RLAST
// and its original ID; round robin (with both masters requesting, grants alternate).
// Prints `axi_rd_arb: P passed, F failed` (one check per burst + fairness).
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <vector>

#include "Vdlp_axi_rd_arb.h"
#include "verilated.h"

#include "axi_pins.h"

static const unsigned IDW = 4;

struct Burst {
    uint32_t id, addr, len;
};

static uint64_t beat_data(uint32_t fullid, uint32_t addr, uint32_t beat)
{
    uint64_t x = ((uint64_t)fullid << 48) ^ ((uint64_t)addr << 8) ^ beat;
    x *= 0x9E3779B97F4A7C15ull;
    return x ^ (x >> 29);
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    Vdlp_axi_rd_arb *m = new Vdlp_axi_rd_arb;
    Rng rng(argc > 1 ? strtoull(argv[1], nullptr, 0) : 1);
    unsigned passed = 0, failed = 0;
    auto fail = [&](const char *s) {
        if (failed < 10)
            printf("FAIL %s\n", s);
        failed++;
    };
    // master state
    struct M {
        bool arv = false;
        Burst cur;
        std::map<uint32_t, std::deque<Burst>> exp; // by ID: issued, not complete
        std::map<uint32_t, uint32_t> beat;
        unsigned issued = 0, done = 0;
        double p_req = 0.5, p_rready = 0.7;
    } ms[2];
    // slave state
    std::map<uint32_t, std::deque<Burst>> sq; // by full ID
    std::map<uint32_t, uint32_t> sbeat;
    bool rv = false;
    uint32_t rid = 0;
    Burst rb = {0, 0, 0};
    uint32_t rbeat = 0;
    // downstream AR stability
    bool pv = false, pr = false;
    uint32_t paddr = 0, pid = 0, plen = 0;
    std::vector<std::pair<uint64_t, int>> grants; // (cycle, master)

    m->rst_ni = 0;
    m->clk_i = 0;
    m->eval();
    m->clk_i = 1;
    m->eval();
    m->clk_i = 0;
    m->rst_ni = 1;
    m->eval();
    const unsigned target = 4000;
    for (uint64_t cyc = 0; cyc < 400000; cyc++) {
        bool phase_both = (cyc / 500) % 2 == 1; // phases with both masters saturating
        for (int i = 0; i < 2; i++) {
            M &q = ms[i];
            if (!q.arv && q.issued < target && (phase_both || rng.chance(q.p_req))) {
                q.cur = {rng.below(1u << IDW), rng.below(1u << 20) << 4, rng.below(8)};
                q.arv = true;
            }
        }
        m->s0_axi_arvalid_i = ms[0].arv;
        m->s0_axi_arid_i = ms[0].cur.id;
        m->s0_axi_araddr_i = ms[0].cur.addr;
        m->s0_axi_arlen_i = ms[0].cur.len;
        m->s1_axi_arvalid_i = ms[1].arv;
        m->s1_axi_arid_i = ms[1].cur.id;
        m->s1_axi_araddr_i = ms[1].cur.addr;
        m->s1_axi_arlen_i = ms[1].cur.len;
        m->s0_axi_arsize_i = m->s1_axi_arsize_i = 3;
        m->s0_axi_arburst_i = m->s1_axi_arburst_i = 1;
        m->s0_axi_rready_i = rng.chance(ms[0].p_rready);
        m->s1_axi_rready_i = rng.chance(ms[1].p_rready);
        // slave outputs
        m->m_axi_arready_i = phase_both || rng.chance(0.5);
        if (!rv && !sq.empty() && rng.chance(0.8)) {
            auto it = sq.begin();
            std::advance(it, rng.below((uint32_t)sq.size()));
            rid = it->first;
            rb = it->second.front();
            rbeat = sbeat[rid];
            rv = true;
        }
        m->m_axi_rvalid_i = rv;
        m->m_axi_rid_i = rid;
        m->m_axi_rdata_i = beat_data(rid, rb.addr, rbeat);
        m->m_axi_rresp_i = 0;
        m->m_axi_rlast_i = rv && rbeat == rb.len;
        m->eval();
        // downstream AR rules
        if (pv && !pr &&
            (!m->m_axi_arvalid_o || m->m_axi_araddr_o != paddr || m->m_axi_arid_o != pid ||
             m->m_axi_arlen_o != plen))
            fail("downstream AR dropped or changed before ARREADY");
        pv = m->m_axi_arvalid_o;
        pr = m->m_axi_arready_i;
        paddr = m->m_axi_araddr_o;
        pid = m->m_axi_arid_o;
        plen = m->m_axi_arlen_o;
        // handshakes
        bool arh = m->m_axi_arvalid_o && m->m_axi_arready_i;
        bool a0 = ms[0].arv && m->s0_axi_arready_o, a1 = ms[1].arv && m->s1_axi_arready_o;
        if (arh != (a0 || a1) || (a0 && a1))
            fail("upstream/downstream AR handshakes disagree");
        if (arh) {
            int who = a1 ? 1 : 0;
            if ((m->m_axi_arid_o >> IDW) != (unsigned)who ||
                (m->m_axi_arid_o & ((1u << IDW) - 1)) != ms[who].cur.id ||
                m->m_axi_araddr_o != ms[who].cur.addr)
                fail("downstream AR does not match the granted master");
            if (phase_both && cyc % 500 >= 2 && ms[0].arv && ms[1].arv) // no lock left
                grants.push_back({cyc, who});
            sq[m->m_axi_arid_o].push_back(ms[who].cur);
            ms[who].exp[ms[who].cur.id].push_back(ms[who].cur);
            ms[who].issued++;
            ms[who].arv = false;
        }
        if (rv && m->m_axi_rready_o) {
            int who = rid >> IDW;
            bool v = who ? m->s1_axi_rvalid_o : m->s0_axi_rvalid_o;
            bool ov = who ? m->s0_axi_rvalid_o : m->s1_axi_rvalid_o;
            bool rr = who ? m->s1_axi_rready_i : m->s0_axi_rready_i;
            uint32_t uid = who ? m->s1_axi_rid_o : m->s0_axi_rid_o;
            uint64_t d = who ? m->s1_axi_rdata_o : m->s0_axi_rdata_o;
            bool last = who ? m->s1_axi_rlast_o : m->s0_axi_rlast_o;
            if (!v || ov || !rr) {
                fail("R beat routed to the wrong master");
            } else {
                M &q = ms[who];
                auto &e = q.exp[uid];
                if (e.empty()) {
                    fail("R beat for an ID with no burst");
                } else {
                    Burst b = e.front();
                    uint32_t k = q.beat[uid];
                    bool ok = d == beat_data(rid, b.addr, k) && last == (k == b.len);
                    if (k == b.len) {
                        e.pop_front();
                        q.beat[uid] = 0;
                        q.done++;
                        if (ok)
                            passed++;
                    } else {
                        q.beat[uid] = k + 1;
                    }
                    if (!ok)
                        fail("R beat data/RLAST mismatch");
                }
            }
            // slave side
            if (++sbeat[rid] > rb.len) {
                sbeat[rid] = 0;
                sq[rid].pop_front();
                if (sq[rid].empty())
                    sq.erase(rid);
            }
            rv = false;
        }
        m->clk_i = 1;
        m->eval();
        m->clk_i = 0;
        m->eval();
        if (ms[0].done == target && ms[1].done == target)
            break;
    }
    if (ms[0].done != target || ms[1].done != target)
        fail("not every burst completed (hang)");
    // fairness: both requesting, ARREADY high: no master is granted twice in a row
    unsigned twice = 0;
    for (size_t i = 1; i < grants.size(); i++)
        twice +=
            grants[i].first == grants[i - 1].first + 1 && grants[i].second == grants[i - 1].second;
    if (grants.size() < 100 || twice)
        fail("round robin: too few contended grants or repeated grants");
    else
        passed++;
    printf("axi_rd_arb: %zu contended grants, %u repeated\n", grants.size(), twice);
    printf("axi_rd_arb: %u passed, %u failed\n", passed, failed);
    m->final();
    delete m;
    return failed ? 1 : 0;
}
