/* bench/modexp.c: the floor under one SRP login, raw OpenSSL.
 *
 *   cc -O2 -o modexp bench/modexp.c -lcrypto
 *   modexp N_HEX A_HEX B_HEX [ITERATIONS]
 *
 * A Cognito SRP client computes two 3072-bit modular exponentiations with
 * exponents of about 1024 bits, and they are most of its work:
 *   A = g^a mod N                          a: 128 random bytes
 *   S = (B - k*g^x)^(a + u*x) mod N        u, x: SHA-256 values
 * (and g^x, whose exponent is only 256 bits). This times each of them the
 * way src/srp.c computes them: BN_mod_exp_mont_consttime, with the group's
 * Montgomery context made once and the secret exponents flagged constant
 * time. u and x are fixed 256-bit values here: only their size matters.
 * Prints key=value pairs, the median CPU milliseconds of one operation:
 *   g_a_ms (g^a), s_ms (the S exponentiation), g_x_ms (g^x), pair_ms (the
 *   first two added), three_ms (all three: the baseline of bench/run), and
 *   the same with a 424-bit a as src/srp.c draws it (docs/SRP.md, "The size
 *   of a"): g_a_short_ms, s_short_ms, three_short_ms, and short_ratio
 *   (three_short_ms / three_ms). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/sha.h>

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The median of `n` timed runs of r = base^e mod N. */
static double time_exp(BIGNUM *r, const BIGNUM *base, const BIGNUM *e, const BIGNUM *n,
                       BN_MONT_CTX *mont, BN_CTX *ctx, int runs, double *samples)
{
    for (int i = 0; i < runs; i++) {
        double t0 = cpu_ms();
        if (!BN_mod_exp_mont_consttime(r, base, e, n, ctx, mont)) {
            fprintf(stderr, "modexp: BN_mod_exp_mont_consttime failed\n");
            exit(1);
        }
        samples[i] = cpu_ms() - t0;
    }
    qsort(samples, (size_t)runs, sizeof *samples, by_value);
    return runs % 2 ? samples[runs / 2] : (samples[runs / 2 - 1] + samples[runs / 2]) / 2;
}

/* A fixed 256-bit value, as a SHA-256 digest would give. */
static BIGNUM *digest_value(const char *label)
{
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)label, strlen(label), d);
    d[0] |= 0x80; /* full size */
    return BN_bin2bn(d, sizeof d, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: modexp N_HEX A_HEX B_HEX [ITERATIONS]\n");
        return 2;
    }
    int runs = argc > 4 ? atoi(argv[4]) : 100;
    if (runs < 1)
        runs = 1;
    double *samples = calloc((size_t)runs, sizeof *samples);
    BIGNUM *n = NULL, *a = NULL, *b = NULL, *g = BN_new(), *k = digest_value("k");
    BIGNUM *u = digest_value("u"), *x = digest_value("x"), *base = BN_new(), *e = BN_new();
    BIGNUM *r = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    BN_MONT_CTX *mont = BN_MONT_CTX_new();
    if (!samples || !BN_hex2bn(&n, argv[1]) || !BN_hex2bn(&a, argv[2]) || !BN_hex2bn(&b, argv[3]) ||
        !g || !k || !u || !x || !base || !e || !r || !ctx || !mont || !BN_set_word(g, 2) ||
        !BN_MONT_CTX_set(mont, n, ctx)) {
        fprintf(stderr, "modexp: bad input or out of memory\n");
        return 1;
    }
    BN_set_flags(a, BN_FLG_CONSTTIME);
    BN_set_flags(x, BN_FLG_CONSTTIME);
    /* the S base: B - k*g^x mod N, a full-size value below N */
    if (!BN_mod_exp_mont_consttime(base, g, x, n, ctx, mont) ||
        !BN_mod_mul(base, k, base, n, ctx) || !BN_mod_sub(base, b, base, n, ctx) ||
        !BN_mul(e, u, x, ctx) || !BN_add(e, e, a)) {
        fprintf(stderr, "modexp: set-up failed\n");
        return 1;
    }
    /* one untimed run of each warms the caches */
    BN_mod_exp_mont_consttime(r, g, a, n, ctx, mont);
    BN_mod_exp_mont_consttime(r, base, e, n, ctx, mont);
    double g_a = time_exp(r, g, a, n, mont, ctx, runs, samples);
    double s = time_exp(r, base, e, n, mont, ctx, runs, samples);
    double g_x = time_exp(r, g, x, n, mont, ctx, runs, samples);
    /* a 424-bit a, full size, and the S exponent u*x + a it gives */
    BIGNUM *a_short = BN_new(), *e_short = BN_new();
    if (!a_short || !e_short || !BN_rand(a_short, 424, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
        !BN_mul(e_short, u, x, ctx) || !BN_add(e_short, e_short, a_short)) {
        fprintf(stderr, "modexp: set-up failed\n");
        return 1;
    }
    BN_set_flags(a_short, BN_FLG_CONSTTIME);
    double g_a_short = time_exp(r, g, a_short, n, mont, ctx, runs, samples);
    double s_short = time_exp(r, base, e_short, n, mont, ctx, runs, samples);
    double three = g_a + s + g_x, three_short = g_a_short + s_short + g_x;
    printf("g_a_ms=%.4f s_ms=%.4f g_x_ms=%.4f pair_ms=%.4f three_ms=%.4f a_bits=%d s_exp_bits=%d "
           "n_bits=%d "
           "g_a_short_ms=%.4f s_short_ms=%.4f three_short_ms=%.4f short_ratio=%.3f "
           "s_short_exp_bits=%d\n",
           g_a, s, g_x, g_a + s, three, BN_num_bits(a), BN_num_bits(e), BN_num_bits(n), g_a_short,
           s_short, three_short, three_short / three, BN_num_bits(e_short));
    BN_clear_free(a_short);
    BN_clear_free(e_short);
    BN_free(n);
    BN_clear_free(a);
    BN_free(b);
    BN_free(g);
    BN_free(k);
    BN_free(u);
    BN_clear_free(x);
    BN_clear_free(base);
    BN_clear_free(e);
    BN_clear_free(r);
    BN_CTX_free(ctx);
    BN_MONT_CTX_free(mont);
    free(samples);
    return 0;
}
