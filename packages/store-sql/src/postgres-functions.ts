import { tableNames } from './table-names.js'

/** The names (quoted SQL identifiers) of the Postgres functions a store with this table prefix calls. */
export function postgresFunctionNames(prefix: string): {
  readonly charge: string
  readonly chargeMany: string
  readonly refund: string
} {
  return { charge: `"${prefix}charge"`, chargeMany: `"${prefix}charge_many"`, refund: `"${prefix}refund"` }
}

/** How often a charge creates counter rows that a concurrent delete keeps removing before it gives up. */
const MAX_MISSING_ROUNDS = 5

/**
 * The `create or replace function` statements of the Postgres charge and refund, for the store with
 * table prefix `prefix`. Both are PL/pgSQL, so each session plans their statements once and reuses the
 * plans; a call is one short `select` and one round trip. Names are unqualified: the functions land in,
 * and find their tables through, the `search_path` like every other statement of the store.
 *
 * `charge` (one row: `allowed`, `replayed`, `used_json` — the JSON array of each window's `used`, in
 * request order) works like this, all in the calling statement's transaction:
 *
 * 1. With an idempotency key: inserts the key row or locks the existing one, so a concurrent duplicate
 *    waits for the winner; a stored answer whose expiry lies after `p_at` is replayed as it is.
 * 2. Reads the counters in its snapshot without locking; if a limited window cannot take `p_cost`,
 *    rejects with those values (a flood against an exhausted quota never queues on a row lock).
 * 3. Creates missing counter rows (`INSERT … ON CONFLICT DO NOTHING`, in primary-key order), locks
 *    every counter `FOR UPDATE` in primary-key order and checks every limited window again on the
 *    locked values; a row that a concurrent delete removed in between is created again (at most 5
 *    rounds, then it raises).
 * 4. Only if every window has room: adds the cost to every counter and to the ledger bucket, and
 *    stores the answer under the key. A rejected charge leaves no key row it inserted.
 *
 * `refund` (one row: `applied`) inserts the refund key (`ON CONFLICT DO NOTHING`); only if it was new,
 * forgets the refunded charge's idempotency key, locks the counters in primary-key order and subtracts
 * the credits from them and from the ledger bucket (never below zero).
 *
 * Every function here and in `postgres-batch-function.ts` takes its row locks in one order — key rows,
 * then counters, then ledger buckets, each in primary-key order — so they never deadlock each other.
 */
export function postgresFunctionStatements(prefix: string): readonly string[] {
  const t = tableNames(prefix, 'postgres')
  const f = postgresFunctionNames(prefix)
  const C = t.counters
  const L = t.ledger
  const K = t.idempotencyKeys
  const R = t.refundKeys
  const charge = `
create or replace function ${f.charge}(
  p_client text, p_durations text[], p_starts bigint[], p_ends bigint[], p_limits bigint[],
  p_cost bigint, p_bucket bigint, p_key text, p_key_expires bigint, p_at bigint,
  out allowed boolean, out replayed boolean, out used_json text
) language plpgsql volatile as $fn$
declare
  v_n integer := coalesce(cardinality(p_durations), 0);
  v_key_used text;
  v_key_expires bigint;
  v_missing boolean;
  v_found integer;
  v_used bigint[];
begin
  replayed := false;
  if p_key is not null then
    insert into ${K} as k (client_id, idem_key, used, expires_at) values (p_client, p_key, null, p_key_expires)
    on conflict (client_id, idem_key) do update set idem_key = excluded.idem_key
    returning k.used, k.expires_at into v_key_used, v_key_expires;
    if v_key_used is not null and v_key_expires > p_at then
      allowed := true;
      replayed := true;
      used_json := v_key_used;
      return;
    end if;
  end if;

  -- Every room check here is core's hasRoom(used, cost, limit): cost <= limit - used (null = unlimited).
  select coalesce(bool_and(r.lim is null or p_cost <= r.lim - coalesce(c.used, 0)), true),
         coalesce(bool_or(c.used is null), false),
         coalesce(array_agg(coalesce(c.used, 0) order by r.ord), '{}')
    into allowed, v_missing, v_used
  from unnest(p_durations, p_starts, p_limits) with ordinality as r(duration, window_start, lim, ord)
  left join ${C} c on c.client_id = p_client and c.duration = r.duration and c.window_start = r.window_start;

  if allowed then
    for v_round in 1..${MAX_MISSING_ROUNDS + 1} loop
      if v_round > ${MAX_MISSING_ROUNDS} then
        raise exception 'window counters kept disappearing during a charge';
      end if;
      if v_missing then
        insert into ${C} (client_id, duration, window_start, window_end, used)
        select p_client, r.duration, r.window_start, r.window_end, 0
        from unnest(p_durations, p_starts, p_ends) as r(duration, window_start, window_end)
        order by r.duration, r.window_start
        on conflict (client_id, duration, window_start) do nothing;
      end if;
      with locked as (
        select c.duration, c.window_start, c.used
        from ${C} c
        join (select distinct u.duration, u.window_start from unnest(p_durations, p_starts) as u(duration, window_start)) w
          on c.duration = w.duration and c.window_start = w.window_start
        where c.client_id = p_client
        order by c.duration, c.window_start
        for update of c
      )
      select count(l.used)::integer,
             coalesce(bool_and(r.lim is null or p_cost <= r.lim - l.used), true),
             coalesce(array_agg(l.used order by r.ord), '{}')
        into v_found, allowed, v_used
      from unnest(p_durations, p_starts, p_limits) with ordinality as r(duration, window_start, lim, ord)
      left join locked l on l.duration = r.duration and l.window_start = r.window_start;
      v_missing := v_found < v_n;
      exit when not v_missing;
    end loop;
  end if;

  if allowed then
    update ${C} c set used = c.used + p_cost
    from (select distinct u.duration, u.window_start from unnest(p_durations, p_starts) as u(duration, window_start)) w
    where c.client_id = p_client and c.duration = w.duration and c.window_start = w.window_start;
    insert into ${L} as l (client_id, bucket_start, credits) values (p_client, p_bucket, p_cost)
    on conflict (client_id, bucket_start) do update set credits = l.credits + excluded.credits;
    used_json := coalesce(array_to_json(array(
      select u.used + p_cost from unnest(v_used) with ordinality as u(used, ord) order by u.ord
    ))::text, '[]');
    if p_key is not null then
      update ${K} k set used = used_json, expires_at = p_key_expires
      where k.client_id = p_client and k.idem_key = p_key;
    end if;
  else
    used_json := coalesce(array_to_json(v_used)::text, '[]');
    if p_key is not null and v_key_used is null then
      delete from ${K} k where k.client_id = p_client and k.idem_key = p_key;
    end if;
  end if;
end
$fn$`
  const refund = `
create or replace function ${f.refund}(
  p_client text, p_durations text[], p_starts bigint[], p_refund_key text, p_refund_expires bigint,
  p_credits bigint, p_bucket bigint, p_key text,
  out applied boolean
) language plpgsql volatile as $fn$
begin
  insert into ${R} (client_id, refund_key, expires_at) values (p_client, p_refund_key, p_refund_expires)
  on conflict (client_id, refund_key) do nothing;
  applied := found;
  if not applied then
    return;
  end if;
  if p_key is not null then
    delete from ${K} k where k.client_id = p_client and k.idem_key = p_key;
  end if;
  perform 1
  from ${C} c
  join (select distinct u.duration, u.window_start from unnest(p_durations, p_starts) as u(duration, window_start)) w
    on c.duration = w.duration and c.window_start = w.window_start
  where c.client_id = p_client
  order by c.duration, c.window_start
  for update of c;
  update ${C} c set used = greatest(0, c.used - p_credits)
  from (select distinct u.duration, u.window_start from unnest(p_durations, p_starts) as u(duration, window_start)) w
  where c.client_id = p_client and c.duration = w.duration and c.window_start = w.window_start;
  update ${L} l set credits = greatest(0, l.credits - p_credits)
  where l.client_id = p_client and l.bucket_start = p_bucket;
end
$fn$`
  return [charge, refund]
}
