-- timers(due_at) served no query: the real-clock sweep groups by tenant and reads timers_due.
-- Every timer insert and delete kept it up to date.
DROP INDEX timers_global_due;
