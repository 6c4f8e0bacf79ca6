import { tableNames } from './table-names.js'

/** The name (a quoted SQL identifier) of the MySQL/MariaDB batch-charge procedure of a store. */
export function mysqlBatchProcedureName(prefix: string): string {
  return `\`${prefix}charge_many\``
}

/**
 * The statements that (re)create `<prefix>charge_many(items, windows, counters)`, the MySQL/MariaDB
 * procedure that charges a whole batch (see `ChargeBatch`) in one `CALL` and one transaction. The three
 * arguments are JSON arrays read with `JSON_TABLE` (MySQL 8.0.4+, MariaDB 10.6+); client ids and keys
 * travel as hex of their UTF-8 bytes, so they reach the `varbinary` columns byte for byte:
 *
 * - items, in arrival order: `[client, cost, bucket, key ('' = none), key expiry, at, previous item of
 *   the same key (0 = none)]`;
 * - windows, every item's after the other: `[item, counter, limit (-1 = unlimited), cost, repeat]`
 *   (`repeat` 1 when an earlier window of the item has the same counter: charged once);
 * - counters, each once: `[client, duration, start, end, lowest limit charged on it (-1 = none)]`.
 *
 * The procedure copies them into three temporary tables of the connection (created on first use, so
 * the store's user needs `CREATE TEMPORARY TABLES`), then, in one transaction:
 *
 * 1. Key rows: inserts every key of the batch or locks the existing row, in primary-key order (a
 *    concurrent duplicate waits for the winner), and reads them locked. The first item of a key in the
 *    batch replays the key's stored answer when it expires after the item's `at`; the later items of the
 *    key are decided in step 4.
 * 2. Reads every counter without locking (one consistent read). An item (without an earlier item of
 *    the same key) that a limited window already cannot take is rejected and takes no lock: a flood
 *    against an exhausted quota never queues on a row lock.
 * 3. Locks the counters the remaining items charge, in primary-key order across all clients, creating
 *    missing rows (`INSERT … ON DUPLICATE KEY UPDATE used = used`, which locks without changing), and
 *    reads them under the lock.
 * 4. Decides the remaining items in arrival order. When every counter has room (core's `hasRoom`:
 *    `cost <= limit - used`) for all their costs within the lowest limit charged on it — then each item
 *    has room after the ones before it — all are charged by two set-based statements. Otherwise (or
 *    when a key repeats in the batch) they are decided one by one on running values. The key's answer
 *    before an item is the stored one for the first item of its key in the batch, else the one the
 *    previous item of the key left: its own answer, until its key expiry, when it was charged, else the
 *    answer before it (a replayed or rejected item leaves it as it was). An item replays that answer
 *    when there is one and it expires after the item's `at`; another is charged only if every limited
 *    window has room.
 * 5. Writes the new counter values, adds the charged costs to their ledger buckets (in primary-key
 *    order), stores under each key the answer of its last charged item, removes the key rows this batch
 *    created for keys it did not charge, and commits.
 *
 * It answers two result sets: per item (in arrival order) `state` (1 charged, 2 rejected, 3 replayed)
 * and `answer` (for a replay the answer it replays — the key row's or that of the item of the batch that
 * left it —, else anything, possibly `null`); per counter `used`, its value under the lock (or in step 2
 * when nothing locked it). The client works out every other answer from them — as if the items had run
 * one after the other in arrival order — see `batchAnswers`.
 *
 * Locks are taken in the one order of every store procedure — key rows, counters, ledger buckets, each in
 * primary-key order — so batches and single charges do not deadlock each other. Any error rolls the whole
 * batch back before it reaches the client.
 */
export function mysqlBatchProcedureStatements(prefix: string): readonly string[] {
  const t = tableNames(prefix, 'mysql')
  const name = mysqlBatchProcedureName(prefix)
  const { counters: C, ledger: L, idempotencyKeys: K } = t
  // Temporary tables of the calling connection; a change of their columns needs new names.
  const TI = `\`${prefix}batch_items_v2\``
  const TC = `\`${prefix}batch_counters\``
  const TW = `\`${prefix}batch_windows\``
  const TN = `\`${prefix}batch_locked\``
  const sameCounter = (a: string, b: string) =>
    `${a}.client_id = ${b}.client_id and ${a}.duration = ${b}.duration and ${a}.window_start = ${b}.window_start`
  const procedure = `
create procedure ${name}(in p_items longtext, in p_windows longtext, in p_counters longtext)
modifies sql data sql security invoker
begin
  declare v_snapshot longtext;
  declare v_keys int default 0;
  declare v_pending int default 0;
  declare v_over int default 0;
  declare v_item int default 0;
  declare v_next int;
  declare v_prev int;
  declare v_until bigint;
  declare v_source int;
  declare v_at bigint;
  declare v_client varbinary(1024);
  declare v_key varbinary(1024);
  declare v_bad int;
  declare exit handler for sqlexception
  begin
    rollback;
    resignal;
  end;

  create temporary table if not exists ${TI} (
    item int not null primary key, client_id varbinary(1024) not null, cost bigint not null,
    bucket bigint not null, idem_key varbinary(1024) not null, key_expires bigint not null,
    at bigint not null, key_prev int not null, state tinyint not null, fresh tinyint not null,
    store tinyint not null, key_until bigint, key_source int not null, answer varchar(4096) character set ascii
  ) engine = memory;
  create temporary table if not exists ${TC} (
    id int not null primary key, client_id varbinary(1024) not null, duration varchar(16) not null,
    window_start bigint not null, window_end bigint not null, min_limit bigint not null, used bigint not null,
    total bigint not null, added bigint not null, need tinyint not null
  ) engine = memory;
  create temporary table if not exists ${TN} (
    id int not null primary key, client_id varbinary(1024) not null, duration varchar(16) not null,
    window_start bigint not null, window_end bigint not null, used bigint not null, added bigint not null
  ) engine = memory;
  create temporary table if not exists ${TW} (
    ord int not null primary key, item int not null, counter int not null, lim bigint not null,
    cost bigint not null, rep tinyint not null, pending tinyint not null, charged tinyint not null,
    key (item), key (counter)
  ) engine = memory;
  delete from ${TI};
  delete from ${TC};
  delete from ${TW};
  delete from ${TN};
  insert into ${TI} (item, client_id, cost, bucket, idem_key, key_expires, at, key_prev, state, fresh, store,
    key_source)
  select j.item, unhex(j.client), j.cost, j.bucket, unhex(j.idem), j.key_expires, j.at, j.key_prev, 0, 0, 0, 0
  from json_table(p_items, '$[*]' columns (
    item for ordinality, client varchar(2048) path '$[0]', cost bigint path '$[1]', bucket bigint path '$[2]',
    idem varchar(2048) path '$[3]', key_expires bigint path '$[4]', at bigint path '$[5]',
    key_prev int path '$[6]')) as j;
  insert into ${TC} (id, client_id, duration, window_start, window_end, min_limit, used, total, added, need)
  select j.id, unhex(j.client), j.duration, j.window_start, j.window_end, j.min_limit, 0, 0, 0, 0
  from json_table(p_counters, '$[*]' columns (
    id for ordinality, client varchar(2048) path '$[0]', duration varchar(16) path '$[1]',
    window_start bigint path '$[2]', window_end bigint path '$[3]', min_limit bigint path '$[4]')) as j;
  insert into ${TW} (ord, item, counter, lim, cost, rep, pending, charged)
  select j.ord, j.item, j.counter, j.lim, j.cost, j.rep, 0, 0
  from json_table(p_windows, '$[*]' columns (
    ord for ordinality, item int path '$[0]', counter int path '$[1]', lim bigint path '$[2]',
    cost bigint path '$[3]', rep tinyint path '$[4]')) as j;
  select coalesce(sum(idem_key <> ''), 0) into v_keys from ${TI};

  -- The answers and the snapshot below are built with group_concat (MySQL's default limit is 1 KB).
  set session group_concat_max_len = greatest(@@session.group_concat_max_len, 1048576);

  start transaction;
  -- 1. Key rows, inserted or locked in primary-key order, then read locked. Every item of a key starts
  -- with its stored answer (answer, key_until); the first item of the key replays it while it is valid.
  if v_keys > 0 then
    insert into ${K} (client_id, idem_key, used, expires_at)
    select client_id, idem_key, null, key_expires from ${TI} where idem_key <> '' order by client_id, idem_key
    on duplicate key update ${K}.idem_key = ${K}.idem_key;
    update ${TI} i join ${K} k on k.client_id = i.client_id and k.idem_key = i.idem_key
    set i.fresh = (k.used is null),
        i.answer = k.used,
        i.key_until = if(k.used is null, null, k.expires_at),
        i.state = if(i.key_prev = 0 and k.used is not null and k.expires_at > i.at, 3, 0);
  end if;

  -- 2. Every counter in one consistent read, no locks; the rejections it already shows: not core's
  -- hasRoom(used, cost, limit), i.e. cost > limit - used (-1 = unlimited).
  select concat('[', group_concat(coalesce(c.used, 0) order by t.id), ']') into v_snapshot
  from ${TC} t left join ${C} c on ${sameCounter('c', 't')};
  if v_snapshot is not null then
    update ${TC} t join json_table(v_snapshot, '$[*]' columns (id for ordinality, used bigint path '$')) as s
      on s.id = t.id
    set t.used = s.used;
  end if;
  update ${TI} i join ${TW} w on w.item = i.item join ${TC} t on t.id = w.counter
  set i.state = 2
  where i.state = 0 and i.key_prev = 0 and w.lim >= 0 and w.cost > w.lim - t.used;
  update ${TW} w join ${TI} i on i.item = w.item set w.pending = (i.state = 0);
  update ${TC} t join (
    select counter, sum(cost * (1 - rep)) as total from ${TW} where pending = 1 group by counter
  ) p on p.counter = t.id
  set t.need = 1, t.total = p.total;
  select count(*), coalesce(sum(key_prev > 0), 0) into v_pending, v_over from ${TI} where state = 0;

  if v_pending > 0 then
    -- 3. Lock the counters the pending items charge, creating missing rows, in primary-key order, and
    -- read them locked. They are copied to a table of their own first: a join of the counters with a
    -- table that also lists the others would read (and lock) those too.
    insert into ${TN} (id, client_id, duration, window_start, window_end, used, added)
    select id, client_id, duration, window_start, window_end, 0, 0 from ${TC} where need = 1;
    insert into ${C} (client_id, duration, window_start, window_end, used)
    select client_id, duration, window_start, window_end, 0 from ${TN}
    order by client_id, duration, window_start
    on duplicate key update ${C}.used = ${C}.used;
    update ${TN} n join ${C} c on ${sameCounter('c', 'n')} set n.used = c.used;
    update ${TC} t join ${TN} n on n.id = t.id set t.used = n.used;

    -- 4. Decide in arrival order. When every counter has room for all pending costs within the lowest
    -- limit charged on it (then each item has room after the ones before it), all are charged at once;
    -- otherwise (or with a key repeated in the batch) one by one.
    select v_over + count(*) into v_over from ${TC}
    where need = 1 and min_limit >= 0 and total > min_limit - used;
    if v_over = 0 then
      update ${TI} set state = 1, store = (idem_key <> '') where state = 0;
      update ${TC} set added = total where need = 1;
    else
      -- key_until and key_source hold the key's answer after each item: until when it is valid (null:
      -- none) and the item whose charge gave it (0: the stored one, in answer since step 1).
      items: loop
        set v_next = null;
        select item, key_prev, at, client_id, idem_key, key_until, key_source
        into v_next, v_prev, v_at, v_client, v_key, v_until, v_source
        from ${TI} where state = 0 and item > v_item order by item limit 1;
        if v_next is null then
          leave items;
        end if;
        set v_item = v_next;
        -- The key's answer before the item: the stored one for the first item of its key, else what the
        -- previous item of the key left.
        if v_prev > 0 then
          select key_until, key_source into v_until, v_source from ${TI} where item = v_prev;
        end if;
        if v_until > v_at then
          update ${TI} set state = 3, key_until = v_until, key_source = v_source where item = v_item;
        else
          -- Not core's hasRoom on the running values.
          select count(*) into v_bad from ${TW} w join ${TC} t on t.id = w.counter
          where w.item = v_item and w.lim >= 0 and w.cost > w.lim - (t.used + t.added);
          if v_bad = 0 then
            update ${TC} t join ${TW} w on w.counter = t.id set t.added = t.added + w.cost
            where w.item = v_item and w.rep = 0;
            if v_prev > 0 then
              update ${TI} set store = 0 where client_id = v_client and idem_key = v_key and item < v_item;
            end if;
            update ${TI} set state = 1, store = (idem_key <> ''), key_until = key_expires, key_source = item
            where item = v_item;
          else
            update ${TI} set state = 2, key_until = v_until, key_source = v_source where item = v_item;
          end if;
        end if;
      end loop;
    end if;

    -- 5. Write counters and ledger buckets.
    update ${TN} n join ${TC} t on t.id = n.id set n.added = t.added;
    update ${C} c join ${TN} n on ${sameCounter('c', 'n')} set c.used = n.used + n.added where n.added > 0;
    insert into ${L} (client_id, bucket_start, credits)
    select client_id, bucket, cost from ${TI} where state = 1 order by client_id, bucket, item
    on duplicate key update ${L}.credits = ${L}.credits + values(credits);
  end if;

  if v_keys > 0 then
    -- The answer each key keeps: its last charged item's, the locked values plus the charged costs up
    -- to and including it (as the client works out every answer). A replay of an item of the batch
    -- gets that item's answer the same way, a replay of the stored answer keeps it (step 1); every
    -- other answer is cleared first.
    update ${TW} w join ${TI} i on i.item = w.item set w.charged = (i.state = 1);
    update ${TI} set answer = null where state <> 3 or key_source > 0;
    update ${TI} i join (
      select x.item, concat('[', group_concat(x.after_used order by x.ord), ']') as answer
      from (
        select w.item, w.ord, t.used + sum(if(w.charged = 1 and w.rep = 0, w.cost, 0)) over (
          partition by w.counter order by w.item range between unbounded preceding and current row) as after_used
        from ${TW} w join ${TC} t on t.id = w.counter
      ) x
      group by x.item
    ) a on a.item = if(i.state = 3, i.key_source, i.item)
    set i.answer = a.answer
    where i.store = 1 or (i.state = 3 and i.key_source > 0);
    update ${TI} set answer = '[]' where (store = 1 or (state = 3 and key_source > 0)) and answer is null;
    update ${K} k join ${TI} i on k.client_id = i.client_id and k.idem_key = i.idem_key
    set k.used = i.answer, k.expires_at = i.key_expires
    where i.store = 1;
    delete k from ${K} k join (
      select client_id, idem_key from ${TI} where idem_key <> ''
      group by client_id, idem_key
      having min(fresh) = 1 and sum(state = 1) = 0
    ) d on k.client_id = d.client_id and k.idem_key = d.idem_key;
  end if;
  commit;

  -- Two result sets: per item its state and, for a replay, the answer it replays; per counter
  -- its value under the lock (or in step 2 when nothing locked it). The client works out every other
  -- answer from them (batchAnswers), as the answers kept under keys are worked out above.
  select state, answer from ${TI} order by item;
  select used from ${TC} order by id;
end`
  return [`drop procedure if exists ${name}`, procedure]
}
