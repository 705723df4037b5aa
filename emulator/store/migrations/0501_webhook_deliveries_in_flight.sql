-- Deliveries caught mid-attempt by a crash are found at start through this (tiny) index.
CREATE INDEX webhook_deliveries_in_flight ON webhook_deliveries(status) WHERE status = 'delivering';
