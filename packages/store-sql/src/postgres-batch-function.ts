import { postgresFunctionNames } from './postgres-functions.js'
import { tableNames } from './table-names.js'

/**
 * The `create or replace function` statement of `<prefix>charge_many`, the Postgres function that
 * charges a whole batch (see `ChargeBatch`) in one call and one transaction, with exactly the answers
 * the same charges would get one after the other in arrival order. It answers three arrays, one entry
 * per item: `allowed`, `replayed`, `used_json`.
 *
 * Every statement is planned once per session (`plan_cache_mode = force_generic_plan`) and reaches
 * the tables only through their primary keys: counters are read by correlated lookups and written by
 * `INSERT … ON CONFLICT`, whose arbiter is the primary key, so the plan does not depend on how big the
 * tables are or whether they were ever analyzed.
 *
 * 1. Key rows: inserts every idempotency key of the batch or locks the existing row, in primary-key
 *    order (a concurrent duplicate waits for the winner); an answer still valid at the item's `at` is
 *    replayed.
 * 2. Reads every counter of the batch in its snapshot, without locking. An item (without an earlier
 *    item of the same key) that a limited window already cannot take is rejected and takes no lock: a
 *    flood against an exhausted quota never queues on a row lock. The others are pending.
 * 3. Adds, in one `INSERT … ON CONFLICT DO UPDATE` in primary-key order across all clients, every
 *    pending item's cost to its counters (each counter once per item), creating missing rows. That
 *    locks the counters and returns their new values; the value before the batch is the new one less
 *    what was added.
 * 4. Decides in arrival order, on running values from there. The common case is one set-based check:
 *    if every pending item still has room (core's `hasRoom`: `cost <= limit - used`, i.e. the running
 *    value after it stays within every limited window) with all pending items charged, all are, and
 *    each answer is the running values after it. Otherwise (or when two items share an idempotency key)
 *    the items are walked one by one: a stored or earlier answer of the same key still valid at the
 *    item's `at` is replayed; a pending item is charged if every limited window has room, else rejected
 *    with the values it saw; the counters are then set to what the walk charged.
 * 5. Adds the charged costs to their ledger buckets (summed per client and bucket, in primary-key
 *    order), stores under each key the answer of its last charged item and removes the key rows this
 *    batch created for keys it did not charge.
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
) language plpgsql volatile set plan_cache_mode = force_generic_plan as $fn$
declare
  v_n int := coalesce(cardinality(p_clients), 0);
  v_has_keys boolean := cardinality(array_remove(p_keys, null)) > 0;
  v_walk boolean := cardinality(array_remove(p_key_prev, null)) > 0;
  v_stored text[] := array_fill(null::text, array[v_n]);
  v_key_used text[] := array_fill(null::text, array[v_n]);
  v_key_expires bigint[] := array_fill(null::bigint, array[v_n]);
  v_fresh boolean[] := array_fill(false, array[v_n]);
  v_w_items int[];
  v_used bigint[];
  v_added bigint[];
  v_pending boolean[];
  v_charged boolean[];
  v_fits boolean;
  v_after bigint[];
  v_ok boolean;
  v_w int := 1;
  v_first int;
  v_prev int;
  v_lim bigint;
  v_client text;
  v_key text;
begin
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
           array_agg(s.used order by u.ord),
           array_agg(s.expires_at order by u.ord),
           array_agg(s.client_id is not null and s.used is null order by u.ord)
      into v_stored, v_key_used, v_key_expires, v_fresh
    from unnest(p_clients, p_keys, p_ats) with ordinality as u(c, k, at, ord)
    left join claimed s on s.client_id = u.c and s.idem_key = u.k;
  end if;

  -- 2. The item of every window, and the counters in this statement's snapshot, without locks. An
  -- item that a limited window already cannot take (core's hasRoom(used, cost, limit):
  -- cost <= limit - used; null = unlimited) is rejected; it takes no lock. Items with an earlier item
  -- of the same key stay pending.
  select coalesce(array_agg(i.ord::int order by i.ord, g.j), '{}') into v_w_items
  from unnest(p_window_counts) with ordinality as i(cnt, ord), generate_series(1, i.cnt) as g(j);
  select coalesce(array_agg(coalesce((
           select c.used from ${C} c
           where c.client_id = k.client and c.duration = k.duration and c.window_start = k.window_start
         ), 0) order by k.ord), '{}')
    into v_used
  from unnest(p_c_clients, p_c_durations, p_c_starts) with ordinality as k(client, duration, window_start, ord);
  select coalesce(array_agg(p_key_prev[x.item] is not null or (v_stored[x.item] is null and x.room)
           order by x.item), '{}')
    into v_pending
  from (
    select i.item, coalesce(bool_and(w.lim is null or p_costs[i.item] <= w.lim - v_used[w.counter]), true) as room
    from generate_series(1, v_n) as i(item)
    left join unnest(v_w_items, p_w_counters, p_w_limits) as w(item, counter, lim) on w.item = i.item
    group by i.item
  ) x;

  -- 3. Add every pending item's cost to its counters (once per item), creating missing rows, in
  -- primary-key order: that locks them. The value before the batch is the new one less the added.
  v_added := array_fill(0::bigint, array[coalesce(cardinality(p_c_clients), 0)]);
  if true = any(v_pending) then
    with added as (
      select w.counter, sum(p_costs[w.item]) as credits
      from (select distinct u.item, u.counter from unnest(v_w_items, p_w_counters) as u(item, counter)
            where v_pending[u.item]) w
      group by w.counter
    ), written as (
      insert into ${C} as c (client_id, duration, window_start, window_end, used)
      select p_c_clients[a.counter], p_c_durations[a.counter], p_c_starts[a.counter], p_c_ends[a.counter], a.credits
      from added a
      order by 1, 2, 3
      on conflict (client_id, duration, window_start) do update set used = c.used + excluded.used
      returning c.client_id, c.duration, c.window_start, c.used
    )
    select array_agg(coalesce(a.credits, 0) order by k.ord),
           array_agg(coalesce(w.used - a.credits, v_used[k.ord]) order by k.ord)
      into v_added, v_used
    from generate_series(1, cardinality(p_c_clients)) as k(ord)
    left join added a on a.counter = k.ord
    left join written w on w.client_id = p_c_clients[k.ord] and w.duration = p_c_durations[k.ord]
      and w.window_start = p_c_starts[k.ord];
  end if;

  -- 4. Decide. The common case, one check: with every pending item charged, the running value after
  -- each (the value before the batch plus the costs of the pending items up to it, each counted once
  -- per item) stays within every limited window of every pending item.
  if not v_walk then
    with run as (
      select w.item, w.j, w.lim, v_used[w.counter] + sum(case when w.first and v_pending[w.item]
               then p_costs[w.item] else 0 end) over (partition by w.counter order by w.item) as used
      from (
        select u.item, u.counter, u.lim, u.j,
               row_number() over (partition by u.item, u.counter order by u.j) = 1 as first
        from unnest(v_w_items, p_w_counters, p_w_limits) with ordinality as u(item, counter, lim, j)
      ) w
    ), answer as (
      select i.item,
             coalesce(bool_and(not v_pending[i.item] or r.lim is null or r.used <= r.lim), true) as fits,
             coalesce('[' || string_agg(r.used::text, ',' order by r.j) || ']', '[]') as used_json
      from generate_series(1, v_n) as i(item)
      left join run r on r.item = i.item
      group by i.item
    )
    select coalesce(bool_and(a.fits), true),
           coalesce(array_agg(v_stored[a.item] is not null or v_pending[a.item] order by a.item), '{}'),
           coalesce(array_agg(v_stored[a.item] is not null order by a.item), '{}'),
           coalesce(array_agg(coalesce(v_stored[a.item], a.used_json) order by a.item), '{}')
      into v_fits, allowed, replayed, used_json
    from answer a;
    v_walk := not v_fits;
  end if;
  if v_walk then
    allowed := array_fill(false, array[v_n]);
    replayed := array_fill(false, array[v_n]);
    used_json := array_fill(null::text, array[v_n]);
    v_charged := array_fill(false, array[v_n]);
    for i in 1..v_n loop
      v_first := v_w;
      v_w := v_w + p_window_counts[i];
      -- The key's answer before this item: the stored one, or what the earlier item of the key left.
      -- v_key_used and v_key_expires then hold the key's answer after the item.
      v_prev := p_key_prev[i];
      if v_prev is not null then
        v_key_used[i] := v_key_used[v_prev];
        v_key_expires[i] := v_key_expires[v_prev];
      end if;
      if v_key_used[i] is not null and v_key_expires[i] > p_ats[i] then
        allowed[i] := true;
        replayed[i] := true;
        used_json[i] := v_key_used[i];
        continue;
      end if;
      v_ok := v_pending[i];
      for j in v_first..v_w - 1 loop
        exit when not v_ok;
        v_lim := p_w_limits[j];
        if v_lim is not null and not (p_costs[i] <= v_lim - v_used[p_w_counters[j]]) then
          v_ok := false;
        end if;
      end loop;
      -- Every window's value after this item, read before any is written: a window listed twice in one
      -- item is charged once.
      v_after := array(
        select v_used[p_w_counters[j]] + case when v_ok then p_costs[i] else 0 end
        from generate_series(v_first, v_w - 1) as j order by j
      );
      used_json[i] := '[' || array_to_string(v_after, ',') || ']';
      if v_ok then
        for j in v_first..v_w - 1 loop
          v_used[p_w_counters[j]] := v_after[j - v_first + 1];
        end loop;
        allowed[i] := true;
        v_charged[i] := true;
        v_key_used[i] := used_json[i];
        v_key_expires[i] := p_key_expires[i];
      end if;
    end loop;
    -- Set the counters to what the walk charged where the optimistic write added more.
    insert into ${C} as c (client_id, duration, window_start, window_end, used)
    select p_c_clients[k], p_c_durations[k], p_c_starts[k], p_c_ends[k], v_used[k]
    from generate_series(1, cardinality(p_c_clients)) as k
    where v_added[k] > 0
    order by 1, 2, 3
    on conflict (client_id, duration, window_start) do update set used = excluded.used
    where c.used <> excluded.used;
  else
    v_charged := v_pending;
  end if;

  -- 5. Ledger buckets and keys: each key keeps the answer of its last charged item; the key rows this
  -- batch created and did not charge go.
  if true = any(v_charged) then
    insert into ${L} as l (client_id, bucket_start, credits)
    select u.c, u.b, sum(u.cost)
    from unnest(p_clients, p_buckets, p_costs, v_charged) as u(c, b, cost, charged)
    where u.charged
    group by u.c, u.b
    order by u.c, u.b
    on conflict (client_id, bucket_start) do update set credits = l.credits + excluded.credits;
  end if;
  if v_has_keys then
    insert into ${K} as k (client_id, idem_key, used, expires_at)
    select distinct on (u.c, u.k) u.c, u.k, u.answer, u.expires
    from unnest(p_clients, p_keys, used_json, p_key_expires, v_charged) with ordinality
      as u(c, k, answer, expires, charged, ord)
    where u.charged and u.k is not null
    order by u.c, u.k, u.ord desc
    on conflict (client_id, idem_key) do update set used = excluded.used, expires_at = excluded.expires_at;
    for v_client, v_key in
      select u.c, u.k from unnest(p_clients, p_keys, v_fresh, v_charged) as u(c, k, fresh, charged)
      where u.k is not null
      group by u.c, u.k
      having bool_and(u.fresh) and not bool_or(u.charged)
    loop
      delete from ${K} k where k.client_id = v_client and k.idem_key = v_key;
    end loop;
  end if;
end
$fn$`
}
