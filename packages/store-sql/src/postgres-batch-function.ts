import { postgresFunctionNames } from './postgres-functions.js'
import { tableNames } from './table-names.js'

/**
 * The `create or replace function` statement of `<prefix>charge_many`, the Postgres function that
 * charges a whole batch (see `ChargeBatch`) in one call and one transaction, with exactly the answers
 * the same charges would get one after the other in arrival order. PL/pgSQL, planned once per session.
 * It answers three arrays, one entry per item: `allowed`, `replayed`, `used_json`.
 *
 * 1. Key rows: inserts every idempotency key of the batch or locks the existing row, in primary-key
 *    order (a concurrent duplicate waits for the winner).
 * 2. Reads every counter of the batch in its snapshot, without locking. An item (without an earlier
 *    item of the same key) that a limited window already cannot take will be rejected and takes no
 *    lock: a flood against an exhausted quota never queues on a row lock.
 * 3. Locks the counters the other items charge, in primary-key order across all clients, creating
 *    missing rows (`INSERT … ON CONFLICT DO UPDATE … WHERE false`, which locks an existing row without
 *    writing it), and reads their values under the lock.
 * 4. Goes through the items in arrival order on running values: an item whose key holds an answer
 *    valid at its `at` (stored, or given to an earlier item of the batch) replays it; any other is
 *    charged only if every limited window has room (core's `hasRoom`: `cost <= limit - used`), and
 *    later items see its cost; a rejected item answers the values it saw. A window listed twice in one
 *    item is charged once, as in `<prefix>charge`.
 * 5. Writes the changed counters, adds the charged costs to their ledger buckets (summed per client and
 *    bucket, in primary-key order), stores under each key the answer of its last charged item and
 *    removes the key rows this batch created for keys it did not charge.
 *
 * Locks are taken in the one order of every store function — key rows, counters, ledger buckets, each
 * in primary-key order — so batches and single charges never deadlock each other. The call is one
 * statement: if anything fails, nothing of the batch is applied.
 */
export function postgresBatchFunctionStatement(prefix: string): string {
  const t = tableNames(prefix, 'postgres')
  const f = postgresFunctionNames(prefix)
  const C = t.counters
  const L = t.ledger
  const K = t.idempotencyKeys
  return `
create or replace function ${f.chargeMany}(
  p_clients text[], p_costs bigint[], p_buckets bigint[], p_keys text[], p_key_expires bigint[],
  p_ats bigint[], p_key_prev int[], p_window_counts int[], p_w_counters int[], p_w_limits bigint[],
  p_c_clients text[], p_c_durations text[], p_c_starts bigint[], p_c_ends bigint[],
  out allowed boolean[], out replayed boolean[], out used_json text[]
) language plpgsql volatile as $fn$
declare
  v_n int := coalesce(cardinality(p_clients), 0);
  v_k int := coalesce(cardinality(p_c_clients), 0);
  v_has_keys boolean := exists (select 1 from unnest(p_keys) as u(k) where u.k is not null);
  v_stored text[] := array_fill(null::text, array[v_n]);
  v_stored_expires bigint[];
  v_fresh boolean[];
  v_answer_expires bigint[] := array_fill(null::bigint, array[v_n]);
  v_used bigint[];
  v_need boolean[] := array_fill(false, array[v_k]);
  v_changed boolean[] := array_fill(false, array[v_k]);
  v_pending boolean[] := array_fill(false, array[v_n]);
  v_charged boolean[] := array_fill(false, array[v_n]);
  v_first int[] := array_fill(0, array[v_n]);
  v_after bigint[];
  v_any_pending boolean := false;
  v_ok boolean;
  v_w int := 1;
  v_prev int;
  v_lim bigint;
begin
  allowed := array_fill(false, array[v_n]);
  replayed := array_fill(false, array[v_n]);
  used_json := array_fill(null::text, array[v_n]);

  -- 1. Key rows, inserted or locked in primary-key order; answers still valid are replayed.
  if v_has_keys then
    with claimed as (
      insert into ${K} as k (client_id, idem_key, used, expires_at)
      select distinct on (u.c, u.k) u.c, u.k, null, u.e
      from unnest(p_clients, p_keys, p_key_expires) as u(c, k, e)
      where u.k is not null
      order by u.c, u.k
      on conflict (client_id, idem_key) do update set idem_key = excluded.idem_key
      returning k.client_id, k.idem_key, k.used, k.expires_at
    )
    select array_agg(case when s.expires_at > u.at then s.used end order by u.ord),
           array_agg(s.expires_at order by u.ord),
           array_agg(s.client_id is not null and s.used is null order by u.ord)
      into v_stored, v_stored_expires, v_fresh
    from unnest(p_clients, p_keys, p_ats) with ordinality as u(c, k, at, ord)
    left join claimed s on s.client_id = u.c and s.idem_key = u.k;
  end if;

  -- 2. The counters in this statement's snapshot, without locks. An item that a limited window
  -- already cannot take (core's hasRoom(used, cost, limit): cost <= limit - used; null = unlimited)
  -- is rejected; it takes no lock. Items with an earlier item of the same key stay pending.
  select coalesce(array_agg(coalesce(c.used, 0) order by k.ord), '{}') into v_used
  from unnest(p_c_clients, p_c_durations, p_c_starts) with ordinality as k(client, duration, window_start, ord)
  left join ${C} c on c.client_id = k.client and c.duration = k.duration and c.window_start = k.window_start;

  for i in 1..v_n loop
    v_first[i] := v_w;
    v_w := v_w + p_window_counts[i];
    continue when v_stored[i] is not null;
    v_ok := true;
    if p_key_prev[i] is null then
      for j in v_first[i]..v_w - 1 loop
        v_lim := p_w_limits[j];
        if v_lim is not null and not (p_costs[i] <= v_lim - v_used[p_w_counters[j]]) then
          v_ok := false;
          exit;
        end if;
      end loop;
    end if;
    if v_ok then
      v_pending[i] := true;
      v_any_pending := true;
      for j in v_first[i]..v_w - 1 loop
        v_need[p_w_counters[j]] := true;
      end loop;
    end if;
  end loop;

  -- 3. Lock the counters the pending items charge, creating missing rows, in primary-key order, and
  -- read them under the lock.
  if v_any_pending then
    insert into ${C} as c (client_id, duration, window_start, window_end, used)
    select p_c_clients[k], p_c_durations[k], p_c_starts[k], p_c_ends[k], 0
    from generate_series(1, v_k) as k
    where v_need[k]
    order by 1, 2, 3
    on conflict (client_id, duration, window_start) do update set used = c.used where false;
    select array_agg(case when v_need[k.ord::int] then c.used else v_used[k.ord::int] end order by k.ord)
      into v_used
    from unnest(p_c_clients, p_c_durations, p_c_starts) with ordinality as k(client, duration, window_start, ord)
    left join ${C} c on c.client_id = k.client and c.duration = k.duration and c.window_start = k.window_start;
  end if;

  -- 4. Every item in arrival order on the running values: a stored answer is replayed; so is the answer
  -- of an earlier item of the same key while it is valid at this item's instant; a pending item is
  -- charged if every limited window has room (hasRoom), else it is rejected with the values it saw.
  -- A window listed twice in one item is charged once, as in <prefix>charge.
  for i in 1..v_n loop
    -- The answer this item replays, if any: its key's stored one, or the earlier item's of its key.
    v_prev := p_key_prev[i];
    if v_stored[i] is null and v_prev is not null and allowed[v_prev] and v_answer_expires[v_prev] > p_ats[i] then
      v_stored[i] := used_json[v_prev];
      v_stored_expires[i] := v_answer_expires[v_prev];
    end if;
    if v_stored[i] is not null then
      allowed[i] := true;
      replayed[i] := true;
      used_json[i] := v_stored[i];
      v_answer_expires[i] := v_stored_expires[i];
      continue;
    end if;
    v_ok := v_pending[i];
    for j in v_first[i]..v_first[i] + p_window_counts[i] - 1 loop
      exit when not v_ok;
      v_lim := p_w_limits[j];
      if v_lim is not null and not (p_costs[i] <= v_lim - v_used[p_w_counters[j]]) then
        v_ok := false;
      end if;
    end loop;
    v_after := array(
      select v_used[p_w_counters[j]] + case when v_ok then p_costs[i] else 0 end
      from generate_series(v_first[i], v_first[i] + p_window_counts[i] - 1) as j order by j
    );
    used_json[i] := '[' || array_to_string(v_after, ',') || ']';
    if v_ok then
      for j in v_first[i]..v_first[i] + p_window_counts[i] - 1 loop
        v_used[p_w_counters[j]] := v_after[j - v_first[i] + 1];
        v_changed[p_w_counters[j]] := true;
      end loop;
      allowed[i] := true;
      v_charged[i] := true;
      v_answer_expires[i] := p_key_expires[i];
    end if;
  end loop;

  -- 5. Write counters, ledger buckets and keys: each key keeps the answer of its last charged item;
  -- the key rows this batch created and did not charge go.
  if v_any_pending then
    update ${C} c set used = x.used
    from unnest(p_c_clients, p_c_durations, p_c_starts, v_used, v_changed)
      as x(client, duration, window_start, used, changed)
    where x.changed and c.client_id = x.client and c.duration = x.duration and c.window_start = x.window_start;
    insert into ${L} as l (client_id, bucket_start, credits)
    select u.c, u.b, sum(u.cost)
    from unnest(p_clients, p_buckets, p_costs, v_charged) as u(c, b, cost, charged)
    where u.charged
    group by u.c, u.b
    order by u.c, u.b
    on conflict (client_id, bucket_start) do update set credits = l.credits + excluded.credits;
  end if;
  if v_has_keys then
    update ${K} k set used = x.answer, expires_at = x.expires
    from (
      select distinct on (u.c, u.k) u.c, u.k, u.answer, u.expires
      from unnest(p_clients, p_keys, used_json, p_key_expires, v_charged) with ordinality
        as u(c, k, answer, expires, charged, ord)
      where u.charged and u.k is not null
      order by u.c, u.k, u.ord desc
    ) x
    where k.client_id = x.c and k.idem_key = x.k;
    delete from ${K} k
    using (
      select u.c, u.k from unnest(p_clients, p_keys, v_fresh, v_charged) as u(c, k, fresh, charged)
      where u.k is not null
      group by u.c, u.k
      having bool_and(u.fresh) and not bool_or(u.charged)
    ) d
    where k.client_id = d.c and k.idem_key = d.k;
  end if;
end
$fn$`
}
