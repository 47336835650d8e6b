# dlp.mk - how to compile and link against libdlp. Include it from another Makefile:
#
#   TOP ?= $(abspath ..)
#   include $(TOP)/driver/dlp.mk
#   prog: prog.c dlp-lib          # iss + uio          (plain C link)
#   	$(CC) $(DLP_CFLAGS) prog.c $(DLP_LIBS) -o $@
#   prog_sim: prog.c dlp-lib-sim  # iss + uio + sim    (links the Verilated dlp_top: C++)
#   	$(CC) $(DLP_CFLAGS) prog.c $(DLP_SIM_LIBS) -o $@
#
# libdlp_sim.a is a superset of libdlp.a: link one or the other, never both.
DLP_TOP      ?= $(TOP)
DLP_CFLAGS   := -I$(DLP_TOP)/driver/include -I$(DLP_TOP)/golden/include
DLP_GOLDEN   := $(DLP_TOP)/build/golden/libdlpgolden.a
DLP_LIB      := $(DLP_TOP)/build/driver/libdlp.a
DLP_LIB_SIM  := $(DLP_TOP)/build/driver/libdlp_sim.a
DLP_LIBS     := $(DLP_LIB) $(DLP_GOLDEN) -lm -lpthread
DLP_SIM_LIBS := $(DLP_LIB_SIM) $(DLP_GOLDEN) -lstdc++ -lz -lm -lpthread

# Build (or bring up to date) the libraries and the golden library they need. These rules
# do not become the including Makefile's default goal.
_dlp_goal := $(.DEFAULT_GOAL)
.PHONY: dlp-lib dlp-lib-sim
dlp-lib:
	@$(MAKE) --no-print-directory -C $(DLP_TOP)/golden TOP=$(DLP_TOP) BUILD=$(DLP_TOP)/build/golden lib
	@$(MAKE) --no-print-directory -C $(DLP_TOP)/driver TOP=$(DLP_TOP) lib
dlp-lib-sim:
	@$(MAKE) --no-print-directory -C $(DLP_TOP)/golden TOP=$(DLP_TOP) BUILD=$(DLP_TOP)/build/golden lib
	@$(MAKE) --no-print-directory -C $(DLP_TOP)/driver TOP=$(DLP_TOP) lib-sim
.DEFAULT_GOAL := $(_dlp_goal)
