-- Demo data loaded by `portalctl seed-demo` (and `make run`): idempotent,
-- never overwriting what a vendor changed.

-- name: plans
INSERT INTO plans (code, months, price_minor, currency, max_devices, popular)
VALUES ('monthly',   1,  4900, 'USD', 3, false),
       ('quarterly', 3, 13900, 'USD', 3, false),
       ('halfyear',  6, 26400, 'USD', 3, false),
       ('yearly',   12, 49900, 'USD', 3, true)
ON CONFLICT (code) DO NOTHING;

-- name: tenant
-- The demo company, under its fixed id.
INSERT INTO tenants (id, name, tax_id, country, city, phone)
VALUES ($1::uuid, $2, '1234567891', 'AZ', 'Bakı', '+994 12 555 01 01')
ON CONFLICT (id) DO NOTHING;

-- name: user
-- A demo person, verified, terms accepted; a password changed since is kept.
INSERT INTO users (email, password_hash, name, locale, email_verified_at,
                   terms_version, terms_accepted_at)
VALUES ($1, $2, $3, $4, now(), 'demo', now())
ON CONFLICT (email) DO NOTHING;

-- name: member
INSERT INTO tenant_members (tenant_id, user_id, role)
SELECT $1::uuid, id, $3 FROM users WHERE email = $2
ON CONFLICT (tenant_id, user_id) DO NOTHING;

-- name: admin
-- The demo super admin, enrolled ($3 the sealed TOTP secret); the password
-- and secret are set again on each run, so the printed ones always work
-- with this secret file.
INSERT INTO admins (email, password_hash, totp_secret, role)
VALUES ($1, $2, $3, 'super')
ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash,
                                  totp_secret = EXCLUDED.totp_secret, status = 'active';
