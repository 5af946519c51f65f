-- Queries of the customer-facing area: the public site and, later, the cabinet.

-- name: plans_active
-- retry: safe
-- The Pricing page: every plan on sale, shortest first.
SELECT code, months, price_minor, currency, max_devices, popular
  FROM plans
 WHERE active
 ORDER BY currency, months;

-- name: contact_insert
INSERT INTO contact_messages (locale, name, email, company, topic, message, request_id,
                              client_ip, attachment_id, attachment_name,
                              attachment_type, attachment_size, attachment_sha256)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::inet, $9, $10, $11, $12::bigint, $13)
RETURNING id;
