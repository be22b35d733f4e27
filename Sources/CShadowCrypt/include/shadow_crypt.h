#ifndef GUEST_AGENT_SHADOW_CRYPT_H
#define GUEST_AGENT_SHADOW_CRYPT_H
#include <stddef.h>

/// Hashes `phrase` with crypt_r(3) and `setting` ("$6$salt" or a full hash to verify
/// against). Writes the NUL-terminated result into `out`. Returns 0 on success.
int ga_crypt(const char *phrase, const char *setting, char *out, size_t out_size);

/// A fresh SHA-512 ("$6$") setting with a random salt from the system CSPRNG.
/// Returns 0 on success.
int ga_sha512_setting(char *out, size_t out_size);

#endif
