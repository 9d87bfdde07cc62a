/* fuzz_lps_file.c -- the --lps file from a buffer: accepted files hold 1..1,000 LPs whose URLs
 * the dispatcher opens (lpsim ones) and whose known names are unique and well formed; refusals
 * leave the previous content and say why in printable text. */
#include <assert.h>
#include <string.h>
#include <strings.h>

#include "fuzz_common.h"
#include "fuzz_printable.h"
#include "lp/lp.h"
#include "lp/lps_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_lps_file f;
    tl_lps_file_init(&f);
    tl_err err = {0};
    int rc = tl_lps_file_parse(&f, (const char *)data, size, &err);
    if (rc == 0) {
        assert(f.count >= 1 && f.count <= TL_LPS_MAX);
        tl_clock clock;
        tl_clock_init_sim(&clock, 0);
        for (uint32_t i = 0; i < f.count; i++) {
            const tl_lp_spec *s = &f.lps[i];
            assert(strnlen(s->url, TL_LP_URL_MAX) < TL_LP_URL_MAX && strstr(s->url, "://"));
            for (uint32_t j = 0; j < i && s->name[0] != '\0'; j++)
                assert(strcmp(s->name, f.lps[j].name) != 0);
            if (strncasecmp(s->url, "lpsim://", 8) != 0)
                continue;
            /* What the file accepted, the dispatcher opens, under the same name. */
            tl_lp lp;
            assert(tl_lp_open(&lp, s->url, &clock, NULL, &err) == 0);
            assert(strcmp(lp.name, s->name) == 0);
            tl_lp_close(&lp);
        }
    } else {
        fuzz_check_refusal(rc, &err);
        assert(f.count == 0 && f.lps == NULL);
    }
    tl_lps_file_close(&f);
    return 0;
}
