/*
 * dlp/npy.h - NumPy .npy files (format version 1.0, also reads 2.0/3.0 headers).
 *
 * Element types float32, int8, uint8, int32, int64, little-endian, C order. Fortran order,
 * other dtypes, big-endian data, truncated files and malformed headers are errors with a
 * message naming what is wrong.
 */
#ifndef DLP_NPY_H
#define DLP_NPY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DLP_NPY_MAX_RANK 8

typedef enum {
    DLP_NPY_F32 = 0,
    DLP_NPY_I8,
    DLP_NPY_U8,
    DLP_NPY_I32,
    DLP_NPY_I64,
} dlp_npy_dtype;

typedef struct {
    dlp_npy_dtype dtype;
    int rank;
    int64_t dims[DLP_NPY_MAX_RANK];
    size_t count; /* elements */
    void *data;   /* count elements of dtype (malloc'd by the reader) */
} dlp_npy;

const char *dlp_npy_dtype_name(dlp_npy_dtype t); /* "float32", ... */
size_t dlp_npy_dtype_size(dlp_npy_dtype t);

/* 0, or -1 with a message in err. The reader allocates a->data (free with dlp_npy_free). */
int dlp_npy_parse(const uint8_t *buf, size_t len, dlp_npy *a, char *err, size_t errlen);
int dlp_npy_read(const char *path, dlp_npy *a, char *err, size_t errlen);
int dlp_npy_write(const char *path, const dlp_npy *a, char *err, size_t errlen);
void dlp_npy_free(dlp_npy *a);

#ifdef __cplusplus
}
#endif

#endif /* DLP_NPY_H */
