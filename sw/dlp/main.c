/*
 * dlp - command line tool of the DLP: device info, running quantized ONNX models,
 * benchmarks (sw/README.md).
 *
 *   dlp info  [--backend B]
 *   dlp run   MODEL.onnx [--backend B] --input NAME=FILE.npy ... --output-dir DIR [--json]
 *   dlp bench [--backend sim|iss] [--json] [--quick]
 *
 * Backends: iss (default), sim, uio:NAME. Exit status 0 on success, 1 on any error, 2 on
 * bad usage; every message names what is wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dlp/dev.h"
#include "dlp/npy.h"
#include "dlp/rt.h"

static const char *usage_main =
    "usage: dlp COMMAND [options]   (dlp COMMAND --help for details)\n"
    "commands:\n"
    "  info    print the configuration and CSRs of a DLP\n"
    "  run     run a quantized ONNX model, write its outputs as .npy, print per-layer figures\n"
    "  bench   benchmark table of ResNet-18-like and MiniLM-like layers\n"
    "backends: iss (golden instruction-set simulator, default), sim (Verilator RTL model),\n"
    "          uio:NAME (a board: the UIO device named NAME)\n";

static const char *usage_info = "usage: dlp info [--backend iss|sim|uio:NAME]\n"
                                "Print the DLP's ID, version, configuration (CAPS) and CSRs.\n";

static const char *usage_run =
    "usage: dlp run MODEL.onnx [--backend iss|sim|uio:NAME] --input NAME=FILE.npy ...\n"
    "               --output-dir DIR [--json] [--quiet]\n"
    "Run a quantized ONNX model (QDQ or QLinear form) on the DLP. Every graph input needs\n"
    "one --input (.npy of the model's dtype and shape: float32, int8, uint8, or int32 /\n"
    "int64 for index inputs such as token ids); every graph output is\n"
    "written to DIR/NAME.npy. Prints per-layer cycles, MACs, utilization and DMA bytes and\n"
    "the totals; --json prints the same figures as JSON on stdout instead of the table.\n"
    "Progress lines go to stderr (--quiet: none).\n";

static const char *usage_bench =
    "usage: dlp bench [--backend iss|sim] [--json] [--quick]\n"
    "Compile and run typical layers of a ResNet-18-like CNN (3x3 and 1x1 convs, FC) and a\n"
    "MiniLM-like Transformer layer (QKV/FFN matmuls, softmax, layernorm) built from shapes,\n"
    "and print cycles, MAC utilization, DMA bytes and simulation speed. --quick runs\n"
    "smaller shapes (the sim backend needs minutes for the full table).\n";

static int open_dev(const char *backend, dlp_dev **d)
{
    dlp_dev_opts o;
    dlp_dev_opts_default(&o);
    o.mem_size = 256u << 20;
    int rc = dlp_dev_open(backend, &o, d);
    if (rc) {
        const char *why = dlp_dev_last_error(*d);
        fprintf(stderr, "dlp: cannot open backend '%s': %s%s%s\n", backend, dlp_dev_strerror(rc),
                why && *why ? ": " : "", why ? why : "");
        dlp_dev_close(*d);
        *d = NULL;
        return 1;
    }
    return 0;
}

static int want_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ info */
static int cmd_info(int argc, char **argv)
{
    const char *backend = "iss";
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--backend") && i + 1 < argc) {
            backend = argv[++i];
        } else {
            fprintf(stderr, "dlp info: unknown argument '%s'\n%s", argv[i], usage_info);
            return 2;
        }
    }
    dlp_dev *d = NULL;
    if (open_dev(backend, &d))
        return 1;
    dlp_dev_info in;
    if (dlp_dev_info_get(d, &in)) {
        fprintf(stderr, "dlp info: %s\n", dlp_dev_last_error(d));
        dlp_dev_close(d);
        return 1;
    }
    printf("backend      %s (%s)\n", in.backend, in.name);
    printf("ID           0x%08x%s\n", in.id, in.id == 0x444C5000u ? " (DLP)" : " (not a DLP!)");
    printf("version      %u.%u.%u\n", in.version >> 16, (in.version >> 8) & 0xff,
           in.version & 0xff);
    printf("array        N = %u (%u MACs/cycle)\n", in.cfg.n, in.cfg.n * in.cfg.n);
    printf("AXI data     %u bytes\n", in.cfg.bus_bytes);
    printf("scratchpads  ACT %u KiB, WGT %u KiB, ACC %u KiB\n", in.cfg.act_bytes / 1024,
           in.cfg.wgt_bytes / 1024, in.cfg.acc_bytes / 1024);
    printf("queues       depth %u, token bits %u\n", in.cfg.queue_depth, in.cfg.token_bits);
    printf("DMA region   0x%llx, %llu MiB\n", (unsigned long long)in.dma_base,
           (unsigned long long)(in.dma_size >> 20));
    static const struct {
        uint32_t off;
        const char *name;
    } csr[] = {{DLP_CSR_ID, "ID"},
               {DLP_CSR_VERSION, "VERSION"},
               {DLP_CSR_CAPS0, "CAPS0"},
               {DLP_CSR_CAPS1, "CAPS1"},
               {DLP_CSR_CAPS2, "CAPS2"},
               {DLP_CSR_CTRL, "CTRL"},
               {DLP_CSR_STATUS, "STATUS"},
               {DLP_CSR_IRQ_STATUS, "IRQ_STATUS"},
               {DLP_CSR_INSN_BASE, "INSN_BASE"},
               {DLP_CSR_INSN_COUNT, "INSN_COUNT"},
               {DLP_CSR_WIN_BASE, "WIN_BASE"},
               {DLP_CSR_WIN_LIMIT, "WIN_LIMIT"},
               {DLP_CSR_ERR_CODE, "ERR_CODE"},
               {DLP_CSR_ERR_INDEX, "ERR_INDEX"},
               {DLP_CSR_ERR_ADDR, "ERR_ADDR"}};
    printf("CSRs\n");
    for (size_t i = 0; i < sizeof csr / sizeof csr[0]; i++) {
        uint32_t v = 0;
        dlp_dev_reg_read(d, csr[i].off, &v);
        printf("  0x%03x %-11s 0x%08x\n", csr[i].off, csr[i].name, v);
    }
    dlp_dev_close(d);
    return 0;
}

/* ------------------------------------------------------------------ run */
static void progress(void *user, const char *line)
{
    if (!*(int *)user)
        fprintf(stderr, "dlp: %s\n", line);
}

static void sim_progress(void *user, uint64_t cycles)
{
    if (!*(int *)user)
        fprintf(stderr, "dlp: ... %llu cycles simulated\n", (unsigned long long)cycles);
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", *s);
        else
            putchar(*s);
    }
    putchar('"');
}

static void print_layers(const dlp_rt *rt, int json, double secs, const char *backend)
{
    int n = dlp_rt_num_layers(rt);
    uint32_t N = dlp_rt_array_n(rt);
    uint64_t cyc = 0, macs = 0, dma = 0, dmacs = 0;
    for (int i = 0; i < n; i++) {
        const dlp_rt_layer *l = dlp_rt_layer_get(rt, i);
        cyc += l->cycles, macs += l->macs, dma += l->dma_bytes;
        if (!strcmp(l->where, "dlp"))
            dmacs += l->macs;
    }
    double util = cyc ? (double)dmacs / ((double)cyc * N * N) : 0.0;
    if (json) {
        printf("{\"backend\": ");
        json_str(backend);
        printf(", \"n\": %u, \"layers\": [", N);
        for (int i = 0; i < n; i++) {
            const dlp_rt_layer *l = dlp_rt_layer_get(rt, i);
            printf("%s\n  {\"name\": ", i ? "," : "");
            json_str(l->name);
            printf(", \"op\": \"%s\", \"where\": \"%s\", \"cycles\": %llu, \"macs\": %llu, "
                   "\"utilization\": %.4f, \"dma_bytes\": %llu, \"insns\": %llu}",
                   l->op, l->where, (unsigned long long)l->cycles, (unsigned long long)l->macs,
                   l->util, (unsigned long long)l->dma_bytes, (unsigned long long)l->insns);
        }
        printf("],\n \"total\": {\"cycles\": %llu, \"macs\": %llu, \"utilization\": %.4f, "
               "\"dma_bytes\": %llu, \"seconds\": %.3f}}\n",
               (unsigned long long)cyc, (unsigned long long)macs, util, (unsigned long long)dma,
               secs);
        return;
    }
    printf("%-3s %-32s %-10s %-4s %12s %12s %6s %12s\n", "#", "layer", "op", "on", "cycles", "MACs",
           "util", "DMA bytes");
    for (int i = 0; i < n; i++) {
        const dlp_rt_layer *l = dlp_rt_layer_get(rt, i);
        printf("%-3d %-32.32s %-10s %-4s %12llu %12llu %5.1f%% %12llu\n", i, l->name, l->op,
               l->where, (unsigned long long)l->cycles, (unsigned long long)l->macs,
               100.0 * l->util, (unsigned long long)l->dma_bytes);
    }
    printf("%-3s %-32s %-10s %-4s %12llu %12llu %5.1f%% %12llu\n", "", "total", "", "",
           (unsigned long long)cyc, (unsigned long long)macs, 100.0 * util,
           (unsigned long long)dma);
    printf("(N = %u, backend %s, %.2f s wall)\n", N, backend, secs);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmd_run(int argc, char **argv)
{
    const char *model = NULL, *backend = "iss", *outdir = NULL;
    int json = 0, quiet = 0, nin = 0;
    char *in_names[64], *in_files[64];
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--backend") && i + 1 < argc) {
            backend = argv[++i];
        } else if (!strcmp(a, "--input") && i + 1 < argc) {
            char *eq = strchr(argv[++i], '=');
            if (!eq || eq == argv[i] || !eq[1]) {
                fprintf(stderr, "dlp run: --input needs NAME=FILE.npy, got '%s'\n", argv[i]);
                return 2;
            }
            if (nin == 64) {
                fprintf(stderr, "dlp run: too many --input\n");
                return 2;
            }
            *eq = 0;
            in_names[nin] = argv[i], in_files[nin++] = eq + 1;
        } else if (!strcmp(a, "--output-dir") && i + 1 < argc) {
            outdir = argv[++i];
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (a[0] == '-' || model) {
            fprintf(stderr, "dlp run: unknown or incomplete argument '%s'\n%s", a, usage_run);
            return 2;
        } else {
            model = a;
        }
    }
    if (!model || !outdir) {
        fprintf(stderr, "dlp run: %s\n%s", !model ? "no MODEL.onnx given" : "no --output-dir",
                usage_run);
        return 2;
    }
    int rc = 1;
    dlp_rt *rt = dlp_rt_new();
    dlp_dev *d = NULL;
    dlp_npy *ins = NULL, *outs = NULL;
    int n_in = 0, n_out = 0;
    if (!rt) {
        fprintf(stderr, "dlp run: out of memory\n");
        return 1;
    }
    if (dlp_rt_load_file(rt, model)) {
        fprintf(stderr, "dlp run: %s\n", dlp_rt_error(rt));
        goto out;
    }
    n_in = dlp_rt_num_inputs(rt), n_out = dlp_rt_num_outputs(rt);
    ins = calloc((size_t)n_in + 1, sizeof *ins);
    outs = calloc((size_t)n_out + 1, sizeof *outs);
    if (!ins || !outs)
        goto out;
    for (int k = 0; k < nin; k++) {
        int found = 0;
        for (int i = 0; i < n_in; i++)
            found |= !strcmp(dlp_rt_input(rt, i)->name, in_names[k]);
        if (!found) {
            fprintf(stderr, "dlp run: the model has no input named '%s' (inputs:", in_names[k]);
            for (int i = 0; i < n_in; i++)
                fprintf(stderr, " %s", dlp_rt_input(rt, i)->name);
            fprintf(stderr, ")\n");
            goto out;
        }
    }
    for (int i = 0; i < n_in; i++) {
        const dlp_rt_io *io = dlp_rt_input(rt, i);
        int k = -1;
        for (int j = 0; j < nin; j++)
            if (!strcmp(in_names[j], io->name))
                k = j;
        if (k < 0) {
            fprintf(stderr, "dlp run: no --input for model input '%s' (%s, rank %d)\n", io->name,
                    dlp_npy_dtype_name(io->dtype), io->rank);
            goto out;
        }
        char err[512];
        if (dlp_npy_read(in_files[k], &ins[i], err, sizeof err)) {
            fprintf(stderr, "dlp run: input '%s': %s\n", io->name, err);
            goto out;
        }
    }
    if (mkdir(outdir, 0777) && errno != EEXIST) {
        fprintf(stderr, "dlp run: cannot create output directory '%s': %s\n", outdir,
                strerror(errno));
        goto out;
    }
    if (open_dev(backend, &d))
        goto out;
    dlp_dev_set_progress(d, sim_progress, &quiet);
    double t0 = now();
    if (dlp_rt_run(rt, d, ins, n_in, outs, progress, &quiet)) {
        fprintf(stderr, "dlp run: %s\n", dlp_rt_error(rt));
        goto out;
    }
    double secs = now() - t0;
    for (int i = 0; i < n_out; i++) {
        const char *name = dlp_rt_output(rt, i)->name;
        char path[4096], err[512];
        char safe[256];
        snprintf(safe, sizeof safe, "%s", name);
        for (char *p = safe; *p; p++)
            if (*p == '/')
                *p = '_';
        snprintf(path, sizeof path, "%s/%s.npy", outdir, safe);
        if (dlp_npy_write(path, &outs[i], err, sizeof err)) {
            fprintf(stderr, "dlp run: %s\n", err);
            goto out;
        }
    }
    print_layers(rt, json, secs, backend);
    rc = 0;
out:
    for (int i = 0; ins && i < n_in; i++)
        dlp_npy_free(&ins[i]);
    for (int i = 0; outs && i < n_out; i++)
        dlp_npy_free(&outs[i]);
    free(ins), free(outs);
    dlp_rt_free(rt);
    dlp_dev_close(d);
    return rc;
}

/* ------------------------------------------------------------------ bench */
static int cmd_bench(int argc, char **argv)
{
    const char *backend = "iss";
    int json = 0, quick = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--backend") && i + 1 < argc) {
            backend = argv[++i];
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--quick")) {
            quick = 1;
        } else {
            fprintf(stderr, "dlp bench: unknown argument '%s'\n%s", argv[i], usage_bench);
            return 2;
        }
    }
    /* ResNet-18 (224x224 input) and MiniLM-L6 (seq 128, d 384, 12 heads, ffn 1536) layers */
    static const struct {
        const char *name;
        dlp_rt_bench_layer l, q;
    } L[] = {
        {"resnet conv1 7x7/2 3->64",
         {"conv", 224, 224, 3, 64, 7, 2},
         {"conv", 32, 32, 3, 64, 7, 2}},
        {"resnet conv2 3x3 64->64", {"conv", 56, 56, 64, 64, 3, 1}, {"conv", 14, 14, 64, 64, 3, 1}},
        {"resnet conv3 3x3/2 64->128",
         {"conv", 56, 56, 64, 128, 3, 2},
         {"conv", 14, 14, 64, 128, 3, 2}},
        {"resnet conv4 3x3 256->256",
         {"conv", 14, 14, 256, 256, 3, 1},
         {"conv", 7, 7, 256, 256, 3, 1}},
        {"resnet conv5 3x3 512->512",
         {"conv", 7, 7, 512, 512, 3, 1},
         {"conv", 4, 4, 512, 512, 3, 1}},
        {"resnet down 1x1/2 256->512",
         {"conv", 14, 14, 256, 512, 1, 2},
         {"conv", 8, 8, 256, 512, 1, 2}},
        {"resnet fc 512->1000",
         {"matmul", 1, 512, 1000, 0, 0, 0},
         {"matmul", 1, 512, 1000, 0, 0, 0}},
        {"minilm qkv 128x384x1152",
         {"matmul", 128, 384, 1152, 0, 0, 0},
         {"matmul", 32, 384, 384, 0, 0, 0}},
        {"minilm attn QK^T 128x32x128",
         {"matmul", 128, 32, 128, 0, 0, 0},
         {"matmul", 32, 32, 32, 0, 0, 0}},
        {"minilm softmax 12x128 x 128",
         {"softmax", 1536, 128, 0, 0, 0, 0},
         {"softmax", 128, 128, 0, 0, 0, 0}},
        {"minilm out proj 128x384x384",
         {"matmul", 128, 384, 384, 0, 0, 0},
         {"matmul", 32, 384, 384, 0, 0, 0}},
        {"minilm layernorm 128 x 384",
         {"layernorm", 128, 384, 0, 0, 0, 0},
         {"layernorm", 32, 384, 0, 0, 0, 0}},
        {"minilm ffn1 128x384x1536",
         {"matmul", 128, 384, 1536, 0, 0, 0},
         {"matmul", 32, 384, 1536, 0, 0, 0}},
        {"minilm gelu 128 x 1536", {"lut", 128, 1536, 0, 0, 0, 0}, {"lut", 32, 1536, 0, 0, 0, 0}},
        {"minilm ffn2 128x1536x384",
         {"matmul", 128, 1536, 384, 0, 0, 0},
         {"matmul", 32, 1536, 384, 0, 0, 0}},
    };
    dlp_dev *d = NULL;
    if (open_dev(backend, &d))
        return 1;
    int rc = 0;
    if (!json)
        printf("%-34s %12s %12s %6s %12s %10s\n", "layer", "cycles", "MACs", "util", "DMA bytes",
               "cycles/s");
    else
        printf("{\"backend\": \"%s\", \"layers\": [", backend);
    for (size_t i = 0; i < sizeof L / sizeof L[0]; i++) {
        dlp_rt_layer r;
        char err[512];
        double t0 = now();
        if (dlp_rt_bench(d, quick ? &L[i].q : &L[i].l, &r, err, sizeof err)) {
            fprintf(stderr, "dlp bench: %s: %s\n", L[i].name, err);
            rc = 1;
            break;
        }
        double s = now() - t0, speed = s > 0 ? (double)r.cycles / s : 0;
        /* the name says which shape ran (--quick uses smaller ones) */
        const dlp_rt_bench_layer *b = quick ? &L[i].q : &L[i].l;
        char name[96];
        const char *net = strncmp(L[i].name, "resnet", 6) ? "minilm" : "resnet";
        if (!strcmp(b->kind, "conv"))
            snprintf(name, sizeof name, "%s conv %dx%d %d->%d k%d/%d", net, b->a, b->b, b->c, b->d,
                     b->e, b->f);
        else if (!strcmp(b->kind, "matmul"))
            snprintf(name, sizeof name, "%s matmul %dx%dx%d", net, b->a, b->b, b->c);
        else
            snprintf(name, sizeof name, "%s %s %d x %d", net, b->kind, b->a, b->b);
        if (json)
            printf("%s\n  {\"name\": \"%s\", \"cycles\": %llu, \"macs\": %llu, \"utilization\": "
                   "%.4f, \"dma_bytes\": %llu, \"sim_cycles_per_s\": %.0f}",
                   i ? "," : "", name, (unsigned long long)r.cycles, (unsigned long long)r.macs,
                   r.util, (unsigned long long)r.dma_bytes, speed);
        else
            printf("%-34s %12llu %12llu %5.1f%% %12llu %10.3g\n", name,
                   (unsigned long long)r.cycles, (unsigned long long)r.macs, 100 * r.util,
                   (unsigned long long)r.dma_bytes, speed);
        fflush(stdout);
    }
    if (json)
        printf("]}\n");
    dlp_dev_close(d);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_main, stdout);
        return 0;
    }
    struct {
        const char *name, *usage;
        int (*fn)(int, char **);
    } cmds[] = {{"info", usage_info, cmd_info},
                {"run", usage_run, cmd_run},
                {"bench", usage_bench, cmd_bench}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(cmd, cmds[i].name)) {
            if (want_help(argc - 2, argv + 2)) {
                fputs(cmds[i].usage, stdout);
                return 0;
            }
            return cmds[i].fn(argc - 2, argv + 2);
        }
    fprintf(stderr, "dlp: unknown command '%s'\n%s", cmd, usage_main);
    return 2;
}
