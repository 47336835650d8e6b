"""onnxruntime CPU sessions for the references, the calibration and the demos: one place
for the session options.

session.x64quantprecision = 1. On x86-64 CPUs without VNNI (SSE4.1, AVX2, AVX-512 without
VNNI), onnxruntime's u8s8 integer GEMM (QLinearConv, QLinearMatMul, MatMulInteger, and the
QDQ Conv/MatMul/Gemm it fuses into them) uses VPMADDUBSW, whose int16 sums of two
products saturate: outputs can be wrong by tens of LSB (seen: up to 62 LSB on an AMD EPYC
with AVX2 only, on models that passed on the machines of earlier CI runs). With
the option, onnxruntime converts constant int8 weights to uint8 on such CPUs and uses its
u8u8 kernel, which cannot saturate; on other CPUs it changes nothing. onnxruntime 1.32 has
no kernel for int8 activations with the converted uint8 weights (QLinearConv and
QLinearMatMul with int8 inputs: NOT_IMPLEMENTED when the session is created); those
sessions are made without the option and use the s8s8 kernels, which agreed with the spec
on the same AVX2 CPU. See docs/RUNTIME.md.
"""
import onnxruntime as ort
from onnxruntime.capi.onnxruntime_pybind11_state import NotImplemented as NotImplemented_


def session(model, threads=None, optimize=True):
    """An InferenceSession on the CPU provider. model: a path or an onnx.ModelProto;
    threads: intra-op threads (None: onnxruntime's default); optimize=False disables the
    graph optimizations (QDQ groups then run as float DequantizeLinear -> op ->
    QuantizeLinear)."""
    src = model if isinstance(model, str) else model.SerializeToString()
    for precise in ("1", "0"):
        so = ort.SessionOptions()
        so.log_severity_level = 3
        so.add_session_config_entry("session.x64quantprecision", precise)
        if threads is not None:
            so.intra_op_num_threads = threads
            so.inter_op_num_threads = threads
        if not optimize:
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return ort.InferenceSession(src, so, providers=["CPUExecutionProvider"])
        except NotImplemented_:
            if precise == "0":
                raise
