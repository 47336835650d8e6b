/*
 * onnx_build.h - build small ONNX models in C with protobuf-c (tests need no Python).
 *
 * Usage: mb_init(&b, opset); add initializers, nodes, inputs, outputs; mb_pack() returns
 * the serialized model (malloc'd). Everything else is freed by mb_free(). Header-only,
 * shared by runtime/tests and sw/tests.
 */
#ifndef ONNX_BUILD_H
#define ONNX_BUILD_H

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_dlp.pb-c.h"

#define MB_MAX 256

typedef struct {
    Onnx__ModelProto model;
    Onnx__GraphProto graph;
    Onnx__OperatorSetIdProto opset, *opsets[1];
    Onnx__NodeProto *nodes[MB_MAX];
    Onnx__TensorProto *inits[MB_MAX];
    Onnx__ValueInfoProto *ins[16], *outs[16];
    void *allocs[8 * MB_MAX];
    int nalloc;
} mb;

static inline void *mb_alloc(mb *b, size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p && b->nalloc < 8 * MB_MAX)
        b->allocs[b->nalloc++] = p;
    return p;
}

static inline char *mb_str(mb *b, const char *s)
{
    char *p = mb_alloc(b, strlen(s) + 1);
    strcpy(p, s);
    return p;
}

static inline void mb_init(mb *b, int64_t opset)
{
    memset(b, 0, sizeof *b);
    onnx__model_proto__init(&b->model);
    onnx__graph_proto__init(&b->graph);
    onnx__operator_set_id_proto__init(&b->opset);
    b->opset.version = opset, b->opset.has_version = 1;
    b->opset.domain = mb_str(b, "");
    b->opsets[0] = &b->opset;
    b->model.opset_import = b->opsets, b->model.n_opset_import = 1;
    b->model.ir_version = 8, b->model.has_ir_version = 1;
    b->model.graph = &b->graph;
    b->graph.node = b->nodes, b->graph.initializer = b->inits;
    b->graph.input = b->ins, b->graph.output = b->outs;
    b->graph.name = mb_str(b, "test");
}

/* Initializer of ONNX type dt (1 float, 2 uint8, 3 int8, 6 int32, 7 int64) from doubles. */
static inline void mb_init_t(mb *b, const char *name, int dt, int rank, const int64_t *dims,
                             const double *v)
{
    Onnx__TensorProto *t = mb_alloc(b, sizeof *t);
    onnx__tensor_proto__init(t);
    t->name = mb_str(b, name);
    t->data_type = dt, t->has_data_type = 1;
    t->n_dims = (size_t)rank;
    t->dims = mb_alloc(b, sizeof(int64_t) * (size_t)(rank ? rank : 1));
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        t->dims[i] = dims[i], n *= (size_t)dims[i];
    int es = dt == 1 || dt == 6 ? 4 : dt == 7 ? 8 : 1;
    uint8_t *raw = mb_alloc(b, n * (size_t)es);
    for (size_t i = 0; i < n; i++) {
        if (dt == 1) {
            float f = (float)v[i];
            memcpy(raw + 4 * i, &f, 4);
        } else if (dt == 6) {
            int32_t x = (int32_t)v[i];
            memcpy(raw + 4 * i, &x, 4);
        } else if (dt == 7) {
            int64_t x = (int64_t)v[i];
            memcpy(raw + 8 * i, &x, 8);
        } else {
            raw[i] = (uint8_t)(int)v[i];
        }
    }
    t->raw_data.data = raw, t->raw_data.len = n * (size_t)es, t->has_raw_data = 1;
    b->inits[b->graph.n_initializer++] = t;
}

static inline void mb_scalar(mb *b, const char *name, int dt, double v)
{
    mb_init_t(b, name, dt, 0, NULL, &v);
}

static inline Onnx__ValueInfoProto *mb_vi(mb *b, const char *name, int dt, int rank,
                                          const int64_t *dims)
{
    Onnx__ValueInfoProto *vi = mb_alloc(b, sizeof *vi);
    Onnx__TypeProto *tp = mb_alloc(b, sizeof *tp);
    Onnx__TypeProto__Tensor *tt = mb_alloc(b, sizeof *tt);
    Onnx__TensorShapeProto *sh = mb_alloc(b, sizeof *sh);
    onnx__value_info_proto__init(vi);
    onnx__type_proto__init(tp);
    onnx__type_proto__tensor__init(tt);
    onnx__tensor_shape_proto__init(sh);
    sh->dim = mb_alloc(b, sizeof(void *) * (size_t)(rank ? rank : 1));
    sh->n_dim = (size_t)rank;
    for (int i = 0; i < rank; i++) {
        Onnx__TensorShapeProto__Dimension *d = mb_alloc(b, sizeof *d);
        onnx__tensor_shape_proto__dimension__init(d);
        d->dim_value = dims[i], d->has_dim_value = 1;
        sh->dim[i] = d;
    }
    tt->elem_type = dt, tt->has_elem_type = 1, tt->shape = sh;
    tp->tensor_type = tt;
    vi->name = mb_str(b, name), vi->type = tp;
    return vi;
}

static inline void mb_input(mb *b, const char *name, int dt, int rank, const int64_t *dims)
{
    b->ins[b->graph.n_input++] = mb_vi(b, name, dt, rank, dims);
}

static inline void mb_output(mb *b, const char *name, int dt, int rank, const int64_t *dims)
{
    b->outs[b->graph.n_output++] = mb_vi(b, name, dt, rank, dims);
}

/* Node: ins / outs are NULL-terminated lists; returns it for attributes. */
static inline Onnx__NodeProto *mb_node(mb *b, const char *op, const char *name,
                                       const char *const *ins, const char *const *outs)
{
    Onnx__NodeProto *n = mb_alloc(b, sizeof *n);
    onnx__node_proto__init(n);
    n->op_type = mb_str(b, op), n->name = mb_str(b, name);
    size_t ni = 0, no = 0;
    while (ins[ni])
        ni++;
    while (outs[no])
        no++;
    n->input = mb_alloc(b, sizeof(char *) * (ni + 1));
    n->output = mb_alloc(b, sizeof(char *) * (no + 1));
    for (size_t i = 0; i < ni; i++)
        n->input[i] = mb_str(b, ins[i]);
    for (size_t i = 0; i < no; i++)
        n->output[i] = mb_str(b, outs[i]);
    n->n_input = ni, n->n_output = no;
    n->attribute = mb_alloc(b, sizeof(void *) * 8);
    b->nodes[b->graph.n_node++] = n;
    return n;
}

static inline Onnx__AttributeProto *mb_attr(mb *b, Onnx__NodeProto *n, const char *name, int type)
{
    Onnx__AttributeProto *a = mb_alloc(b, sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = mb_str(b, name), a->type = type, a->has_type = 1;
    n->attribute[n->n_attribute++] = a;
    return a;
}

static inline void mb_attr_i(mb *b, Onnx__NodeProto *n, const char *name, int64_t v)
{
    Onnx__AttributeProto *a = mb_attr(b, n, name, 2);
    a->i = v, a->has_i = 1;
}

static inline void mb_attr_f(mb *b, Onnx__NodeProto *n, const char *name, float v)
{
    Onnx__AttributeProto *a = mb_attr(b, n, name, 1);
    a->f = v, a->has_f = 1;
}

static inline void mb_attr_ints(mb *b, Onnx__NodeProto *n, const char *name, int cnt,
                                const int64_t *v)
{
    Onnx__AttributeProto *a = mb_attr(b, n, name, 7);
    a->ints = mb_alloc(b, sizeof(int64_t) * (size_t)cnt);
    memcpy(a->ints, v, sizeof(int64_t) * (size_t)cnt);
    a->n_ints = (size_t)cnt;
}

static inline uint8_t *mb_pack(mb *b, size_t *len)
{
    *len = onnx__model_proto__get_packed_size(&b->model);
    uint8_t *out = malloc(*len ? *len : 1);
    onnx__model_proto__pack(&b->model, out);
    return out;
}

static inline void mb_free(mb *b)
{
    for (int i = 0; i < b->nalloc; i++)
        free(b->allocs[i]);
    b->nalloc = 0;
}

#define MB_L(...) ((const char *const[]){__VA_ARGS__, NULL})

#endif /* ONNX_BUILD_H */
