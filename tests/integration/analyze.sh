#!/usr/bin/env bash
# EXPLAIN ANALYZE at 1-4 ranks: the query runs, and the plan as it ran gives each operator's rows
# summed over its tasks and ranks (checked against awk: the scan's rows, the groups of the final
# aggregation, the join's rows) and each stage's tasks, spill, peak memory and fastest / slowest
# rank; a budget small enough to spill shows spilled MB.
. "$(dirname "$0")/lib.sh"
"$B/scripts/gen-clickstream" --events 20000 --products 300 --seed 5 "$WORK/d" > /dev/null
ev=$(($(wc -l < "$WORK/d/events.csv") - 1))
cats=$(awk -F, 'NR > 1 { c[$2] = 1 } END { print length(c) }' "$WORK/d/products.csv")
joined=$(awk -F, 'NR == FNR { if (FNR > 1) p[$1] = 1; next } FNR > 1 && ($2 in p) { n++ } END { print n + 0 }' "$WORK/d/products.csv" "$WORK/d/events.csv")
cat > "$WORK/q.sql" <<SQL
CREATE TEMPORARY VIEW events USING csv OPTIONS (path '$WORK/d/events.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW products USING csv OPTIONS (path '$WORK/d/products.csv', header 'true', inferSchema 'true');
EXPLAIN ANALYZE SELECT p.category, count(*) AS n FROM events e JOIN products p ON e.product_id = p.product_id GROUP BY p.category ORDER BY n DESC;
SQL
for np in $NPS; do
  if run "$np" "$B/src/riffle" run "$WORK/q.sql" --conf riffle.files.maxPartitionBytes=100k; then
    grep -q "^== Result: $cats row(s)" "$WORK/out" && ok || bad "EXPLAIN ANALYZE at -np $np: result rows: $(head -1 "$WORK/out")"
    grep "Scan csv \[.*events.csv" "$WORK/out" | grep -q "\[rows $ev," && ok || bad "EXPLAIN ANALYZE at -np $np: the events scan's rows (want $ev): $(grep 'events.csv' "$WORK/out")"
    grep "HashAggregate(final)" "$WORK/out" | grep -q "\[rows $cats," && ok || bad "EXPLAIN ANALYZE at -np $np: the final aggregation's groups (want $cats): $(grep 'HashAggregate(final)' "$WORK/out")"
    grep "HashJoin" "$WORK/out" | grep -q "\[rows $joined," && ok || bad "EXPLAIN ANALYZE at -np $np: the join's rows (want $joined): $(grep 'HashJoin' "$WORK/out")"
    [ "$(grep -c '^Stage [0-9]*: .* (fastest rank .*, slowest rank .*)$' "$WORK/out")" -ge 2 ] && ok || bad "EXPLAIN ANALYZE at -np $np: stage lines: $(grep '^Stage' "$WORK/out")"
  else bad "EXPLAIN ANALYZE at -np $np failed: $(head -3 "$WORK/err")"; fi
done
if run 2 "$B/src/riffle" run "$WORK/q.sql" --conf riffle.executor.memory=1m --conf riffle.spill.forceThreshold=50 --conf riffle.local.dir="$WORK"; then
  grep '^Stage' "$WORK/out" | grep -qv ' 0.0 MB spilled' && ok || bad "EXPLAIN ANALYZE spilling: no stage shows spill: $(grep '^Stage' "$WORK/out")"
  # per operator: what the aggregation or join held and spilled
  grep -E "Hash(Aggregate|Join).*memory [0-9.]+ MB, [0-9.]+ MB spilled\]" "$WORK/out" | grep -qv " 0.0 MB spilled\]" && ok \
    || bad "EXPLAIN ANALYZE spilling: no operator shows its spill: $(grep -E 'Hash(Aggregate|Join)' "$WORK/out")"
else bad "EXPLAIN ANALYZE spilling failed: $(head -3 "$WORK/err")"; fi
# riffle explain (no ANALYZE) still runs nothing
"$B/src/riffle" explain "$WORK/q.sql" > "$WORK/out" 2>&1 && ! grep -q "Result:" "$WORK/out" && ok || bad "riffle explain of an EXPLAIN ANALYZE script: $(head -3 "$WORK/out")"
finish
