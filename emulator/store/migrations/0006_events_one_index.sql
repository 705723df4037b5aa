-- The timeline is written far more than it is read: a posting week appends tens of thousands of
-- events, and every one updated three indexes. Reads page a tenant's events in seq order
-- (events_tenant); a kind or since filter is checked on the rows that walk meets, as the type
-- filter always was. Two of the three indexes go, and with them two thirds of an event's cost.
DROP INDEX events_tenant_kind;
DROP INDEX events_tenant_at;
