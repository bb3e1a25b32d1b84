#!/usr/bin/env bash
# `bash packages/bench/sql/history-triggers.sh`: what keeping request_history costs, per way of
# keeping it. 20,000 requests inserted, moved through 3 state changes and a lease-only update, then
# deleted, in statements of 500 rows as the engine writes them, three rounds side by side:
#   hb_none  no history (the floor)
#   hb_row   row triggers and a cascading foreign key (before HistoryPerStatement1790000000000)
#   hb_stmt  statement triggers, foreign key kept
#   hb_nofk  statement triggers for insert, update and delete, no foreign key (the migration)
# Each schema first holds 100,000 kept requests and their 400,000 history rows. Local PostgreSQL,
# database `test`; scratch schemas dropped afterwards.
set -euo pipefail
psql_() { psql -h 127.0.0.1 -U postgres -d test -v ON_ERROR_STOP=1 -qAt "$@"; }
setup() {
  local s=$1 mode=$2
  psql_ <<SQL
DROP SCHEMA IF EXISTS $s CASCADE; CREATE SCHEMA $s;
CREATE TABLE $s.requests (id text PRIMARY KEY, seq bigserial NOT NULL, state text NOT NULL, step int NOT NULL DEFAULT 0,
  attempt int NOT NULL DEFAULT 0, worker_type text NOT NULL, worker_id text, messages text[] NOT NULL DEFAULT '{}',
  lease_until timestamptz) WITH (fillfactor = 50);
CREATE TABLE $s.request_history (id bigserial PRIMARY KEY, request_id text NOT NULL REFERENCES $s.requests (id) ON DELETE CASCADE,
  state text NOT NULL, step int NOT NULL, attempt int NOT NULL, worker_type text NOT NULL, worker_id text,
  messages text[] NOT NULL DEFAULT '{}', at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE INDEX ON $s.request_history (request_id, id);
SQL
  case "$mode" in
  none) ;;
  row) psql_ <<SQL
CREATE FUNCTION $s.rec() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
  INSERT INTO $s.request_history (request_id, state, step, attempt, worker_type, worker_id, messages)
  VALUES (NEW.id, NEW.state, NEW.step, NEW.attempt, NEW.worker_type, NEW.worker_id, NEW.messages); RETURN NULL; END \$\$;
CREATE TRIGGER hi AFTER INSERT ON $s.requests FOR EACH ROW EXECUTE FUNCTION $s.rec();
CREATE TRIGGER hu AFTER UPDATE OF state, step, attempt ON $s.requests FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.step IS DISTINCT FROM NEW.step OR OLD.attempt IS DISTINCT FROM NEW.attempt)
  EXECUTE FUNCTION $s.rec();
SQL
    ;;
  stmt | nofk) psql_ <<SQL
CREATE FUNCTION $s.ins() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
  INSERT INTO $s.request_history (request_id, state, step, attempt, worker_type, worker_id, messages)
  SELECT n.id, n.state, n.step, n.attempt, n.worker_type, n.worker_id, n.messages FROM inserted_rows n ORDER BY n.seq; RETURN NULL; END \$\$;
CREATE FUNCTION $s.upd() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
  INSERT INTO $s.request_history (request_id, state, step, attempt, worker_type, worker_id, messages)
  SELECT n.id, n.state, n.step, n.attempt, n.worker_type, n.worker_id, n.messages FROM updated_rows n JOIN previous_rows o ON o.id = n.id
  WHERE (o.state, o.step, o.attempt) IS DISTINCT FROM (n.state, n.step, n.attempt) ORDER BY n.seq; RETURN NULL; END \$\$;
CREATE TRIGGER hi AFTER INSERT ON $s.requests REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION $s.ins();
CREATE TRIGGER hu AFTER UPDATE ON $s.requests REFERENCING OLD TABLE AS previous_rows NEW TABLE AS updated_rows
  FOR EACH STATEMENT EXECUTE FUNCTION $s.upd();
SQL
    ;;
  esac
  if [ "$mode" = nofk ]; then psql_ <<SQL
ALTER TABLE $s.request_history DROP CONSTRAINT request_history_request_id_fkey;
CREATE FUNCTION $s.del() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
  DELETE FROM $s.request_history WHERE request_id = ANY (ARRAY(SELECT d.id FROM deleted_rows d)); RETURN NULL; END \$\$;
CREATE TRIGGER hd AFTER DELETE ON $s.requests REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION $s.del();
SQL
  fi
}
# 100,000 kept requests with 4 history rows each beforehand: a history that is not tiny, so a
# plan that scans it shows.
seed() {
  local s=$1
  psql_ <<SQL
INSERT INTO $s.requests (id, state, worker_type) SELECT 'k' || g, 'QUEUED', 'w' FROM generate_series(1, 100000) g;
UPDATE $s.requests SET state = 'TO_DISPATCH' WHERE id LIKE 'k%';
UPDATE $s.requests SET state = 'DISPATCHED' WHERE id LIKE 'k%';
UPDATE $s.requests SET state = 'SUCCESS' WHERE id LIKE 'k%';
ANALYZE $s.requests; ANALYZE $s.request_history;
SQL
}
run() {
  local s=$1
  local start end
  start=$(date +%s%N)
  for b in $(seq 0 39); do
    psql_ <<SQL
BEGIN;
INSERT INTO $s.requests (id, state, worker_type) SELECT 'r' || ($b * 500 + g), 'QUEUED', 'w' FROM generate_series(1, 500) g;
UPDATE $s.requests SET state = 'TO_DISPATCH', attempt = 1, lease_until = now() WHERE id = ANY (ARRAY(SELECT 'r' || ($b * 500 + g) FROM generate_series(1, 500) g));
UPDATE $s.requests SET state = 'DISPATCHED', lease_until = NULL WHERE id = ANY (ARRAY(SELECT 'r' || ($b * 500 + g) FROM generate_series(1, 500) g));
UPDATE $s.requests SET lease_until = now() WHERE id = ANY (ARRAY(SELECT 'r' || ($b * 500 + g) FROM generate_series(1, 500) g));
UPDATE $s.requests SET state = 'SUCCESS', worker_id = 'i1' WHERE id = ANY (ARRAY(SELECT 'r' || ($b * 500 + g) FROM generate_series(1, 500) g));
COMMIT;
DELETE FROM $s.requests WHERE id = ANY (ARRAY(SELECT 'r' || ($b * 500 + g) FROM generate_series(1, 500) g));
SQL
  done
  end=$(date +%s%N)
  echo "$s: $(( (end - start) / 1000000 )) ms, history rows $(psql_ -c "SELECT count(*) FROM $s.request_history")"
}
for round in 1 2 3; do
  setup hb_none none; setup hb_row row; setup hb_stmt stmt; setup hb_nofk nofk
  for s in hb_none hb_row hb_stmt hb_nofk; do seed $s; done
  run hb_none; run hb_row; run hb_stmt; run hb_nofk
done
psql_ -c "DROP SCHEMA hb_none CASCADE; DROP SCHEMA hb_row CASCADE; DROP SCHEMA hb_stmt CASCADE; DROP SCHEMA hb_nofk CASCADE" 2>/dev/null
