/* check.h - the tests' pass/fail counting. Each binary ends with one line
 * "<name>: N passed, N failed" (the top-level Makefile adds them up). */
#ifndef DRIVER_TEST_CHECK_H
#define DRIVER_TEST_CHECK_H

#include <stdio.h>

#ifndef TSUFFIX
#define TSUFFIX ""
#endif

static int g_pass, g_fail;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            g_pass++;                                                                              \
        } else {                                                                                   \
            g_fail++;                                                                              \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

static inline int report(const char *name)
{
    printf("%s%s: %d passed, %d failed\n", name, TSUFFIX, g_pass, g_fail);
    fflush(stdout);
    return g_fail ? 1 : 0;
}

#endif
