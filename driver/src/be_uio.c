/*
 * be_uio.c - the "uio:NAME" backend: a DLP on a board, through Linux UIO (generic-uio /
 * uio_pdrv_genirq) for the CSRs and the interrupt, and u-dma-buf for DMA memory.
 *
 *   <sysfs>/class/uio/uioX/name              the device whose name is NAME (scanned)
 *   <sysfs>/class/uio/uioX/maps/map0/size    size of the CSR mapping
 *   <dev>/uioX                               mmap (map N at offset N * page size); write
 *                                            4 bytes (1) to re-enable the interrupt, read
 *                                            4 bytes (event count) to wait for it
 *   <sysfs>/class/u-dma-buf/udmabufN/{phys_addr,size,sync_*}
 *   <dev>/udmabufN                           the DMA region, mmapped (cached; synced
 *                                            through sync_for_device / sync_for_cpu)
 *
 * The roots are options so the tests run this file unchanged against an emulated tree.
 * Exclusive use: flock(LOCK_EX | LOCK_NB) on <dev>/uioX.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dev_internal.h"

#define PATH_LEN 512

typedef struct {
    int fd;     /* <dev>/uioX: registers, interrupt, lock */
    int irq_fd; /* fd or the test seam */
    volatile uint32_t *regs;
    size_t map_size;
    int dma_fd;
    void *dma;
    size_t dma_map;
    char uio_dev[PATH_LEN]; /* for messages */
    char dma_sys[PATH_LEN]; /* <sysfs>/class/u-dma-buf/udmabufN */
} uio_priv;

static uio_priv *priv_of(dlp_dev *d)
{
    return (uio_priv *)d->priv;
}

/* Read a small sysfs file into buf, trailing whitespace removed. 0 or -errno. */
static int read_text(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, buf, len - 1);
    int e = errno;
    close(fd);
    if (n < 0)
        return -e;
    buf[n] = 0;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        buf[--n] = 0;
    return 0;
}

/* Parse a whole number (base 0 or 16) from a sysfs file into *v (64-bit). */
static int read_u64(dlp_dev *d, const char *path, int base, uint64_t *v)
{
    char buf[64], *end;
    int rc = read_text(path, buf, sizeof buf);
    if (rc)
        return dlp_dev_fail(d, rc == -ENOENT ? DLP_DEV_E_NODEV : DLP_DEV_E_IO, "cannot read %s: %s",
                            path, strerror(-rc));
    errno = 0;
    unsigned long long x = strtoull(buf, &end, base);
    if (errno || end == buf || *end)
        return dlp_dev_fail(d, DLP_DEV_E_IO, "%s holds \"%s\", not a number", path, buf);
    *v = x;
    return 0;
}

static int write_text(dlp_dev *d, const char *dir, const char *attr, unsigned long long v)
{
    char path[PATH_LEN + 32], buf[32];
    snprintf(path, sizeof path, "%s/%s", dir, attr);
    int n = snprintf(buf, sizeof buf, "%llu\n", v);
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return dlp_dev_fail(d, DLP_DEV_E_IO, "cannot open %s for writing: %s", path,
                            strerror(errno));
    ssize_t w = write(fd, buf, (size_t)n);
    int e = errno;
    close(fd);
    if (w != n)
        return dlp_dev_fail(d, DLP_DEV_E_IO, "writing %s failed: %s", path,
                            w < 0 ? strerror(e) : "short write");
    return 0;
}

/* u-dma-buf cache maintenance: sync_offset, sync_size, sync_direction (1 to the device,
 * 2 from the device), then 1 to sync_for_device / sync_for_cpu. */
static int uio_sync(dlp_dev *d, int for_device, uint64_t off, uint64_t len)
{
    uio_priv *p = priv_of(d);
    int rc;
    if ((rc = write_text(d, p->dma_sys, "sync_offset", off)) ||
        (rc = write_text(d, p->dma_sys, "sync_size", len)) ||
        (rc = write_text(d, p->dma_sys, "sync_direction", for_device ? 1 : 2)) ||
        (rc = write_text(d, p->dma_sys, for_device ? "sync_for_device" : "sync_for_cpu", 1)))
        return rc;
    return DLP_DEV_OK;
}

static int uio_sync_for_device(dlp_dev *d, uint64_t off, uint64_t len)
{
    return uio_sync(d, 1, off, len);
}

static int uio_sync_for_cpu(dlp_dev *d, uint64_t off, uint64_t len)
{
    return uio_sync(d, 0, off, len);
}

static void release(uio_priv *p)
{
    if (p->dma && p->dma != MAP_FAILED)
        munmap(p->dma, p->dma_map);
    if (p->dma_fd >= 0)
        close(p->dma_fd);
    if (p->regs && (void *)p->regs != MAP_FAILED)
        munmap((void *)p->regs, p->map_size);
    if (p->fd >= 0)
        close(p->fd); /* drops the flock */
    free(p);
}

static int is_uio_entry(const struct dirent *e)
{
    return !strncmp(e->d_name, "uio", 3);
}

/* Find <sysfs>/class/uio/uioX whose name is `want`; uiox[] gets "uioX". */
static int find_uio(dlp_dev *d, const char *sysfs, const char *want, char *uiox, size_t len)
{
    char dir[PATH_LEN], path[PATH_LEN + 300], name[128], seen[256] = "";
    snprintf(dir, sizeof dir, "%s/class/uio", sysfs);
    struct dirent **ents;
    int n = scandir(dir, &ents, is_uio_entry, alphasort);
    if (n < 0)
        return dlp_dev_fail(d, DLP_DEV_E_NODEV,
                            "uio:%s: cannot list %s (%s): no UIO devices (is the uio_pdrv_genirq "
                            "/ generic-uio driver bound to the DLP?)",
                            want, dir, strerror(errno));
    int found = 0;
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s/name", dir, ents[i]->d_name);
        if (!found && !read_text(path, name, sizeof name)) {
            if (!strcmp(name, want)) {
                snprintf(uiox, len, "%s", ents[i]->d_name);
                found = 1;
            } else if (strlen(seen) + strlen(name) + 4 < sizeof seen) {
                if (seen[0])
                    strcat(seen, ", ");
                strcat(seen, name);
            }
        }
        free(ents[i]);
    }
    free(ents);
    if (!found)
        return dlp_dev_fail(d, DLP_DEV_E_NODEV,
                            "uio:%s: no UIO device with that name under %s (names found: %s)", want,
                            dir, seen[0] ? seen : "none");
    return 0;
}

static int uio_open(dlp_dev *d, const char *want, const dlp_dev_opts *o)
{
    const char *sysfs = o->sysfs_root ? o->sysfs_root : "/sys";
    const char *devr = o->dev_root ? o->dev_root : "/dev";
    const char *udb = o->udmabuf ? o->udmabuf : "udmabuf0";
    char uiox[256], path[PATH_LEN + 300];
    int rc = find_uio(d, sysfs, want, uiox, sizeof uiox);
    if (rc)
        return rc;
    uio_priv *p = calloc(1, sizeof *p);
    if (!p)
        return dlp_dev_fail(d, DLP_DEV_E_NOMEM, "out of host memory");
    p->fd = p->dma_fd = -1;

    /* CSR mapping size */
    uint64_t msize;
    snprintf(path, sizeof path, "%s/class/uio/%s/maps/map0/size", sysfs, uiox);
    if ((rc = read_u64(d, path, 16, &msize)))
        goto fail;
    if (msize < 0x200 || msize > (1u << 20)) {
        rc = dlp_dev_fail(d, DLP_DEV_E_NOTDLP,
                          "uio:%s: map0 of %s is 0x%llx bytes; the DLP's CSRs need 0x200..1 MiB "
                          "(check the reg property of the device-tree node)",
                          want, uiox, (unsigned long long)msize);
        goto fail;
    }
    p->map_size = (size_t)msize;

    /* Device node: open, lock, map */
    snprintf(p->uio_dev, sizeof p->uio_dev, "%s/%s", devr, uiox);
    p->fd = open(p->uio_dev, O_RDWR | O_CLOEXEC);
    if (p->fd < 0) {
        rc = dlp_dev_fail(d, errno == ENOENT ? DLP_DEV_E_NODEV : DLP_DEV_E_IO,
                          "uio:%s: cannot open %s: %s%s", want, p->uio_dev, strerror(errno),
                          errno == EACCES ? " (add a udev rule or run as root)" : "");
        goto fail;
    }
    if (flock(p->fd, LOCK_EX | LOCK_NB)) {
        rc = errno == EWOULDBLOCK
                 ? dlp_dev_fail(d, DLP_DEV_E_BUSY,
                                "uio:%s (%s) is in use by another process or handle (its lock is "
                                "held); close the other user first",
                                want, p->uio_dev)
                 : dlp_dev_fail(d, DLP_DEV_E_IO, "uio:%s: flock on %s failed: %s", want, p->uio_dev,
                                strerror(errno));
        goto fail;
    }
    const long page = sysconf(_SC_PAGESIZE);
    p->regs = mmap(NULL, p->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, 0 * page);
    if ((void *)p->regs == MAP_FAILED) {
        rc = dlp_dev_fail(d, DLP_DEV_E_IO, "uio:%s: mmap of map0 of %s (0x%zx bytes) failed: %s",
                          want, p->uio_dev, p->map_size, strerror(errno));
        goto fail;
    }
    const uint32_t id = p->regs[DLP_CSR_ID / 4];
    if (id != DLP_ID_VALUE) {
        rc = dlp_dev_fail(d, DLP_DEV_E_NOTDLP,
                          "uio:%s (%s): ID register reads 0x%08x, expected 0x%08x: not a DLP, or "
                          "the bitstream is not loaded",
                          want, p->uio_dev, id, DLP_ID_VALUE);
        goto fail;
    }
    p->irq_fd = o->irq_fd > 0 ? o->irq_fd : p->fd;

    /* u-dma-buf */
    uint64_t phys, size;
    snprintf(p->dma_sys, sizeof p->dma_sys, "%s/class/u-dma-buf/%s", sysfs, udb);
    snprintf(path, sizeof path, "%s/phys_addr", p->dma_sys);
    if ((rc = read_u64(d, path, 16, &phys))) {
        if (rc == DLP_DEV_E_NODEV)
            dlp_dev_fail(d, rc,
                         "uio:%s: no u-dma-buf device %s (%s missing): load u-dma-buf with a "
                         "buffer for the DLP (docs/DRIVER.md)",
                         want, udb, path);
        goto fail;
    }
    snprintf(path, sizeof path, "%s/size", p->dma_sys);
    if ((rc = read_u64(d, path, 0, &size)))
        goto fail;
    if (!size || phys + size > 0x100000000ull || (phys % 4096)) {
        rc = dlp_dev_fail(d, DLP_DEV_E_NOMEM,
                          "uio:%s: %s at 0x%llx, %llu bytes: the DLP needs a non-empty, 4 KiB "
                          "aligned buffer below 4 GiB (32-bit DMA addresses)",
                          want, udb, (unsigned long long)phys, (unsigned long long)size);
        goto fail;
    }
    snprintf(path, sizeof path, "%s/%s", devr, udb);
    p->dma_fd = open(path, O_RDWR | O_CLOEXEC);
    if (p->dma_fd < 0) {
        rc = dlp_dev_fail(d, errno == ENOENT ? DLP_DEV_E_NODEV : DLP_DEV_E_IO,
                          "uio:%s: cannot open %s: %s", want, path, strerror(errno));
        goto fail;
    }
    p->dma_map = (size_t)size;
    p->dma = mmap(NULL, p->dma_map, PROT_READ | PROT_WRITE, MAP_SHARED, p->dma_fd, 0);
    if (p->dma == MAP_FAILED) {
        rc = dlp_dev_fail(d, DLP_DEV_E_IO, "uio:%s: mmap of %s (%zu bytes) failed: %s", want, path,
                          p->dma_map, strerror(errno));
        goto fail;
    }
    d->priv = p;
    d->mem = p->dma;
    d->dma_base = phys;
    d->dma_size = size;
    return DLP_DEV_OK;
fail:
    release(p);
    return rc;
}

static void uio_close(dlp_dev *d)
{
    release(priv_of(d));
}

static uint32_t uio_reg_read(dlp_dev *d, uint32_t off)
{
    uio_priv *p = priv_of(d);
    return off + 4 <= p->map_size ? p->regs[off / 4] : 0;
}

static void uio_reg_write(dlp_dev *d, uint32_t off, uint32_t val)
{
    uio_priv *p = priv_of(d);
    if (off + 4 <= p->map_size)
        p->regs[off / 4] = val;
}

static int uio_wait_irq(dlp_dev *d, int64_t deadline_ms)
{
    uio_priv *p = priv_of(d);
    const uint32_t enable = 1;
    if (write(p->irq_fd, &enable, 4) != 4)
        return dlp_dev_fail(d, DLP_DEV_E_IO,
                            "re-enabling the interrupt (4-byte write to %s) failed: %s", p->uio_dev,
                            strerror(errno));
    for (;;) {
        int ms = -1;
        if (deadline_ms >= 0) {
            int64_t left = deadline_ms - dlp_now_ms();
            ms = left < 0 ? 0 : left > 0x7FFFFFFF ? 0x7FFFFFFF : (int)left;
        }
        struct pollfd pf = {.fd = p->irq_fd, .events = POLLIN};
        int n = poll(&pf, 1, ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return dlp_dev_fail(d, DLP_DEV_E_IO, "poll on the interrupt of %s failed: %s",
                                p->uio_dev, strerror(errno));
        if (n == 0)
            return DLP_DEV_E_TIMEOUT;
        uint32_t count;
        ssize_t r = read(p->irq_fd, &count, 4);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != 4)
            return dlp_dev_fail(d, DLP_DEV_E_IO,
                                "reading the interrupt count (4 bytes) from %s failed: %s",
                                p->uio_dev, r < 0 ? strerror(errno) : "short read");
        return DLP_DEV_OK;
    }
}

const dlp_backend dlp_backend_uio = {
    .name = "uio",
    .async = 1,
    .open = uio_open,
    .close = uio_close,
    .reg_read = uio_reg_read,
    .reg_write = uio_reg_write,
    .wait_irq = uio_wait_irq,
    .sync_for_device = uio_sync_for_device,
    .sync_for_cpu = uio_sync_for_cpu,
};
