/*
 * status.c - human-readable names for dlp_status codes and LUT functions.
 */
#include "dlp/ops.h"

const char *dlp_status_str(int status)
{
    switch (status) {
    case DLP_OK: return "ok";
    case DLP_E_ARG: return "invalid argument (NULL pointer or parameter out of range)";
    case DLP_E_SHAPE: return "invalid shape (non-positive or inconsistent dimensions)";
    case DLP_E_NOMEM: return "out of memory (scratch buffer allocation failed)";
    default: return "unknown status";
    }
}

const char *dlp_fn_name(dlp_fn fn)
{
    switch (fn) {
    case DLP_FN_GELU: return "gelu";
    case DLP_FN_GELU_TANH: return "gelu_tanh";
    case DLP_FN_SILU: return "silu";
    case DLP_FN_SIGMOID: return "sigmoid";
    case DLP_FN_TANH: return "tanh";
    case DLP_FN_EXP: return "exp";
    case DLP_FN_ERF: return "erf";
    }
    return "unknown";
}
