/* srp.h: Amazon Cognito's SRP-6a, as amazon-cognito-identity-js computes it.
 *
 * The byte-level rules (padHex, k, the salt read as an integer, HKDF roles)
 * are written out in docs/SRP.md; the comments in srp.c point at its
 * sections. What a login sends besides the SRP values is in
 * cognito_timestamp.h, cognito_secret_hash.h and b64_lenient.h. This core
 * knows nothing of Lua: it takes (pointer, length) strings and fills
 * caller-provided buffers. */
#ifndef MFAKIT_SRP_H
#define MFAKIT_SRP_H

#include <stddef.h>

enum srp_status {
    SRP_OK = 0,
    SRP_BAD_B,    /* SRP_B is not hex, or B mod N == 0 */
    SRP_BAD_SALT, /* SALT is not hex */
    SRP_BAD_U,    /* u == 0 */
    SRP_NOMEM,
    SRP_CRYPTO, /* an OpenSSL call failed */
};

/* "InvalidSRPB", "InvalidSalt", ... and a one-line message without secrets. */
const char *srp_status_code(int status);
const char *srp_status_message(int status);

#define SRP_A_BYTES 128 /* the largest client secret a a caller may give (the JS SDK's size) */
/* The size of a random a: 424 bits, no shorter than RFC 3526 section 8's
 * larger estimate for the 3072-bit group (a 420-bit exponent) nor than the
 * 275 bits OpenSSL 3 uses for named 3072-bit groups; docs/SRP.md. */
#define SRP_A_RANDOM_BYTES 53
#define SRP_N_HEX_MAX 768  /* hex digits of a value below N (3072 bits) */
#define SRP_SIG_B64_LEN 44 /* base64 of an HMAC-SHA256 */
#define SRP_DEVICE_PASSWORD_BYTES 40
#define SRP_DEVICE_SALT_BYTES 16

struct srp_session;

/* `group` is the pool name (the part of the pool id after '_') or the device
 * group key. `a` is at most SRP_A_BYTES big-endian bytes, or NULL for
 * SRP_A_RANDOM_BYTES from RAND_priv_bytes.
 * Returns NULL with *status set on failure. */
struct srp_session *srp_session_new(const char *group, size_t group_len, const unsigned char *a,
                                    size_t a_len, int *status);
void srp_session_free(struct srp_session *s);

/* SRP_A as sent: lower-case hex, no leading zeros. `out` holds at least
 * SRP_N_HEX_MAX + 1 bytes. Returns 0 when OpenSSL is out of memory. */
int srp_session_srp_a(const struct srp_session *s, char *out, size_t cap);
/* The length of the secret a in bytes (for the test of its size only). */
int srp_session_a_bytes(const struct srp_session *s);

struct srp_claim {
    const char *user_id; /* USER_ID_FOR_SRP, or the device key */
    size_t user_id_len;
    const char *password; /* the password, or the device password */
    size_t password_len;
    const char *salt; /* hex, as sent by Cognito */
    size_t salt_len;
    const char *srp_b; /* hex, as sent by Cognito */
    size_t srp_b_len;
    const char *secret_block; /* base64 (decoded leniently) */
    size_t secret_block_len;
    const char *timestamp; /* the exact string that will be sent */
    size_t timestamp_len;
};

/* PASSWORD_CLAIM_SIGNATURE into `sig` (SRP_SIG_B64_LEN + 1 bytes). */
int srp_session_claim(const struct srp_session *s, const struct srp_claim *in, char *sig);

struct srp_device_secret {
    char password[64];            /* base64 of 40 bytes: 56 characters */
    char salt[32];                /* base64 of padHex(salt): 15 to 17 bytes */
    char verifier[SRP_N_HEX_MAX]; /* base64 of padHex(V): up to 385 bytes */
};

/* ConfirmDevice's DeviceSecretVerifierConfig. `password_bytes` (40) and
 * `salt_bytes` (16) may be NULL for RAND_bytes. The caller should cleanse
 * `out`: it holds the device password. */
int srp_device_verifier(const char *group, size_t group_len, const char *device_key,
                        size_t device_key_len, const unsigned char *password_bytes,
                        const unsigned char *salt_bytes, struct srp_device_secret *out);

/* The group's N and k in lower-case hex, for tests (k is the classic trap). */
int srp_group_hex(char *n_hex, size_t n_cap, char *k_hex, size_t k_cap);

#endif
