/*
 * onnx_load.c - minimal reader for ONNX node-test data; see onnx_load.h.
 * Decoding is protobuf-c on the code generated from runtime/proto/onnx_dlp.proto at build time.
 */
#include "onnx_load.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_dlp.pb-c.h"

#define ONNX_MAX_COUNT ((size_t)1 << 28) /* sanity bound on elements per tensor */
#define ONNX_MAX_FILE  ((long)1 << 30)

static int fail(char *err, size_t errlen, int status, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}

static char *dup_str(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

const char *onnx_status_str(int status)
{
    switch (status) {
    case ONNX_OK: return "ok";
    case ONNX_E_IO: return "I/O error";
    case ONNX_E_PARSE: return "invalid protobuf";
    case ONNX_E_FORMAT: return "inconsistent content";
    case ONNX_E_UNSUPPORTED: return "unsupported";
    case ONNX_E_NOMEM: return "out of memory";
    default: return "unknown error";
    }
}

const char *onnx_dtype_name(int dtype)
{
    static const char *const names[] = {
        "UNDEFINED", "FLOAT",  "UINT8",     "INT8",       "UINT16",   "INT16",
        "INT32",     "INT64",  "STRING",    "BOOL",       "FLOAT16",  "DOUBLE",
        "UINT32",    "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
    };
    if (dtype >= 0 && dtype < (int)(sizeof names / sizeof names[0]))
        return names[dtype];
    return "?";
}

/* Bytes per element in raw_data, 0 when this reader does not handle the type. */
static size_t elem_size(int dtype)
{
    switch (dtype) {
    case ONNX_UINT8:
    case ONNX_INT8:
    case ONNX_BOOL: return 1;
    case ONNX_UINT16:
    case ONNX_INT16: return 2;
    case ONNX_FLOAT:
    case ONNX_INT32:
    case ONNX_UINT32: return 4;
    case ONNX_INT64:
    case ONNX_DOUBLE: return 8;
    default: return 0;
    }
}

static int int_in_range(int dtype, int64_t v)
{
    switch (dtype) {
    case ONNX_UINT8: return v >= 0 && v <= 255;
    case ONNX_INT8: return v >= -128 && v <= 127;
    case ONNX_BOOL: return v == 0 || v == 1;
    case ONNX_UINT16: return v >= 0 && v <= 65535;
    case ONNX_INT16: return v >= -32768 && v <= 32767;
    case ONNX_INT32: return v >= INT32_MIN && v <= INT32_MAX;
    case ONNX_UINT32: return v >= 0 && v <= (int64_t)UINT32_MAX;
    default: return 1;
    }
}

static uint64_t load_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t k = 0; k < n; k++)
        v |= (uint64_t)p[k] << (8 * k);
    return v;
}

/* Decode one raw_data element (little-endian, fixed width) of an integer dtype. */
static int64_t raw_int(const uint8_t *p, int dtype)
{
    switch (dtype) {
    case ONNX_UINT8:
    case ONNX_BOOL: return p[0];
    case ONNX_INT8: return (int8_t)p[0];
    case ONNX_UINT16: return (int64_t)load_le(p, 2);
    case ONNX_INT16: return (int16_t)load_le(p, 2);
    case ONNX_INT32: return (int32_t)load_le(p, 4);
    case ONNX_UINT32: return (int64_t)load_le(p, 4);
    default: return (int64_t)load_le(p, 8); /* INT64 */
    }
}

static float raw_float(const uint8_t *p, int dtype)
{
    if (dtype == ONNX_DOUBLE) {
        uint64_t u = load_le(p, 8);
        double d;
        memcpy(&d, &u, sizeof d);
        return (float)d;
    }
    uint32_t u = (uint32_t)load_le(p, 4);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

void onnx_tensor_free(onnx_tensor *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->f);
    free(t->i);
    memset(t, 0, sizeof *t);
}

/* Convert a decoded TensorProto; what names it in messages. */
static int tensor_from_pb(const Onnx__TensorProto *pb, onnx_tensor *t, const char *what, char *err,
                          size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (!pb->has_data_type || pb->data_type == 0)
        return fail(err, errlen, ONNX_E_FORMAT, "%s: TensorProto without data_type", what);
    int dt = pb->data_type;
    size_t es = elem_size(dt);
    if (!es)
        return fail(err, errlen, ONNX_E_UNSUPPORTED, "%s: data type %s (%d) not supported", what,
                    onnx_dtype_name(dt), dt);
    if (pb->n_dims > ONNX_MAX_DIMS)
        return fail(err, errlen, ONNX_E_UNSUPPORTED, "%s: %zu dims (max %d)", what, pb->n_dims,
                    ONNX_MAX_DIMS);
    size_t count = 1;
    for (size_t k = 0; k < pb->n_dims; k++) {
        int64_t d = pb->dims[k];
        if (d < 0 || (d > 0 && count > ONNX_MAX_COUNT / (size_t)d))
            return fail(err, errlen, ONNX_E_FORMAT, "%s: bad dimension %lld at axis %zu", what,
                        (long long)d, k);
        count *= (size_t)d;
        t->dims[k] = d;
    }
    t->ndims = (int)pb->n_dims;
    t->dtype = dt;
    t->count = count;

    int is_float = dt == ONNX_FLOAT || dt == ONNX_DOUBLE;
    size_t alloc = count ? count : 1;
    if (is_float)
        t->f = malloc(alloc * sizeof *t->f);
    else
        t->i = malloc(alloc * sizeof *t->i);
    t->name = dup_str(pb->name);
    if ((is_float && !t->f) || (!is_float && !t->i) || !t->name) {
        onnx_tensor_free(t);
        return fail(err, errlen, ONNX_E_NOMEM, "%s: out of memory (%zu elements)", what, count);
    }

    int rc = ONNX_OK;
    if (pb->has_raw_data && (pb->raw_data.len > 0 || count == 0)) {
        if (pb->raw_data.len != count * es) {
            rc = fail(err, errlen, ONNX_E_FORMAT,
                      "%s: raw_data has %zu bytes, dims give %zu elements of %zu bytes "
                      "(truncated file?)",
                      what, pb->raw_data.len, count, es);
            goto out;
        }
        for (size_t k = 0; k < count; k++) {
            const uint8_t *p = pb->raw_data.data + k * es;
            if (is_float)
                t->f[k] = raw_float(p, dt);
            else
                t->i[k] = raw_int(p, dt);
        }
    } else {
        size_t n;
        const char *field;
        switch (dt) {
        case ONNX_FLOAT:
            n = pb->n_float_data;
            field = "float_data";
            break;
        case ONNX_DOUBLE:
            n = pb->n_double_data;
            field = "double_data";
            break;
        case ONNX_INT64:
            n = pb->n_int64_data;
            field = "int64_data";
            break;
        case ONNX_UINT32:
            n = pb->n_uint64_data;
            field = "uint64_data";
            break;
        default:
            n = pb->n_int32_data;
            field = "int32_data";
            break;
        }
        if (n != count) {
            rc = fail(err, errlen, ONNX_E_FORMAT,
                      "%s: %s has %zu values, dims give %zu (no raw_data; truncated file?)", what,
                      field, n, count);
            goto out;
        }
        for (size_t k = 0; k < count; k++) {
            switch (dt) {
            case ONNX_FLOAT: t->f[k] = pb->float_data[k]; break;
            case ONNX_DOUBLE: t->f[k] = (float)pb->double_data[k]; break;
            case ONNX_INT64: t->i[k] = pb->int64_data[k]; break;
            case ONNX_UINT32:
                t->i[k] = pb->uint64_data[k] > UINT32_MAX ? -1 : (int64_t)pb->uint64_data[k];
                break;
            default: t->i[k] = pb->int32_data[k]; break;
            }
        }
    }
    if (!is_float) {
        for (size_t k = 0; k < count; k++) {
            if (!int_in_range(dt, t->i[k])) {
                rc = fail(err, errlen, ONNX_E_FORMAT, "%s: element %zu = %lld out of range of %s",
                          what, k, (long long)t->i[k], onnx_dtype_name(dt));
                goto out;
            }
        }
    }
out:
    if (rc != ONNX_OK)
        onnx_tensor_free(t);
    return rc;
}

static int parse_tensor_named(const uint8_t *buf, size_t len, onnx_tensor *t, const char *what,
                              char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    Onnx__TensorProto *pb = onnx__tensor_proto__unpack(NULL, len, buf);
    if (!pb)
        return fail(err, errlen, ONNX_E_PARSE,
                    "%s: not a valid TensorProto (%zu bytes; truncated or corrupt protobuf)", what,
                    len);
    int rc = tensor_from_pb(pb, t, what, err, errlen);
    onnx__tensor_proto__free_unpacked(pb, NULL);
    return rc;
}

int onnx_parse_tensor(const uint8_t *buf, size_t len, onnx_tensor *t, char *err, size_t errlen)
{
    return parse_tensor_named(buf, len, t, "<memory>", err, errlen);
}

static int read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, ONNX_E_IO, "%s: cannot open", path);
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size < 0 || size > ONNX_MAX_FILE || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return fail(err, errlen, ONNX_E_IO, "%s: cannot determine size", path);
    }
    uint8_t *b = malloc(size ? (size_t)size : 1);
    if (!b) {
        fclose(f);
        return fail(err, errlen, ONNX_E_NOMEM, "%s: out of memory (%ld bytes)", path, size);
    }
    size_t got = fread(b, 1, (size_t)size, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || got != (size_t)size) {
        free(b);
        return fail(err, errlen, ONNX_E_IO, "%s: short read (%zu of %ld bytes)", path, got, size);
    }
    *buf = b;
    *len = (size_t)size;
    return ONNX_OK;
}

int onnx_load_tensor(const char *path, onnx_tensor *t, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    memset(t, 0, sizeof *t);
    int rc = read_file(path, &buf, &len, err, errlen);
    if (rc != ONNX_OK)
        return rc;
    rc = parse_tensor_named(buf, len, t, path, err, errlen);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------ model */

static void free_strs(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t k = 0; k < n; k++)
        free(v[k]);
    free(v);
}

static char **dup_strs(char *const *src, size_t n)
{
    char **v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        v[k] = dup_str(src[k]);
        if (!v[k]) {
            free_strs(v, n);
            return NULL;
        }
    }
    return v;
}

static void attr_free(onnx_attr *a)
{
    free(a->name);
    free(a->s);
    free(a->ints);
    free(a->floats);
    if (a->t) {
        onnx_tensor_free(a->t);
        free(a->t);
    }
    memset(a, 0, sizeof *a);
}

void onnx_model_free(onnx_model *m)
{
    if (!m)
        return;
    for (size_t k = 0; m->nodes && k < m->n_nodes; k++) {
        onnx_node *n = &m->nodes[k];
        free(n->op_type);
        free(n->domain);
        free(n->name);
        free_strs(n->inputs, n->n_inputs);
        free_strs(n->outputs, n->n_outputs);
        for (size_t j = 0; n->attrs && j < n->n_attrs; j++)
            attr_free(&n->attrs[j]);
        free(n->attrs);
    }
    free(m->nodes);
    for (size_t k = 0; m->inits && k < m->n_inits; k++)
        onnx_tensor_free(&m->inits[k]);
    free(m->inits);
    free_strs(m->inputs, m->n_inputs);
    free_strs(m->outputs, m->n_outputs);
    memset(m, 0, sizeof *m);
}

static int attr_from_pb(const Onnx__AttributeProto *pb, onnx_attr *a, const char *what, char *err,
                        size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->name = dup_str(pb->name);
    a->type = pb->has_type ? pb->type : 0;
    a->i = pb->i;
    a->f = pb->f;
    a->s = malloc(pb->s.len + 1);
    a->n_ints = pb->n_ints;
    a->n_floats = pb->n_floats;
    a->ints = malloc((pb->n_ints ? pb->n_ints : 1) * sizeof *a->ints);
    a->floats = malloc((pb->n_floats ? pb->n_floats : 1) * sizeof *a->floats);
    if (!a->name || !a->s || !a->ints || !a->floats)
        return fail(err, errlen, ONNX_E_NOMEM, "%s: out of memory", what);
    if (pb->s.len)
        memcpy(a->s, pb->s.data, pb->s.len);
    a->s[pb->s.len] = '\0';
    if (pb->n_ints)
        memcpy(a->ints, pb->ints, pb->n_ints * sizeof *a->ints);
    if (pb->n_floats)
        memcpy(a->floats, pb->floats, pb->n_floats * sizeof *a->floats);
    if (pb->t) {
        a->t = calloc(1, sizeof *a->t);
        if (!a->t)
            return fail(err, errlen, ONNX_E_NOMEM, "%s: out of memory", what);
        char where[256];
        snprintf(where, sizeof where, "%s: attribute %s", what, a->name);
        int rc = tensor_from_pb(pb->t, a->t, where, err, errlen);
        if (rc != ONNX_OK)
            return rc;
    }
    return ONNX_OK;
}

static int model_from_pb(const Onnx__ModelProto *pb, onnx_model *m, const char *what, char *err,
                         size_t errlen)
{
    const Onnx__GraphProto *g = pb->graph;
    if (!g)
        return fail(err, errlen, ONNX_E_FORMAT, "%s: ModelProto without graph", what);
    m->nodes = calloc(g->n_node ? g->n_node : 1, sizeof *m->nodes);
    m->inits = calloc(g->n_initializer ? g->n_initializer : 1, sizeof *m->inits);
    if (!m->nodes || !m->inits)
        return fail(err, errlen, ONNX_E_NOMEM, "%s: out of memory", what);
    m->n_nodes = g->n_node;
    m->n_inits = g->n_initializer;
    for (size_t k = 0; k < g->n_node; k++) {
        const Onnx__NodeProto *np = g->node[k];
        onnx_node *n = &m->nodes[k];
        n->op_type = dup_str(np->op_type);
        n->domain = dup_str(np->domain);
        n->name = dup_str(np->name);
        n->inputs = dup_strs(np->input, np->n_input);
        n->n_inputs = n->inputs ? np->n_input : 0;
        n->outputs = dup_strs(np->output, np->n_output);
        n->n_outputs = n->outputs ? np->n_output : 0;
        n->attrs = calloc(np->n_attribute ? np->n_attribute : 1, sizeof *n->attrs);
        n->n_attrs = n->attrs ? np->n_attribute : 0;
        if (!n->op_type || !n->domain || !n->name || !n->inputs || !n->outputs || !n->attrs)
            return fail(err, errlen, ONNX_E_NOMEM, "%s: out of memory", what);
        if (!n->op_type[0])
            return fail(err, errlen, ONNX_E_FORMAT, "%s: node %zu without op_type", what, k);
        for (size_t j = 0; j < np->n_attribute; j++) {
            int rc = attr_from_pb(np->attribute[j], &n->attrs[j], what, err, errlen);
            if (rc != ONNX_OK)
                return rc;
        }
    }
    for (size_t k = 0; k < g->n_initializer; k++) {
        char where[256];
        snprintf(where, sizeof where, "%s: initializer %zu", what, k);
        int rc = tensor_from_pb(g->initializer[k], &m->inits[k], where, err, errlen);
        if (rc != ONNX_OK)
            return rc;
    }
    m->inputs = calloc(g->n_input ? g->n_input : 1, sizeof *m->inputs);
    m->outputs = calloc(g->n_output ? g->n_output : 1, sizeof *m->outputs);
    if (!m->inputs || !m->outputs)
        return fail(err, errlen, ONNX_E_NOMEM, "%s: out of memory", what);
    m->n_inputs = g->n_input;
    m->n_outputs = g->n_output;
    for (size_t k = 0; k < g->n_input; k++)
        if (!(m->inputs[k] = dup_str(g->input[k]->name)))
            return fail(err, errlen, ONNX_E_NOMEM, "%s: out of memory", what);
    for (size_t k = 0; k < g->n_output; k++)
        if (!(m->outputs[k] = dup_str(g->output[k]->name)))
            return fail(err, errlen, ONNX_E_NOMEM, "%s: out of memory", what);
    return ONNX_OK;
}

static int parse_model_named(const uint8_t *buf, size_t len, onnx_model *m, const char *what,
                             char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    Onnx__ModelProto *pb = onnx__model_proto__unpack(NULL, len, buf);
    if (!pb)
        return fail(err, errlen, ONNX_E_PARSE,
                    "%s: not a valid ModelProto (%zu bytes; truncated or corrupt protobuf)", what,
                    len);
    int rc = model_from_pb(pb, m, what, err, errlen);
    onnx__model_proto__free_unpacked(pb, NULL);
    if (rc != ONNX_OK)
        onnx_model_free(m);
    return rc;
}

int onnx_parse_model(const uint8_t *buf, size_t len, onnx_model *m, char *err, size_t errlen)
{
    return parse_model_named(buf, len, m, "<memory>", err, errlen);
}

int onnx_load_model(const char *path, onnx_model *m, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    memset(m, 0, sizeof *m);
    int rc = read_file(path, &buf, &len, err, errlen);
    if (rc != ONNX_OK)
        return rc;
    rc = parse_model_named(buf, len, m, path, err, errlen);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------ lookups */

const onnx_attr *onnx_attr_find(const onnx_node *n, const char *name)
{
    for (size_t k = 0; k < n->n_attrs; k++)
        if (strcmp(n->attrs[k].name, name) == 0)
            return &n->attrs[k];
    return NULL;
}

int64_t onnx_attr_int(const onnx_node *n, const char *name, int64_t dflt)
{
    const onnx_attr *a = onnx_attr_find(n, name);
    return a && a->type == ONNX_ATTR_INT ? a->i : dflt;
}

float onnx_attr_float(const onnx_node *n, const char *name, float dflt)
{
    const onnx_attr *a = onnx_attr_find(n, name);
    return a && a->type == ONNX_ATTR_FLOAT ? a->f : dflt;
}

const char *onnx_attr_str(const onnx_node *n, const char *name, const char *dflt)
{
    const onnx_attr *a = onnx_attr_find(n, name);
    return a && a->type == ONNX_ATTR_STRING ? a->s : dflt;
}

int onnx_attr_ints(const onnx_node *n, const char *name, int64_t *out, int max)
{
    const onnx_attr *a = onnx_attr_find(n, name);
    if (!a)
        return 0;
    if (a->type != ONNX_ATTR_INTS || a->n_ints > (size_t)max)
        return -1;
    for (size_t k = 0; k < a->n_ints; k++)
        out[k] = a->ints[k];
    return (int)a->n_ints;
}

int onnx_graph_input_index(const onnx_model *m, const char *name)
{
    for (size_t k = 0; k < m->n_inputs; k++)
        if (strcmp(m->inputs[k], name) == 0)
            return (int)k;
    return -1;
}

const onnx_tensor *onnx_initializer(const onnx_model *m, const char *name)
{
    for (size_t k = 0; k < m->n_inits; k++)
        if (strcmp(m->inits[k].name, name) == 0)
            return &m->inits[k];
    return NULL;
}
