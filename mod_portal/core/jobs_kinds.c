/* The kinds of job mod_portal runs. To add one (billing's renewals and
 * reminders): write its function with the portal_job_fn signature, in the
 * area's rules, and add a row here. A runner claims only the kinds it
 * knows, so an older node never takes a newer kind. */
#include "jobs.h"

#include <apr_strings.h>

/* One mail.deliver run sends for at most this long, so its lease (below)
 * covers the run and the one SMTP transaction that may start at its end. */
#define MAIL_BUDGET 20

portal_job_status portal_job_mail_deliver(const portal_job_env *env, const portal_job *job,
                                          apr_pool_t *p, const char **note)
{
    (void)job;
    *note = NULL;
    if (!env->smtp || !env->smtp->url)
        return PORTAL_JOB_DONE;   /* mail is off: rows wait, the host said so once */
    portal_deliver_report rep;
    portal_db_error err;
    apr_status_t rv = portal_outbox_deliver(env->db, p, env->smtp,
                                            env->mail ? env->mail->i18n : NULL, env->worker,
                                            apr_time_now() + apr_time_from_sec(MAIL_BUDGET),
                                            &rep, &err);
    if (rep.sent || rep.retrying || rep.failed)
        *note = apr_psprintf(p, "%d sent, %d to retry, %d failed%s%s", rep.sent, rep.retrying,
                             rep.failed, rep.last_error ? "; last error: " : "",
                             rep.last_error ? rep.last_error : "");
    /* Said as a warning, in words that stay the same while the outage
     * lasts, so a host that logs each warning once says it once. */
    if (rep.unavailable && env->log)
        env->log(env->log_baton, 1, apr_psprintf(p, "mail: the SMTP server %s takes no mail: "
                                                 "%s; mail waits in the outbox",
                                                 env->smtp->url, rep.reason));
    if (rv != APR_SUCCESS) {
        *note = apr_psprintf(p, "%s%sdatabase: %s", *note ? *note : "", *note ? "; " : "",
                             portal_db_error_line(p, &err));
        return PORTAL_JOB_RETRY;
    }
    return PORTAL_JOB_DONE;
}

const portal_job_kind portal_job_kinds[] = {
    /* Every tick of every runner: a queued mail goes out within
     * PortalJobsInterval. */
    { "mail.deliver", portal_job_mail_deliver, 0,
      MAIL_BUDGET + PORTAL_SMTP_CONNECT_TIMEOUT + PORTAL_SMTP_TIMEOUT + 10 },
    { NULL, NULL, 0, 0 }
};
