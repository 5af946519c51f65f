/* What portalctl's mail and job commands read from the Apache
 * configuration (-c): the same Portal* lines Apache reads, so a hosting
 * team checks exactly the settings the module will use. */
#ifndef PORTAL_CLI_MAIL_SETUP_H
#define PORTAL_CLI_MAIL_SETUP_H

#include "cli.h"
#include "outbox.h"
#include "smtp.h"

typedef struct {
    portal_smtp_cfg smtp;      /* smtp.url NULL: mail is off in that configuration */
    portal_mail_ctx mail;      /* templates and catalogs of PortalTemplateDir */
    const char *conninfo;      /* --db / $PORTAL_DB, else DBDParams */
} portal_cli_mail_setup;

/* Reads and checks the settings (as apache2 -t would); on a problem prints
 * one line naming the directive and returns nonzero. templates: also load
 * PortalTemplateDir (needed to render a mail, not to send one). */
int portal_cli_mail_setup_read(portal_cli *cli, portal_cli_mail_setup *out, int templates);

#endif
