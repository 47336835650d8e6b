# rt.mk - link line for users of libdlprt (include it; TOP must be set).
RT_INC  := -I$(TOP)/runtime/include -I$(TOP)/driver/include -I$(TOP)/golden/include
RT_LIBS := $(TOP)/build/runtime/libdlprt.a $(TOP)/build/driver/libdlp.a \
           $(TOP)/build/golden/libdlpgolden.a -lprotobuf-c -lm -lpthread
