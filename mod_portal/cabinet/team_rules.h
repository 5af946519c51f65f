/* What the profile, company and team pages accept and allow, as plain data:
 * the page glue and the unit tests call the same rules. */
#ifndef PORTAL_TEAM_RULES_H
#define PORTAL_TEAM_RULES_H

#include <apr_pools.h>
#include <apr_tables.h>

/* 1 for owner, admin, member, viewer. */
int portal_team_role_valid(const char *role);

/* Who may give which role. An owner may invite anyone as anything and
 * change or remove anyone; an admin may invite, change and remove admins,
 * members and viewers but never touches an owner nor makes one. NULL when
 * actor (its role) may invite with role, else the catalog key of why not. */
const char *portal_team_invite_problem(const char *actor, const char *role);

/* A change of a member whose role is target: to new_role, or removal
 * (new_role NULL), by an actor of role actor, with owners owners in the
 * company (counted inside the transaction that makes the change), self 1
 * when the actor changes their own membership. NULL when allowed, else the
 * catalog key: team.errors.last_owner (the last owner can be neither
 * removed nor demoted), team.errors.owner_only, team.errors.self_remove,
 * team.errors.role, team.errors.same_role. */
const char *portal_team_change_problem(const char *actor, const char *target,
                                       const char *new_role, int owners, int self);

typedef struct {
    const char *name, *phone, *locale, *time_zone;
} portal_profile_input;

/* Trims the fields (in place) and checks them, recording field -> catalog
 * key in errors. The time zone's spelling only: that PostgreSQL knows it is
 * the page's check (the time_zones table). Returns the number of problems. */
int portal_profile_validate(apr_pool_t *p, portal_profile_input *in, apr_table_t *errors);

typedef struct {
    const char *name, *tax_id, *country, *city, *phone;
} portal_company_input;

/* A tax id for country: in Azerbaijan a VÖEN, ten digits of which the last
 * is 1 (a legal entity) or 2 (a natural person); elsewhere up to 32 letters,
 * digits and dashes. Empty is allowed (not every customer has one). */
int portal_tax_id_valid(const char *country, const char *tax_id);

/* Trims and checks the company profile (name 1..160, a country of the
 * sign-up list, city, phone, tax id as above), as portal_profile_validate. */
int portal_company_validate(apr_pool_t *p, portal_company_input *in, apr_table_t *errors);

#endif
