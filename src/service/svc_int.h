/* svc_int.h (internal) -- what the service core's files share (see svc.h). */
#ifndef TL_SERVICE_SVC_INT_H
#define TL_SERVICE_SVC_INT_H

#include "service/svc.h"

/* REJECTED with a reason code (tl_svc_result.reason_code) and why (cut to the field). */
void tl__svc_reject(tl_svc_result *r, const char *code, const char *why);

/* r as the DUPLICATE of the order another engine executed under key (with that engine's order
 * id), read from the journal. TL_ENOTFOUND when the key is in no workspace. */
int tl__svc_original(tl_store *st, const char *key, tl_svc_result *r, tl_err *err);

#endif /* TL_SERVICE_SVC_INT_H */
