/*
 * pages.h - the handlers of the desk's routes: one file per page (ui-*.c)
 * and per API area (api-*.c); the route table in server.c names them.
 */
#ifndef SOHOA_PAGES_H
#define SOHOA_PAGES_H

#include <stdbool.h>
#include <stdint.h>

struct web_req;

/* ui-login.c */
void ui_login_form(struct web_req *r);
void ui_login_post(struct web_req *r);
void ui_logout(struct web_req *r);
void ui_lang(struct web_req *r);
void ui_home(struct web_req *r);
/* ui-batches.c: the operator's desk */
void ui_batches(struct web_req *r);
void ui_batch(struct web_req *r);
/* Is the batch there and the user's?  Answers 404 or 403 when not. */
bool ui_batch_allowed(struct web_req *r, int64_t batch_id);
/* ui-page.c: the page viewer */
void ui_page(struct web_req *r);
void ui_page_image(struct web_req *r);
void ui_page_correct(struct web_req *r);
void ui_page_accept(struct web_req *r);
void ui_page_rescan(struct web_req *r);
/* POST /page/N/rescan-scan (multipart, file field "scan"): the new scan of
 * a page whose rescan was asked for replaces it (ingest_rescan). */
void ui_page_rescan_scan(struct web_req *r);
/* The upload form of a page's rescan (page viewer, the station's list). */
void ui_rescan_upload_form(struct web_req *r, int64_t page_id);
void ui_review(struct web_req *r);
/* ui-bienban.c: the Biên bản giao nhận of a batch (PDF) */
void ui_bienban(struct web_req *r);
/* ui-document.c: a document, its metadata and boundaries */
void ui_document(struct web_req *r);
void ui_document_meta(struct web_req *r);
void ui_document_accept(struct web_req *r);
void ui_document_move(struct web_req *r);
void api_document(struct web_req *r);
/* ui-dashboard.c: the supervisor's dashboard */
void ui_dashboard(struct web_req *r);
void ui_dashboard_priority(struct web_req *r);
/* ui-users.c */
void ui_users(struct web_req *r);
void ui_users_post(struct web_req *r);
/* ui-static.c */
void ui_static(struct web_req *r);
/* ui-search.c */
void ui_search(struct web_req *r);
void api_search(struct web_req *r);
/* api-status.c */
void api_status(struct web_req *r);
void api_whoami(struct web_req *r);
/* api-jobs.c */
void api_batches(struct web_req *r);
void api_job_action(struct web_req *r);

#endif
