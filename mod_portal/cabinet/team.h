/* What the profile, company, team and invitation pages share inside the
 * cabinet area. */
#ifndef PORTAL_CABINET_TEAM_H
#define PORTAL_CABINET_TEAM_H

#include "cabinet.h"

/* A named query scoped to the session's tenant (the policies of the
 * tenant-owned tables see only it). */
apr_status_t portal_cabinet_tq(portal_req *pr, const char *label, int nparams,
                               const char *const *params, portal_db_result **res,
                               portal_db_error *err);
/* field -> catalog key problems as the view's "errors" (field -> text) and
 * "has_errors". */
void portal_cabinet_errors_view(portal_req *pr, json_t *view, apr_table_t *errors);
/* The absolute address of a cabinet path, for links in mails. */
const char *portal_cabinet_abs(portal_req *pr, const char *rel);
/* A value for a form field: s, or "" for NULL. */
#define PORTAL_STR(s) ((s) ? (s) : "")

#endif
