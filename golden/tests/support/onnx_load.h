/*
 * onnx_load.h - minimal reader for ONNX node-test data (model.onnx + TensorProto .pb).
 *
 * Reads the subset of onnx.proto in runtime/proto/onnx_dlp.proto (protobuf-c, generated at build
 * time) into plain structs that do not expose protobuf-c. Enough for the single-node models of the
 * ONNX backend conformance tests (onnx/backend/test/data/node/test_*):
 *
 *   model.onnx                 graph: nodes (op type, inputs, outputs, attributes),
 *                              initializers, graph input/output names
 *   test_data_set_N/input_K.pb one TensorProto per graph input, in graph input order
 *   test_data_set_N/output_K.pb one TensorProto per graph output
 *
 * Every function returns ONNX_OK or a negative onnx_status and, on error, writes a
 * human-readable message (file name and reason) to err[errlen]. Nothing exits the
 * process; on error the output struct is left empty (safe to free).
 */
#ifndef DLP_ONNX_LOAD_H
#define DLP_ONNX_LOAD_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    ONNX_OK = 0,
    ONNX_E_IO = -1,          /* cannot open or read the file */
    ONNX_E_PARSE = -2,       /* not a valid protobuf of the expected message (truncated, corrupt) */
    ONNX_E_FORMAT = -3,      /* valid protobuf, inconsistent content (dims vs data size...) */
    ONNX_E_UNSUPPORTED = -4, /* data type or layout this reader does not handle */
    ONNX_E_NOMEM = -5,
} onnx_status;

/* ONNX TensorProto.DataType values used here. */
enum {
    ONNX_FLOAT = 1,
    ONNX_UINT8 = 2,
    ONNX_INT8 = 3,
    ONNX_UINT16 = 4,
    ONNX_INT16 = 5,
    ONNX_INT32 = 6,
    ONNX_INT64 = 7,
    ONNX_BOOL = 9,
    ONNX_DOUBLE = 11,
    ONNX_UINT32 = 12,
};

/* ONNX AttributeProto.AttributeType values used here. */
enum {
    ONNX_ATTR_FLOAT = 1,
    ONNX_ATTR_INT = 2,
    ONNX_ATTR_STRING = 3,
    ONNX_ATTR_TENSOR = 4,
    ONNX_ATTR_FLOATS = 6,
    ONNX_ATTR_INTS = 7,
};

#define ONNX_MAX_DIMS 8

typedef struct {
    char *name; /* "" when the TensorProto has none */
    int dtype;  /* ONNX_FLOAT, ONNX_UINT8, ... */
    int ndims;  /* 0 = scalar */
    int64_t dims[ONNX_MAX_DIMS];
    size_t count; /* product of dims (1 for a scalar) */
    float *f;     /* dtype FLOAT or DOUBLE (converted): count values, else NULL */
    int64_t *i;   /* integer and bool dtypes, widened: count values, else NULL */
} onnx_tensor;

typedef struct {
    char *name;
    int type; /* ONNX_ATTR_* */
    int64_t i;
    float f;
    char *s; /* NUL-terminated copy of the bytes (STRING) */
    size_t n_ints, n_floats;
    int64_t *ints;
    float *floats;
    onnx_tensor *t; /* TENSOR attribute, else NULL */
} onnx_attr;

typedef struct {
    char *op_type, *domain, *name;
    size_t n_inputs, n_outputs, n_attrs;
    char **inputs; /* "" marks an omitted optional input */
    char **outputs;
    onnx_attr *attrs;
} onnx_node;

typedef struct {
    size_t n_nodes, n_inits, n_inputs, n_outputs;
    onnx_node *nodes;
    onnx_tensor *inits; /* graph initializers */
    char **inputs;      /* graph input names, in order (input_K.pb is inputs[K]) */
    char **outputs;     /* graph output names, in order */
} onnx_model;

const char *onnx_status_str(int status);
const char *onnx_dtype_name(int dtype);

/* Parse a serialized TensorProto / ModelProto from memory or from a file. */
int onnx_parse_tensor(const uint8_t *buf, size_t len, onnx_tensor *t, char *err, size_t errlen);
int onnx_load_tensor(const char *path, onnx_tensor *t, char *err, size_t errlen);
int onnx_parse_model(const uint8_t *buf, size_t len, onnx_model *m, char *err, size_t errlen);
int onnx_load_model(const char *path, onnx_model *m, char *err, size_t errlen);

void onnx_tensor_free(onnx_tensor *t);
void onnx_model_free(onnx_model *m);

/* Attribute lookup on a node; NULL / the default when absent. */
const onnx_attr *onnx_attr_find(const onnx_node *n, const char *name);
int64_t onnx_attr_int(const onnx_node *n, const char *name, int64_t dflt);
float onnx_attr_float(const onnx_node *n, const char *name, float dflt);
const char *onnx_attr_str(const onnx_node *n, const char *name, const char *dflt);
/* Copy an INTS attribute into out[max]; returns its length (0 when absent), or -1 when
 * it is longer than max or not an INTS attribute. */
int onnx_attr_ints(const onnx_node *n, const char *name, int64_t *out, int max);

/* Index of name in the model's graph inputs / initializers, or -1. */
int onnx_graph_input_index(const onnx_model *m, const char *name);
const onnx_tensor *onnx_initializer(const onnx_model *m, const char *name);

#endif
