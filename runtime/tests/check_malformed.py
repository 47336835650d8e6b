#!/usr/bin/env python3
"""Feed `dlp run` malformed models and inputs; it must fail cleanly.

Each case passes when `dlp run` exits with a non-zero status (not by a signal), prints
a message on stderr, prints no sanitizer report and finishes within the timeout. Cases:
missing/empty/truncated/corrupted/random-byte model files, unknown ops, wrong tensor
types, inconsistent initializers, absurd and negative shapes, dangling graph edges and
cycles, and .npy inputs with the wrong dtype, shape, header or contents.

The corrupted-model cases flip bytes of a valid model at seeded random positions; a
flipped byte can leave a model that is still valid, so for those the CLI may also exit 0,
as long as it does not crash (those cases say `ok (ran)`).

Last line: `runtime_malformed: N passed, N failed`; exit status 1 when any case failed.
Usage: check_malformed.py [--dlp PATH] [--backend iss] [--seed N]
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SAN_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:")


def valid_model():
    """A small valid QDQ conv model with int8 input x [1,3,6,6] and int8 output y."""
    rng = np.random.default_rng(7)
    inits = [
        numpy_helper.from_array(np.float32(0.02), "xs"), numpy_helper.from_array(np.int8(-3), "xz"),
        numpy_helper.from_array(rng.integers(-127, 128, size=(4, 3, 3, 3)).astype(np.int8), "w"),
        numpy_helper.from_array(np.full(4, 0.01, np.float32), "ws"), numpy_helper.from_array(np.zeros(4, np.int8), "wz"),
        numpy_helper.from_array(np.float32(0.1), "ys"), numpy_helper.from_array(np.int8(5), "yz"),
    ]
    nodes = [
        helper.make_node("DequantizeLinear", ["x", "xs", "xz"], ["xf"]),
        helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wf"], axis=0),
        helper.make_node("Conv", ["xf", "wf"], ["yf"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("QuantizeLinear", ["yf", "ys", "yz"], ["y"]),
    ]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.INT8, [1, 3, 6, 6])],
                          [helper.make_tensor_value_info("y", TensorProto.INT8, [1, 4, 6, 6])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def x_ok():
    return np.random.default_rng(3).integers(-128, 128, size=(1, 3, 6, 6)).astype(np.int8)


def variants(base):
    """(name, model bytes or None for a missing file, input arrays/bytes, expect_fail)."""
    good = base.SerializeToString()
    xin = {"x": x_ok()}
    out = []

    def mod(name, fn, inputs=None):
        m = onnx.ModelProto()
        m.CopyFrom(base)
        fn(m)
        out.append((name, m.SerializeToString(), inputs if inputs is not None else xin, True))

    out.append(("model_missing_file", None, xin, True))
    out.append(("model_empty_file", b"", xin, True))
    out.append(("model_text_file", b"this is not an onnx model\n" * 10, xin, True))
    for frac in (0.1, 0.5, 0.9, 0.99):
        out.append(("model_truncated_%d%%" % int(frac * 100), good[:int(len(good) * frac)], xin, True))
    rng = np.random.default_rng(11)
    out.append(("model_random_bytes", rng.integers(0, 256, size=4096).astype(np.uint8).tobytes(), xin, True))
    for i in range(12):
        b = bytearray(good)
        for _ in range(int(rng.integers(1, 6))):
            b[int(rng.integers(0, len(b)))] = int(rng.integers(0, 256))
        out.append(("model_corrupt_bytes_%d" % i, bytes(b), xin, False))
    # protobuf length field pointing past the end
    out.append(("model_bad_length_prefix", b"\x3a\xff\xff\xff\x0f" + good[:40], xin, True))

    def unknown_op(m):
        m.graph.node[2].op_type = "NoSuchOp"
    mod("graph_unknown_op", unknown_op)

    def unsupported_op(m):  # a real ONNX op the DLP runtime does not list
        n = m.graph.node[2]
        del n.attribute[:]
        n.op_type = "NonMaxSuppression"
    mod("graph_unsupported_op", unsupported_op)

    def unknown_domain(m):
        m.graph.node[2].domain = "com.example.nothing"
    mod("graph_unknown_domain", unknown_domain)

    def float_input_declared_int8(m):
        m.graph.input[0].type.tensor_type.elem_type = TensorProto.STRING
    mod("type_string_input", float_input_declared_int8)

    def scale_wrong_type(m):
        m.graph.initializer[0].CopyFrom(numpy_helper.from_array(np.int32(7), "xs"))
    mod("type_int_scale", scale_wrong_type)

    def weight_float64(m):
        m.graph.initializer[2].CopyFrom(numpy_helper.from_array(np.zeros((4, 3, 3, 3), np.float64), "w"))
    mod("type_double_weight_into_dq", weight_float64)

    def init_short_raw(m):
        t = m.graph.initializer[2]
        t.raw_data = t.raw_data[:10]
    mod("init_raw_data_too_short", init_short_raw)

    def init_huge_dims(m):
        t = m.graph.initializer[2]
        del t.dims[:]
        t.dims.extend([1 << 20, 1 << 20, 3, 3])
    mod("init_dims_huge", init_huge_dims)

    def init_negative_dims(m):
        t = m.graph.initializer[2]
        del t.dims[:]
        t.dims.extend([-4, 3, 3, 3])
    mod("init_dims_negative", init_negative_dims)

    def input_absurd(m):
        d = m.graph.input[0].type.tensor_type.shape.dim
        d[1].dim_value = 1 << 30
        d[2].dim_value = 1 << 30
    mod("shape_absurd_input", input_absurd,
        {"x": x_ok()})

    def kernel_bigger(m):
        t = m.graph.initializer[2]
        t.CopyFrom(numpy_helper.from_array(np.ones((4, 3, 9, 9), np.int8), "w"))
        for a in m.graph.node[2].attribute:
            if a.name == "kernel_shape":
                del a.ints[:]
                a.ints.extend([9, 9])
            if a.name == "pads":
                del a.ints[:]
                a.ints.extend([0, 0, 0, 0])
    mod("shape_kernel_larger_than_input", kernel_bigger)

    def channels_mismatch(m):
        m.graph.initializer[2].CopyFrom(numpy_helper.from_array(np.ones((4, 5, 3, 3), np.int8), "w"))
    mod("shape_channel_mismatch", channels_mismatch)

    def zero_stride(m):
        m.graph.node[2].attribute.extend([helper.make_attribute("strides", [0, 0])])
    mod("attr_zero_stride", zero_stride)

    def dangling(m):
        m.graph.node[2].input[0] = "does_not_exist"
    mod("graph_dangling_input", dangling)

    def cycle(m):
        m.graph.node[0].input[0] = "y"
    mod("graph_cycle", cycle)

    def no_output(m):
        m.graph.output[0].name = "nobody_makes_this"
    mod("graph_output_not_produced", no_output)

    def no_nodes(m):
        del m.graph.node[:]
    mod("graph_no_nodes", no_nodes)

    def zero_scale(m):
        m.graph.initializer[5].CopyFrom(numpy_helper.from_array(np.float32(0.0), "ys"))
    mod("quant_zero_output_scale", zero_scale)

    def nan_scale(m):
        m.graph.initializer[0].CopyFrom(numpy_helper.from_array(np.float32(np.nan), "xs"))
    mod("quant_nan_input_scale", nan_scale)

    # .npy problems on a valid model
    x = x_ok()
    for nm, arr in [("npy_wrong_dtype_float32", x.astype(np.float32)),
                    ("npy_wrong_dtype_int64", x.astype(np.int64)),
                    ("npy_wrong_dtype_uint8", x.astype(np.uint8)),
                    ("npy_wrong_shape", x.reshape(1, 3, 36, 1)),
                    ("npy_wrong_rank", x.reshape(-1)),
                    ("npy_too_small", x[:, :, :3, :]),
                    ("npy_scalar", np.int8(1)),
                    ("npy_empty", np.zeros((0,), np.int8))]:
        out.append((nm, good, {"x": arr}, True))
    with tempfile.TemporaryFile() as f:
        np.save(f, x)
        f.seek(0)
        npy = f.read()
    out.append(("npy_truncated_data", good, {"x": npy[:len(npy) - 20]}, True))
    out.append(("npy_truncated_header", good, {"x": npy[:30]}, True))
    out.append(("npy_not_npy", good, {"x": b"hello world\n"}, True))
    out.append(("npy_bad_header_dict", good, {"x": npy.replace(b"'descr'", b"'dexcr'", 1)}, True))
    out.append(("npy_object_dtype", good, {"x": np.array([{"a": 1}], dtype=object)}, True))
    out.append(("npy_fortran_order_wrong_shape", good, {"x": np.asfortranarray(x.reshape(3, 36))}, True))
    out.append(("npy_missing_file", good, {"x": None}, True))
    out.append(("input_unknown_name", good, {"x": x, "nosuchinput": x}, True))
    out.append(("input_missing", good, {}, True))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.abspath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dlp", default=os.path.join(top, "build", "sw", "dlp"))
    ap.add_argument("--backend", default="iss")
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()

    cases = variants(valid_model())
    if not os.access(a.dlp, os.X_OK):
        for c in cases:
            print("FAIL %-36s dlp CLI not found at %s" % (c[0], a.dlp))
        print("runtime_malformed: 0 passed, %d failed" % len(cases))
        return 1
    tmp = tempfile.mkdtemp(prefix="dlp_malformed_")
    npass = nfail = 0
    for name, mbytes, inputs, expect_fail in cases:
        d = os.path.join(tmp, name)
        os.makedirs(os.path.join(d, "out"))
        mpath = os.path.join(d, "model.onnx")
        if mbytes is not None:
            with open(mpath, "wb") as f:
                f.write(mbytes)
        cmd = [a.dlp, "run", mpath, "--backend", a.backend]
        for k, v in inputs.items():
            p = os.path.join(d, k + ".npy")
            if isinstance(v, bytes):
                with open(p, "wb") as f:
                    f.write(v)
            elif v is not None:
                np.save(p, v, allow_pickle=True)
            cmd += ["--input", "%s=%s" % (k, p)]
        cmd += ["--output-dir", os.path.join(d, "out")]
        try:
            pr = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=a.timeout)
            rc, err = pr.returncode, pr.stderr.decode(errors="replace")
        except subprocess.TimeoutExpired:
            rc, err = None, ""
        msg_line = err.strip().splitlines()[-1][:150] if err.strip() else ""
        san = next((m for m in SAN_MARKERS if m in err), None)
        if rc is None:
            ok, why = False, "timeout after %ds (hang)" % a.timeout
        elif rc < 0:
            ok, why = False, "crashed: signal %s" % signal.Signals(-rc).name
        elif san:
            ok, why = False, "sanitizer report (%s), exit %d" % (san, rc)
        elif rc == 0 and expect_fail:
            ok, why = False, "exit 0 on malformed input"
        elif rc == 0:
            ok, why = True, "ok (ran)"
        elif not msg_line:
            ok, why = False, "exit %d without a message on stderr" % rc
        else:
            ok, why = True, "exit %d: %s" % (rc, msg_line)
        print("%s %-36s %s" % ("PASS" if ok else "FAIL", name, why), flush=True)
        npass += ok
        nfail += not ok
    if a.keep:
        print("cases kept in %s" % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print("runtime_malformed: %d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
