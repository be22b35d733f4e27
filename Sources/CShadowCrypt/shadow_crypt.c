#include "shadow_crypt.h"
#include <crypt.h>
#include <string.h>

int ga_crypt(const char *phrase, const char *setting, char *out, size_t out_size) {
    struct crypt_data data;
    memset(&data, 0, sizeof data);
    const char *result = crypt_r(phrase, setting, &data);
    int status = -1;
    /* libxcrypt signals failure with NULL or a string starting with '*'. */
    if (result != NULL && result[0] != '*') {
        size_t length = strlen(result);
        if (length + 1 <= out_size) {
            memcpy(out, result, length + 1);
            status = 0;
        }
    }
    explicit_bzero(&data, sizeof data);
    return status;
}

int ga_sha512_setting(char *out, size_t out_size) {
    /* NULL random bytes: libxcrypt draws them from the kernel CSPRNG itself. */
    return crypt_gensalt_rn("$6$", 0, NULL, 0, out, (int)out_size) == NULL ? -1 : 0;
}
