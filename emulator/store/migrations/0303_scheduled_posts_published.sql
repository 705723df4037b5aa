-- Account temperature counts an account's posts published in the trailing 14 days on every
-- planner run and every publish. With only (tenant, account, status) SQLite read the JSON of
-- each posted row of the account to find its publishedAt; this index holds it for posted rows.
CREATE INDEX scheduled_posts_published ON scheduled_posts(tenant_id, social_account_id, json_extract(data, '$.publishedAt'))
    WHERE status = 'posted';
