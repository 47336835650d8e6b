/* test_uio.c - the "uio:NAME" backend, unchanged, against an emulated board: a sysfs tree
 * with several UIO devices and a u-dma-buf in a temporary directory, regular files for
 * /dev/uioX and /dev/udmabuf0, and a socketpair for the interrupt (dlp_dev_opts.irq_fd).
 * An emulator thread plays the DLP on the mapped register file: it sees CTRL.START, runs
 * the golden ISS on the emulated u-dma-buf memory, writes STATUS, ERR_* and the counters
 * and signals the interrupt. Discovery by name, mapping, IRQ wait, timeout, the busy lock,
 * missing devices, a wrong ID, 64-bit phys_addr, cache-sync files. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "dlp/dev.h"
#include "dlp/iss.h"
#include "workload.h"

#define DMA_BASE 0x38000000u
#define DMA_SIZE (4u << 20)

static char msg[512];
static char root[64], sysfs[128], devr[128];

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ the emulated tree */
static void mkdirs(const char *path)
{
    char p[512];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0755);
            *s = '/';
        }
    }
    mkdir(p, 0755);
}

static void put(const char *dir, const char *file, const char *text)
{
    char path[512];
    mkdirs(dir);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void get(const char *dir, const char *file, char *buf, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(buf, 1, len - 1, f);
        buf[n] = 0;
        fclose(f);
    }
}

/* A regular file of `size` bytes standing in for a device node; regs != NULL: the first
 * words of a register file. */
static void dev_file(const char *name, size_t size, const uint32_t *regs, int nregs)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", devr, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    if (ftruncate(fd, (off_t)size) == 0 && regs)
        CHECK(pwrite(fd, regs, 4 * (size_t)nregs, 0) == 4 * nregs, "writing %s", path);
    close(fd);
}

static void uio_dir(int x, const char *name, const char *map_size)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/class/uio/uio%d", sysfs, x);
    put(dir, "name", name);
    if (map_size) {
        char m[600];
        snprintf(m, sizeof m, "%s/maps/map0", dir);
        put(m, "size", map_size);
        put(m, "addr", "0x43c00000\n");
    }
}

static void udmabuf_dir(const char *name, const char *phys, const char *size)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/class/u-dma-buf/%s", sysfs, name);
    put(dir, "phys_addr", phys);
    put(dir, "size", size);
    const char *attrs[] = {"sync_offset", "sync_size", "sync_direction", "sync_for_cpu",
                           "sync_for_device"};
    for (int i = 0; i < 5; i++)
        put(dir, attrs[i], "0\n");
}

static void make_tree(void)
{
    snprintf(root, sizeof root, "/tmp/dlp_uio_XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(sysfs, sizeof sysfs, "%s/sys", root);
    snprintf(devr, sizeof devr, "%s/dev", root);
    mkdirs(devr);
    /* ID, VERSION and CAPS as a default-configured DLP shows them (taken from the ISS) */
    dlp_config cfg;
    dlp_config_default(&cfg);
    dlp_iss *s = dlp_iss_new(&cfg, DMA_BASE, 4096);
    uint32_t regs[5];
    for (int i = 0; i < 5; i++)
        regs[i] = dlp_iss_csr_read(s, 4u * i);
    dlp_iss_free(s);
    uint32_t other[1] = {0x12345678};

    uio_dir(0, "xilinx-dma\n", "0x00010000\n");
    dev_file("uio0", 0x10000, NULL, 0);
    uio_dir(1, "fpga-mgr\n", NULL); /* no maps */
    dev_file("uio1", 4096, NULL, 0);
    uio_dir(2, "dlp\n", "0x00001000\n");
    dev_file("uio2", 4096, regs, 5);
    uio_dir(3, "notdlp\n", "0x00001000\n");
    dev_file("uio3", 4096, other, 1);
    udmabuf_dir("udmabuf0", "0x0000000038000000\n", "4194304\n");
    dev_file("udmabuf0", DMA_SIZE, NULL, 0);
    udmabuf_dir("udmabuf1", "0x100000000\n", "4194304\n"); /* above 4 GiB */
    dev_file("udmabuf1", DMA_SIZE, NULL, 0);
}

static void remove_tree(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", root);
}

/* ------------------------------------------------------------------ the emulated DLP */
typedef struct {
    volatile uint32_t *regs;
    uint8_t *dma;
    int sock; /* the device's end of the interrupt socketpair */
    volatile int stop;
    volatile int hang; /* 1: take START, stay busy until SOFT_RESET */
    volatile int jobs; /* STARTs seen */
    volatile int enables, bad_enables;
    volatile int resets; /* SOFT_RESETs seen */
    uint32_t events;
    dlp_iss *iss;
    pthread_t thread;
} emu_t;

#define R(off) (e->regs[(off) / 4])

static void *emu_main(void *arg)
{
    emu_t *e = arg;
    while (!e->stop) {
        uint32_t v;
        while (recv(e->sock, &v, 4, MSG_DONTWAIT) == 4) {
            e->enables++;
            if (v != 1)
                e->bad_enables++;
        }
        __sync_synchronize();
        const uint32_t ctrl = R(DLP_CSR_CTRL);
        if (ctrl & DLP_CTRL_SOFT_RESET) {
            R(DLP_CSR_CTRL) = ctrl & ~3u;
            e->resets++;
            R(DLP_CSR_STATUS) = 0;
            R(DLP_CSR_IRQ_STATUS) = 0;
            R(DLP_CSR_ERR_CODE) = R(DLP_CSR_ERR_INDEX) = R(DLP_CSR_ERR_ADDR) = 0;
        } else if ((ctrl & DLP_CTRL_START) && !(R(DLP_CSR_STATUS) & DLP_STATUS_BUSY)) {
            R(DLP_CSR_CTRL) = ctrl & ~3u;
            R(DLP_CSR_STATUS) = DLP_STATUS_BUSY;
            e->jobs++;
            if (!e->hang) {
                uint8_t *mem = dlp_iss_mem(e->iss, DMA_BASE, DMA_SIZE);
                memcpy(mem, e->dma, DMA_SIZE);
                dlp_iss_run(e->iss, R(DLP_CSR_INSN_BASE), R(DLP_CSR_INSN_COUNT),
                            R(DLP_CSR_WIN_BASE), R(DLP_CSR_WIN_LIMIT));
                memcpy(e->dma, mem, DMA_SIZE);
                R(DLP_CSR_ERR_CODE) = dlp_iss_csr_read(e->iss, DLP_CSR_ERR_CODE);
                R(DLP_CSR_ERR_INDEX) = dlp_iss_csr_read(e->iss, DLP_CSR_ERR_INDEX);
                R(DLP_CSR_ERR_ADDR) = dlp_iss_csr_read(e->iss, DLP_CSR_ERR_ADDR);
                for (int k = 0; k < DLP_NUM_PERF; k++) {
                    const uint64_t p = dlp_iss_perf(e->iss, k);
                    R(DLP_CSR_PERF_BASE + 8u * k) = (uint32_t)p;
                    R(DLP_CSR_PERF_BASE + 8u * k + 4) = (uint32_t)(p >> 32);
                }
                const uint32_t st = dlp_iss_csr_read(e->iss, DLP_CSR_STATUS);
                R(DLP_CSR_IRQ_STATUS) = (st & DLP_STATUS_DONE ? DLP_IRQ_DONE : 0) |
                                        (st & DLP_STATUS_ERROR ? DLP_IRQ_ERROR : 0);
                __sync_synchronize();
                R(DLP_CSR_STATUS) = st;
                if (ctrl & (DLP_CTRL_IRQ_EN_DONE | DLP_CTRL_IRQ_EN_ERR)) {
                    e->events++;
                    if (send(e->sock, &e->events, 4, 0) != 4)
                        e->bad_enables++; /* reported by the main thread */
                }
            }
        }
        usleep(200);
    }
    return NULL;
}

static int emu_start(emu_t *e, int *driver_fd)
{
    memset(e, 0, sizeof *e);
    char path[512];
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        return -1;
    e->sock = sv[1];
    *driver_fd = sv[0];
    snprintf(path, sizeof path, "%s/uio2", devr);
    int fd = open(path, O_RDWR);
    e->regs = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    snprintf(path, sizeof path, "%s/udmabuf0", devr);
    fd = open(path, O_RDWR);
    e->dma = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    dlp_config cfg;
    dlp_config_default(&cfg);
    e->iss = dlp_iss_new(&cfg, DMA_BASE, DMA_SIZE);
    if ((void *)e->regs == MAP_FAILED || e->dma == MAP_FAILED || !e->iss)
        return -1;
    return pthread_create(&e->thread, NULL, emu_main, e);
}

static void emu_stop(emu_t *e, int driver_fd)
{
    e->stop = 1;
    pthread_join(e->thread, NULL);
    munmap((void *)e->regs, 4096);
    munmap(e->dma, DMA_SIZE);
    dlp_iss_free(e->iss);
    close(e->sock);
    close(driver_fd);
}

/* ------------------------------------------------------------------ tests */
static void opts_for(dlp_dev_opts *o, int irq_fd)
{
    dlp_dev_opts_default(o);
    o->sysfs_root = sysfs;
    o->dev_root = devr;
    o->irq_fd = irq_fd;
}

static void test_open_errors(int irq_fd)
{
    dlp_dev_opts o;
    opts_for(&o, irq_fd);
    dlp_dev *d;
    int rc = dlp_dev_open("uio:nope", &o, &d);
    const char *m = dlp_dev_last_error(NULL);
    CHECK(rc == DLP_DEV_E_NODEV && !d && strstr(m, "no UIO device") && strstr(m, "dlp") &&
              strstr(m, "xilinx-dma"),
          "missing device: rc %d: %s", rc, m);
    rc = dlp_dev_open("uio:notdlp", &o, &d);
    m = dlp_dev_last_error(NULL);
    CHECK(rc == DLP_DEV_E_NOTDLP && strstr(m, "0x12345678") && strstr(m, "uio3"),
          "wrong ID: rc %d: %s", rc, m);
    rc = dlp_dev_open("uio:fpga-mgr", &o, &d);
    m = dlp_dev_last_error(NULL);
    CHECK(rc == DLP_DEV_E_NODEV && strstr(m, "uio1/maps/map0/size"), "no map0: rc %d: %s", rc, m);
    o.udmabuf = "udmabuf7";
    rc = dlp_dev_open("uio:dlp", &o, &d);
    m = dlp_dev_last_error(NULL);
    CHECK(rc == DLP_DEV_E_NODEV && strstr(m, "u-dma-buf") && strstr(m, "udmabuf7"),
          "missing u-dma-buf: rc %d: %s", rc, m);
    o.udmabuf = "udmabuf1";
    rc = dlp_dev_open("uio:dlp", &o, &d);
    m = dlp_dev_last_error(NULL);
    CHECK(rc == DLP_DEV_E_NOMEM && strstr(m, "0x100000000") && strstr(m, "4 GiB"),
          "u-dma-buf above 4 GiB (64-bit phys_addr): rc %d: %s", rc, m);
    opts_for(&o, irq_fd);
    o.dev_root = "/nonexistent";
    rc = dlp_dev_open("uio:dlp", &o, &d);
    m = dlp_dev_last_error(NULL);
    CHECK(rc == DLP_DEV_E_NODEV && strstr(m, "/nonexistent/uio2"), "no device node: rc %d: %s", rc,
          m);
}

static void test_discovery(dlp_dev *d)
{
    dlp_dev_info info;
    dlp_config def;
    dlp_config_default(&def);
    dlp_dev_info_get(d, &info);
    CHECK(!strcmp(info.backend, "uio") && !strcmp(info.name, "dlp"), "names %s %s", info.backend,
          info.name);
    CHECK(info.id == DLP_ID_VALUE && info.cfg.n == def.n && info.cfg.bus_bytes == def.bus_bytes &&
              info.cfg.act_bytes == def.act_bytes && info.cfg.acc_bytes == def.acc_bytes,
          "CAPS decode: n %u bus %u", info.cfg.n, info.cfg.bus_bytes);
    CHECK(info.dma_base == DMA_BASE && info.dma_size == DMA_SIZE, "u-dma-buf 0x%llx + %llu",
          (unsigned long long)info.dma_base, (unsigned long long)info.dma_size);
    /* the registers are the mapping of uio2, not of another uio */
    CHECK(dlp_dev_reg_write(d, DLP_CSR_INSN_COUNT, 0xABCD) == 0, "reg write");
    char path[512];
    uint32_t v2 = 0, v3 = 0, v = 0;
    snprintf(path, sizeof path, "%s/uio2", devr);
    int fd = open(path, O_RDONLY);
    CHECK(pread(fd, &v2, 4, DLP_CSR_INSN_COUNT) == 4 && v2 == 0xABCD, "uio2 file holds 0x%x", v2);
    close(fd);
    snprintf(path, sizeof path, "%s/uio3", devr);
    fd = open(path, O_RDWR);
    CHECK(pread(fd, &v3, 4, DLP_CSR_INSN_COUNT) == 4 && v3 == 0, "uio3 untouched: 0x%x", v3);
    close(fd);
    snprintf(path, sizeof path, "%s/uio2", devr);
    fd = open(path, O_RDWR);
    const uint32_t w = 0x5151;
    CHECK(pwrite(fd, &w, 4, DLP_CSR_INSN_BASE) == 4, "pwrite");
    close(fd);
    CHECK(dlp_dev_reg_read(d, DLP_CSR_INSN_BASE, &v) == 0 && v == 0x5151,
          "register read through the mapping: 0x%x", v);
}

static void test_busy(int irq_fd)
{
    dlp_dev_opts o;
    opts_for(&o, irq_fd);
    dlp_dev *d2;
    int rc = dlp_dev_open("uio:dlp", &o, &d2);
    const char *m = dlp_dev_last_error(NULL);
    CHECK(rc == DLP_DEV_E_BUSY && !d2 && strstr(m, "in use") && strstr(m, "uio2"),
          "second open: rc %d: %s", rc, m);
}

static void test_jobs(dlp_dev *d, emu_t *e)
{
    wl_job mm, cv;
    dlp_job_result r;
    const dlp_conv_shape cs = {.n = 1,
                               .h = 6,
                               .w = 10,
                               .c = 16,
                               .cout = 33,
                               .kh = 3,
                               .kw = 1,
                               .stride_h = 2,
                               .stride_w = 1,
                               .pad_t = 1,
                               .pad_l = 0,
                               .pad_b = 1,
                               .pad_r = 0,
                               .dil_h = 1,
                               .dil_w = 1,
                               .groups = 1};
    CHECK(wl_matmul(d, 20, 40, 30, 31, &mm, msg, sizeof msg) == 0, "%s", msg);
    CHECK(wl_conv(d, &cs, 32, &cv, msg, sizeof msg) == 0, "%s", msg);
    int rc = dlp_dev_run(d, &mm.job, 5000, &r);
    CHECK(rc == 0, "matmul: %d %s", rc, dlp_dev_last_error(d));
    CHECK(wl_compare(&mm, msg, sizeof msg) == 0, "matmul via uio: %s", msg);
    CHECK(r.perf[DLP_PERF_MACS] > 0 && r.perf[DLP_PERF_INSNS] > 0, "counters read back");

    /* a board runs a job as soon as it is submitted */
    uint32_t id;
    const int before = e->jobs;
    CHECK(dlp_dev_submit(d, &cv.job, &id) == 0, "submit: %s", dlp_dev_last_error(d));
    const int64_t t0 = now_ms();
    while (e->jobs == before && now_ms() - t0 < 2000)
        usleep(1000);
    CHECK(e->jobs == before + 1, "the job started at submit, before any wait");
    rc = dlp_dev_wait(d, id, 5000, &r);
    CHECK(rc == 0, "conv: %d %s", rc, dlp_dev_last_error(d));
    CHECK(wl_compare(&cv, msg, sizeof msg) == 0, "conv via uio: %s", msg);
    CHECK(e->enables >= 2 && e->bad_enables == 0, "IRQ re-enables: %d (bad %d)", e->enables,
          e->bad_enables);

    /* u-dma-buf cache maintenance was written */
    char dir[512], buf[64];
    snprintf(dir, sizeof dir, "%s/class/u-dma-buf/udmabuf0", sysfs);
    get(dir, "sync_for_device", buf, sizeof buf);
    CHECK(!strcmp(buf, "1\n"), "sync_for_device holds '%s'", buf);
    get(dir, "sync_for_cpu", buf, sizeof buf);
    CHECK(!strcmp(buf, "1\n"), "sync_for_cpu holds '%s'", buf);
    get(dir, "sync_direction", buf, sizeof buf);
    CHECK(!strcmp(buf, "2\n"), "last sync was for the CPU (direction 2): '%s'", buf);

    /* device error */
    wl_job w;
    CHECK(wl_window_error(d, &w, msg, sizeof msg) == 0, "%s", msg);
    rc = dlp_dev_run(d, &w.job, 5000, &r);
    CHECK(rc == DLP_DEV_E_DEVICE && r.err_code == DLP_ERR_DMA_WINDOW &&
              r.err_addr == dlp_buf_addr(w.data) && strstr(dlp_dev_last_error(d), "DMA_WINDOW"),
          "window error: rc %d code %u: %s", rc, r.err_code, dlp_dev_last_error(d));

    /* a hung device: timeout, soft reset, then a good job */
    e->hang = 1;
    const uint8_t junk[64] = {0};
    dlp_buf_write(mm.data, mm.y_off, junk, sizeof junk);
    const int64_t t1 = now_ms();
    rc = dlp_dev_run(d, &mm.job, 200, &r);
    const int64_t dt = now_ms() - t1;
    CHECK(rc == DLP_DEV_E_TIMEOUT && strstr(dlp_dev_last_error(d), "within 200 ms"),
          "hung device: rc %d: %s", rc, dlp_dev_last_error(d));
    CHECK(dt >= 195 && dt < 1500, "timed out after %lld ms (200 asked, ms clock)", (long long)dt);
    uint32_t st = 0;
    dlp_dev_reg_read(d, DLP_CSR_STATUS, &st);
    CHECK(st & DLP_STATUS_BUSY, "still busy: 0x%x", st);
    e->hang = 0;
    CHECK(dlp_dev_soft_reset(d) == 0, "soft reset: %s", dlp_dev_last_error(d));
    rc = dlp_dev_run(d, &mm.job, 5000, &r);
    CHECK(rc == 0 && wl_compare(&mm, msg, sizeof msg) == 0, "good job after the reset: %d %s", rc,
          rc ? dlp_dev_last_error(d) : msg);
    wl_free(&mm);
    wl_free(&cv);
    wl_free(&w);
}

int main(void)
{
    make_tree();
    emu_t e;
    int irq_fd = -1;
    if (emu_start(&e, &irq_fd)) {
        CHECK(0, "emulator setup: %s", strerror(errno));
        return check_done("driver_uio" TSUFFIX);
    }
    test_open_errors(irq_fd);
    dlp_dev_opts o;
    opts_for(&o, irq_fd);
    dlp_dev *d;
    /* a device left busy (by a crashed process) is soft-reset at open */
    e.regs[DLP_CSR_STATUS / 4] = DLP_STATUS_BUSY;
    int rc = dlp_dev_open("uio:dlp", &o, &d);
    CHECK(rc == 0, "open uio:dlp: %s", dlp_dev_last_error(NULL));
    CHECK(e.resets == 1 && e.regs[DLP_CSR_STATUS / 4] == 0,
          "busy device reset at open: %d resets, STATUS 0x%x", e.resets,
          e.regs[DLP_CSR_STATUS / 4]);
    if (!rc) {
        test_discovery(d);
        test_busy(irq_fd);
        test_jobs(d, &e);
        dlp_dev_close(d);
        rc = dlp_dev_open("uio:dlp", &o, &d); /* the lock went with the close */
        CHECK(rc == 0, "reopen after close: %s", dlp_dev_last_error(NULL));
        if (!rc)
            dlp_dev_close(d);
    }
    emu_stop(&e, irq_fd);
    remove_tree();
    return check_done("driver_uio" TSUFFIX);
}
