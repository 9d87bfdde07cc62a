/*
 * db_view.h -- how `tradeloop db` shows the RFQ desk's rows and figures: JSON (keys sorted,
 * money as exact decimals, times as nanoseconds and UTC text) or tables for people.
 *
 * JSON sections go into one object the caller opens and closes, so `db all` prints one document
 * with the four keys in order; tables print straight to stdout.
 */
#ifndef TL_APP_DB_VIEW_H
#define TL_APP_DB_VIEW_H

#include "core/jsonw.h"
#include "store/desk_report.h"

void tl_dbv_json_executions(tl_jw *w, const tl_execution_row *rows, size_t n);
void tl_dbv_json_lps(tl_jw *w, const tl_lp_scorecard *cards, size_t n);
void tl_dbv_json_quotes(tl_jw *w, const tl_quote_row *rows, size_t n);
void tl_dbv_json_stats(tl_jw *w, const tl_desk_stats *st);

/* Tables on stdout; an empty section says so in one line. */
void tl_dbv_table_executions(const tl_execution_row *rows, size_t n);
void tl_dbv_table_lps(const tl_lp_scorecard *cards, size_t n);
void tl_dbv_table_quotes(const tl_quote_row *rows, size_t n);
void tl_dbv_table_stats(const tl_desk_stats *st);

#endif /* TL_APP_DB_VIEW_H */
