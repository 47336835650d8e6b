/*
 * rt_internal.h - internals of libdlprt shared by import.c (ONNX -> quantized op list),
 * exec.c (compile, memory plan, run) and bench.c.
 */
#ifndef DLP_RT_INTERNAL_H
#define DLP_RT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/lower.h"
#include "dlp/ops.h"
#include "dlp/rt.h"
#include "onnx_dlp.pb-c.h"

#define RT_MAX_RANK 8

/* ONNX TensorProto data types used here. */
enum {
    OX_FLOAT = 1,
    OX_UINT8 = 2,
    OX_INT8 = 3,
    OX_INT32 = 6,
    OX_INT64 = 7,
    OX_DOUBLE = 11,
};

/* A decoded constant (initializer or Constant node). */
typedef struct {
    const char *name;
    int dtype;
    int rank;
    int64_t dims[RT_MAX_RANK];
    size_t count;
    double *v; /* every value as double (exact for the types accepted) */
} rt_const;

/* Layout of a quantized tensor in DDR. */
enum { LAY_ANY = -1, LAY_ROWS = 0, LAY_NHWC = 1 };

/* A tensor of the compiled graph: int8 activations (uint8 mapped to int8), or a float
 * graph boundary tensor (is_float). */
typedef struct {
    char *name;
    int rank;
    int64_t dims[RT_MAX_RANK];
    size_t count;
    double scale; /* 0: not known yet (int8 graph input before its first consumer) */
    int32_t zp;   /* int8 domain */
    int is_float;
    int is_idx;        /* index tensor (int32/int64 graph I/O, Gather indices): ihost */
    dlp_npy_dtype idt; /* is_idx: its graph dtype (DLP_NPY_I32 / DLP_NPY_I64) */
    int64_t *ihost;    /* is_idx: values (constant ones filled at import: iconst) */
    int iconst;
    int u8;        /* graph I/O as uint8 */
    int layout;    /* LAY_*: how it is packed in DDR */
    int8_t *cdata; /* constant tensor (broadcast operand): logical int8 data */
    float *fconst; /* constant float tensor (operand of a CPU float op) */
    /* memory plan */
    size_t dev_bytes;
    size_t off; /* in the activation arena (or the weight blob when cdata) */
    int first, last;
    /* run state */
    int8_t *host;
    float *fhost;
    int host_valid, dev_valid;
} rt_qt;

enum {
    O_CONV,
    O_MATMUL,     /* A activation x B constant */
    O_MATMUL_ACT, /* A activation x B activation */
    O_ADD,
    O_MUL,
    O_LUT,
    O_SOFTMAX,
    O_LNORM,
    O_MAXPOOL,
    O_AVGPOOL,
    O_QUANT,   /* host: float -> int8 */
    O_DEQUANT, /* host: int8 -> float (optionally through a float expression) */
    O_COPY,    /* host: same element order, new shape (Reshape, Flatten, Squeeze...) */
    O_TRANSPOSE,
    O_CONCAT,
    O_EXPAND, /* host: numpy broadcast to the output shape */
    /* float ops on the CPU (parts of a QDQ graph left unquantized) */
    O_FGEMM,  /* y = alpha * x W + bias, W [k][n] */
    O_FBIN,   /* y = a (op) b with broadcasting; op in axis: E_ADD, E_SUB, E_MUL, E_DIV */
    O_FLNORM, /* LayerNormalization over the last axis */
    O_FSOFTMAX,
    O_GATHER,  /* rows of a constant table (fw float or w int8, m rows of n) by index */
    O_FUNARY,  /* y = expr(x) elementwise (float) */
    O_FREDUCE, /* ReduceSum/Mean/L2/SumSquare (axis: 0..3) over the dims marked in perm[] */
    O_FMATMUL, /* float activation x activation, batched */
    O_FLPNORM, /* LpNormalization over the last axis, p in k */
    O_CAST,    /* float <-> index tensors */
};

/* Elementwise float expression over one source tensor (the LUT trick). */
enum {
    E_X,
    E_CONST,
    E_ADD,
    E_SUB,
    E_MUL,
    E_DIV,
    E_POW,
    E_MIN,
    E_MAX,
    E_RELU,
    E_SIGMOID,
    E_TANH,
    E_ERF,
    E_EXP,
    E_LOG,
    E_NEG,
    E_ABS,
    E_SQRT,
    E_RECIP,
    E_GELU,
    E_GELU_TANH,
    E_LEAKY,
    E_HSIGMOID,
    E_HSWISH,
    E_SOFTPLUS,
    E_ELU,
    E_CLIP,
};
typedef struct {
    int op, a, b;
    float k, k2;
} rt_expr;

typedef struct {
    int kind;
    char *name;
    const char *opname;
    int in[64], nin;
    int out;
    int cpu;   /* runs on the host with the golden op (fallback) */
    int where; /* 0 dlp, 1 cpu, 2 host */
    /* parameters */
    dlp_conv_shape cs;
    dlp_pool_shape ps;
    int m, k, n, batch, b_shared, trans_b;
    int kdup;        /* O_MATMUL_ACT: K repeated kdup times to fold B's zero point (1: none) */
    int8_t *w;       /* conv OHWI / matmul B [k][n] (trans_b: [n][k]), zero point removed */
    int32_t *bias;   /* [channels] or NULL */
    uint8_t *wraw;   /* CPU fallback: raw weights (OHWI) when w - zp leaves int8 */
    int32_t *wzp;    /* their zero points, one per output channel */
    dlp_dtype wtype; /* their element type */
    int32_t *mult, *shift;
    int nrq;
    int32_t mult0, shift0; /* softmax */
    int32_t lo, hi;
    dlp_add_params addp;
    dlp_mul_params mulp;
    int16_t lut[256];
    int axis, perm[RT_MAX_RANK];
    float *gamma, *beta;
    float *fw, *fb; /* O_FGEMM weights [k][n] and bias [n] */
    double alpha;
    double eps;
    int expr; /* O_DEQUANT: expression root, -1 none */
    /* compile */
    size_t w_off, prm_off, lut_off; /* in the weight blob */
    size_t prog_off, prog_len;      /* instructions in the program buffer */
    size_t scratch_bytes;           /* O_MATMUL_ACT: host-packed operands */
    uint64_t macs;
    dlp_rt_layer st;
} rt_op;

struct dlp_rt {
    char err[512];
    uint8_t *model_buf;
    Onnx__ModelProto *pb;
    int opset;
    rt_const *consts;
    size_t nconsts;
    dlp_rt_io *ins, *outs;
    int nin, nout;
    /* imported for the current input shapes */
    rt_qt *qt;
    int nqt, capqt;
    rt_op *ops;
    int nops, capops;
    rt_expr *ex;
    int nex, capex;
    int *out_qt; /* graph output i -> tensor */
    int64_t bound_dims[16][RT_MAX_RANK];
    int imported;
    /* compiled for a device */
    dlp_dev *dev;
    dlp_config cfg;
    dlp_buf *wbuf, *abuf, *pbuf, *sbuf;
    int compiled;
    dlp_rt_layer *layers;
    int nlayers;
};

int rt_fail(dlp_rt *rt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* import.c */
int rt_parse(dlp_rt *rt, const uint8_t *buf, size_t len);
int rt_import(dlp_rt *rt, const dlp_npy *inputs, int n);
void rt_clear_import(dlp_rt *rt);
float rt_expr_eval(const rt_expr *ex, int root, float x);
/* exec.c */
void rt_clear_compile(dlp_rt *rt);
int rt_compile(dlp_rt *rt, dlp_dev *dev);
int rt_exec(dlp_rt *rt, dlp_rt_progress_fn progress, void *user);
size_t rt_qt_rows(const rt_qt *t, uint32_t n, size_t *pixels, uint32_t *c);

#endif /* DLP_RT_INTERNAL_H */
