# DLP - top-level build. The same commands run locally and in CI (.ci/run).
#   make test          all tests (golden model; RTL, driver and runtime as they land)
#   make demo          the main job (today: a quantized CNN layer stack on the golden ISS)
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

.PHONY: all test test-san demo lint format-check format bench regress coverage synth clean
all:
	@$(MAKE) -C golden TOP=$(CURDIR)

# Every test binary prints 'name: N passed, N failed'; the summary adds them up.
test:
	@mkdir -p $(BUILD)
	@set -o pipefail; rc=0; \
	( r=0; for d in $(SUBDIRS); do \
	    $(MAKE) --no-print-directory -C $$d TOP=$(CURDIR) test || r=1; \
	  done; \
	  $(MAKE) --no-print-directory test-san || r=1; exit $$r ) 2>&1 | tee $(BUILD)/test.log || rc=1; \
	awk '/^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed/ {p+=$$2; f+=$$4} \
	     END {printf "total: %d passed, %d failed\n", p, f; exit (f > 0)}' $(BUILD)/test.log || rc=1; \
	if [ $$rc -ne 0 ]; then echo "make test: FAILED (see build/test.log)"; fi; \
	exit $$rc

# The golden model's tests again under AddressSanitizer and UBSan (separate build dir).
test-san:
	@$(MAKE) --no-print-directory -C golden TOP=$(CURDIR) BUILD=$(BUILD)/golden-san \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  OPT="-O1 -g" test

demo:
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
