/*
 * test_cli.c - the dlp command line tool as a user meets it: --help everywhere, exit
 * status and messages on bad arguments, bad models and bad .npy files, a model end to end
 * on the iss backend (text and --json), info and a quick bench. Models are built with
 * protobuf-c (runtime/tests/onnx_build.h). Prints 'sw_cli: N passed, N failed'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../runtime/tests/onnx_build.h"
#include "check.h"
#include "dlp/npy.h"

#ifndef DLP_BIN
#define DLP_BIN "build/sw/dlp"
#endif

static char out[65536];
static char dir[256];

/* Run `dlp ARGS` (stdout and stderr into out); returns the exit status (-1: a signal). */
static int dlp(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", DLP_BIN, args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -2;
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    int st = pclose(p);
    if (WIFSIGNALED(st) || strstr(out, "Sanitizer") || strstr(out, "runtime error"))
        return -1;
    return WEXITSTATUS(st);
}

static void write_file(const char *name, const void *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(p, 1, n, f);
        fclose(f);
    }
}

/* int8 x [2,40] -> DQ -> Sigmoid -> Q -> y int8, and a QLinearMatMul model */
static uint8_t *model_sigmoid(size_t *len)
{
    mb b;
    mb_init(&b, 13);
    mb_scalar(&b, "xs", 1, 0.05), mb_scalar(&b, "xz", 3, 0);
    mb_scalar(&b, "ys", 1, 1.0 / 256), mb_scalar(&b, "yz", 3, -128);
    mb_node(&b, "DequantizeLinear", "dq", MB_L("x", "xs", "xz"), MB_L("xf"));
    mb_node(&b, "Sigmoid", "sig", MB_L("xf"), MB_L("s"));
    mb_node(&b, "QuantizeLinear", "q", MB_L("s", "ys", "yz"), MB_L("y"));
    mb_input(&b, "x", 3, 2, (int64_t[]){2, 40});
    mb_output(&b, "y", 3, 2, (int64_t[]){2, 40});
    uint8_t *p = mb_pack(&b, len);
    mb_free(&b);
    return p;
}

static uint8_t *model_matmul(size_t *len)
{
    mb b;
    mb_init(&b, 13);
    double w[40 * 24];
    for (int i = 0; i < 40 * 24; i++)
        w[i] = (i * 37) % 255 - 127;
    mb_init_t(&b, "w", 3, 2, (int64_t[]){40, 24}, w);
    mb_scalar(&b, "s", 1, 0.05), mb_scalar(&b, "z", 3, 1);
    mb_scalar(&b, "ws", 1, 0.01), mb_scalar(&b, "wz", 3, 0);
    mb_scalar(&b, "ys", 1, 0.5), mb_scalar(&b, "yz", 3, 0);
    mb_node(&b, "QLinearMatMul", "fc", MB_L("x", "s", "z", "w", "ws", "wz", "ys", "yz"), MB_L("y"));
    mb_input(&b, "x", 3, 2, (int64_t[]){6, 40});
    mb_output(&b, "y", 3, 2, (int64_t[]){6, 24});
    uint8_t *p = mb_pack(&b, len);
    mb_free(&b);
    return p;
}

/* ids int64 [1,3] -> Gather(E [4,2]) -> ReduceMean over the tokens -> y float [1,2], and the
 * ids reshaped (int64 output) */
static uint8_t *model_embed(size_t *len)
{
    mb b;
    mb_init(&b, 13);
    mb_init_t(&b, "E", 1, 2, (int64_t[]){4, 2}, (double[]){0, 1, 2, 3, 4, 5, 6, 7});
    mb_init_t(&b, "shp", 7, 1, (int64_t[]){1}, (double[]){3});
    mb_node(&b, "Gather", "lookup", MB_L("E", "ids"), MB_L("g"));
    Onnx__NodeProto *n = mb_node(&b, "ReduceMean", "pool", MB_L("g"), MB_L("y"));
    mb_attr_ints(&b, n, "axes", 1, (int64_t[]){1});
    mb_attr_i(&b, n, "keepdims", 0);
    mb_node(&b, "Reshape", "flat", MB_L("ids", "shp"), MB_L("ids_out"));
    mb_input(&b, "ids", 7, 2, (int64_t[]){1, 3});
    mb_output(&b, "y", 1, 2, (int64_t[]){1, 2});
    mb_output(&b, "ids_out", 7, 1, (int64_t[]){3});
    uint8_t *p = mb_pack(&b, len);
    mb_free(&b);
    return p;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/dlp_cli_test_%d", (int)getpid());
    char cmd[1024], args[2048];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0)
        return 1;
    /* help and usage */
    CHECK(dlp("") == 2 && strstr(out, "usage"), "no command: %s", out);
    CHECK(dlp("--help") == 0 && strstr(out, "run"), "--help");
    CHECK(dlp("run --help") == 0 && strstr(out, "--output-dir"), "run --help");
    CHECK(dlp("info --help") == 0 && strstr(out, "usage"), "info --help");
    CHECK(dlp("bench --help") == 0 && strstr(out, "usage"), "bench --help");
    CHECK(dlp("frobnicate") == 2 && strstr(out, "frobnicate"), "unknown command: %s", out);
    CHECK(dlp("run") == 2 && strstr(out, "MODEL"), "run without model: %s", out);
    CHECK(dlp("run m.onnx") == 2 && strstr(out, "--output-dir"), "run without outdir: %s", out);
    CHECK(dlp("run m.onnx --output-dir x --bogus") == 2 && strstr(out, "--bogus"), "bad flag");
    CHECK(dlp("run m.onnx --input nonsense --output-dir x") == 2 && strstr(out, "NAME=FILE"),
          "bad --input: %s", out);
    /* info */
    CHECK(dlp("info") == 0 && strstr(out, "0x444c5000") && strstr(out, "N = 16"), "info: %s", out);
    CHECK(dlp("info --backend nosuch") == 1 && strstr(out, "nosuch"), "bad backend: %s", out);
    CHECK(dlp("info --backend uio:nosuchdevice") == 1 && strstr(out, "uio"), "bad uio: %s", out);
    /* models */
    size_t len;
    uint8_t *m = model_sigmoid(&len);
    write_file("sig.onnx", m, len);
    write_file("trunc.onnx", m, len / 2);
    for (size_t i = 10; i < len; i += 7)
        m[i] ^= 0x5a;
    write_file("flip.onnx", m, len);
    free(m);
    m = model_matmul(&len);
    write_file("mm.onnx", m, len);
    free(m);
    dlp_npy x = {.dtype = DLP_NPY_I8, .rank = 2, .dims = {2, 40}, .count = 80};
    int8_t xv[80];
    for (int i = 0; i < 80; i++)
        xv[i] = (int8_t)(i * 3 - 120);
    x.data = xv;
    char p[512], err[256];
    snprintf(p, sizeof p, "%s/x.npy", dir);
    dlp_npy_write(p, &x, err, sizeof err);
    dlp_npy xf = x;
    xf.dtype = DLP_NPY_F32;
    float fv[80] = {0};
    xf.data = fv;
    snprintf(p, sizeof p, "%s/xf.npy", dir);
    dlp_npy_write(p, &xf, err, sizeof err);
    dlp_npy xs = x;
    xs.dims[1] = 41, xs.count = 82;
    int8_t xsv[82] = {0};
    xs.data = xsv;
    snprintf(p, sizeof p, "%s/xs.npy", dir);
    dlp_npy_write(p, &xs, err, sizeof err);
    write_file("bad.npy", "\x93NUMPY\1\0\x10\0{'descr': '<f8'", 26);

    snprintf(args, sizeof args, "run %s/sig.onnx --input x=%s/x.npy --output-dir %s/o", dir, dir,
             dir);
    CHECK(dlp(args) == 0 && strstr(out, "lut") && strstr(out, "total"), "run: %s", out);
    snprintf(p, sizeof p, "%s/o/y.npy", dir);
    dlp_npy y;
    int rc = dlp_npy_read(p, &y, err, sizeof err);
    CHECK(rc == 0 && y.dtype == DLP_NPY_I8 && y.count == 80, "output y.npy: %s", err);
    if (rc == 0) {
        /* sigmoid(0) = 0.5 -> q = 0; monotone */
        int mono = 1;
        for (int i = 1; i < 80; i++)
            mono &= ((int8_t *)y.data)[i] >= ((int8_t *)y.data)[i - 1];
        CHECK(mono, "sigmoid output is monotone");
        dlp_npy_free(&y);
    }
    snprintf(args, sizeof args,
             "run %s/sig.onnx --backend iss --input x=%s/x.npy --output-dir %s/o --json --quiet",
             dir, dir, dir);
    CHECK(dlp(args) == 0 && out[0] == '{' && strstr(out, "\"layers\"") &&
              strstr(out, "\"utilization\"") && strstr(out, "\"total\""),
          "--json: %s", out);
    snprintf(args, sizeof args, "run %s/mm.onnx --input x=%s/x.npy --output-dir %s/o", dir, dir,
             dir);
    CHECK(dlp(args) == 1 && strstr(out, "dimension"), "wrong shape: %s", out);
    snprintf(args, sizeof args, "run %s/sig.onnx --input x=%s/xf.npy --output-dir %s/o", dir, dir,
             dir);
    CHECK(dlp(args) == 1 && strstr(out, "int8") && strstr(out, "float32"), "wrong dtype: %s", out);
    snprintf(args, sizeof args, "run %s/sig.onnx --input x=%s/xs.npy --output-dir %s/o", dir, dir,
             dir);
    CHECK(dlp(args) == 1 && strstr(out, "'x'"), "wrong shape: %s", out);
    snprintf(args, sizeof args, "run %s/sig.onnx --input x=%s/bad.npy --output-dir %s/o", dir, dir,
             dir);
    CHECK(dlp(args) == 1 && strstr(out, "bad.npy"), "corrupt npy: %s", out);
    snprintf(args, sizeof args, "run %s/sig.onnx --input x=%s/none.npy --output-dir %s/o", dir, dir,
             dir);
    CHECK(dlp(args) == 1 && strstr(out, "cannot open"), "missing npy: %s", out);
    snprintf(args, sizeof args, "run %s/sig.onnx --output-dir %s/o", dir, dir);
    CHECK(dlp(args) == 1 && strstr(out, "no --input"), "missing input: %s", out);
    snprintf(args, sizeof args, "run %s/sig.onnx --input q=%s/x.npy --output-dir %s/o", dir, dir,
             dir);
    CHECK(dlp(args) == 1 && strstr(out, "no input named 'q'"), "unknown input: %s", out);
    snprintf(args, sizeof args, "run %s/trunc.onnx --input x=%s/x.npy --output-dir %s/o", dir, dir,
             dir);
    CHECK(dlp(args) == 1 && strstr(out, "trunc.onnx"), "truncated model: %s", out);
    snprintf(args, sizeof args, "run %s/flip.onnx --input x=%s/x.npy --output-dir %s/o", dir, dir,
             dir);
    rc = dlp(args);
    CHECK(rc == 0 || rc == 1, "corrupted model: status %d: %s", rc, out);
    snprintf(args, sizeof args, "run %s/missing.onnx --input x=%s/x.npy --output-dir %s/o", dir,
             dir, dir);
    CHECK(dlp(args) == 1 && strstr(out, "cannot open"), "missing model: %s", out);
    snprintf(args, sizeof args, "run %s/sig.onnx --input x=%s/x.npy --output-dir /proc/nope", dir,
             dir);
    CHECK(dlp(args) == 1 && strstr(out, "output directory"), "bad outdir: %s", out);
    /* int64 token ids, Gather and a reduction on the CPU */
    m = model_embed(&len);
    write_file("embed.onnx", m, len);
    free(m);
    int64_t idv[3] = {3, 0, 2};
    dlp_npy ids = {.dtype = DLP_NPY_I64, .rank = 2, .dims = {1, 3}, .count = 3, .data = idv};
    snprintf(p, sizeof p, "%s/ids.npy", dir);
    CHECK(dlp_npy_write(p, &ids, err, sizeof err) == 0, "write ids: %s", err);
    snprintf(args, sizeof args, "run %s/embed.onnx --input ids=%s/ids.npy --output-dir %s/e", dir,
             dir, dir);
    CHECK(dlp(args) == 0 && strstr(out, "gather"), "embedding model: %s", out);
    dlp_npy e;
    snprintf(p, sizeof p, "%s/e/y.npy", dir);
    if (dlp_npy_read(p, &e, err, sizeof err) == 0) {
        const float *ev = e.data;
        CHECK(e.dtype == DLP_NPY_F32 && e.count == 2 && ev[0] == 10.0f / 3 && ev[1] == 13.0f / 3,
              "embedding mean %g %g", ev[0], ev[1]);
        dlp_npy_free(&e);
    } else {
        CHECK(0, "embedding output: %s", err);
    }
    snprintf(p, sizeof p, "%s/e/ids_out.npy", dir);
    if (dlp_npy_read(p, &e, err, sizeof err) == 0) {
        CHECK(e.dtype == DLP_NPY_I64 && e.rank == 1 && e.count == 3 &&
                  ((int64_t *)e.data)[0] == 3 && ((int64_t *)e.data)[2] == 2,
              "int64 output");
        dlp_npy_free(&e);
    } else {
        CHECK(0, "int64 output: %s", err);
    }
    idv[1] = 4;
    snprintf(p, sizeof p, "%s/ids.npy", dir);
    dlp_npy_write(p, &ids, err, sizeof err);
    CHECK(dlp(args) == 1 && strstr(out, "lookup") && strstr(out, "out of range"),
          "token id out of range: %s", out);
    snprintf(args, sizeof args, "run %s/embed.onnx --input ids=%s/x.npy --output-dir %s/e", dir,
             dir, dir);
    CHECK(dlp(args) == 1 && strstr(out, "int64"), "int8 file for int64 ids: %s", out);
    /* bench */
    CHECK(dlp("bench --quick") == 0 && strstr(out, "resnet conv 14x14 64->64") &&
              strstr(out, "minilm matmul 32x384x1536"),
          "bench: %s", out);
    CHECK(dlp("bench --backend nosuch") == 1, "bench bad backend");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("note: could not remove %s\n", dir);
    return check_done("sw_cli");
}
