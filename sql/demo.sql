-- Demo data loaded by `portalctl seed-demo` (and `make run`): idempotent,
-- never overwriting what a vendor changed.

-- name: plans
INSERT INTO plans (code, months, price_minor, currency, max_devices, popular)
VALUES ('monthly',   1,  4900, 'USD', 3, false),
       ('quarterly', 3, 13900, 'USD', 3, false),
       ('halfyear',  6, 26400, 'USD', 3, false),
       ('yearly',   12, 49900, 'USD', 3, true)
ON CONFLICT (code) DO NOTHING;
