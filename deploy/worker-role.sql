-- Least privileges for fleet workers (docs/fleet.md). Run as the database owner after the first
-- `rpcsweep fleet submit` has created the tables and pg-boss's schema.
CREATE ROLE rpcsweep_worker LOGIN PASSWORD 'change-me';
GRANT CONNECT ON DATABASE rpcsweep TO rpcsweep_worker;
GRANT USAGE ON SCHEMA public TO rpcsweep_worker;
-- Workers read scans and their schema version, write host results and finish scans.
GRANT SELECT ON scans, schema_version TO rpcsweep_worker;
GRANT UPDATE (finished_at, counts) ON scans TO rpcsweep_worker;
GRANT SELECT, INSERT, UPDATE ON host_results TO rpcsweep_worker;
-- pg-boss: take, complete and fail jobs; maintenance (expiring leases) needs the same tables.
GRANT USAGE ON SCHEMA pgboss TO rpcsweep_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO rpcsweep_worker;
