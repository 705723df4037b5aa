-- A project's running jobs: waking the generations parked on an influencer, and canceling a
-- project's generations when it is archived. jobs_tenant_status alone walked the running jobs
-- of the whole organization.
CREATE INDEX jobs_project_status ON jobs(tenant_id, project_id, status);
