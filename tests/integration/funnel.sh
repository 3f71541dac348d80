#!/usr/bin/env bash
# The category funnel at 1-4 ranks against sqlite3: generated data (plain and skewed), a single
# event, and events with NULL (empty) product ids, with a small shuffle partition count and small
# splits so every stage runs many tasks; also checks the printed table.
. "$(dirname "$0")/lib.sh"
reference() { funnel_reference "$1"; }
"$B/scripts/gen-clickstream" --events 20000 --products 300 --seed 5 "$WORK/plain" >/dev/null
"$B/scripts/gen-clickstream" --events 20000 --products 300 --seed 6 --skew "$WORK/skew" >/dev/null
mkdir -p "$WORK/single" "$WORK/nulls"
printf 'user_id,product_id,event_type,ts,date\n7,3,add_to_cart,2026-03-01 10:00:00,2026-03-01\n' > "$WORK/single/events.csv"
printf 'product_id,category,price\n3,bücher,9.5\n4,toys,1\n' > "$WORK/single/products.csv"
head -n 2000 "$WORK/plain/events.csv" | awk -F, 'NR > 1 && NR % 5 == 0 { $2 = "" } { print }' OFS=, > "$WORK/nulls/events.csv"
cp "$WORK/plain/products.csv" "$WORK/nulls/products.csv"
for d in plain skew single nulls; do
  reference "$WORK/$d" | tr -d '\r' > "$WORK/want"
  for np in $NPS; do
    if run "$np" "$B/jobs/category_funnel" "$WORK/$d/events.csv" "$WORK/$d/products.csv" "$WORK/o" \
         --conf riffle.shuffle.partitions=7 --conf riffle.files.maxPartitionBytes=100k; then
      parts "$WORK/o" > "$WORK/got"
      same "$WORK/want" "$WORK/got" "funnel $d at -np $np"
      # the printed table holds the same rows, right-aligned between pipes
      grep '^|' "$WORK/out" | tail -n +2 | sed 's/^| *//; s/ *| */,/; s/|$//' | head -20 > "$WORK/shown"
      head -20 "$WORK/want" > "$WORK/want20"
      same "$WORK/want20" "$WORK/shown" "funnel $d printed table at -np $np"
    else
      bad "funnel $d at -np $np exited non-zero: $(head -3 "$WORK/err")"
    fi
  done
done
# the default configuration (200 partitions, broadcast join) gives the same answer
reference "$WORK/plain" > "$WORK/want"
run 2 "$B/jobs/category_funnel" "$WORK/plain/events.csv" "$WORK/plain/products.csv" "$WORK/o" && parts "$WORK/o" > "$WORK/got" && same "$WORK/want" "$WORK/got" "funnel with defaults" || bad "funnel with defaults failed"
# a shuffle join (broadcast disabled) gives the same answer
run 3 "$B/jobs/category_funnel" "$WORK/plain/events.csv" "$WORK/plain/products.csv" "$WORK/o" --conf spark.sql.autoBroadcastJoinThreshold=-1 \
  && parts "$WORK/o" > "$WORK/got" && same "$WORK/want" "$WORK/got" "funnel with a shuffle join" || bad "funnel with a shuffle join failed"
# thread counts do not change the answer either
for t in 1 3; do
  OMP_NUM_THREADS=$t run 2 "$B/jobs/category_funnel" "$WORK/skew/events.csv" "$WORK/skew/products.csv" "$WORK/o" --conf riffle.files.maxPartitionBytes=50k \
    && { reference "$WORK/skew" > "$WORK/want"; parts "$WORK/o" > "$WORK/got"; same "$WORK/want" "$WORK/got" "funnel with $t thread(s) per rank"; } \
    || bad "funnel with $t thread(s) failed"
done
finish
