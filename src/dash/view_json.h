/*
 * view_json.h -- the dashboard's view as a JSON document, both ways.
 *
 * A running engine writes its view as the status document of its database (table loop_status);
 * `tradeloop top` in another process reads it back. JSON rather than a binary struct because the
 * two processes may be different builds, and because an operator can read the row with sqlite3 or
 * psql. The encoder writes keys in sorted order through the project's writer (core/jsonw.h), so
 * the same view gives the same bytes; money, prices, quantities and percentages are decimal
 * strings ("-12.5"), exact both ways (a JSON number would go through a double in jansson).
 *
 * The decoder treats the text as outside input: every field is required and checked (type, range,
 * length, printable text), an unknown key or a "version" other than TL_DASH_VIEW_VERSION is
 * refused, arrays are capped at the view's sizes, and the message names the field by its path
 * ("accounts[2].balance: ..."). On success the view passes tl_dash_view_check.
 */
#ifndef TL_DASH_VIEW_JSON_H
#define TL_DASH_VIEW_JSON_H

#include <stddef.h>

#include "core/jsonw.h"
#include "dash/view.h"
#include "tradeloop/store.h" /* TL_STATUS_DOC_MAX */

/* Longest document the decoder reads: the loop_status row's own limit. */
#define TL_DASH_DOC_MAX TL_STATUS_DOC_MAX

/* Writes v as one JSON object into w (borrowed; the caller finishes it with tl_jw_finish).
 * TL_EINVAL naming the field when v fails tl_dash_view_check; nothing is written then. */
int tl_dash_view_encode(const tl_dash_view *v, tl_jw *w, tl_err *err);

/* Reads text[0..len) into *out (caller-owned). 0, or TL_EINVAL (not JSON, or a field refused),
 * TL_ERANGE (longer than TL_DASH_DOC_MAX) or TL_ENOMEM, with *out untouched. */
int tl_dash_view_decode(const char *text, size_t len, tl_dash_view *out, tl_err *err);

#endif /* TL_DASH_VIEW_JSON_H */
