import { tableNames } from './table-names.js'

/** The names (quoted SQL identifiers) of the MySQL/MariaDB procedures a store with this table prefix calls. */
export function mysqlProcedureNames(prefix: string): { readonly charge: string; readonly refund: string } {
  return { charge: `\`${prefix}charge\``, refund: `\`${prefix}refund\`` }
}

/**
 * The statements that (re)create the MySQL/MariaDB charge and refund procedures of the store with table
 * prefix `prefix`: `drop procedure if exists` and `create procedure` for each, so running them again
 * replaces the procedures. They are created in the connection's current database (the store's), find
 * their tables there, and run with the caller's privileges (`sql security invoker`). A call is one
 * `CALL` and one round trip; each procedure runs its own transaction (`start transaction … commit`), so
 * it must be called outside a transaction, and rolls it back before re-raising any error (a deadlock
 * reaches the client as errno 1213 and is retried by the engine).
 *
 * Windows are passed as JSON text — numbers as JSON integers, exact up to 2^53 — because MySQL has no
 * array parameters; client ids and keys are `varbinary(1024)`, compared byte for byte like the columns.
 *
 * `charge(client, windows, lock_order, cost, bucket, key, key_expires, at)` — `windows` is
 * `[[duration, start, end, limit], …]` in request order (`limit` `null` = unlimited, never compared),
 * `lock_order` the indexes of `windows` in primary-key order — answers one row: `allowed`, `replayed`
 * and `used_json`, the JSON array of each window's `used` in request order:
 *
 * 1. With a key (not `null`): inserts the key row or locks the existing one, so a concurrent duplicate
 *    waits for the winner; a stored answer whose expiry lies after `at` is replayed as it is.
 * 2. Reads every counter without locking (a consistent read); if a limited window cannot take `cost`,
 *    rolls back (a key row it inserted goes with it) and rejects with those values — a flood against an
 *    exhausted quota never queues on a counter's row lock.
 * 3. Adds `cost` to every counter in primary-key order (`INSERT … ON DUPLICATE KEY UPDATE`, creating
 *    missing rows; the exclusive locks are always taken in one order) and reads them back locked.
 * 4. If every limited window stayed within its limit, adds `cost` to the ledger bucket, stores the answer
 *    under the key and commits; otherwise rolls back, which leaves nothing changed.
 *
 * `refund(client, windows, refund_key, refund_expires, credits, bucket, key)` — `windows` is
 * `[[duration, start], …]` in primary-key order — answers one row, `applied`: it inserts the refund key
 * (`INSERT IGNORE`); only if it was new, forgets the refunded charge's idempotency key and subtracts the
 * credits from the counters (in primary-key order) and the ledger bucket, never below zero.
 */
export function mysqlProcedureStatements(prefix: string): readonly string[] {
  const t = tableNames(prefix, 'mysql')
  const p = mysqlProcedureNames(prefix)
  const C = t.counters
  const L = t.ledger
  const K = t.idempotencyKeys
  const R = t.refundKeys
  /** Reads field `field` of window `index` (a variable) of the JSON text `json` as SQL text; JSON null is SQL null. */
  const field = (json: string, index: string, field: number) =>
    `nullif(json_unquote(json_extract(${json}, concat('$[', ${index}, '][${field}]'))), 'null')`
  const counter = 'client_id = p_client and duration = v_duration and window_start = v_start'
  const charge = `
create procedure ${p.charge}(
  in p_client varbinary(1024), in p_windows text, in p_lock_order text, in p_cost bigint,
  in p_bucket bigint, in p_key varbinary(1024), in p_key_expires bigint, in p_at bigint
) modifies sql data sql security invoker
proc: begin
  declare v_n int default coalesce(json_length(p_windows), 0);
  declare v_i int default 0;
  declare v_w int;
  declare v_duration varchar(16);
  declare v_start bigint;
  declare v_end bigint;
  declare v_limit bigint;
  declare v_used bigint;
  declare v_allowed boolean default true;
  declare v_key_used text default null;
  declare v_key_expires bigint;
  declare v_before text default '';
  declare v_after text default '';
  declare exit handler for sqlexception
  begin
    rollback;
    resignal;
  end;

  start transaction;
  if p_key is not null then
    insert into ${K} (client_id, idem_key, used, expires_at) values (p_client, p_key, null, p_key_expires)
      on duplicate key update idem_key = idem_key;
    select used, expires_at into v_key_used, v_key_expires from ${K}
      where client_id = p_client and idem_key = p_key for update;
    if v_key_used is not null and v_key_expires > p_at then
      rollback;
      select true as allowed, true as replayed, v_key_used as used_json;
      leave proc;
    end if;
  end if;

  while v_i < v_n do
    set v_duration = ${field('p_windows', 'v_i', 0)};
    set v_start = cast(${field('p_windows', 'v_i', 1)} as signed);
    set v_limit = cast(${field('p_windows', 'v_i', 3)} as signed);
    set v_used = 0;
    select used into v_used from ${C} where ${counter};
    -- Not core's hasRoom(used, cost, limit), i.e. not (cost <= limit - used); null = unlimited.
    if v_limit is not null and p_cost > v_limit - v_used then
      set v_allowed = false;
    end if;
    set v_before = concat(v_before, if(v_i > 0, ',', ''), v_used);
    set v_i = v_i + 1;
  end while;
  if not v_allowed then
    rollback;
    select false as allowed, false as replayed, concat('[', v_before, ']') as used_json;
    leave proc;
  end if;

  set v_i = 0;
  while v_i < v_n do
    set v_w = cast(json_extract(p_lock_order, concat('$[', v_i, ']')) as signed);
    set v_duration = ${field('p_windows', 'v_w', 0)};
    set v_start = cast(${field('p_windows', 'v_w', 1)} as signed);
    set v_end = cast(${field('p_windows', 'v_w', 2)} as signed);
    insert into ${C} (client_id, duration, window_start, window_end, used)
      values (p_client, v_duration, v_start, v_end, p_cost)
      on duplicate key update used = used + p_cost;
    set v_i = v_i + 1;
  end while;

  set v_i = 0;
  set v_before = '';
  while v_i < v_n do
    set v_duration = ${field('p_windows', 'v_i', 0)};
    set v_start = cast(${field('p_windows', 'v_i', 1)} as signed);
    set v_limit = cast(${field('p_windows', 'v_i', 3)} as signed);
    select used into v_used from ${C} where ${counter} for update;
    -- v_used already holds the cost: not hasRoom(v_used - p_cost, p_cost, v_limit).
    if v_limit is not null and p_cost > v_limit - (v_used - p_cost) then
      set v_allowed = false;
    end if;
    set v_before = concat(v_before, if(v_i > 0, ',', ''), v_used - p_cost);
    set v_after = concat(v_after, if(v_i > 0, ',', ''), v_used);
    set v_i = v_i + 1;
  end while;
  if not v_allowed then
    rollback;
    select false as allowed, false as replayed, concat('[', v_before, ']') as used_json;
    leave proc;
  end if;

  insert into ${L} (client_id, bucket_start, credits) values (p_client, p_bucket, p_cost)
    on duplicate key update credits = credits + p_cost;
  if p_key is not null then
    update ${K} set used = concat('[', v_after, ']'), expires_at = p_key_expires
      where client_id = p_client and idem_key = p_key;
  end if;
  commit;
  select true as allowed, false as replayed, concat('[', v_after, ']') as used_json;
end`
  const refund = `
create procedure ${p.refund}(
  in p_client varbinary(1024), in p_windows text, in p_refund_key varbinary(1024),
  in p_refund_expires bigint, in p_credits bigint, in p_bucket bigint, in p_key varbinary(1024)
) modifies sql data sql security invoker
proc: begin
  declare v_n int default coalesce(json_length(p_windows), 0);
  declare v_i int default 0;
  declare v_duration varchar(16);
  declare v_start bigint;
  declare exit handler for sqlexception
  begin
    rollback;
    resignal;
  end;

  start transaction;
  insert ignore into ${R} (client_id, refund_key, expires_at) values (p_client, p_refund_key, p_refund_expires);
  if row_count() = 0 then
    rollback;
    select false as applied;
    leave proc;
  end if;
  if p_key is not null then
    delete from ${K} where client_id = p_client and idem_key = p_key;
  end if;
  while v_i < v_n do
    set v_duration = ${field('p_windows', 'v_i', 0)};
    set v_start = cast(${field('p_windows', 'v_i', 1)} as signed);
    update ${C} set used = greatest(0, used - p_credits) where ${counter};
    set v_i = v_i + 1;
  end while;
  update ${L} set credits = greatest(0, credits - p_credits) where client_id = p_client and bucket_start = p_bucket;
  commit;
  select true as applied;
end`
  return [`drop procedure if exists ${p.charge}`, charge, `drop procedure if exists ${p.refund}`, refund]
}
