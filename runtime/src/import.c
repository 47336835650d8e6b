/*
 * import.c - ONNX (protobuf-c) -> the runtime's quantized op list.
 *
 * Nodes are visited in graph order (ONNX requires topological order) with a symbolic
 * value per tensor name:
 *   CONST   an initializer / Constant                 DQC  DequantizeLinear of a constant
 *   Q       an int8 activation tensor (rt_qt)         FLT  a float graph input
 *   EXPR    f(DequantizeLinear(q)): an elementwise float expression of one int8 tensor
 *           (plain DQ is f(x) = x); a QuantizeLinear of it becomes one 256-entry LUT op
 *   PEND    a float op on dequantized inputs (Conv, MatMul, Add, pools, Softmax, ...)
 *           waiting for its QuantizeLinear, which gives the output scale: QDQ fusion
 * QLinear* nodes produce Q values directly. Data-movement ops (Reshape, Transpose, ...)
 * work on Q and plain-DQ values alike.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/quant.h"
#include "rt_internal.h"

enum { V_NONE, V_CONST, V_DQC, V_Q, V_FLT, V_EXPR, V_PEND, V_IDX };
enum { P_CONV, P_MATMUL, P_GEMM, P_ADD, P_MUL, P_AVGPOOL, P_GAP, P_SOFTMAX, P_LNORM, P_CONCAT };

typedef struct {
    const char *name;
    int kind;
    int c;    /* CONST/DQC: const index */
    int q;    /* Q/FLT: tensor; EXPR: source tensor */
    int expr; /* EXPR: root */
    /* DQC */
    double *sc;
    int32_t *zp;
    int nsc, axis, own;
    /* PEND */
    int pk;
    const Onnx__NodeProto *node;
    int pa, pb, pw, pbias; /* value indices */
    double lo, hi;         /* fused clamp, real domain */
    double alpha;          /* MatMul/Gemm: scalar factor folded in (Mul/Div by a constant) */
    int rank;
    int64_t dims[RT_MAX_RANK];
} val;

typedef struct {
    dlp_rt *rt;
    val *v;
    int nv, cap;
    const Onnx__NodeProto *node;
    const Onnx__NodeProto *anode; /* whose attributes the op builders read (a pending op's) */
    const char *nname;
} imp;

int rt_fail(dlp_rt *rt, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rt->err, sizeof rt->err, fmt, ap);
    va_end(ap);
    return -1;
}

#define NFAIL(I, ...) node_fail(I, __VA_ARGS__)
static int node_fail(imp *I, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int node_fail(imp *I, const char *fmt, ...)
{
    char m[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    return rt_fail(I->rt, "node '%s' (%s): %s", I->nname, I->node ? I->node->op_type : "?", m);
}

/* ------------------------------------------------------------------ constants */
static int dtype_size(int t)
{
    switch (t) {
    case OX_FLOAT: return 4;
    case OX_UINT8:
    case OX_INT8: return 1;
    case OX_INT32: return 4;
    case OX_INT64: return 8;
    case OX_DOUBLE: return 8;
    default: return 0;
    }
}

static int decode_tensor(dlp_rt *rt, const Onnx__TensorProto *t, rt_const *c, const char *what)
{
    memset(c, 0, sizeof *c);
    c->name = t->name ? t->name : "";
    c->dtype = t->data_type;
    if (t->has_data_location && t->data_location == 1)
        return rt_fail(rt,
                       "%s '%s': external data is not supported (save the model with "
                       "all tensors inside)",
                       what, c->name);
    if (t->n_dims > RT_MAX_RANK)
        return rt_fail(rt, "%s '%s': rank %zu is too large", what, c->name, t->n_dims);
    c->rank = (int)t->n_dims;
    size_t cnt = 1;
    for (size_t i = 0; i < t->n_dims; i++) {
        if (t->dims[i] < 0 || t->dims[i] > (1ll << 31))
            return rt_fail(rt, "%s '%s': absurd dimension %lld", what, c->name,
                           (long long)t->dims[i]);
        c->dims[i] = t->dims[i];
        if (t->dims[i] && cnt > ((size_t)1 << 31) / (size_t)t->dims[i])
            return rt_fail(rt, "%s '%s': too many elements", what, c->name);
        cnt *= (size_t)t->dims[i];
    }
    c->count = cnt;
    int es = dtype_size(c->dtype);
    if (!es)
        return rt_fail(rt,
                       "%s '%s': data type %d not supported (float, double, int8, uint8, "
                       "int32, int64)",
                       what, c->name, c->dtype);
    c->v = malloc(sizeof(double) * (cnt ? cnt : 1));
    if (!c->v)
        return rt_fail(rt, "%s '%s': out of memory", what, c->name);
    if (t->has_raw_data) {
        if (t->raw_data.len != cnt * (size_t)es)
            return rt_fail(rt, "%s '%s': raw data has %zu bytes, shape needs %zu", what, c->name,
                           t->raw_data.len, cnt * (size_t)es);
        const uint8_t *p = t->raw_data.data;
        for (size_t i = 0; i < cnt; i++, p += es) {
            uint64_t u = 0;
            for (int b = es - 1; b >= 0; b--)
                u = u << 8 | p[b];
            switch (c->dtype) {
            case OX_FLOAT: {
                float f;
                uint32_t u32 = (uint32_t)u;
                memcpy(&f, &u32, 4);
                c->v[i] = f;
                break;
            }
            case OX_DOUBLE: memcpy(&c->v[i], &u, 8); break;
            case OX_UINT8: c->v[i] = (double)(uint8_t)u; break;
            case OX_INT8: c->v[i] = (double)(int8_t)(uint8_t)u; break;
            case OX_INT32: c->v[i] = (double)(int32_t)(uint32_t)u; break;
            case OX_INT64: c->v[i] = (double)(int64_t)u; break;
            }
        }
        return 0;
    }
    size_t have = c->dtype == OX_FLOAT    ? t->n_float_data
                  : c->dtype == OX_INT64  ? t->n_int64_data
                  : c->dtype == OX_DOUBLE ? t->n_double_data
                                          : t->n_int32_data;
    if (have != cnt)
        return rt_fail(rt, "%s '%s': has %zu values, shape needs %zu", what, c->name, have, cnt);
    for (size_t i = 0; i < cnt; i++)
        c->v[i] = c->dtype == OX_FLOAT    ? (double)t->float_data[i]
                  : c->dtype == OX_INT64  ? (double)t->int64_data[i]
                  : c->dtype == OX_DOUBLE ? t->double_data[i]
                                          : (double)t->int32_data[i];
    return 0;
}

static int npy_of_onnx(int t, dlp_npy_dtype *o)
{
    switch (t) {
    case OX_FLOAT: *o = DLP_NPY_F32; return 0;
    case OX_UINT8: *o = DLP_NPY_U8; return 0;
    case OX_INT8: *o = DLP_NPY_I8; return 0;
    case OX_INT32: *o = DLP_NPY_I32; return 0;
    case OX_INT64: *o = DLP_NPY_I64; return 0;
    default: return -1;
    }
}

static int io_from_pb(dlp_rt *rt, const Onnx__ValueInfoProto *vi, dlp_rt_io *io, const char *what)
{
    io->name = vi->name ? vi->name : "";
    const Onnx__TypeProto__Tensor *tt = vi->type ? vi->type->tensor_type : NULL;
    if (!strcmp(what, "output") && (!tt || npy_of_onnx(tt->elem_type, &io->dtype))) {
        io->dtype = DLP_NPY_F32; /* outputs: the runtime's result decides type and shape */
        io->rank = -1;
        return 0;
    }
    if (!tt)
        return rt_fail(rt, "graph %s '%s' has no tensor type", what, io->name);
    if (npy_of_onnx(tt->elem_type, &io->dtype))
        return rt_fail(
            rt, "graph %s '%s' has element type %d (float, int8, uint8, int32, int64 supported)",
            what, io->name, tt->elem_type);
    if (!tt->shape) {
        io->rank = -1;
        return 0;
    }
    if (tt->shape->n_dim > RT_MAX_RANK)
        return rt_fail(rt, "graph %s '%s' has rank %zu", what, io->name, tt->shape->n_dim);
    io->rank = (int)tt->shape->n_dim;
    for (int i = 0; i < io->rank; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        io->dims[i] = d->has_dim_value ? d->dim_value : -1;
        if (d->has_dim_value && (d->dim_value < 0 || d->dim_value > (1 << 30)))
            return rt_fail(rt, "graph %s '%s' has absurd dimension %lld", what, io->name,
                           (long long)d->dim_value);
    }
    return 0;
}

int rt_parse(dlp_rt *rt, const uint8_t *buf, size_t len)
{
    Onnx__ModelProto *pb = onnx__model_proto__unpack(NULL, len, buf);
    if (!pb)
        return rt_fail(rt, "not a valid ONNX model: protobuf decoding failed (truncated or "
                           "corrupted file)");
    rt->pb = pb;
    if (!pb->graph || pb->graph->n_node == 0)
        return rt_fail(rt, "ONNX model has no graph or no nodes");
    rt->opset = 0;
    for (size_t i = 0; i < pb->n_opset_import; i++) {
        const char *d = pb->opset_import[i]->domain;
        if (!d || !*d || !strcmp(d, "ai.onnx"))
            rt->opset = (int)pb->opset_import[i]->version;
    }
    if (rt->opset == 0)
        rt->opset = 13;
    if (rt->opset < 10)
        return rt_fail(rt,
                       "ONNX opset %d is too old (10 or newer needed for "
                       "QuantizeLinear/QLinear ops)",
                       rt->opset);
    const Onnx__GraphProto *g = pb->graph;
    rt->consts = calloc(g->n_initializer + 1, sizeof *rt->consts);
    if (!rt->consts)
        return rt_fail(rt, "out of memory");
    for (size_t i = 0; i < g->n_initializer; i++) {
        if (decode_tensor(rt, g->initializer[i], &rt->consts[i], "initializer")) {
            free(rt->consts[i].v);
            return -1;
        }
        rt->nconsts++;
    }
    rt->ins = calloc(g->n_input + 1, sizeof *rt->ins);
    rt->outs = calloc(g->n_output + 1, sizeof *rt->outs);
    if (!rt->ins || !rt->outs)
        return rt_fail(rt, "out of memory");
    for (size_t i = 0; i < g->n_input; i++) {
        int init = 0;
        for (size_t j = 0; j < rt->nconsts; j++)
            init |= g->input[i]->name && !strcmp(rt->consts[j].name, g->input[i]->name);
        if (init)
            continue;
        if (rt->nin == 16)
            return rt_fail(rt, "more than 16 graph inputs");
        if (io_from_pb(rt, g->input[i], &rt->ins[rt->nin], "input"))
            return -1;
        if (rt->ins[rt->nin].rank < 0)
            return rt_fail(rt, "graph input '%s' has no shape", rt->ins[rt->nin].name);
        rt->nin++;
    }
    for (size_t i = 0; i < g->n_output; i++) {
        if (io_from_pb(rt, g->output[i], &rt->outs[rt->nout], "output"))
            return -1;
        rt->nout++;
    }
    if (rt->nout == 0)
        return rt_fail(rt, "ONNX graph has no outputs");
    for (size_t i = 0; i < g->n_node; i++) {
        const Onnx__NodeProto *n = g->node[i];
        if (!n->op_type)
            return rt_fail(rt, "node %zu has no op_type", i);
    }
    return 0;
}

/* ------------------------------------------------------------------ values, tensors, ops */
static int find_val(imp *I, const char *name)
{
    for (int i = I->nv - 1; i >= 0; i--)
        if (!strcmp(I->v[i].name, name))
            return i;
    return -1;
}

static val *new_val(imp *I, const char *name, int kind)
{
    if (I->nv == I->cap) {
        int nc = I->cap ? 2 * I->cap : 256;
        val *nv = realloc(I->v, sizeof *nv * (size_t)nc);
        if (!nv)
            return NULL;
        I->v = nv, I->cap = nc;
    }
    val *v = &I->v[I->nv++];
    memset(v, 0, sizeof *v);
    v->name = name, v->kind = kind, v->expr = -1, v->c = -1, v->q = -1;
    v->lo = -INFINITY, v->hi = INFINITY, v->alpha = 1.0;
    return v;
}

static int new_qt(dlp_rt *rt, const char *name, int rank, const int64_t *dims)
{
    if (rt->nqt == rt->capqt) {
        int nc = rt->capqt ? 2 * rt->capqt : 64;
        rt_qt *n = realloc(rt->qt, sizeof *n * (size_t)nc);
        if (!n)
            return -1;
        rt->qt = n, rt->capqt = nc;
    }
    rt_qt *t = &rt->qt[rt->nqt];
    memset(t, 0, sizeof *t);
    t->name = strdup(name);
    t->rank = rank;
    t->count = 1;
    for (int i = 0; i < rank; i++) {
        t->dims[i] = dims[i];
        t->count *= (size_t)dims[i];
    }
    t->layout = LAY_ANY;
    t->first = t->last = -1;
    return rt->nqt++;
}

static rt_op *new_op(imp *I, int kind, const char *opname)
{
    dlp_rt *rt = I->rt;
    if (rt->nops == rt->capops) {
        int nc = rt->capops ? 2 * rt->capops : 64;
        rt_op *n = realloc(rt->ops, sizeof *n * (size_t)nc);
        if (!n)
            return NULL;
        rt->ops = n, rt->capops = nc;
    }
    rt_op *o = &rt->ops[rt->nops++];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->opname = opname;
    o->name = strdup(I->nname);
    o->expr = -1;
    o->out = -1;
    return o;
}

static int new_expr(dlp_rt *rt, int op, int a, int b, float k, float k2)
{
    if (rt->nex == rt->capex) {
        int nc = rt->capex ? 2 * rt->capex : 64;
        rt_expr *n = realloc(rt->ex, sizeof *n * (size_t)nc);
        if (!n)
            return -1;
        rt->ex = n, rt->capex = nc;
    }
    rt->ex[rt->nex] = (rt_expr){op, a, b, k, k2};
    return rt->nex++;
}

float rt_expr_eval(const rt_expr *ex, int root, float x)
{
    const rt_expr *e = &ex[root];
    float a = e->a >= 0 ? rt_expr_eval(ex, e->a, x) : 0.0f;
    float b = e->b >= 0 ? rt_expr_eval(ex, e->b, x) : 0.0f;
    switch (e->op) {
    case E_X: return x;
    case E_CONST: return e->k;
    case E_ADD: return a + b;
    case E_SUB: return a - b;
    case E_MUL: return a * b;
    case E_DIV: return a / b;
    case E_POW: return powf(a, b);
    case E_MIN: return fminf(a, b);
    case E_MAX: return fmaxf(a, b);
    case E_RELU: return a > 0 ? a : 0.0f;
    case E_SIGMOID: return 1.0f / (1.0f + expf(-a));
    case E_TANH: return tanhf(a);
    case E_ERF: return erff(a);
    case E_EXP: return expf(a);
    case E_LOG: return logf(a);
    case E_NEG: return -a;
    case E_ABS: return fabsf(a);
    case E_SQRT: return sqrtf(a);
    case E_RECIP: return 1.0f / a;
    case E_GELU: return 0.5f * a * (1.0f + erff(a * 0.70710678f));
    case E_GELU_TANH: return 0.5f * a * (1.0f + tanhf(0.7978845608f * (a + 0.044715f * a * a * a)));
    case E_LEAKY: return a >= 0 ? a : e->k * a;
    case E_HSIGMOID: return fmaxf(0.0f, fminf(1.0f, e->k * a + e->k2));
    case E_HSWISH: return a * fmaxf(0.0f, fminf(1.0f, a / 6.0f + 0.5f));
    case E_SOFTPLUS: return logf(1.0f + expf(a));
    case E_ELU: return a >= 0 ? a : e->k * (expf(a) - 1.0f);
    case E_CLIP: return fminf(fmaxf(a, e->k), e->k2);
    default: return NAN;
    }
}

/* ------------------------------------------------------------------ node helpers */
static const Onnx__AttributeProto *attr(const Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && !strcmp(n->attribute[i]->name, name))
            return n->attribute[i];
    return NULL;
}

static int64_t attr_i(const Onnx__NodeProto *n, const char *name, int64_t d)
{
    const Onnx__AttributeProto *a = attr(n, name);
    return a ? a->i : d;
}

static float attr_f(const Onnx__NodeProto *n, const char *name, float d)
{
    const Onnx__AttributeProto *a = attr(n, name);
    return a ? a->f : d;
}

/* ints attribute: count (<= max) or -1 when absent; -2 when longer than max. */
static int attr_ints(const Onnx__NodeProto *n, const char *name, int64_t *out, int max)
{
    const Onnx__AttributeProto *a = attr(n, name);
    if (!a)
        return -1;
    if (a->n_ints > (size_t)max)
        return -2;
    for (size_t i = 0; i < a->n_ints; i++)
        out[i] = a->ints[i];
    return (int)a->n_ints;
}

static const char *in_name(const Onnx__NodeProto *n, size_t i)
{
    return i < n->n_input && n->input[i] && n->input[i][0] ? n->input[i] : NULL;
}

/* The value of input i; error when missing. */
static int in_val(imp *I, size_t i, int *vi)
{
    const char *nm = in_name(I->node, i);
    if (!nm)
        return NFAIL(I, "input %zu is missing", i);
    *vi = find_val(I, nm);
    if (*vi < 0)
        return NFAIL(I,
                     "input '%s' is not produced by any earlier node, initializer or graph "
                     "input",
                     nm);
    return 0;
}

static rt_const *val_const(imp *I, int vi)
{
    return I->v[vi].kind == V_CONST || I->v[vi].kind == V_DQC ? &I->rt->consts[I->v[vi].c] : NULL;
}

/* A scalar from a constant (or one-element DQ constant, dequantized). */
static int const_scalar(imp *I, int vi, double *out)
{
    val *v = &I->v[vi];
    rt_const *c = val_const(I, vi);
    if (!c || c->count != 1)
        return -1;
    *out = v->kind == V_DQC ? (c->v[0] - v->zp[0]) * v->sc[0] : c->v[0];
    return 0;
}

/* Float values of a constant (dequantized when DQC); malloc'd. */
static float *const_floats(imp *I, int vi, size_t *count)
{
    val *v = &I->v[vi];
    rt_const *c = val_const(I, vi);
    if (!c)
        return NULL;
    float *f = malloc(sizeof(float) * (c->count ? c->count : 1));
    if (!f)
        return NULL;
    size_t inner = 1;
    if (v->kind == V_DQC && v->nsc > 1)
        for (int d = v->axis + 1; d < c->rank; d++)
            inner *= (size_t)c->dims[d];
    for (size_t i = 0; i < c->count; i++) {
        if (v->kind == V_DQC) {
            int k = v->nsc > 1 ? (int)((i / inner) % (size_t)v->nsc) : 0;
            f[i] = (float)((c->v[i] - v->zp[k]) * v->sc[k]);
        } else {
            f[i] = (float)c->v[i];
        }
    }
    *count = c->count;
    return f;
}

/* Scale (float const) and zero point (int8/uint8 const, mapped to the int8 domain) of a
 * QLinear operand. */
static int qparams(imp *I, size_t si, size_t zi, double *scale, int32_t *zp, int *u8)
{
    int vs, vz = -1;
    if (in_val(I, si, &vs))
        return -1;
    rt_const *s = val_const(I, vs);
    if (!s || s->count != 1)
        return NFAIL(I, "input %zu (scale) must be a one-element constant", si);
    if (s->dtype != OX_FLOAT)
        return NFAIL(I, "input %zu (scale) has type %d; ONNX scales are float", si, s->dtype);
    *scale = s->v[0];
    if (!(*scale > 0) || !isfinite(*scale))
        return NFAIL(I, "scale %g is not finite and positive", *scale);
    *zp = 0;
    if (u8)
        *u8 = 0;
    if (in_name(I->node, zi)) {
        if (in_val(I, zi, &vz))
            return -1;
        rt_const *z = val_const(I, vz);
        if (!z || z->count != 1)
            return NFAIL(I, "input %zu (zero point) must be a one-element constant", zi);
        if (z->dtype != OX_INT8 && z->dtype != OX_UINT8)
            return NFAIL(I,
                         "zero point of type %d: only int8 and uint8 activations are "
                         "supported",
                         z->dtype);
        *zp = (int32_t)z->v[0] - (z->dtype == OX_UINT8 ? 128 : 0);
        if (u8)
            *u8 = z->dtype == OX_UINT8;
    }
    return 0;
}

static int set_out(imp *I, size_t i, val **out, int kind)
{
    if (i >= I->node->n_output || !I->node->output[i] || !I->node->output[i][0])
        return NFAIL(I, "output %zu is missing", i);
    *out = new_val(I, I->node->output[i], kind);
    return *out ? 0 : NFAIL(I, "out of memory");
}

static rt_qt *QT(imp *I, int q)
{
    return &I->rt->qt[q];
}

/* The int8 tensor behind a Q value or a plain DQ (f(x) = x) value. */
static int act_of(imp *I, int vi, int allow_dq, int *q)
{
    val *v = &I->v[vi];
    if (v->kind == V_Q || (allow_dq && v->kind == V_EXPR && I->rt->ex[v->expr].op == E_X)) {
        *q = v->q;
        return 0;
    }
    if (v->kind == V_EXPR)
        return NFAIL(I,
                     "input '%s' is a float expression that is not requantized "
                     "(QuantizeLinear) before this op",
                     v->name);
    if (v->kind == V_PEND)
        return NFAIL(I,
                     "input '%s' is the float output of '%s' without a QuantizeLinear; "
                     "the DLP needs quantized activations",
                     v->name, v->node->name);
    if (v->kind == V_FLT)
        return NFAIL(I, "input '%s' is a float tensor; quantize it (QuantizeLinear) first",
                     v->name);
    return NFAIL(I, "input '%s' is a constant where an activation is expected", v->name);
}

/* ------------------------------------------------------------------ shapes */
static int64_t prod(const int64_t *d, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= d[i];
    return p;
}

static int conv_shape(imp *I, const rt_qt *x, const rt_const *w, dlp_conv_shape *s)
{
    const Onnx__NodeProto *n = I->anode ? I->anode : I->node;
    if (x->rank != 4 || w->rank != 4)
        return NFAIL(I, "only 2-D convolution (4-D NCHW input and OIHW weights) is supported");
    int64_t k[8], st[2] = {1, 1}, dl[2] = {1, 1}, pd[4] = {0, 0, 0, 0};
    if (attr_ints(n, "strides", st, 2) == -2 || attr_ints(n, "dilations", dl, 2) == -2 ||
        attr_ints(n, "pads", pd, 4) == -2 || attr_ints(n, "kernel_shape", k, 2) == -2)
        return NFAIL(I, "strides/dilations/pads/kernel_shape of wrong length");
    const Onnx__AttributeProto *ap = attr(n, "auto_pad");
    int64_t g = attr_i(n, "group", 1);
    memset(s, 0, sizeof *s);
    s->n = (int)x->dims[0], s->c = (int)x->dims[1], s->h = (int)x->dims[2], s->w = (int)x->dims[3];
    s->cout = (int)w->dims[0], s->kh = (int)w->dims[2], s->kw = (int)w->dims[3];
    s->stride_h = (int)st[0], s->stride_w = (int)st[1], s->dil_h = (int)dl[0],
    s->dil_w = (int)dl[1];
    s->groups = (int)g;
    if (ap && ap->s.len && strncmp((const char *)ap->s.data, "NOTSET", ap->s.len)) {
        int same = !strncmp((const char *)ap->s.data, "SAME_UPPER", ap->s.len) ||
                   !strncmp((const char *)ap->s.data, "SAME_LOWER", ap->s.len);
        if (!same && strncmp((const char *)ap->s.data, "VALID", ap->s.len))
            return NFAIL(I, "auto_pad '%.*s' not supported", (int)ap->s.len, ap->s.data);
        if (same) {
            int upper = !strncmp((const char *)ap->s.data, "SAME_UPPER", ap->s.len);
            int in[2] = {s->h, s->w}, kk[2] = {s->kh, s->kw}, ss[2] = {s->stride_h, s->stride_w},
                dd[2] = {s->dil_h, s->dil_w};
            for (int a = 0; a < 2; a++) {
                int o = (in[a] + ss[a] - 1) / ss[a];
                int t = (o - 1) * ss[a] + (kk[a] - 1) * dd[a] + 1 - in[a];
                t = t < 0 ? 0 : t;
                pd[a] = upper ? t / 2 : t - t / 2;
                pd[a + 2] = t - pd[a];
            }
        }
    }
    s->pad_t = (int)pd[0], s->pad_l = (int)pd[1], s->pad_b = (int)pd[2], s->pad_r = (int)pd[3];
    if (g < 1 || s->c % g || s->cout % g || w->dims[1] * g != x->dims[1])
        return NFAIL(I, "group %lld does not match input channels %lld and weights %lld",
                     (long long)g, (long long)x->dims[1], (long long)w->dims[1]);
    int oh, ow;
    if (s->stride_h < 1 || s->stride_w < 1 || s->dil_h < 1 || s->dil_w < 1 || pd[0] < 0 ||
        pd[1] < 0 || pd[2] < 0 || pd[3] < 0 || dlp_conv_out_hw(s, &oh, &ow))
        return NFAIL(I, "bad strides, dilations or pads for input %dx%d and kernel %dx%d", s->h,
                     s->w, s->kh, s->kw);
    return 0;
}

static int pool_shape(imp *I, const rt_qt *x, dlp_pool_shape *s, int global)
{
    const Onnx__NodeProto *n = I->anode ? I->anode : I->node;
    if (x->rank != 4)
        return NFAIL(I, "pooling needs a 4-D NCHW input (rank %d)", x->rank);
    memset(s, 0, sizeof *s);
    s->n = (int)x->dims[0], s->c = (int)x->dims[1], s->h = (int)x->dims[2], s->w = (int)x->dims[3];
    s->stride_h = s->stride_w = s->dil_h = s->dil_w = 1;
    if (global) {
        s->kh = s->h, s->kw = s->w;
        return 0;
    }
    int64_t k[2], st[2] = {1, 1}, dl[2] = {1, 1}, pd[4] = {0, 0, 0, 0};
    if (attr_ints(n, "kernel_shape", k, 2) != 2)
        return NFAIL(I, "kernel_shape must have 2 entries");
    if (attr_ints(n, "strides", st, 2) == -2 || attr_ints(n, "dilations", dl, 2) == -2 ||
        attr_ints(n, "pads", pd, 4) == -2)
        return NFAIL(I, "strides/dilations/pads of wrong length");
    const Onnx__AttributeProto *ap = attr(n, "auto_pad");
    if (ap && ap->s.len && strncmp((const char *)ap->s.data, "NOTSET", ap->s.len) &&
        strncmp((const char *)ap->s.data, "VALID", ap->s.len))
        return NFAIL(I, "auto_pad '%.*s' not supported for pooling", (int)ap->s.len, ap->s.data);
    s->kh = (int)k[0], s->kw = (int)k[1];
    s->stride_h = (int)st[0], s->stride_w = (int)st[1], s->dil_h = (int)dl[0],
    s->dil_w = (int)dl[1];
    s->pad_t = (int)pd[0], s->pad_l = (int)pd[1], s->pad_b = (int)pd[2], s->pad_r = (int)pd[3];
    s->ceil_mode = (int)attr_i(n, "ceil_mode", 0);
    s->count_include_pad = (int)attr_i(n, "count_include_pad", 0);
    int oh, ow;
    if (k[0] < 1 || k[1] < 1 || s->stride_h < 1 || s->stride_w < 1 || s->dil_h < 1 ||
        s->dil_w < 1 || pd[0] < 0 || pd[1] < 0 || pd[2] < 0 || pd[3] < 0 ||
        dlp_pool_out_hw(s, &oh, &ow))
        return NFAIL(I, "bad kernel, strides, dilations or pads for input %dx%d", s->h, s->w);
    return 0;
}

/* ------------------------------------------------------------------ op builders */
/* Requantization multipliers in_scale * w_scale[c] / out_scale. */
static int make_rq(imp *I, rt_op *o, double in_scale, const double *ws, int nws, double out_scale)
{
    o->nrq = nws;
    o->mult = malloc(sizeof(int32_t) * (size_t)nws);
    o->shift = malloc(sizeof(int32_t) * (size_t)nws);
    if (!o->mult || !o->shift)
        return NFAIL(I, "out of memory");
    for (int c = 0; c < nws; c++) {
        double r = in_scale * ws[c] / out_scale;
        if (!(r >= 0) || !isfinite(r) || dlp_quantize_multiplier(r, &o->mult[c], &o->shift[c]))
            if (r != 0 && !(r < 1e-9))
                return NFAIL(I,
                             "requantization multiplier %g (in %g * w %g / out %g) cannot "
                             "be represented",
                             r, in_scale, ws[c], out_scale);
    }
    return 0;
}

static void clamp_bounds(double lo, double hi, double s, int32_t zp, int32_t *qlo, int32_t *qhi)
{
    double l = isfinite(lo) ? zp + nearbyint(lo / s) : -128;
    double h = isfinite(hi) ? zp + nearbyint(hi / s) : 127;
    *qlo = (int32_t)(l < -128 ? -128 : l > 127 ? 127 : l);
    *qhi = (int32_t)(h < -128 ? -128 : h > 127 ? 127 : h);
    if (*qlo > *qhi)
        *qlo = *qhi;
}

/* Weights: a constant value (int8/uint8, DQ per tensor or per axis, or QLinear with
 * separate scale/zp), returned as int8 w - zp when that fits, else cpu = 1 keeps w and zp
 * for the golden op (w stays in int16 range: stored int8 after -128 shift for uint8). */
typedef struct {
    int8_t *w;       /* w - zp[c] */
    double *scale;   /* per channel (nch entries) */
    int nch;         /* channels along axis */
    int fits;        /* all w - zp in int8 */
    int32_t *raw_zp; /* zero point per channel, int domain of the raw data */
    int16_t *raw;    /* raw values */
} wq;

static void wq_free(wq *q)
{
    free(q->w), free(q->scale), free(q->raw_zp), free(q->raw);
}

static int weights(imp *I, const rt_const *c, const double *sc, const int32_t *zp, int nsc,
                   int axis, int nch, wq *q)
{
    memset(q, 0, sizeof *q);
    if (c->dtype != OX_INT8 && c->dtype != OX_UINT8)
        return NFAIL(I,
                     "weights '%s' are of type %d, not int8/uint8 (quantize them, e.g. "
                     "QDQ per channel)",
                     c->name, c->dtype);
    if (nsc != 1 && nsc != nch)
        return NFAIL(I, "weights '%s' have %d scales for %d channels", c->name, nsc, nch);
    q->nch = nch;
    q->w = malloc(c->count ? c->count : 1);
    q->raw = malloc(sizeof(int16_t) * (c->count ? c->count : 1));
    q->scale = malloc(sizeof(double) * (size_t)nch);
    q->raw_zp = malloc(sizeof(int32_t) * (size_t)nch);
    if (!q->w || !q->raw || !q->scale || !q->raw_zp)
        return NFAIL(I, "out of memory");
    size_t inner = 1;
    for (int d = axis + 1; d < c->rank; d++)
        inner *= (size_t)c->dims[d];
    q->fits = 1;
    for (int k = 0; k < nch; k++) {
        q->scale[k] = sc[nsc == 1 ? 0 : k];
        q->raw_zp[k] = zp ? zp[nsc == 1 ? 0 : k] : 0;
    }
    for (size_t i = 0; i < c->count; i++) {
        int k = (int)((i / inner) % (size_t)nch);
        int32_t v = (int32_t)c->v[i] - q->raw_zp[k];
        q->raw[i] = (int16_t)c->v[i];
        if (v < -128 || v > 127)
            q->fits = 0;
        q->w[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
    return 0;
}

/* Weights from a DQC value (QDQ form). */
static int weights_dqc(imp *I, int vi, int axis_expect, int nch, wq *q)
{
    val *v = &I->v[vi];
    if (v->kind != V_DQC)
        return NFAIL(I,
                     "weights '%s' must be a quantized constant (DequantizeLinear of an "
                     "int8 initializer)",
                     v->name);
    if (v->nsc > 1 && v->axis != axis_expect)
        return NFAIL(I,
                     "weights '%s' are quantized per axis %d; per output channel (axis %d) "
                     "is supported",
                     v->name, v->axis, axis_expect);
    return weights(I, &I->rt->consts[v->c], v->sc, v->zp, v->nsc, axis_expect, nch, q);
}

/* Bias: int32 constant (QLinear) or DQ(int32) in units of s_x*s_w (checked), or NULL. */
static int bias_of(imp *I, int vi, int nch, double xs, const wq *w, int32_t **out)
{
    *out = NULL;
    if (vi < 0)
        return 0;
    val *v = &I->v[vi];
    rt_const *c = val_const(I, vi);
    if (!c || c->count != (size_t)nch)
        return NFAIL(I, "bias '%s' must be a constant of %d values", v->name, nch);
    int32_t *b = malloc(sizeof(int32_t) * (size_t)nch);
    if (!b)
        return NFAIL(I, "out of memory");
    for (int i = 0; i < nch; i++) {
        double val_ = c->v[i];
        if (v->kind == V_DQC) {
            double s = v->sc[v->nsc > 1 ? i : 0], want = xs * w->scale[i];
            val_ = (c->v[i] - v->zp[v->nsc > 1 ? i : 0]) * s / want;
            val_ = nearbyint(val_);
        } else if (c->dtype == OX_FLOAT) {
            val_ = nearbyint(c->v[i] / (xs * w->scale[i]));
        }
        if (!(val_ >= INT32_MIN && val_ <= INT32_MAX)) {
            free(b);
            return NFAIL(I, "bias value %g out of int32 range", val_);
        }
        b[i] = (int32_t)val_;
    }
    *out = b;
    return 0;
}

static int ensure_scale(imp *I, int q, double s, int32_t zp)
{
    rt_qt *t = QT(I, q);
    if (t->scale == 0) {
        t->scale = s, t->zp = zp;
        return 0;
    }
    if (fabs(t->scale - s) > 1e-6 * s || t->zp != zp)
        return NFAIL(I, "input '%s' has scale %g zp %d here but %g zp %d elsewhere", t->name, s, zp,
                     t->scale, t->zp);
    return 0;
}

static int out_qt(imp *I, size_t oi, int rank, const int64_t *dims, double s, int32_t zp, int u8,
                  int kind_q)
{
    val *o;
    if (set_out(I, oi, &o, kind_q ? V_Q : V_EXPR))
        return -1;
    int q = new_qt(I->rt, o->name, rank, dims);
    if (q < 0)
        return NFAIL(I, "out of memory");
    QT(I, q)->scale = s, QT(I, q)->zp = zp, QT(I, q)->u8 = u8;
    o->q = q;
    if (!kind_q) {
        o->expr = new_expr(I->rt, E_X, -1, -1, 0, 0);
        if (o->expr < 0)
            return NFAIL(I, "out of memory");
    }
    return q;
}

static int conv_op(imp *I, int xq, int64_t *odims, const rt_const *wc, wq *w, int32_t *bias,
                   double ys, int32_t yzp, int32_t lo, int32_t hi, int q)
{
    rt_qt *x = QT(I, xq);
    dlp_conv_shape s;
    if (conv_shape(I, x, wc, &s))
        return -1;
    rt_op *o = new_op(I, O_CONV, "conv");
    if (!o)
        return NFAIL(I, "out of memory");
    o->cs = s;
    o->in[0] = xq, o->nin = 1, o->out = q;
    o->bias = bias;
    o->lo = lo, o->hi = hi;
    o->cpu = !w->fits;
    /* OIHW -> OHWI */
    int cg = s.c / s.groups;
    o->w = malloc(wc->count ? wc->count : 1);
    if (!o->w)
        return NFAIL(I, "out of memory");
    for (int co = 0; co < s.cout; co++)
        for (int ci = 0; ci < cg; ci++)
            for (int ky = 0; ky < s.kh; ky++)
                for (int kx = 0; kx < s.kw; kx++)
                    o->w[((co * s.kh + ky) * s.kw + kx) * cg + ci] =
                        w->w[((co * cg + ci) * s.kh + ky) * s.kw + kx];
    if (make_rq(I, o, x->scale, w->scale, w->nch, ys))
        return -1;
    int oh, ow;
    dlp_conv_out_hw(&s, &oh, &ow);
    odims[0] = s.n, odims[1] = s.cout, odims[2] = oh, odims[3] = ow;
    o->macs = (uint64_t)s.n * oh * ow * s.cout * cg * s.kh * s.kw;
    (void)yzp;
    return 0;
}

/* The output tensor of a conv is created before the op (the shape comes from conv_shape). */
static int conv_shape_out(imp *I, int xq, const rt_const *wc, int64_t *od)
{
    dlp_conv_shape s;
    if (conv_shape(I, QT(I, xq), wc, &s))
        return -1;
    int oh, ow;
    dlp_conv_out_hw(&s, &oh, &ow);
    od[0] = s.n, od[1] = s.cout, od[2] = oh, od[3] = ow;
    return 0;
}

static int do_conv(imp *I, int xq, int wv_or_c, int is_qlinear, const double *wsc,
                   const int32_t *wzp, int nwsc, int bv, double ys, int32_t yzp, int u8, double lo,
                   double hi, size_t oi, int kind_q)
{
    rt_const *wc = is_qlinear ? &I->rt->consts[wv_or_c] : val_const(I, wv_or_c);
    if (!wc)
        return NFAIL(I, "weights must be a constant");
    if (wc->rank != 4)
        return NFAIL(I, "weights must be 4-D OIHW (rank %d)", wc->rank);
    int nch = (int)wc->dims[0];
    wq w = {0};
    int rc = is_qlinear ? weights(I, wc, wsc, wzp, nwsc, 0, nch, &w)
                        : weights_dqc(I, wv_or_c, 0, nch, &w);
    if (rc) {
        wq_free(&w);
        return -1;
    }
    int64_t od[4];
    int32_t *bias = NULL;
    if (conv_shape_out(I, xq, wc, od) || bias_of(I, bv, nch, QT(I, xq)->scale, &w, &bias)) {
        wq_free(&w);
        return -1;
    }
    int q = out_qt(I, oi, 4, od, ys, yzp, u8, kind_q);
    int32_t qlo, qhi;
    clamp_bounds(lo, hi, ys, yzp, &qlo, &qhi);
    rc = q < 0 ? -1 : conv_op(I, xq, od, wc, &w, bias, ys, yzp, qlo, qhi, q);
    if (rc == 0 && !w.fits)
        fprintf(stderr,
                "dlp: warning: node '%s': weight zero points make w - zp leave int8; "
                "running it on the CPU (golden conv)\n",
                I->nname);
    if (rc == 0 && !w.fits) {
        /* keep the raw weights (OHWI) and zero points for the golden op on the CPU */
        rt_op *o = &I->rt->ops[I->rt->nops - 1];
        const dlp_conv_shape *cs = &o->cs;
        int cg = cs->c / cs->groups;
        o->where = 1, o->cpu = 1;
        o->wraw = malloc(wc->count ? wc->count : 1);
        o->wzp = malloc(sizeof(int32_t) * (size_t)nch);
        if (!o->wraw || !o->wzp) {
            wq_free(&w);
            return NFAIL(I, "out of memory");
        }
        o->wtype = wc->dtype == OX_UINT8 ? DLP_U8 : DLP_S8;
        memcpy(o->wzp, w.raw_zp, sizeof(int32_t) * (size_t)nch);
        for (int co = 0; co < cs->cout; co++)
            for (int ci = 0; ci < cg; ci++)
                for (int ky = 0; ky < cs->kh; ky++)
                    for (int kx = 0; kx < cs->kw; kx++)
                        o->wraw[((co * cs->kh + ky) * cs->kw + kx) * cg + ci] =
                            (uint8_t)w.raw[((co * cg + ci) * cs->kh + ky) * cs->kw + kx];
    }
    wq_free(&w);
    return rc;
}

/* MatMul / Gemm with constant B (k x n) in QDQ (DQC) or QLinear form. */
static int do_matmul_const(imp *I, int aq, const rt_const *bc, wq *w, int trans_b, int32_t *bias,
                           double alpha, double ys, int32_t yzp, int u8, double lo, double hi,
                           size_t oi, int kind_q)
{
    rt_qt *a = QT(I, aq);
    if (bc->rank != 2) {
        free(bias);
        return NFAIL(I, "constant B must be 2-D (rank %d)", bc->rank);
    }
    int k = (int)bc->dims[trans_b ? 1 : 0], n = (int)bc->dims[trans_b ? 0 : 1];
    if (a->rank < 1 || a->dims[a->rank - 1] != k) {
        free(bias);
        return NFAIL(I, "A's last dimension %lld does not match B's K %d",
                     (long long)(a->rank ? a->dims[a->rank - 1] : 0), k);
    }
    int64_t od[RT_MAX_RANK];
    memcpy(od, a->dims, sizeof od);
    od[a->rank - 1] = n;
    int q = out_qt(I, oi, a->rank, od, ys, yzp, u8, kind_q);
    a = QT(I, aq); /* out_qt may have moved the tensor array */
    if (q < 0) {
        free(bias);
        return -1;
    }
    rt_op *o = new_op(I, O_MATMUL, "matmul");
    if (!o) {
        free(bias);
        return NFAIL(I, "out of memory");
    }
    o->in[0] = aq, o->nin = 1, o->out = q;
    o->m = (int)prod(a->dims, 0, a->rank - 1), o->k = k, o->n = n, o->trans_b = trans_b;
    o->w = w->w;
    w->w = NULL;
    o->bias = bias;
    for (int c = 0; c < w->nch; c++)
        w->scale[c] *= alpha;
    if (make_rq(I, o, a->scale, w->scale, w->nch, ys))
        return -1;
    clamp_bounds(lo, hi, ys, yzp, &o->lo, &o->hi);
    o->macs = (uint64_t)o->m * k * n;
    return 0;
}

static int do_matmul_act(imp *I, int aq, int bq, double alpha, double ys, int32_t yzp, int u8,
                         double lo, double hi, size_t oi, int kind_q)
{
    rt_qt *a = QT(I, aq), *b = QT(I, bq);
    if (a->rank < 2 || b->rank < 2)
        return NFAIL(I, "activation x activation MatMul needs rank >= 2 operands");
    int m = (int)a->dims[a->rank - 2], k = (int)a->dims[a->rank - 1];
    int kb = (int)b->dims[b->rank - 2], n = (int)b->dims[b->rank - 1];
    int64_t batch = prod(a->dims, 0, a->rank - 2), bb = prod(b->dims, 0, b->rank - 2);
    if (k != kb || (bb != 1 && bb != batch))
        return NFAIL(I, "shapes do not match for MatMul (A ..x%dx%d, B ..x%dx%d)", m, k, kb, n);
    int64_t od[RT_MAX_RANK];
    memcpy(od, a->dims, sizeof od);
    od[a->rank - 1] = n;
    int q = out_qt(I, oi, a->rank, od, ys, yzp, u8, kind_q);
    a = QT(I, aq), b = QT(I, bq); /* out_qt may have moved the tensor array */
    if (q < 0)
        return -1;
    rt_op *o = new_op(I, O_MATMUL_ACT, "matmul_act");
    if (!o)
        return NFAIL(I, "out of memory");
    o->in[0] = aq, o->in[1] = bq, o->nin = 2, o->out = q;
    o->m = m, o->k = k, o->n = n, o->batch = (int)batch, o->b_shared = bb == 1 && batch > 1;
    if (make_rq(I, o, a->scale * b->scale, &alpha, 1, ys))
        return -1;
    clamp_bounds(lo, hi, ys, yzp, &o->lo, &o->hi);
    o->macs = (uint64_t)batch * m * k * n;
    return 0;
}

static int same_shape(const rt_qt *a, const rt_qt *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return 0;
    return 1;
}

/* A constant operand of Add/Mul broadcast to the shape of t, quantized (its own scale). */
static int const_operand(imp *I, int vi, const rt_qt *t, int *cq)
{
    val *v = &I->v[vi];
    rt_const *c = val_const(I, vi);
    size_t nf;
    float *f = const_floats(I, vi, &nf);
    if (!f)
        return NFAIL(I, "out of memory");
    /* numpy broadcasting of c to t */
    if (c->rank > t->rank) {
        free(f);
        return NFAIL(I, "constant '%s' has higher rank than the activation", v->name);
    }
    double mn = 0, mx = 0;
    for (size_t i = 0; i < nf; i++)
        mn = fmin(mn, f[i]), mx = fmax(mx, f[i]);
    double s = v->kind == V_DQC && v->nsc == 1 ? v->sc[0] : fmax((mx - mn) / 255.0, 1e-8);
    int32_t zp = v->kind == V_DQC && v->nsc == 1 ? v->zp[0] - (c->dtype == OX_UINT8 ? 128 : 0)
                                                 : (int32_t)nearbyint(-128 - mn / s);
    int q = new_qt(I->rt, v->name, t->rank, t->dims);
    if (q < 0) {
        free(f);
        return NFAIL(I, "out of memory");
    }
    rt_qt *o = QT(I, q);
    o->scale = s, o->zp = zp;
    o->cdata = malloc(o->count ? o->count : 1);
    if (!o->cdata) {
        free(f);
        return NFAIL(I, "out of memory");
    }
    int off = o->rank - c->rank;
    for (size_t i = 0; i < o->count; i++) {
        size_t rem = i, ci = 0, cstride = 1;
        for (int d = o->rank - 1; d >= 0; d--) {
            size_t idx = rem % (size_t)o->dims[d];
            rem /= (size_t)o->dims[d];
            int cd = d - off;
            if (cd >= 0) {
                if (c->dims[cd] != 1 && c->dims[cd] != o->dims[d]) {
                    free(f);
                    return NFAIL(I, "constant '%s' does not broadcast to the activation shape",
                                 v->name);
                }
                if (c->dims[cd] != 1)
                    ci += idx * cstride;
                cstride *= (size_t)c->dims[cd];
            }
        }
        double qv = nearbyint(f[ci] / s) + zp;
        o->cdata[i] = (int8_t)(qv < -128 ? -128 : qv > 127 ? 127 : qv);
    }
    free(f);
    *cq = q;
    return 0;
}

static int do_eltwise(imp *I, int kind, int aq, int bq, double ys, int32_t yzp, int u8, double lo,
                      double hi, size_t oi, int kind_q)
{
    rt_qt *a = QT(I, aq), *b = QT(I, bq);
    if (!same_shape(a, b)) {
        /* broadcast the smaller operand on the host (Add and Mul commute) */
        if (b->rank > a->rank || (b->rank == a->rank && b->count > a->count)) {
            int t = aq;
            aq = bq, bq = t;
            a = QT(I, aq), b = QT(I, bq);
        }
        int ok = b->rank <= a->rank;
        for (int d = 0; ok && d < b->rank; d++) {
            int64_t bd = b->dims[d], ad = a->dims[a->rank - b->rank + d];
            ok = bd == ad || bd == 1;
        }
        if (!ok)
            return NFAIL(I, "operand shapes do not broadcast");
        int e = new_qt(I->rt, b->name, a->rank, a->dims);
        if (e < 0)
            return NFAIL(I, "out of memory");
        a = QT(I, aq), b = QT(I, bq);
        QT(I, e)->scale = b->scale, QT(I, e)->zp = b->zp;
        rt_op *o = new_op(I, O_EXPAND, "expand");
        if (!o)
            return NFAIL(I, "out of memory");
        o->in[0] = bq, o->nin = 1, o->out = e, o->where = 2;
        bq = e;
        b = QT(I, bq);
    }
    int32_t qlo, qhi;
    clamp_bounds(lo, hi, ys, yzp, &qlo, &qhi);
    int q = out_qt(I, oi, a->rank, a->dims, ys, yzp, u8, kind_q);
    if (q < 0)
        return -1;
    rt_op *o = new_op(I, kind, kind == O_ADD ? "add" : "mul");
    if (!o)
        return NFAIL(I, "out of memory");
    o->in[0] = aq, o->in[1] = bq, o->nin = 2, o->out = q;
    o->lo = qlo, o->hi = qhi;
    a = QT(I, aq), b = QT(I, bq);
    int rc = kind == O_ADD
                 ? dlp_add_prepare(a->scale, a->zp, b->scale, b->zp, ys, yzp, qlo, qhi, &o->addp)
                 : dlp_mul_prepare(a->scale, a->zp, b->scale, b->zp, ys, yzp, qlo, qhi, &o->mulp);
    if (rc)
        return NFAIL(I, "scales cannot be represented by the int8 %s (%s)",
                     kind == O_ADD ? "ADD" : "MUL", dlp_status_str(rc));
    return 0;
}

/* LUT op: y = Q(f(DQ(x))), evaluated in float32 as onnxruntime does. */
static int do_lut(imp *I, int xq, int expr, double ys, int32_t yzp, int u8, size_t oi)
{
    rt_qt *x = QT(I, xq);
    int q = out_qt(I, oi, x->rank, x->dims, ys, yzp, u8, 1);
    if (q < 0)
        return -1;
    x = QT(I, xq);
    rt_op *o = new_op(I, O_LUT, "lut");
    if (!o)
        return NFAIL(I, "out of memory");
    o->in[0] = xq, o->nin = 1, o->out = q;
    o->lo = -128, o->hi = 127;
    for (int i = 0; i < 256; i++) {
        float xf = (float)(i - 128 - x->zp) * (float)x->scale;
        float y = rt_expr_eval(I->rt->ex, expr, xf);
        float r = nearbyintf(y / (float)ys) + (float)yzp;
        if (isnan(r))
            r = (float)yzp;
        o->lut[i] = (int16_t)(r < -128 ? -128 : r > 127 ? 127 : r);
    }
    return 0;
}

/* AveragePool / GlobalAveragePool of aq into a new output quantized (s, zp), clamped to
 * the real range [lo, hi] (+-INFINITY: the int8 range). */
static int do_avgpool(imp *I, int aq, int global, double s, int32_t zp, int u8, double lo,
                      double hi)
{
    dlp_pool_shape ps;
    if (pool_shape(I, QT(I, aq), &ps, global))
        return -1;
    int oh, ow;
    dlp_pool_out_hw(&ps, &oh, &ow);
    int64_t od[4] = {ps.n, ps.c, oh, ow};
    int q = out_qt(I, 0, 4, od, s, zp, u8, 1);
    if (q < 0)
        return -1;
    rt_op *o = new_op(I, O_AVGPOOL, "avgpool");
    if (!o)
        return NFAIL(I, "out of memory");
    o->in[0] = aq, o->nin = 1, o->out = q, o->ps = ps;
    clamp_bounds(lo, hi, s, zp, &o->lo, &o->hi);
    return 0;
}

static int do_softmax(imp *I, int xq, int axis, double ys, int32_t yzp, int u8, size_t oi)
{
    rt_qt *x = QT(I, xq);
    if (axis < 0)
        axis += x->rank;
    if (axis != x->rank - 1)
        return NFAIL(I, "Softmax over axis %d: only the last axis is supported", axis);
    int q = out_qt(I, oi, x->rank, x->dims, ys, yzp, u8, 1);
    if (q < 0)
        return -1;
    x = QT(I, xq);
    rt_op *o = new_op(I, O_SOFTMAX, "softmax");
    if (!o)
        return NFAIL(I, "out of memory");
    o->in[0] = xq, o->nin = 1, o->out = q;
    o->m = (int)prod(x->dims, 0, x->rank - 1), o->n = (int)x->dims[x->rank - 1];
    if (o->n > 65535)
        return NFAIL(I, "Softmax rows of %d values are too long", o->n);
    if (dlp_lut_build_softmax_exp(x->scale, o->lut) ||
        dlp_quantize_multiplier(1.0 / (1073741824.0 * ys), &o->mult0, &o->shift0))
        return NFAIL(I, "softmax scales (in %g, out %g) cannot be represented", x->scale, ys);
    o->lo = -128, o->hi = 127;
    return 0;
}

static int do_lnorm(imp *I, int xq, int gv, int bv, double eps, int axis, double ys, int32_t yzp,
                    int u8, size_t oi)
{
    rt_qt *x = QT(I, xq);
    if (axis < 0)
        axis += x->rank;
    if (axis != x->rank - 1)
        return NFAIL(I, "LayerNormalization over axis %d: only the last axis is supported", axis);
    int len = (int)x->dims[x->rank - 1];
    size_t ng = 0, nb = 0;
    float *g = gv >= 0 ? const_floats(I, gv, &ng) : NULL;
    float *b = bv >= 0 ? const_floats(I, bv, &nb) : NULL;
    if ((gv >= 0 && (!g || ng != (size_t)len)) || (bv >= 0 && (!b || nb != (size_t)len))) {
        free(g), free(b);
        return NFAIL(I, "scale and bias must be constants of %d values", len);
    }
    int q = out_qt(I, oi, x->rank, x->dims, ys, yzp, u8, 1);
    if (q < 0) {
        free(g), free(b);
        return -1;
    }
    x = QT(I, xq);
    rt_op *o = new_op(I, O_LNORM, "layernorm");
    if (!o)
        return NFAIL(I, "out of memory");
    o->in[0] = xq, o->nin = 1, o->out = q;
    o->m = (int)prod(x->dims, 0, x->rank - 1), o->n = len;
    o->gamma = g, o->beta = b, o->eps = eps;
    o->lo = -128, o->hi = 127;
    return 0;
}

static int do_pool(imp *I, int avg, int global, int xq, double ys, int32_t yzp, int u8, size_t oi,
                   int kind_q)
{
    dlp_pool_shape s;
    if (pool_shape(I, QT(I, xq), &s, global))
        return -1;
    int oh, ow;
    dlp_pool_out_hw(&s, &oh, &ow);
    int64_t od[4] = {s.n, s.c, oh, ow};
    int q = out_qt(I, oi, 4, od, ys, yzp, u8, kind_q);
    if (q < 0)
        return -1;
    rt_op *o = new_op(I, avg ? O_AVGPOOL : O_MAXPOOL, avg ? "avgpool" : "maxpool");
    if (!o)
        return NFAIL(I, "out of memory");
    o->in[0] = xq, o->nin = 1, o->out = q;
    o->ps = s;
    o->lo = -128, o->hi = 127;
    return 0;
}

/* A float (is_idx = 0) or index tensor registered as output oi of the node. */
static int typed_out(imp *I, size_t oi, int is_idx, dlp_npy_dtype idt, int rank,
                     const int64_t *dims, int *q)
{
    val *o;
    if (set_out(I, oi, &o, is_idx ? V_IDX : V_FLT))
        return -1;
    int t = new_qt(I->rt, o->name, rank, dims);
    if (t < 0)
        return NFAIL(I, "out of memory");
    QT(I, t)->is_float = !is_idx, QT(I, t)->is_idx = is_idx;
    QT(I, t)->idt = is_idx ? idt : DLP_NPY_F32;
    o->q = t;
    *q = t;
    return 0;
}

/* Host data-movement ops; the result keeps the input's quantization. */
static int do_move(imp *I, int kind, const char *opname, int *xqs, int nx, int rank,
                   const int64_t *od, int axis, const int *perm, int kind_q)
{
    rt_qt *x = QT(I, xqs[0]);
    int q;
    if (x->is_float || x->is_idx) { /* float or index tensor: same op on the host */
        if (typed_out(I, 0, x->is_idx, x->idt, rank, od, &q))
            return -1;
    } else {
        q = out_qt(I, 0, rank, od, x->scale, x->zp, x->u8, kind_q);
    }
    if (q < 0)
        return -1;
    rt_op *o = new_op(I, kind, opname);
    if (!o)
        return NFAIL(I, "out of memory");
    if (nx > 64)
        return NFAIL(I, "more than 64 inputs");
    for (int i = 0; i < nx; i++)
        o->in[i] = xqs[i];
    o->nin = nx, o->out = q, o->axis = axis;
    if (perm)
        memcpy(o->perm, perm, sizeof o->perm);
    o->where = 2;
    return 0;
}

/* ------------------------------------------------------------------ node dispatch */
static int is(const Onnx__NodeProto *n, const char *op)
{
    return !strcmp(n->op_type, op);
}

static int add_const(imp *I, const Onnx__TensorProto *t, const char *name)
{
    dlp_rt *rt = I->rt;
    rt_const *nc = realloc(rt->consts, sizeof *nc * (rt->nconsts + 1));
    if (!nc)
        return NFAIL(I, "out of memory");
    rt->consts = nc;
    if (decode_tensor(rt, t, &rt->consts[rt->nconsts], "Constant")) {
        free(rt->consts[rt->nconsts].v);
        return -1;
    }
    rt->consts[rt->nconsts].name = name;
    val *v;
    if (set_out(I, 0, &v, V_CONST))
        return -1;
    v->c = (int)rt->nconsts++;
    return 0;
}

/* Constant node: value tensor or value_float(s)/value_int(s). */
static int node_constant(imp *I)
{
    const Onnx__NodeProto *n = I->node;
    const Onnx__AttributeProto *a = attr(n, "value");
    if (a && a->t)
        return add_const(I, a->t, n->output[0]);
    Onnx__TensorProto t = ONNX__TENSOR_PROTO__INIT;
    int64_t dim = 0;
    float f;
    int64_t iv;
    if ((a = attr(n, "value_float"))) {
        f = a->f;
        t.data_type = OX_FLOAT, t.n_float_data = 1, t.float_data = &f;
    } else if ((a = attr(n, "value_floats"))) {
        t.data_type = OX_FLOAT, t.n_float_data = a->n_floats, t.float_data = a->floats;
        dim = (int64_t)a->n_floats, t.n_dims = 1, t.dims = &dim;
    } else if ((a = attr(n, "value_int"))) {
        iv = a->i;
        t.data_type = OX_INT64, t.n_int64_data = 1, t.int64_data = &iv;
    } else if ((a = attr(n, "value_ints"))) {
        t.data_type = OX_INT64, t.n_int64_data = a->n_ints, t.int64_data = a->ints;
        dim = (int64_t)a->n_ints, t.n_dims = 1, t.dims = &dim;
    } else {
        return NFAIL(I, "Constant without a supported value attribute");
    }
    return add_const(I, &t, n->output[0]);
}

static int materialize(imp *I, const val *p, double s, int32_t zp, int u8);
static int concat(imp *I, const Onnx__NodeProto *n, double ts, int32_t tzp, int tu8);

static int node_quantize(imp *I)
{
    int xv;
    if (in_val(I, 0, &xv))
        return -1;
    double s;
    int32_t zp;
    int u8;
    if (qparams(I, 1, 2, &s, &zp, &u8))
        return -1;
    if (!in_name(I->node, 2)) { /* no zero point: uint8 output, zp 0 */
        const Onnx__AttributeProto *ot = attr(I->node, "output_dtype");
        if (!ot || ot->i == OX_UINT8)
            u8 = 1, zp = -128;
    }
    val *x = &I->v[xv];
    switch (x->kind) {
    case V_FLT: {
        rt_qt *f = QT(I, x->q);
        int q = out_qt(I, 0, f->rank, f->dims, s, zp, u8, 1);
        if (q < 0)
            return -1;
        rt_op *o = new_op(I, O_QUANT, "quantize");
        if (!o)
            return NFAIL(I, "out of memory");
        o->in[0] = I->v[xv].q, o->nin = 1, o->out = q, o->where = 2;
        return 0;
    }
    case V_EXPR: {
        rt_qt *src = QT(I, x->q);
        if (I->rt->ex[x->expr].op == E_X && fabs(src->scale - s) <= 1e-7 * s && src->zp == zp) {
            val *o;
            if (set_out(I, 0, &o, V_Q))
                return -1;
            o->q = I->v[xv].q;
            if (u8)
                QT(I, o->q)->u8 = 1;
            return 0;
        }
        return do_lut(I, x->q, x->expr, s, zp, u8, 0);
    }
    case V_PEND: {
        val p = *x;
        const char *keep = I->nname;
        I->nname = p.node->name && *p.node->name ? p.node->name : p.name;
        I->anode = p.node;
        int rc = materialize(I, &p, s, zp, u8);
        I->nname = keep;
        I->anode = NULL;
        return rc;
    }
    default: return NFAIL(I, "QuantizeLinear of '%s': input must be a float activation", x->name);
    }
}

/* ------------------------------------------------------------------ float islands */
/* Can value vi be computed with int8 ops (every operand quantized)? */
static int int8able(imp *I, int vi);
static int int8able_v(imp *I, const val *v)
{
    switch (v->kind) {
    case V_Q: return 1;
    case V_EXPR: return I->rt->ex[v->expr].op == E_X;
    case V_CONST:
    case V_DQC: return 1;
    case V_PEND:
        switch (v->pk) {
        case P_CONV: return int8able(I, v->pa) && I->v[v->pw].kind == V_DQC;
        case P_MATMUL:
        case P_GEMM:
            return int8able(I, v->pa) && I->v[v->pw].kind != V_CONST &&
                   (I->v[v->pw].kind == V_DQC || int8able(I, v->pw));
        case P_ADD:
        case P_MUL: /* operands must be int8 tensors (not pending results) */
            return int8able(I, v->pa) && int8able(I, v->pb) && I->v[v->pa].kind != V_PEND &&
                   I->v[v->pb].kind != V_PEND;
        case P_CONCAT: return 1;
        default: return int8able(I, v->pa) && I->v[v->pa].kind != V_PEND;
        }
    default: return 0;
    }
}

static int int8able(imp *I, int vi)
{
    return int8able_v(I, &I->v[vi]);
}

static int float_qt(imp *I, const char *name, int rank, const int64_t *dims)
{
    int q = new_qt(I->rt, name, rank, dims);
    if (q < 0)
        return NFAIL(I, "out of memory");
    QT(I, q)->is_float = 1;
    return q;
}

static rt_op *float_op(imp *I, int kind, const char *opname, int out)
{
    rt_op *o = new_op(I, kind, opname);
    if (!o)
        return NULL;
    o->out = out, o->where = 1;
    return o;
}

/* The float tensor of value vi (dequantizing, or computing a pending op in float on the
 * CPU); *q is a tensor with is_float. */
static int to_float_v(imp *I, const val *v, int *q);
static int to_float(imp *I, int vi, int *q)
{
    val v = I->v[vi];
    return to_float_v(I, &v, q);
}

static int to_float_v(imp *I, const val *v, int *q)
{
    if (v->kind == V_FLT) {
        *q = v->q;
        return 0;
    }
    if (v->kind == V_EXPR) {
        rt_qt *s = QT(I, v->q);
        int64_t d[RT_MAX_RANK];
        memcpy(d, s->dims, sizeof d);
        int f = float_qt(I, v->name, s->rank, d);
        rt_op *o = f < 0 ? NULL : float_op(I, O_DEQUANT, "dequantize", f);
        if (!o)
            return NFAIL(I, "out of memory");
        o->in[0] = v->q, o->nin = 1, o->where = 2;
        o->expr = I->rt->ex[v->expr].op == E_X ? -1 : v->expr;
        *q = f;
        return 0;
    }
    if (v->kind == V_CONST || v->kind == V_DQC) {
        int vi = -1;
        for (int i = 0; i < I->nv && vi < 0; i++)
            if (I->v[i].kind == v->kind && I->v[i].c == v->c && !strcmp(I->v[i].name, v->name))
                vi = i;
        if (vi < 0)
            return NFAIL(I, "internal: constant '%s' not found", v->name);
        rt_const *c = val_const(I, vi);
        size_t n;
        float *fv = const_floats(I, vi, &n);
        int f = fv ? float_qt(I, c->name, c->rank, c->dims) : -1;
        if (f < 0) {
            free(fv);
            return NFAIL(I, "out of memory");
        }
        QT(I, f)->fconst = fv;
        *q = f;
        return 0;
    }
    if (v->kind == V_IDX)
        return NFAIL(I, "input '%s' is an index tensor (int32/int64); Cast it to float first",
                     v->name);
    if (v->kind != V_PEND)
        return NFAIL(I, "value '%s' cannot be computed in float", v->name);
    val p = *v;
    const char *keep = I->nname;
    const Onnx__NodeProto *ka = I->anode;
    I->nname = p.node->name && *p.node->name ? p.node->name : p.name;
    I->anode = p.node;
    int rc = -1, a = -1, b = -1;
    fprintf(stderr,
            "dlp: warning: node '%s' (%s) has float operands (not quantized); "
            "running it in float on the CPU\n",
            I->nname, p.node->op_type);
    switch (p.pk) {
    case P_ADD:
    case P_MUL: {
        if (to_float(I, p.pa, &a) || to_float(I, p.pb, &b))
            break;
        rt_qt *ta = QT(I, a), *tb = QT(I, b);
        const rt_qt *big = ta->rank >= tb->rank ? ta : tb;
        int64_t d[RT_MAX_RANK];
        int r = big->rank;
        for (int i = 0; i < r; i++) {
            int ia = i - (r - ta->rank), ib = i - (r - tb->rank);
            int64_t da = ia >= 0 ? ta->dims[ia] : 1, db = ib >= 0 ? tb->dims[ib] : 1;
            if (da != db && da != 1 && db != 1) {
                NFAIL(I, "operand shapes do not broadcast");
                goto out;
            }
            d[i] = da > db ? da : db;
        }
        int f = float_qt(I, p.name, r, d);
        rt_op *o = f < 0 ? NULL : float_op(I, O_FBIN, "fadd", f);
        if (!o)
            break;
        o->in[0] = a, o->in[1] = b, o->nin = 2, o->axis = p.pk == P_ADD ? E_ADD : E_MUL;
        o->opname = p.pk == P_ADD ? "fadd" : "fmul";
        *q = f, rc = 0;
        break;
    }
    case P_MATMUL:
    case P_GEMM: {
        if (to_float(I, p.pa, &a))
            break;
        rt_const *wc = val_const(I, p.pw);
        if (!wc && p.pk == P_MATMUL) { /* activation x activation */
            if (to_float(I, p.pw, &b))
                break;
            rt_qt *ta = QT(I, a), *tb2 = QT(I, b);
            if (ta->rank < 2 || tb2->rank < 2) {
                NFAIL(I, "float MatMul needs operands of rank >= 2");
                break;
            }
            int64_t m = ta->dims[ta->rank - 2], k = ta->dims[ta->rank - 1];
            int64_t kb = tb2->dims[tb2->rank - 2], n = tb2->dims[tb2->rank - 1];
            int64_t ba = prod(ta->dims, 0, ta->rank - 2), bb = prod(tb2->dims, 0, tb2->rank - 2);
            if (k != kb || (ba != bb && bb != 1 && ba != 1)) {
                NFAIL(I, "shapes do not match for MatMul (A ..x%lldx%lld, B ..x%lldx%lld)",
                      (long long)m, (long long)k, (long long)kb, (long long)n);
                break;
            }
            const rt_qt *big = ba >= bb ? ta : tb2;
            int64_t d[RT_MAX_RANK];
            int r = big->rank;
            memcpy(d, big->dims, sizeof d);
            d[r - 2] = m, d[r - 1] = n;
            int f = float_qt(I, p.name, r, d);
            rt_op *o = f < 0 ? NULL : float_op(I, O_FMATMUL, "fmatmul", f);
            if (!o)
                break;
            o->in[0] = a, o->in[1] = b, o->nin = 2;
            o->m = (int)m, o->k = (int)k, o->n = (int)n;
            o->batch = (int)(ba > bb ? ba : bb);
            o->b_shared = bb == 1, o->trans_b = ba == 1; /* trans_b here: A shared */
            o->alpha = p.alpha;
            o->macs = (uint64_t)o->batch * (uint64_t)(m * k * n);
            *q = f, rc = 0;
            break;
        }
        int tb = p.pk == P_GEMM ? (int)attr_i(p.node, "transB", 0) : 0;
        if (!wc || wc->rank != 2 || (p.pk == P_GEMM && attr_i(p.node, "transA", 0))) {
            NFAIL(I, "float %s needs a constant 2-D B (and transA = 0)", p.node->op_type);
            break;
        }
        int k = (int)wc->dims[tb ? 1 : 0], n = (int)wc->dims[tb ? 0 : 1];
        rt_qt *ta = QT(I, a);
        if (ta->rank < 1 || ta->dims[ta->rank - 1] != k) {
            NFAIL(I, "A's last dimension does not match B");
            break;
        }
        size_t nw;
        float *w = const_floats(I, p.pw, &nw), *bias = NULL;
        size_t nb = 0;
        if (p.pbias >= 0)
            bias = const_floats(I, p.pbias, &nb);
        if (!w || (p.pbias >= 0 && (!bias || nb != (size_t)n))) {
            free(w), free(bias);
            NFAIL(I, "bias must be a constant of %d values", n);
            break;
        }
        float *wt = malloc(sizeof(float) * nw);
        if (!wt) {
            free(w), free(bias);
            NFAIL(I, "out of memory");
            break;
        }
        for (int i = 0; i < k; i++)
            for (int j = 0; j < n; j++)
                wt[(size_t)i * n + j] = tb ? w[(size_t)j * k + i] : w[(size_t)i * n + j];
        free(w);
        int64_t d[RT_MAX_RANK];
        memcpy(d, ta->dims, sizeof d);
        d[ta->rank - 1] = n;
        int f = float_qt(I, p.name, ta->rank, d);
        rt_op *o = f < 0 ? NULL : float_op(I, O_FGEMM, "fgemm", f);
        if (!o) {
            free(wt), free(bias);
            break;
        }
        o->in[0] = a, o->nin = 1, o->fw = wt, o->fb = bias, o->k = k, o->n = n;
        o->m = (int)(QT(I, a)->count / (size_t)k);
        o->alpha = (p.pk == P_GEMM ? attr_f(p.node, "alpha", 1.0f) : 1.0) * p.alpha;
        o->macs = (uint64_t)o->m * k * n;
        *q = f, rc = 0;
        break;
    }
    case P_LNORM:
    case P_SOFTMAX: {
        if (to_float(I, p.pa, &a))
            break;
        rt_qt *ta = QT(I, a);
        int64_t ax = p.pk == P_LNORM ? attr_i(p.node, "axis", -1)
                                     : attr_i(p.node, "axis", I->rt->opset >= 13 ? -1 : 1);
        if (ax < 0)
            ax += ta->rank;
        if (ax != ta->rank - 1) {
            NFAIL(I, "only the last axis is supported");
            break;
        }
        int len = (int)ta->dims[ta->rank - 1];
        float *g = NULL, *bb = NULL;
        size_t ng = 0, nbb = 0;
        if (p.pk == P_LNORM) {
            if (p.pw >= 0)
                g = const_floats(I, p.pw, &ng);
            if (p.pbias >= 0)
                bb = const_floats(I, p.pbias, &nbb);
            if ((p.pw >= 0 && (!g || ng != (size_t)len)) ||
                (p.pbias >= 0 && (!bb || nbb != (size_t)len))) {
                free(g), free(bb);
                NFAIL(I, "scale and bias must be constants of %d values", len);
                break;
            }
        }
        int64_t d[RT_MAX_RANK];
        memcpy(d, ta->dims, sizeof d);
        int f = float_qt(I, p.name, ta->rank, d);
        rt_op *o = f < 0 ? NULL
                         : float_op(I, p.pk == P_LNORM ? O_FLNORM : O_FSOFTMAX,
                                    p.pk == P_LNORM ? "flayernorm" : "fsoftmax", f);
        if (!o) {
            free(g), free(bb);
            break;
        }
        o->in[0] = a, o->nin = 1, o->gamma = g, o->beta = bb;
        o->eps = attr_f(p.node, "epsilon", 1e-5f);
        o->n = len, o->m = (int)(ta->count / (size_t)(len ? len : 1));
        *q = f, rc = 0;
        break;
    }
    default: NFAIL(I, "%s on float (unquantized) operands is not supported", p.node->op_type);
    }
    if (rc == 0 && (isfinite(p.lo) || isfinite(p.hi))) { /* a fused Relu / Clip */
        rt_qt *t = QT(I, *q);
        int64_t d[RT_MAX_RANK];
        memcpy(d, t->dims, sizeof d);
        int in = *q, f = float_qt(I, p.name, t->rank, d);
        int e0 = new_expr(I->rt, E_X, -1, -1, 0, 0);
        int e = new_expr(I->rt, E_CLIP, e0, -1, (float)p.lo, (float)p.hi);
        rt_op *o = f < 0 || e0 < 0 || e < 0 ? NULL : float_op(I, O_FUNARY, "fclip", f);
        if (!o) {
            rc = NFAIL(I, "out of memory");
        } else {
            o->in[0] = in, o->nin = 1, o->expr = e;
            *q = f;
        }
    }
out:
    I->nname = keep, I->anode = ka;
    return rc;
}

/* Real range of a quantized operand (activation or constant). */
static int real_range(imp *I, int vi, double *lo, double *hi)
{
    val *v = &I->v[vi];
    if (v->kind == V_Q || (v->kind == V_EXPR && I->rt->ex[v->expr].op == E_X)) {
        rt_qt *t = QT(I, v->q);
        *lo = (-128 - t->zp) * t->scale, *hi = (127 - t->zp) * t->scale;
        return 0;
    }
    size_t n;
    float *f = val_const(I, vi) ? const_floats(I, vi, &n) : NULL;
    if (!f)
        return -1;
    *lo = 0, *hi = 0;
    for (size_t i = 0; i < n; i++)
        *lo = fmin(*lo, f[i]), *hi = fmax(*hi, f[i]);
    free(f);
    return 0;
}

/* An operand of a pending op: an int8 tensor, or another pending Add/Mul of quantized
 * operands (a residual Add feeding LayerNormalization without a QuantizeLinear between):
 * that one is computed into an int8 tensor whose scale covers the sum (or product) of its
 * operands' ranges. */
static int pend_act(imp *I, int vi, int *q)
{
    val *v = &I->v[vi];
    if (v->kind != V_PEND || (v->pk != P_ADD && v->pk != P_MUL))
        return act_of(I, vi, 1, q);
    double alo, ahi, blo, bhi, lo, hi;
    if (real_range(I, v->pa, &alo, &ahi) || real_range(I, v->pb, &blo, &bhi))
        return NFAIL(I,
                     "input '%s' is the float output of '%s' whose operands are not all "
                     "quantized",
                     v->name, v->node->name);
    if (v->pk == P_ADD) {
        lo = alo + blo, hi = ahi + bhi;
    } else {
        double c[4] = {alo * blo, alo * bhi, ahi * blo, ahi * bhi};
        lo = fmin(fmin(c[0], c[1]), fmin(c[2], c[3]));
        hi = fmax(fmax(c[0], c[1]), fmax(c[2], c[3]));
    }
    lo = fmax(lo, v->lo), hi = fmin(hi, v->hi);
    lo = fmin(lo, 0), hi = fmax(hi, 0);
    double s = hi > lo ? (hi - lo) / 255.0 : 1.0;
    double z = nearbyint(-128 - lo / s);
    int32_t zp = (int32_t)(z < -128 ? -128 : z > 127 ? 127 : z);
    val p = *v;
    const char *keep = I->nname;
    const Onnx__NodeProto *ka = I->anode;
    I->nname = p.node->name && *p.node->name ? p.node->name : p.name;
    I->anode = p.node;
    int rc = materialize(I, &p, s, zp, 0);
    I->nname = keep, I->anode = ka;
    if (rc)
        return -1;
    *q = I->v[I->nv - 1].q; /* materialize registered its output last */
    return 0;
}

static int materialize(imp *I, const val *p, double s, int32_t zp, int u8)
{
    int aq = -1, bq = -1;
    if (!int8able_v(I, p)) {
        int f;
        if (to_float_v(I, p, &f))
            return -1;
        rt_qt *ft = QT(I, f);
        int64_t d[RT_MAX_RANK];
        memcpy(d, ft->dims, sizeof d);
        int q = out_qt(I, 0, ft->rank, d, s, zp, u8, 1);
        rt_op *o = q < 0 ? NULL : new_op(I, O_QUANT, "quantize");
        if (!o)
            return NFAIL(I, "out of memory");
        o->in[0] = f, o->nin = 1, o->out = q, o->where = 2;
        return 0;
    }
    switch (p->pk) {
    case P_CONV:
        if (pend_act(I, p->pa, &aq))
            return -1;
        return do_conv(I, aq, p->pw, 0, NULL, NULL, 0, p->pbias, s, zp, u8, p->lo, p->hi, 0, 1);
    case P_MATMUL:
    case P_GEMM: {
        if (pend_act(I, p->pa, &aq))
            return -1;
        int trans_b = p->pk == P_GEMM ? (int)attr_i(p->node, "transB", 0) : 0;
        double alpha = (p->pk == P_GEMM ? attr_f(p->node, "alpha", 1.0f) : 1.0) * p->alpha;
        if (!(alpha > 0))
            return NFAIL(I, "a non-positive scale factor (alpha %g) is not supported", alpha);
        if (p->pk == P_GEMM && attr_i(p->node, "transA", 0))
            return NFAIL(I, "Gemm with transA = 1 is not supported");
        if (I->v[p->pw].kind != V_DQC && I->v[p->pw].kind != V_CONST) {
            if (p->pk == P_GEMM || pend_act(I, p->pw, &bq))
                return p->pk == P_GEMM ? NFAIL(I, "Gemm B must be a quantized constant") : -1;
            return do_matmul_act(I, aq, bq, p->alpha, s, zp, u8, p->lo, p->hi, 0, 1);
        }
        rt_const *bc = val_const(I, p->pw);
        if (bc->rank != 2)
            return NFAIL(I, "constant B must be 2-D");
        int n = (int)bc->dims[trans_b ? 0 : 1];
        wq w = {0};
        if (weights_dqc(I, p->pw, trans_b ? 0 : 1, n, &w)) {
            wq_free(&w);
            return -1;
        }
        if (!w.fits) {
            wq_free(&w);
            return NFAIL(I, "weights '%s': w - zero point leaves int8", bc->name);
        }
        int32_t *bias = NULL;
        if (p->pbias >= 0) {
            if (p->pk == P_GEMM && attr_f(p->node, "beta", 1.0f) != 1.0f) {
                wq_free(&w);
                return NFAIL(I, "Gemm with beta != 1 and a bias is not supported");
            }
            double as = QT(I, aq)->scale;
            for (int c = 0; c < n; c++)
                w.scale[c] *= alpha;
            int rc = bias_of(I, p->pbias, n, as, &w, &bias);
            for (int c = 0; c < n; c++)
                w.scale[c] /= alpha;
            if (rc) {
                wq_free(&w);
                return -1;
            }
        }
        int rc =
            do_matmul_const(I, aq, bc, &w, trans_b, bias, alpha, s, zp, u8, p->lo, p->hi, 0, 1);
        wq_free(&w);
        return rc;
    }
    case P_ADD:
    case P_MUL: {
        int kind = p->pk == P_ADD ? O_ADD : O_MUL;
        int ca = I->v[p->pa].kind == V_DQC || I->v[p->pa].kind == V_CONST;
        int cb = I->v[p->pb].kind == V_DQC || I->v[p->pb].kind == V_CONST;
        if (ca && cb)
            return NFAIL(I, "both operands are constants");
        int av = ca ? p->pb : p->pa, cv = ca ? p->pa : p->pb;
        if (pend_act(I, av, &aq))
            return -1;
        if (ca || cb) {
            if (const_operand(I, cv, QT(I, aq), &bq))
                return -1;
        } else if (pend_act(I, cv, &bq)) {
            return -1;
        }
        return do_eltwise(I, kind, aq, bq, s, zp, u8, p->lo, p->hi, 0, 1);
    }
    case P_AVGPOOL:
    case P_GAP: {
        if (pend_act(I, p->pa, &aq))
            return -1;
        return do_avgpool(I, aq, p->pk == P_GAP, s, zp, u8, p->lo, p->hi);
    }
    case P_SOFTMAX: {
        if (pend_act(I, p->pa, &aq))
            return -1;
        int64_t ax = attr_i(p->node, "axis", I->rt->opset >= 13 ? -1 : 1);
        if (I->rt->opset < 13 && ax >= 0 && ax == QT(I, aq)->rank - 1)
            ax = -1;
        return do_softmax(I, aq, (int)ax, s, zp, u8, 0);
    }
    case P_CONCAT: return concat(I, p->node, s, zp, u8);
    case P_LNORM: {
        if (pend_act(I, p->pa, &aq))
            return -1;
        return do_lnorm(I, aq, p->pw, p->pbias, attr_f(p->node, "epsilon", 1e-5f),
                        (int)attr_i(p->node, "axis", -1), s, zp, u8, 0);
    }
    }
    return NFAIL(I, "internal: unknown pending op");
}

static int pend(imp *I, int pk, int a, int b, int w, int bias)
{
    val *o;
    if (set_out(I, 0, &o, V_PEND))
        return -1;
    o->pk = pk, o->node = I->node, o->pa = a, o->pb = b, o->pw = w, o->pbias = bias;
    return 0;
}

static int opt_in(imp *I, size_t i, int *v)
{
    *v = -1;
    return in_name(I->node, i) ? in_val(I, i, v) : 0;
}

static int node_dequantize(imp *I)
{
    int xv;
    if (in_val(I, 0, &xv))
        return -1;
    val *x = &I->v[xv];
    int sv, zv = -1;
    if (in_val(I, 1, &sv) || opt_in(I, 2, &zv))
        return -1;
    rt_const *sc = val_const(I, sv), *zc = zv >= 0 ? val_const(I, zv) : NULL;
    if (!sc || (zv >= 0 && !zc) || (zc && zc->count != sc->count))
        return NFAIL(I, "scale and zero point must be constants of the same size");
    if (sc->dtype != OX_FLOAT)
        return NFAIL(I, "scale has type %d; ONNX scales are float", sc->dtype);
    for (size_t i = 0; i < sc->count; i++) /* 0 allowed for constants (all-zero channels) */
        if (!(x->kind == V_Q ? sc->v[i] > 0 : sc->v[i] >= 0) || !isfinite(sc->v[i]))
            return NFAIL(I, "scale %g is not finite and positive", sc->v[i]);
    if (x->kind == V_Q) {
        if (sc->count != 1)
            return NFAIL(I, "per-axis dequantization of an activation is not supported");
        int32_t zp = zc ? (int32_t)zc->v[0] - (zc->dtype == OX_UINT8 ? 128 : 0) : 0;
        int q = x->q;
        if (ensure_scale(I, q, sc->v[0], zp))
            return -1;
        val *o;
        if (set_out(I, 0, &o, V_EXPR))
            return -1;
        o->q = q;
        o->expr = new_expr(I->rt, E_X, -1, -1, 0, 0);
        return o->expr < 0 ? NFAIL(I, "out of memory") : 0;
    }
    if (x->kind == V_CONST) {
        rt_const *c = &I->rt->consts[x->c];
        int axis = (int)attr_i(I->node, "axis", 1);
        if (axis < 0)
            axis += c->rank;
        if (c->rank == 1 && sc->count > 1)
            axis = 0; /* per-channel bias: the only axis there is */
        if (sc->count > 1 && (axis < 0 || axis >= c->rank || c->dims[axis] != (int64_t)sc->count))
            return NFAIL(I, "%zu scales do not match axis %d of '%s'", sc->count, axis, c->name);
        int cidx = x->c;
        val *o;
        if (set_out(I, 0, &o, V_DQC))
            return -1;
        o->c = cidx, o->nsc = (int)sc->count, o->axis = axis, o->own = 1;
        o->sc = malloc(sizeof(double) * sc->count);
        o->zp = malloc(sizeof(int32_t) * sc->count);
        if (!o->sc || !o->zp)
            return NFAIL(I, "out of memory");
        for (size_t i = 0; i < sc->count; i++) {
            o->sc[i] = sc->v[i];
            o->zp[i] = zc ? (int32_t)zc->v[i] : 0;
        }
        return 0;
    }
    return NFAIL(I, "DequantizeLinear input '%s' is not a quantized tensor", x->name);
}

/* Unary float op -> expression; on a pending op, Relu/Clip become its output clamp. */
static int float_unary(imp *I, int xv, int eop, float k, float k2);
static int float_binary(imp *I, int av, int bv, int eop);

static int node_unary(imp *I, int eop, float k, float k2)
{
    int xv;
    if (in_val(I, 0, &xv))
        return -1;
    val *x = &I->v[xv];
    if (x->kind == V_FLT || x->kind == V_IDX ||
        (x->kind == V_PEND && eop != E_RELU && eop != E_CLIP))
        return float_unary(I, xv, eop, k, k2);
    if (x->kind == V_PEND && (eop == E_RELU || eop == E_CLIP)) {
        val p = *x;
        val *o;
        if (set_out(I, 0, &o, V_PEND))
            return -1;
        const char *nm = o->name;
        *o = p;
        o->name = nm;
        o->own = 0;
        if (eop == E_RELU)
            o->lo = fmax(o->lo, 0.0);
        else
            o->lo = fmax(o->lo, k), o->hi = fmin(o->hi, k2);
        return 0;
    }
    if (x->kind == V_Q) { /* QLinear graphs: Relu/Clip on an int8 tensor */
        if (eop != E_RELU && eop != E_CLIP)
            return NFAIL(I, "float op on an int8 tensor (missing DequantizeLinear)");
        int src = x->q;
        rt_qt *t = QT(I, src);
        if (t->scale == 0)
            return NFAIL(I, "input '%s' has no known scale", t->name);
        int e0 = new_expr(I->rt, E_X, -1, -1, 0, 0);
        int e = new_expr(I->rt, eop, e0, -1, k, k2);
        if (e0 < 0 || e < 0)
            return NFAIL(I, "out of memory");
        return do_lut(I, src, e, t->scale, t->zp, t->u8, 0);
    }
    if (x->kind != V_EXPR)
        return NFAIL(I,
                     "input '%s' is not a dequantized activation (the DLP runs quantized "
                     "graphs: QDQ or QLinear form)",
                     x->name);
    int src = x->q, root = x->expr;
    int e = new_expr(I->rt, eop, root, -1, k, k2);
    if (e < 0)
        return NFAIL(I, "out of memory");
    val *o;
    if (set_out(I, 0, &o, V_EXPR))
        return -1;
    o->q = src, o->expr = e;
    return 0;
}

static int node_binary(imp *I, int eop)
{
    int av, bv;
    if (in_val(I, 0, &av) || in_val(I, 1, &bv))
        return -1;
    val *a = &I->v[av], *b = &I->v[bv];
    if (a->kind == V_FLT || b->kind == V_FLT || a->kind == V_IDX || b->kind == V_IDX)
        return float_binary(I, av, bv, eop); /* float tensors: a CPU op */
    double ka, kb;
    int sa = const_scalar(I, av, &ka) == 0, sb = const_scalar(I, bv, &kb) == 0;
    /* expression of one source (with scalar constants) */
    if ((a->kind == V_EXPR || sa) && (b->kind == V_EXPR || sb) && !(sa && sb) &&
        (!(a->kind == V_EXPR && b->kind == V_EXPR) || a->q == b->q)) {
        int src = a->kind == V_EXPR ? a->q : b->q;
        int ea = a->kind == V_EXPR ? a->expr : new_expr(I->rt, E_CONST, -1, -1, (float)ka, 0);
        int eb = b->kind == V_EXPR ? b->expr : new_expr(I->rt, E_CONST, -1, -1, (float)kb, 0);
        int e = new_expr(I->rt, eop, ea, eb, 0, 0);
        if (ea < 0 || eb < 0 || e < 0)
            return NFAIL(I, "out of memory");
        val *o;
        if (set_out(I, 0, &o, V_EXPR))
            return -1;
        o->q = src, o->expr = e;
        return 0;
    }
    /* a MatMul/Gemm result (before its QuantizeLinear) plus a constant bias, or times /
     * divided by a positive scalar: folded into the op */
    val *pv = a->kind == V_PEND ? a : b->kind == V_PEND ? b : NULL;
    int cv = pv == a ? bv : av;
    if (pv && (pv->pk == P_MATMUL || pv->pk == P_GEMM) && val_const(I, cv) &&
        (I->v[pv->pw].kind == V_DQC || I->v[pv->pw].kind == V_CONST)) {
        double k;
        int scalar = const_scalar(I, cv, &k) == 0;
        val p = *pv;
        if (eop == E_ADD && p.pbias < 0 && isinf(p.lo) && isinf(p.hi)) {
            p.pbias = cv;
        } else if ((eop == E_MUL || (eop == E_DIV && pv == a)) && scalar && k > 0 && p.pbias < 0 &&
                   isinf(p.lo) && isinf(p.hi)) {
            p.alpha = eop == E_MUL ? p.alpha * k : p.alpha / k;
        } else {
            return NFAIL(I,
                         "cannot fold %s into the preceding %s (only one bias Add and "
                         "positive scalar Mul/Div before the QuantizeLinear)",
                         I->node->op_type, p.node->op_type);
        }
        val *o;
        if (set_out(I, 0, &o, V_PEND))
            return -1;
        const char *nm = o->name;
        *o = p;
        o->name = nm;
        o->own = 0;
        return 0;
    }
    if (pv && pv->pk == P_MATMUL && eop != E_ADD) { /* act x act MatMul times a scalar */
        double k;
        if (const_scalar(I, cv, &k) == 0 && (eop == E_MUL || (eop == E_DIV && pv == a)) && k > 0 &&
            isinf(pv->lo) && isinf(pv->hi)) {
            val p = *pv;
            p.alpha = eop == E_MUL ? p.alpha * k : p.alpha / k;
            val *o;
            if (set_out(I, 0, &o, V_PEND))
                return -1;
            const char *nm = o->name;
            *o = p;
            o->name = nm;
            o->own = 0;
            return 0;
        }
    }
    if (eop == E_ADD || eop == E_MUL)
        return pend(I, eop == E_ADD ? P_ADD : P_MUL, av, bv, -1, -1);
    if (a->kind == V_PEND || b->kind == V_PEND) /* operand of a float island */
        return float_binary(I, av, bv, eop);
    return NFAIL(I,
                 "%s of two different tensors is not supported (only Add and Mul are; "
                 "with a scalar constant any elementwise op fuses into a LUT)",
                 I->node->op_type);
}

static int int_list(imp *I, size_t inp, const char *attrname, int64_t *out, int max, int *n)
{
    int cnt = attr_ints(I->node, attrname, out, max);
    if (cnt == -2)
        return NFAIL(I, "attribute '%s' too long", attrname);
    if (cnt >= 0) {
        *n = cnt;
        return 0;
    }
    int v;
    if (!in_name(I->node, inp)) {
        *n = -1;
        return 0;
    }
    if (in_val(I, inp, &v))
        return -1;
    rt_const *c = val_const(I, v);
    if (!c || c->count > (size_t)max)
        return NFAIL(I, "input %zu must be a constant list of at most %d values", inp, max);
    for (size_t i = 0; i < c->count; i++)
        out[i] = (int64_t)c->v[i];
    *n = (int)c->count;
    return 0;
}

static int node_move(imp *I)
{
    const Onnx__NodeProto *n = I->node;
    int xv;
    if (in_val(I, 0, &xv))
        return -1;
    if (is(n, "Identity") || is(n, "Dropout")) {
        val *o;
        if (set_out(I, 0, &o, V_NONE))
            return -1;
        val src = I->v[xv];
        const char *nm = o->name;
        *o = src;
        o->name = nm;
        o->own = 0;
        return 0;
    }
    int kind_q = I->v[xv].kind == V_Q;
    int xq, xk = I->v[xv].kind;
    if (xk == V_FLT || xk == V_IDX) { /* float / index tensor: the same op on the host */
        xq = I->v[xv].q;
    } else if (xk == V_PEND || (xk == V_EXPR && I->rt->ex[I->v[xv].expr].op != E_X)) {
        if (to_float(I, xv, &xq))
            return -1;
    } else if (act_of(I, xv, 1, &xq)) {
        return -1;
    }
    rt_qt *x = QT(I, xq);
    int64_t od[RT_MAX_RANK];
    int rank = 0;
    if (is(n, "Expand")) {
        int64_t sh[RT_MAX_RANK];
        int cnt;
        if (int_list(I, 1, "", sh, RT_MAX_RANK, &cnt))
            return -1;
        if (cnt < 0)
            return NFAIL(I, "shape input missing (a constant shape is needed)");
        rank = cnt > x->rank ? cnt : x->rank;
        for (int i = 0; i < rank; i++) {
            int ix = i - (rank - x->rank), is_ = i - (rank - cnt);
            int64_t dx = ix >= 0 ? x->dims[ix] : 1, ds = is_ >= 0 ? sh[is_] : 1;
            if (dx != ds && dx != 1 && ds != 1)
                return NFAIL(I,
                             "shape does not broadcast with the input (dimension %d: %lld vs %lld)",
                             i, (long long)dx, (long long)ds);
            if (ds < 0 || ds > (1ll << 31))
                return NFAIL(I, "bad dimension %lld", (long long)ds);
            od[i] = dx > ds ? dx : ds;
        }
        if ((uint64_t)prod(od, 0, rank) > (1ull << 31))
            return NFAIL(I, "output too large");
        return do_move(I, O_EXPAND, "expand", &xq, 1, rank, od, 0, NULL, kind_q);
    }
    if (is(n, "Reshape")) {
        int64_t sh[RT_MAX_RANK];
        int cnt;
        if (int_list(I, 1, "", sh, RT_MAX_RANK, &cnt))
            return -1;
        if (cnt < 0)
            return NFAIL(I, "shape input missing");
        int64_t known = 1;
        int minus = -1;
        for (int i = 0; i < cnt; i++) {
            od[i] = sh[i] == 0 && !attr_i(n, "allowzero", 0) && i < x->rank ? x->dims[i] : sh[i];
            if (od[i] == -1) {
                if (minus >= 0)
                    return NFAIL(I, "more than one -1 in the shape");
                minus = i;
            } else if (od[i] < 0) {
                return NFAIL(I, "negative dimension %lld", (long long)od[i]);
            } else {
                known *= od[i];
            }
        }
        if (minus >= 0)
            od[minus] = known ? (int64_t)x->count / known : 0;
        rank = cnt;
    } else if (is(n, "Flatten")) {
        int64_t ax = attr_i(n, "axis", 1);
        if (ax < 0)
            ax += x->rank;
        if (ax < 0 || ax > x->rank)
            return NFAIL(I, "axis %lld out of range", (long long)ax);
        od[0] = prod(x->dims, 0, (int)ax), od[1] = prod(x->dims, (int)ax, x->rank), rank = 2;
    } else if (is(n, "Squeeze") || is(n, "Unsqueeze")) {
        int64_t axes[RT_MAX_RANK];
        int cnt;
        if (int_list(I, 1, "axes", axes, RT_MAX_RANK, &cnt))
            return -1;
        int sq = is(n, "Squeeze");
        int orank = sq ? x->rank - (cnt < 0 ? 0 : cnt) : x->rank + cnt;
        if (cnt < 0 && sq) {
            for (int i = 0; i < x->rank; i++)
                if (x->dims[i] != 1)
                    od[rank++] = x->dims[i];
        } else {
            if (cnt < 0 || orank < 0 || orank > RT_MAX_RANK)
                return NFAIL(I, "bad axes");
            int mark[RT_MAX_RANK] = {0};
            for (int i = 0; i < cnt; i++) {
                int64_t a = axes[i] < 0 ? axes[i] + (sq ? x->rank : orank) : axes[i];
                if (a < 0 || a >= (sq ? x->rank : orank))
                    return NFAIL(I, "axis %lld out of range", (long long)axes[i]);
                mark[a] = 1;
            }
            int j = 0;
            if (sq) {
                for (int i = 0; i < x->rank; i++)
                    if (!mark[i])
                        od[rank++] = x->dims[i];
            } else {
                for (int i = 0; i < orank; i++)
                    od[rank++] = mark[i] ? 1 : x->dims[j++];
            }
        }
    } else if (is(n, "Transpose")) {
        int64_t p[RT_MAX_RANK];
        int cnt = attr_ints(n, "perm", p, RT_MAX_RANK), perm[RT_MAX_RANK] = {0}, seen = 0;
        if (cnt < 0) {
            cnt = x->rank;
            for (int i = 0; i < cnt; i++)
                p[i] = cnt - 1 - i;
        }
        if (cnt != x->rank)
            return NFAIL(I, "perm has %d entries for rank %d", cnt, x->rank);
        for (int i = 0; i < cnt; i++) {
            if (p[i] < 0 || p[i] >= cnt || (seen >> p[i] & 1))
                return NFAIL(I, "perm is not a permutation");
            seen |= 1 << p[i];
            perm[i] = (int)p[i];
            od[i] = x->dims[p[i]];
        }
        return do_move(I, O_TRANSPOSE, "transpose", &xq, 1, cnt, od, 0, perm, kind_q);
    }
    if (rank < 0 || rank > RT_MAX_RANK || (size_t)prod(od, 0, rank) != x->count)
        return NFAIL(I, "new shape has %lld elements, input has %zu", (long long)prod(od, 0, rank),
                     x->count);
    return do_move(I, O_COPY, "reshape", &xq, 1, rank, od, 0, NULL, kind_q);
}

/* A LUT op requantizing tensor *q to (s, zp); *q becomes the new tensor. */
static int rescale(imp *I, int *q, double s, int32_t zp)
{
    rt_qt *x = QT(I, *q);
    int64_t d[RT_MAX_RANK];
    memcpy(d, x->dims, sizeof d);
    int y = new_qt(I->rt, x->name, x->rank, d);
    if (y < 0)
        return NFAIL(I, "out of memory");
    x = QT(I, *q);
    QT(I, y)->scale = s, QT(I, y)->zp = zp, QT(I, y)->u8 = x->u8;
    rt_op *o = new_op(I, O_LUT, "rescale");
    if (!o)
        return NFAIL(I, "out of memory");
    o->in[0] = *q, o->nin = 1, o->out = y, o->lo = -128, o->hi = 127;
    for (int i = 0; i < 256; i++) {
        float xf = (float)(i - 128 - x->zp) * (float)x->scale;
        float r = nearbyintf(xf / (float)s) + (float)zp;
        o->lut[i] = (int16_t)(r < -128 ? -128 : r > 127 ? 127 : r);
    }
    *q = y;
    return 0;
}

/* Concat of int8 tensors; ts > 0: every input is first requantized to (ts, tzp) (the
 * QuantizeLinear after a QDQ Concat), else to the first input's quantization when they
 * differ (QLinear graphs). */
static int concat(imp *I, const Onnx__NodeProto *n, double ts, int32_t tzp, int tu8)
{
    int qs[64], nq = 0, kind_q = 1;
    if (n->n_input < 1 || n->n_input > 64)
        return NFAIL(I, "Concat of %zu inputs", n->n_input);
    const Onnx__NodeProto *qnode = I->node;
    I->node = n; /* inputs are the Concat's */
    for (size_t i = 0; i < n->n_input; i++) {
        int v;
        if (in_val(I, i, &v) || act_of(I, v, 1, &qs[nq])) {
            I->node = qnode;
            return -1;
        }
        kind_q &= I->v[v].kind == V_Q;
        if (ts > 0) {
            rt_qt *t = QT(I, qs[nq]);
            if ((fabs(t->scale - ts) > 1e-7 * ts || t->zp != tzp) && rescale(I, &qs[nq], ts, tzp)) {
                I->node = qnode;
                return -1;
            }
        }
        nq++;
    }
    I->node = qnode;
    if (ts > 0)
        kind_q = 1;
    rt_qt *x = QT(I, qs[0]);
    int64_t ax = attr_i(n, "axis", 1);
    if (ax < 0)
        ax += x->rank;
    if (ax < 0 || ax >= x->rank)
        return NFAIL(I, "axis out of range");
    int64_t od[RT_MAX_RANK];
    memcpy(od, x->dims, sizeof od);
    od[ax] = 0;
    for (int i = 0; i < nq; i++) {
        rt_qt *t = QT(I, qs[i]);
        if (t->rank != x->rank)
            return NFAIL(I, "inputs of different rank");
        for (int d = 0; d < t->rank; d++)
            if (d != ax && t->dims[d] != x->dims[d])
                return NFAIL(I, "inputs differ outside the concat axis");
        if (fabs(t->scale - x->scale) > 1e-7 * x->scale || t->zp != x->zp) {
            if (rescale(I, &qs[i], x->scale, x->zp))
                return -1;
            x = QT(I, qs[0]);
            t = QT(I, qs[i]);
        }
        od[ax] += t->dims[ax];
    }
    if (do_move(I, O_CONCAT, "concat", qs, nq, x->rank, od, (int)ax, NULL, kind_q))
        return -1;
    if (ts > 0)
        I->rt->qt[I->rt->nqt - 1].u8 = tu8;
    return 0;
}

static int pend(imp *I, int pk, int a, int b, int w, int bias);

static int node_concat(imp *I)
{
    const Onnx__NodeProto *n = I->node;
    int all_q = 1;
    for (size_t i = 0; i < n->n_input; i++) {
        int v = find_val(I, n->input[i] ? n->input[i] : "");
        all_q &= v >= 0 && I->v[v].kind == V_Q;
    }
    if (all_q || n->n_input < 1)
        return concat(I, n, 0, 0, 0);
    return pend(I, P_CONCAT, -1, -1, -1, -1); /* QDQ: wait for the output quantization */
}

/* QLinear* ops (ONNX standard and com.microsoft). */
static int node_qlinear(imp *I)
{
    const Onnx__NodeProto *n = I->node;
    int xv, xq, u8;
    double xs, ys;
    int32_t xzp, yzp;
    if (in_val(I, 0, &xv) || act_of(I, xv, 0, &xq))
        return -1;
    if (qparams(I, 1, 2, &xs, &xzp, NULL) || ensure_scale(I, xq, xs, xzp))
        return -1;
    if (is(n, "QLinearConv") || is(n, "QLinearMatMul")) {
        int wv, wsv, wzv = -1, bv = -1;
        if (in_val(I, 3, &wv) || in_val(I, 4, &wsv) || opt_in(I, 5, &wzv) ||
            qparams(I, 6, 7, &ys, &yzp, &u8) || opt_in(I, 8, &bv))
            return -1;
        rt_const *ws = val_const(I, wsv), *wz = wzv >= 0 ? val_const(I, wzv) : NULL;
        if (!ws || (wzv >= 0 && !wz) || (wz && wz->count != ws->count && wz->count != 1))
            return NFAIL(I, "weight scale / zero point must be constants");
        if (ws->dtype != OX_FLOAT)
            return NFAIL(I, "weight scale has type %d; ONNX scales are float", ws->dtype);
        int nsc = (int)ws->count;
        int32_t *zp = calloc((size_t)nsc, sizeof *zp);
        if (!zp)
            return NFAIL(I, "out of memory");
        for (int i = 0; i < nsc && wz; i++)
            zp[i] = (int32_t)wz->v[wz->count == 1 ? 0 : i];
        int rc;
        if (is(n, "QLinearConv")) {
            rc = do_conv(I, xq, I->v[wv].c, val_const(I, wv) != NULL, ws->v, zp, nsc, bv, ys, yzp,
                         u8, -INFINITY, INFINITY, 0, 1);
            if (!val_const(I, wv))
                rc = NFAIL(I, "weights must be a constant");
        } else if (I->v[wv].kind == V_CONST) {
            rt_const *bc = &I->rt->consts[I->v[wv].c];
            wq w = {0};
            rc = bc->rank != 2 ? NFAIL(I, "B must be 2-D")
                               : weights(I, bc, ws->v, zp, nsc, 1, (int)bc->dims[1], &w);
            if (rc == 0 && !w.fits)
                rc = NFAIL(I, "B - zero point leaves int8");
            if (rc == 0)
                rc = do_matmul_const(I, xq, bc, &w, 0, NULL, 1.0, ys, yzp, u8, -INFINITY, INFINITY,
                                     0, 1);
            if (bc->rank == 2)
                wq_free(&w);
        } else {
            int bq;
            rc = act_of(I, wv, 0, &bq);
            if (rc == 0 && nsc != 1)
                rc = NFAIL(I, "per-column scales on an activation B");
            if (rc == 0)
                rc = ensure_scale(I, bq, ws->v[0], zp[0] - (wz && wz->dtype == OX_UINT8 ? 128 : 0));
            if (rc == 0)
                rc = do_matmul_act(I, xq, bq, 1.0, ys, yzp, u8, -INFINITY, INFINITY, 0, 1);
        }
        free(zp);
        return rc;
    }
    if (is(n, "QLinearAdd") || is(n, "QLinearMul")) {
        int bv, bq;
        double bs;
        int32_t bzp;
        if (in_val(I, 3, &bv) || qparams(I, 4, 5, &bs, &bzp, NULL) ||
            qparams(I, 6, 7, &ys, &yzp, &u8))
            return -1;
        if (I->v[bv].kind == V_CONST) {
            return NFAIL(I, "constant operand: use the QDQ form for Add/Mul with constants");
        }
        if (act_of(I, bv, 0, &bq) || ensure_scale(I, bq, bs, bzp))
            return -1;
        return do_eltwise(I, is(n, "QLinearAdd") ? O_ADD : O_MUL, xq, bq, ys, yzp, u8, -INFINITY,
                          INFINITY, 0, 1);
    }
    if (qparams(I, 3, 4, &ys, &yzp, &u8))
        return -1;
    if (is(n, "QLinearGlobalAveragePool") || is(n, "QLinearAveragePool")) {
        if (attr_i(n, "channels_last", 0))
            return NFAIL(I, "channels_last = 1 is not supported");
        return do_avgpool(I, xq, is(n, "QLinearGlobalAveragePool"), ys, yzp, u8, -INFINITY,
                          INFINITY);
    }
    if (is(n, "QLinearSoftmax"))
        return do_softmax(I, xq, (int)attr_i(n, "axis", -1), ys, yzp, u8, 0);
    int e0 = new_expr(I->rt, E_X, -1, -1, 0, 0), e;
    if (is(n, "QLinearSigmoid"))
        e = new_expr(I->rt, E_SIGMOID, e0, -1, 0, 0);
    else if (is(n, "QLinearLeakyRelu"))
        e = new_expr(I->rt, E_LEAKY, e0, -1, attr_f(n, "alpha", 0.01f), 0);
    else
        return NFAIL(I, "unsupported op");
    if (e0 < 0 || e < 0)
        return NFAIL(I, "out of memory");
    return do_lut(I, xq, e, ys, yzp, u8, 0);
}

/* ------------------------------------------------------------------ CPU ops on float and
 * index tensors (embedding lookup, mask arithmetic, pooling, normalization) */
static const char *val_type(imp *I, int vi)
{
    static const char *nm[] = {"", "float", "uint8", "int8", "", "", "int32", "int64"};
    val *v = &I->v[vi];
    switch (v->kind) {
    case V_FLT: return "float32";
    case V_IDX: return dlp_npy_dtype_name(QT(I, v->q)->idt);
    case V_Q:
    case V_EXPR: return "a quantized int8 tensor";
    case V_PEND: return "float32 (computed)";
    case V_CONST:
    case V_DQC: {
        int t = I->rt->consts[v->c].dtype;
        return t >= 1 && t <= 7 && *nm[t] ? nm[t] : t == OX_DOUBLE ? "double" : "?";
    }
    default: return "?";
    }
}

/* The index tensor of value vi: an int32/int64 graph input or result, or an int32/int64
 * constant (an index tensor with iconst). */
static int idx_of(imp *I, int vi, const char *what, int *q)
{
    val *v = &I->v[vi];
    if (v->kind == V_IDX) {
        *q = v->q;
        return 0;
    }
    rt_const *c = v->kind == V_CONST ? &I->rt->consts[v->c] : NULL;
    if (!c || (c->dtype != OX_INT64 && c->dtype != OX_INT32))
        return NFAIL(I, "%s '%s' must be int32 or int64, not %s", what, v->name, val_type(I, vi));
    int t = new_qt(I->rt, v->name, c->rank, c->dims);
    if (t < 0)
        return NFAIL(I, "out of memory");
    rt_qt *x = QT(I, t);
    x->is_idx = 1, x->iconst = 1, x->idt = c->dtype == OX_INT64 ? DLP_NPY_I64 : DLP_NPY_I32;
    x->ihost = malloc(sizeof(int64_t) * (x->count ? x->count : 1));
    if (!x->ihost)
        return NFAIL(I, "out of memory");
    for (size_t i = 0; i < x->count; i++)
        x->ihost[i] = (int64_t)c->v[i];
    *q = t;
    return 0;
}

static int float_unary(imp *I, int xv, int eop, float k, float k2)
{
    int a, f;
    if (to_float(I, xv, &a))
        return -1;
    rt_qt *x = QT(I, a);
    int64_t d[RT_MAX_RANK];
    memcpy(d, x->dims, sizeof d);
    if (typed_out(I, 0, 0, DLP_NPY_F32, x->rank, d, &f))
        return -1;
    int e0 = new_expr(I->rt, E_X, -1, -1, 0, 0), e = new_expr(I->rt, eop, e0, -1, k, k2);
    rt_op *o = e0 < 0 || e < 0 ? NULL : float_op(I, O_FUNARY, "funary", f);
    if (!o)
        return NFAIL(I, "out of memory");
    o->in[0] = a, o->nin = 1, o->expr = e;
    return 0;
}

static int float_binary(imp *I, int av, int bv, int eop)
{
    int a, b, f;
    if (to_float(I, av, &a) || to_float(I, bv, &b))
        return -1;
    rt_qt *ta = QT(I, a), *tb = QT(I, b);
    int r = ta->rank >= tb->rank ? ta->rank : tb->rank;
    int64_t d[RT_MAX_RANK];
    for (int i = 0; i < r; i++) {
        int ia = i - (r - ta->rank), ib = i - (r - tb->rank);
        int64_t da = ia >= 0 ? ta->dims[ia] : 1, db = ib >= 0 ? tb->dims[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return NFAIL(I, "operand shapes do not broadcast");
        d[i] = da > db ? da : db;
    }
    if (typed_out(I, 0, 0, DLP_NPY_F32, r, d, &f))
        return -1;
    static const char *nm[] = {
        [E_ADD] = "fadd", [E_SUB] = "fsub", [E_MUL] = "fmul", [E_DIV] = "fdiv",
        [E_POW] = "fpow", [E_MIN] = "fmin", [E_MAX] = "fmax"};
    rt_op *o = float_op(I, O_FBIN, nm[eop], f);
    if (!o)
        return NFAIL(I, "out of memory");
    o->in[0] = a, o->in[1] = b, o->nin = 2, o->axis = eop;
    return 0;
}

/* Gather along axis 0 of a constant table (float, or int8/uint8 possibly dequantized). */
static int node_gather(imp *I)
{
    int tv, iv, iq, q;
    if (in_val(I, 0, &tv) || in_val(I, 1, &iv))
        return -1;
    val *tvl = &I->v[tv];
    rt_const *c = val_const(I, tv);
    if (!c)
        return NFAIL(I, "data '%s' must be a constant table (embedding); it is %s", tvl->name,
                     tvl->kind == V_FLT ? "a float activation" : "an activation");
    if (c->rank < 1)
        return NFAIL(I, "data '%s' is a scalar", c->name);
    int64_t ax = attr_i(I->node, "axis", 0);
    if (ax < 0)
        ax += c->rank;
    if (ax != 0)
        return NFAIL(I, "Gather along axis %lld: only axis 0 is supported",
                     (long long)attr_i(I->node, "axis", 0));
    if (idx_of(I, iv, "indices", &iq))
        return -1;
    rt_qt *ix = QT(I, iq);
    if (ix->rank + c->rank - 1 > RT_MAX_RANK)
        return NFAIL(I, "output rank %d is too large", ix->rank + c->rank - 1);
    int64_t rows = c->dims[0];
    if (ix->iconst)
        for (size_t i = 0; i < ix->count; i++)
            if (ix->ihost[i] < -rows || ix->ihost[i] >= rows)
                return NFAIL(I, "index %lld (position %zu) is out of range for %lld rows",
                             (long long)ix->ihost[i], i, (long long)rows);
    int64_t od[RT_MAX_RANK];
    int r = 0;
    for (int i = 0; i < ix->rank; i++)
        od[r++] = ix->dims[i];
    for (int i = 1; i < c->rank; i++)
        od[r++] = c->dims[i];
    size_t inner = (size_t)prod(c->dims, 1, c->rank);
    int int8 =
        (c->dtype == OX_INT8 || c->dtype == OX_UINT8) && (tvl->kind == V_CONST || tvl->nsc == 1);
    if (int8) { /* int8 rows: the result stays quantized (a DQ table: its scale) */
        int dq = tvl->kind == V_DQC, u8 = c->dtype == OX_UINT8;
        double s = dq ? tvl->sc[0] : 0;
        int32_t zp = dq ? tvl->zp[0] - (u8 ? 128 : 0) : 0;
        if (dq && !(s > 0))
            return NFAIL(I, "table scale %g is not positive", s);
        q = out_qt(I, 0, r, od, s, zp, u8, !dq);
        if (q < 0)
            return -1;
        rt_op *o = new_op(I, O_GATHER, "gather");
        if (!o || !(o->w = malloc(c->count ? c->count : 1)))
            return NFAIL(I, "out of memory");
        for (size_t i = 0; i < c->count; i++)
            o->w[i] = (int8_t)((int)c->v[i] - (u8 ? 128 : 0));
        o->in[0] = iq, o->nin = 1, o->out = q, o->where = 2;
        o->m = (int)rows, o->n = (int)inner;
        return 0;
    }
    if (c->dtype != OX_FLOAT && c->dtype != OX_DOUBLE && tvl->kind != V_DQC)
        return NFAIL(I, "table '%s' has type %s (float or int8/uint8 tables are supported)",
                     c->name, val_type(I, tv));
    size_t nf;
    float *fw = const_floats(I, tv, &nf);
    if (!fw)
        return NFAIL(I, "out of memory");
    if (typed_out(I, 0, 0, DLP_NPY_F32, r, od, &q)) {
        free(fw);
        return -1;
    }
    rt_op *o = float_op(I, O_GATHER, "gather", q);
    if (!o) {
        free(fw);
        return NFAIL(I, "out of memory");
    }
    o->fw = fw, o->in[0] = iq, o->nin = 1, o->m = (int)rows, o->n = (int)inner;
    return 0;
}

/* ReduceSum / ReduceMean / ReduceL2 / ReduceSumSquare (mode 0..3) over constant axes
 * (attribute or input), keepdims. */
static int node_reduce(imp *I, int mean)
{
    const Onnx__NodeProto *n = I->node;
    int xv, a, f;
    if (in_val(I, 0, &xv))
        return -1;
    if (I->v[xv].kind == V_Q)
        return NFAIL(I, "input '%s' is an int8 tensor (missing DequantizeLinear)", I->v[xv].name);
    int64_t axes[RT_MAX_RANK];
    int cnt;
    if (int_list(I, 1, "axes", axes, RT_MAX_RANK, &cnt))
        return -1;
    if (to_float(I, xv, &a))
        return -1;
    rt_qt *x = QT(I, a);
    int keep = (int)attr_i(n, "keepdims", 1), mark[RT_MAX_RANK] = {0};
    if (cnt <= 0) {
        if (cnt == 0 && attr_i(n, "noop_with_empty_axes", 0))
            return NFAIL(I, "noop_with_empty_axes = 1 is not supported");
        for (int i = 0; i < x->rank; i++)
            mark[i] = 1;
    }
    for (int i = 0; i < cnt; i++) {
        int64_t ax = axes[i] < 0 ? axes[i] + x->rank : axes[i];
        if (ax < 0 || ax >= x->rank)
            return NFAIL(I, "axis %lld out of range for rank %d", (long long)axes[i], x->rank);
        mark[ax] = 1;
    }
    int64_t od[RT_MAX_RANK];
    int r = 0;
    for (int i = 0; i < x->rank; i++)
        if (!mark[i] || keep)
            od[r++] = mark[i] ? 1 : x->dims[i];
    if (typed_out(I, 0, 0, DLP_NPY_F32, r, od, &f))
        return -1;
    static const char *nm[] = {"freducesum", "freducemean", "freducel2", "freducesumsq"};
    rt_op *o = float_op(I, O_FREDUCE, nm[mean], f);
    if (!o)
        return NFAIL(I, "out of memory");
    o->in[0] = a, o->nin = 1, o->axis = mean;
    memcpy(o->perm, mark, sizeof mark);
    return 0;
}

static int node_lpnorm(imp *I)
{
    int xv, a, f;
    if (in_val(I, 0, &xv) || to_float(I, xv, &a))
        return -1;
    rt_qt *x = QT(I, a);
    int64_t ax = attr_i(I->node, "axis", -1), p = attr_i(I->node, "p", 2);
    if (ax < 0)
        ax += x->rank;
    if (ax != x->rank - 1)
        return NFAIL(I, "LpNormalization over axis %lld: only the last axis is supported",
                     (long long)attr_i(I->node, "axis", -1));
    if (p != 1 && p != 2)
        return NFAIL(I, "p = %lld (1 or 2 supported)", (long long)p);
    int64_t d[RT_MAX_RANK];
    memcpy(d, x->dims, sizeof d);
    if (typed_out(I, 0, 0, DLP_NPY_F32, x->rank, d, &f))
        return -1;
    rt_op *o = float_op(I, O_FLPNORM, "flpnorm", f);
    if (!o)
        return NFAIL(I, "out of memory");
    x = QT(I, a);
    o->in[0] = a, o->nin = 1, o->k = (int)p;
    o->n = x->rank ? (int)x->dims[x->rank - 1] : 1;
    o->m = o->n ? (int)(x->count / (size_t)o->n) : 0;
    return 0;
}

/* Cast between float32 and int32/int64 (index) tensors. */
static int node_cast(imp *I)
{
    int xv, a, q;
    if (in_val(I, 0, &xv))
        return -1;
    int64_t to = attr_i(I->node, "to", 0);
    val *x = &I->v[xv];
    if (to != OX_FLOAT && to != OX_INT64 && to != OX_INT32)
        return NFAIL(I, "Cast to type %lld: only float, int32 and int64 are supported",
                     (long long)to);
    if (x->kind == V_Q)
        return NFAIL(I, "Cast of the int8 tensor '%s' (use DequantizeLinear)", x->name);
    int from_idx =
        x->kind == V_IDX || (x->kind == V_CONST && (I->rt->consts[x->c].dtype == OX_INT64 ||
                                                    I->rt->consts[x->c].dtype == OX_INT32));
    if (from_idx ? idx_of(I, xv, "input", &a) : to_float(I, xv, &a))
        return -1;
    rt_qt *t = QT(I, a);
    int64_t d[RT_MAX_RANK];
    memcpy(d, t->dims, sizeof d);
    int rank = t->rank;
    if (typed_out(I, 0, to != OX_FLOAT, to == OX_INT32 ? DLP_NPY_I32 : DLP_NPY_I64, rank, d, &q))
        return -1;
    rt_op *o = new_op(I, O_CAST, "cast");
    if (!o)
        return NFAIL(I, "out of memory");
    o->in[0] = a, o->nin = 1, o->out = q, o->where = 2;
    return 0;
}

static int node(imp *I)
{
    const Onnx__NodeProto *n = I->node;
    const char *dom = n->domain ? n->domain : "";
    if (*dom && strcmp(dom, "ai.onnx") && strcmp(dom, "com.microsoft"))
        return NFAIL(I, "domain '%s' is not supported", dom);
    if (is(n, "Constant"))
        return node_constant(I);
    if (is(n, "QuantizeLinear"))
        return node_quantize(I);
    if (is(n, "DequantizeLinear"))
        return node_dequantize(I);
    if (!strncmp(n->op_type, "QLinear", 7)) {
        if (is(n, "QLinearConv") || is(n, "QLinearMatMul") || is(n, "QLinearAdd") ||
            is(n, "QLinearMul") || is(n, "QLinearGlobalAveragePool") ||
            is(n, "QLinearAveragePool") || is(n, "QLinearSoftmax") || is(n, "QLinearSigmoid") ||
            is(n, "QLinearLeakyRelu"))
            return node_qlinear(I);
    }
    int a, w, b;
    if (is(n, "Conv")) {
        if (in_val(I, 0, &a) || in_val(I, 1, &w) || opt_in(I, 2, &b))
            return -1;
        return pend(I, P_CONV, a, -1, w, b);
    }
    if (is(n, "MatMul") || is(n, "Gemm")) {
        if (in_val(I, 0, &a) || in_val(I, 1, &w) || opt_in(I, 2, &b))
            return -1;
        return pend(I, is(n, "Gemm") ? P_GEMM : P_MATMUL, a, -1, w, b);
    }
    if (is(n, "MaxPool")) {
        if (n->n_output > 1 && n->output[1] && n->output[1][0])
            return NFAIL(I, "the Indices output of MaxPool is not supported");
        int kind_q, xq;
        if (in_val(I, 0, &a))
            return -1;
        kind_q = I->v[a].kind == V_Q;
        if (act_of(I, a, 1, &xq))
            return -1;
        return do_pool(I, 0, 0, xq, QT(I, xq)->scale, QT(I, xq)->zp, QT(I, xq)->u8, 0, kind_q);
    }
    if (is(n, "AveragePool") || is(n, "GlobalAveragePool")) {
        if (in_val(I, 0, &a))
            return -1;
        return pend(I, is(n, "AveragePool") ? P_AVGPOOL : P_GAP, a, -1, -1, -1);
    }
    if (is(n, "Softmax")) {
        if (in_val(I, 0, &a))
            return -1;
        return pend(I, P_SOFTMAX, a, -1, -1, -1);
    }
    if (is(n, "LayerNormalization")) {
        if (n->n_output > 1 && ((n->output[1] && n->output[1][0]) ||
                                (n->n_output > 2 && n->output[2] && n->output[2][0])))
            return NFAIL(I, "the Mean / InvStdDev outputs are not supported");
        if (in_val(I, 0, &a) || opt_in(I, 1, &w) || opt_in(I, 2, &b))
            return -1;
        return pend(I, P_LNORM, a, -1, w, b);
    }
    static const struct {
        const char *op;
        int e;
    } bin[] = {{"Add", E_ADD}, {"Sub", E_SUB}, {"Mul", E_MUL}, {"Div", E_DIV},
               {"Pow", E_POW}, {"Min", E_MIN}, {"Max", E_MAX}};
    for (size_t i = 0; i < sizeof bin / sizeof bin[0]; i++)
        if (is(n, bin[i].op)) {
            if (n->n_input != 2)
                return NFAIL(I, "%s with %zu inputs (2 supported)", n->op_type, n->n_input);
            return node_binary(I, bin[i].e);
        }
    static const struct {
        const char *op;
        int e;
    } un[] = {{"Relu", E_RELU},        {"Sigmoid", E_SIGMOID},  {"Tanh", E_TANH},
              {"Erf", E_ERF},          {"Exp", E_EXP},          {"Log", E_LOG},
              {"Neg", E_NEG},          {"Abs", E_ABS},          {"Sqrt", E_SQRT},
              {"Reciprocal", E_RECIP}, {"HardSwish", E_HSWISH}, {"Softplus", E_SOFTPLUS}};
    for (size_t i = 0; i < sizeof un / sizeof un[0]; i++)
        if (is(n, un[i].op))
            return node_unary(I, un[i].e, 0, 0);
    if (is(n, "Gelu")) {
        const Onnx__AttributeProto *ap = attr(n, "approximate");
        int t = ap && ap->s.len == 4 && !memcmp(ap->s.data, "tanh", 4);
        return node_unary(I, t ? E_GELU_TANH : E_GELU, 0, 0);
    }
    if (is(n, "LeakyRelu"))
        return node_unary(I, E_LEAKY, attr_f(n, "alpha", 0.01f), 0);
    if (is(n, "Elu"))
        return node_unary(I, E_ELU, attr_f(n, "alpha", 1.0f), 0);
    if (is(n, "HardSigmoid"))
        return node_unary(I, E_HSIGMOID, attr_f(n, "alpha", 0.2f), attr_f(n, "beta", 0.5f));
    if (is(n, "Clip")) {
        double lo = attr_f(n, "min", -INFINITY), hi = attr_f(n, "max", INFINITY);
        int v;
        if (in_name(n, 1)) {
            if (in_val(I, 1, &v) || const_scalar(I, v, &lo))
                return NFAIL(I, "min must be a scalar constant");
        }
        if (in_name(n, 2)) {
            if (in_val(I, 2, &v) || const_scalar(I, v, &hi))
                return NFAIL(I, "max must be a scalar constant");
        }
        return node_unary(I, E_CLIP, (float)lo, (float)hi);
    }
    if (is(n, "Reshape") || is(n, "Flatten") || is(n, "Squeeze") || is(n, "Unsqueeze") ||
        is(n, "Transpose") || is(n, "Identity") || is(n, "Dropout"))
        return node_move(I);
    if (is(n, "Concat"))
        return node_concat(I);
    if (is(n, "Expand"))
        return node_move(I);
    if (is(n, "Gather"))
        return node_gather(I);
    if (is(n, "ReduceSum") || is(n, "ReduceMean") || is(n, "ReduceL2") || is(n, "ReduceSumSquare"))
        return node_reduce(I, is(n, "ReduceMean")        ? 1
                              : is(n, "ReduceL2")        ? 2
                              : is(n, "ReduceSumSquare") ? 3
                                                         : 0);
    if (is(n, "LpNormalization"))
        return node_lpnorm(I);
    if (is(n, "Cast"))
        return node_cast(I);
    return NFAIL(I, "op type '%s' is not supported by the DLP runtime (see docs/RUNTIME.md)",
                 n->op_type);
}

void rt_clear_import(dlp_rt *rt)
{
    for (int i = 0; i < rt->nqt; i++) {
        free(rt->qt[i].name), free(rt->qt[i].cdata), free(rt->qt[i].host), free(rt->qt[i].fhost);
        free(rt->qt[i].fconst), free(rt->qt[i].ihost);
    }
    for (int i = 0; i < rt->nops; i++) {
        rt_op *o = &rt->ops[i];
        free(o->name), free(o->w), free(o->bias), free(o->mult), free(o->shift);
        free(o->gamma), free(o->beta), free(o->fw), free(o->fb), free(o->wraw), free(o->wzp);
    }
    free(rt->qt), free(rt->ops), free(rt->ex), free(rt->out_qt);
    rt->qt = NULL, rt->ops = NULL, rt->ex = NULL, rt->out_qt = NULL;
    rt->nqt = rt->capqt = rt->nops = rt->capops = rt->nex = rt->capex = 0;
    /* Constant nodes appended after the initializers are dropped too */
    rt->imported = 0;
}

int rt_import(dlp_rt *rt, const dlp_npy *inputs, int n_in)
{
    rt_clear_import(rt);
    const Onnx__GraphProto *g = rt->pb->graph;
    size_t ninit = g->n_initializer;
    for (size_t i = ninit; i < rt->nconsts; i++)
        free(rt->consts[i].v);
    rt->nconsts = ninit;
    imp I = {.rt = rt, .nname = "(graph)"};
    int rc = -1;
    for (size_t i = 0; i < rt->nconsts; i++) {
        val *v = new_val(&I, rt->consts[i].name, V_CONST);
        if (!v)
            goto out;
        v->c = (int)i;
    }
    for (int i = 0; i < rt->nin; i++) {
        const dlp_rt_io *io = &rt->ins[i];
        int64_t d[RT_MAX_RANK];
        for (int k = 0; k < io->rank; k++)
            d[k] = inputs && i < n_in ? inputs[i].dims[k] : (io->dims[k] < 0 ? 1 : io->dims[k]);
        int idx = io->dtype == DLP_NPY_I32 || io->dtype == DLP_NPY_I64;
        val *v = new_val(&I, io->name, io->dtype == DLP_NPY_F32 ? V_FLT : idx ? V_IDX : V_Q);
        if (!v)
            goto out;
        v->q = new_qt(rt, io->name, io->rank, d);
        if (v->q < 0)
            goto out;
        rt->qt[v->q].is_float = io->dtype == DLP_NPY_F32;
        rt->qt[v->q].is_idx = idx;
        rt->qt[v->q].idt = io->dtype;
        rt->qt[v->q].u8 = io->dtype == DLP_NPY_U8;
        rt->qt[v->q].first = -2; /* graph input */
    }
    for (size_t i = 0; i < g->n_node; i++) {
        I.node = g->node[i];
        I.nname = I.node->name && *I.node->name           ? I.node->name
                  : I.node->n_output && I.node->output[0] ? I.node->output[0]
                                                          : "?";
        if (node(&I))
            goto out;
    }
    rt->out_qt = calloc((size_t)rt->nout, sizeof(int));
    if (!rt->out_qt)
        goto out;
    I.node = NULL;
    for (int i = 0; i < rt->nout; i++) {
        I.nname = rt->outs[i].name;
        int v = find_val(&I, rt->outs[i].name);
        if (v < 0) {
            rt_fail(rt, "graph output '%s' is not produced by any node", rt->outs[i].name);
            goto out;
        }
        val *x = &I.v[v];
        if (x->kind == V_Q || x->kind == V_FLT || x->kind == V_IDX) {
            rt->out_qt[i] = x->q;
        } else if (x->kind == V_EXPR) {
            rt_qt *s = &rt->qt[x->q];
            int q = new_qt(rt, rt->outs[i].name, s->rank, s->dims);
            rt_op *o = q < 0 ? NULL : new_op(&I, O_DEQUANT, "dequantize");
            if (!o)
                goto out;
            rt->qt[q].is_float = 1;
            o->in[0] = x->q, o->nin = 1, o->out = q, o->where = 2;
            o->expr = rt->ex[x->expr].op == E_X ? -1 : x->expr;
            rt->out_qt[i] = q;
        } else if (x->kind == V_PEND) {
            int f;
            if (to_float(&I, v, &f))
                goto out;
            rt->out_qt[i] = f;
        } else {
            rt_fail(rt, "graph output '%s' is a constant", rt->outs[i].name);
            goto out;
        }
    }
    rt->imported = 1;
    rc = 0;
out:
    if (rc && !rt->err[0])
        rt_fail(rt, "out of memory");
    for (int i = 0; i < I.nv; i++)
        if (I.v[i].kind == V_DQC && I.v[i].own)
            free(I.v[i].sc), free(I.v[i].zp);
    free(I.v);
    return rc;
}
