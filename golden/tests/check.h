/*
 * check.h - minimal test harness for the golden model tests.
 * CHECK(cond, fmt, ...) counts a pass or prints the failure; check_done() prints the
 * closing 'N passed, N failed' line and returns the exit status.
 */
#ifndef DLP_CHECK_H
#define DLP_CHECK_H

#include <stdio.h>

static long check_passed, check_failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_passed++;                                                                        \
        } else {                                                                                   \
            check_failed++;                                                                        \
            if (check_failed <= 20) {                                                              \
                fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);                              \
                fprintf(stderr, __VA_ARGS__);                                                      \
                fprintf(stderr, "\n");                                                             \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static inline int check_done(const char *name)
{
    printf("%s: %ld passed, %ld failed\n", name, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

/* Deterministic PRNG (xorshift64*) so that failures reproduce from the printed seed. */
static inline unsigned long long check_rand(unsigned long long *s)
{
    unsigned long long x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}
static inline int check_range(unsigned long long *s, int lo, int hi) /* inclusive */
{
    return lo + (int)(check_rand(s) % (unsigned long long)(hi - lo + 1));
}

#endif
