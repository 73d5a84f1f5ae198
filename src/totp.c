/* totp.c: RFC 4226 HOTP, RFC 6238 TOTP and RFC 4648 Base32. */
#include "totp.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static const char *const alg_names[] = {
    [TOTP_SHA1] = "SHA1",
    [TOTP_SHA256] = "SHA256",
    [TOTP_SHA512] = "SHA512",
};

static int ascii_upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

int totp_alg_parse(const char *name)
{
    for (int i = TOTP_SHA1; i <= TOTP_SHA512; i++) {
        const char *want = alg_names[i];
        size_t j = 0;
        while (want[j] && ascii_upper((unsigned char)name[j]) == want[j])
            j++;
        if (want[j] == '\0' && name[j] == '\0')
            return i;
    }
    return -1;
}

const char *totp_alg_name(enum totp_alg alg)
{
    return alg_names[alg];
}

int totp_generate(const unsigned char *key, size_t key_len, uint64_t counter, int digits,
                  enum totp_alg alg, char *out)
{
    static const unsigned char empty[1];
    const EVP_MD *md = alg == TOTP_SHA512   ? EVP_sha512()
                       : alg == TOTP_SHA256 ? EVP_sha256()
                                            : EVP_sha1();
    unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (digits < TOTP_DIGITS_MIN || digits > TOTP_DIGITS_MAX)
        return -1;
    /* RFC 4226 §5.2: the counter is 8 bytes, big-endian */
    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    if (!HMAC(md, key_len ? key : empty, (int)key_len, msg, sizeof msg, mac, &mac_len))
        return -1;
    /* RFC 4226 §5.3: dynamic truncation to 31 bits */
    unsigned offset = mac[mac_len - 1] & 0x0f;
    uint64_t bin = ((uint64_t)(mac[offset] & 0x7f) << 24) | ((uint64_t)mac[offset + 1] << 16) |
                   ((uint64_t)mac[offset + 2] << 8) | mac[offset + 3];
    OPENSSL_cleanse(mac, sizeof mac);
    uint64_t mod = 1;
    for (int i = 0; i < digits; i++)
        mod *= 10;
    /* 10 digits exceed 31 bits: the value is then only zero-padded */
    bin %= mod;
    for (int i = digits - 1; i >= 0; i--) {
        out[i] = (char)('0' + bin % 10);
        bin /= 10;
    }
    out[digits] = '\0';
    return 0;
}

uint64_t totp_counter(int64_t unix_seconds, int64_t period)
{
    return (uint64_t)(unix_seconds / period);
}

static int b32_value(int c)
{
    c = ascii_upper(c);
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

int totp_b32_decode(const char *in, size_t len, unsigned char *out, size_t *out_len)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t symbols = 0, pads = 0, n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        /* secrets are shown in groups ("JBSW Y3DP ...") and get pasted so */
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '=') {
            pads++;
            continue;
        }
        int v = b32_value((unsigned char)c);
        if (v < 0 || pads > 0)
            return -1;
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        symbols++;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* RFC 4648 §6: a final quantum has 2, 4, 5 or 7 symbols, and padding,
     * when present, fills it to 8 */
    size_t rest = symbols % 8;
    if (rest == 1 || rest == 3 || rest == 6)
        return -1;
    if (pads > 0 && (rest == 0 || rest + pads != 8))
        return -1;
    *out_len = n;
    return 0;
}

size_t totp_b32_encoded_len(size_t len)
{
    return (len + 4) / 5 * 8;
}

size_t totp_b32_encode(const unsigned char *in, size_t len, int pad, char *out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[n++] = b32_alphabet[(acc >> bits) & 31];
        }
        acc &= (1u << bits) - 1;
    }
    if (bits > 0)
        out[n++] = b32_alphabet[(acc << (5 - bits)) & 31];
    while (pad && n % 8 != 0)
        out[n++] = '=';
    out[n] = '\0';
    return n;
}
