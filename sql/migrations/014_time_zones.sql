-- The time zones a profile may choose, read once from PostgreSQL's own
-- list: pg_timezone_names reads every zone file of the system on each
-- query (about 35 ms), which made /account/profile the slowest page of the
-- cabinet. The aliases kept for old systems (posix/, Etc/, US/ ...) are
-- left out; UTC stays. A later tzdata with a new zone needs a migration
-- that adds it.
CREATE TABLE time_zones (
    name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64)
);
INSERT INTO time_zones (name)
SELECT name FROM pg_timezone_names
 WHERE name = 'UTC'
    OR (name ~ '^(Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)/'
        AND name !~ '^posix/');
GRANT SELECT ON time_zones TO portal_app;
