#!/usr/bin/env bash
# One rank in trouble must never leave the others waiting in a collective: at -np 2, 3 and 4, one
# rank runs out of memory at many points of a join + aggregate + sort + write, reads a damaged HDF5
# row group, is killed, or the disk fills, or the job gets SIGTERM. Each time: a non-zero exit within
# a bound, one "riffle: error" (from rank 0), the destination all old or all new, no staging left.
# A run that succeeds (the failure came after the last allocation) must give the right answer;
# expected answers come from sqlite3.
. "$(dirname "$0")/lib.sh"
R="$B/src/riffle"
EVIL="$B/tests/mpi/h5evil"
FNPS=${RF_FAIL_NPS:-2 3 4}
cd "$WORK"
msgs() { grep -c "riffle: error" "$WORK/err"; }
staging() { ls -a "$WORK" "$WORK"/full 2>/dev/null | grep -c 'riffle-staging\|riffle-old'; }
csv_rows() { for f in "$1"/part-*.csv; do tail -n +2 "$f"; done | sort; }

awk 'BEGIN { srand(7); print "id,k,v,s"; for (i = 1; i <= 60000; i++) printf "%d,%d,%d,w%d\n", i, i % 97, i % 13, int(rand() * 1000) }' > e.csv
awk 'BEGIN { print "k,cat"; for (k = 0; k < 90; k++) printf "%d,c%d\n", k, k % 7 }' > p.csv
VIEWS="CREATE TEMPORARY VIEW e USING csv OPTIONS (path '$WORK/e.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW p USING csv OPTIONS (path '$WORK/p.csv', header 'true', inferSchema 'true');"
echo "$VIEWS
INSERT OVERWRITE DIRECTORY '$WORK/dest' USING csv
SELECT p.cat, e.v, count(*) AS n, sum(e.id) AS t, max(e.s) AS m FROM e JOIN p ON e.k = p.k GROUP BY p.cat, e.v ORDER BY n DESC, p.cat, e.v;" > j.sql
sqlite3 :memory: > want <<SQL
CREATE TABLE e(id INTEGER, k INTEGER, v INTEGER, s TEXT);
CREATE TABLE p(k INTEGER, cat TEXT);
.mode csv
.import --skip 1 $WORK/e.csv e
.import --skip 1 $WORK/p.csv p
SELECT p.cat, e.v, count(*), sum(e.id), max(e.s) FROM e JOIN p ON e.k = p.k GROUP BY p.cat, e.v;
SQL
sort -o want want
[ "$(wc -l < want)" -eq 91 ] && ok || bad "reference: $(wc -l < want) groups"
CONF="--conf riffle.files.maxPartitionBytes=64k --conf riffle.shuffle.partitions=8"

# ---- one rank runs out of memory at the N-th allocation, for N across the whole job
for np in $FNPS; do
  failures=0
  for rank_n in "$((np - 1)):20" "$((np - 1)):150" "$((np - 1)):700" "$((np - 1)):1500" "$((np - 1)):3000" \
                "$((np - 1)):5000" "$((np - 1)):8000" "0:400" "0:2500" "1:1000"; do
    rm -rf dest
    t0=$(date +%s)
    run "$np" -x RIFFLE_TEST_ALLOC_FAIL="$rank_n" "$R" run j.sql $CONF; code=$?
    dt=$(( $(date +%s) - t0 ))
    if [ "$code" -eq 0 ]; then
      csv_rows dest > got; same want got "a run that got past allocation failure $rank_n at -np $np"
    else
      failures=$((failures + 1))
      [ "$dt" -lt 60 ] && [ "$(msgs)" = 1 ] && grep -q "out of memory" err && [ ! -e dest ] && [ "$(staging)" = 0 ] \
        && ! grep -q "Segmentation\|signal 6\|signal 11\|core dumped" err && ok \
        || bad "allocation failure $rank_n at -np $np: exit $code after ${dt}s, $(msgs) messages, dest $([ -e dest ] && echo left), staging $(staging): $(grep -m2 'riffle: error\|signal' err)"
    fi
  done
  [ "$failures" -ge 5 ] && ok || bad "only $failures of the injected allocation failures failed at -np $np: the injection does not reach the job"
done

# ---- one damaged HDF5 row group, read by one rank
run 1 "$R" sql "$VIEWS INSERT OVERWRITE DIRECTORY '$WORK/h' USING hdf5 SELECT id AS k, s AS v FROM e" --conf riffle.hdf5.rowGroupRows=4000 || bad "hdf5 write: $(head -2 err)"
mkdir -p bad && "$EVIL" lastrow h/part-00000.h5 bad/part-00000.h5 || bad "h5evil lastrow"
for np in $FNPS; do
  t0=$(date +%s)
  run "$np" "$R" sql "CREATE TEMPORARY VIEW b USING hdf5 OPTIONS (path '$WORK/bad'); SELECT count(*), sum(k) FROM b" --conf riffle.files.maxPartitionBytes=32k; code=$?
  dt=$(( $(date +%s) - t0 ))
  [ "$code" -ne 0 ] && [ "$dt" -lt 60 ] && [ "$(msgs)" = 1 ] && grep -q "part-00000.h5" err && grep -qi "checksum" err && ok \
    || bad "a damaged row group at -np $np: exit $code after ${dt}s, $(msgs) messages: $(grep -m2 'riffle: error' err)"
done
run 2 "$R" sql "CREATE TEMPORARY VIEW b USING hdf5 OPTIONS (path '$WORK/h'); SELECT count(*), sum(k) FROM b" --format csv
[ "$(tail -1 out)" = "60000,1800030000" ] && ok || bad "the undamaged table: $(tail -1 out) $(head -2 err)"

# ---- a long job (1,200 scans in one stage) for kills and signals
U=$(awk 'BEGIN { for (i = 0; i < 1200; i++) printf "%sSELECT * FROM e", (i ? " UNION ALL " : "") }')
echo "$VIEWS INSERT OVERWRITE DIRECTORY '$WORK/dst' USING csv SELECT s, count(*) AS n, sum(id) AS t FROM ($U) GROUP BY s;" > long.sql
echo "$VIEWS INSERT OVERWRITE DIRECTORY '$WORK/dst' USING csv SELECT s, count(*) AS n, sum(id) AS t FROM e GROUP BY s;" > short.sql
awk -F, 'NR > 1 { n[$4]++; t[$4] += $1 } END { for (s in n) printf "%s,%d,%d\n", s, n[s], t[s] }' e.csv | sort > want_short
awk -F, 'NR > 1 { n[$4]++; t[$4] += $1 } END { for (s in n) printf "%s,%d,%d\n", s, 1200 * n[s], 1200 * t[s] }' e.csv | sort > want_long
old_or_new() {   # the destination is the short job's output or the long job's, whole
  [ -f dst/_SUCCESS ] || return 1
  csv_rows dst > got
  cmp -s got want_short || cmp -s got want_long
}

# kill -9 of one rank mid-job: mpirun ends the job; the destination keeps the old output
for np in $FNPS; do
  run "$np" "$R" run short.sql || bad "short job at -np $np: $(head -2 err)"
  t0=$(date +%s)
  timeout 120 mpirun -np "$np" --oversubscribe --bind-to none "$R" run long.sql > out 2> err & pid=$!
  sleep 1.5
  pkill -9 -n -f "$R run long.sql"
  wait $pid; code=$?
  dt=$(( $(date +%s) - t0 ))
  [ "$code" -ne 0 ] && [ "$code" -ne 124 ] && [ "$dt" -lt 60 ] && old_or_new && ok \
    || bad "kill -9 of one rank at -np $np: exit $code after ${dt}s, destination $(csv_rows dst | wc -l) rows"
done
run 2 "$R" run short.sql && [ "$(staging)" = 0 ] && ok || bad "after the kills: exit $?, staging $(staging) left"

# SIGTERM to mpirun (as Slurm sends at the time limit): every rank stops, never half a destination
for np in $FNPS; do
  for delay in 0.5 2; do
    timeout 120 mpirun -np "$np" --oversubscribe --bind-to none "$R" run long.sql > out 2> err & pid=$!
    sleep "$delay"
    kill -TERM $pid
    t0=$(date +%s)
    wait $pid; code=$?
    dt=$(( $(date +%s) - t0 ))
    for _ in $(seq 1 100); do pgrep -f "$R run long.sql" > /dev/null || break; sleep 0.1; done
    if [ "$(staging)" != 0 ] && ! grep -q "riffle: error" err; then
      # Open MPI's mpirun now and then exits at once on SIGTERM without passing it on (exit 1, no
      # output): its ranks never see the signal and die with their daemon, before they can clean up.
      # What riffle still guarantees: the destination is whole (old or new), and the next job removes
      # the staging a killed job left (as after kill -9 above).
      old_or_new && run "$np" "$R" run short.sql && [ "$(staging)" = 0 ] && ok \
        || bad "SIGTERM to mpirun at ${delay}s, -np $np: the launcher exited without passing it on, and the next run left staging $(staging)"
      continue
    fi
    { [ "$code" -ne 0 ] && [ "$code" -ne 124 ] || csv_rows dst | cmp -s - want_long; } && [ "$dt" -lt 30 ] && old_or_new && [ "$(staging)" = 0 ] \
      && ! grep -q "Segmentation\|core dumped" err && ok \
      || bad "SIGTERM to mpirun at ${delay}s, -np $np: exit $code, stopped after ${dt}s, staging $(staging), $(grep -m1 'riffle: error' err)"
  done
done
# at one rank without mpirun: exit 128 + 15 and a message
timeout 120 "$R" run long.sql > out 2> err & pid=$!
sleep 1
kill -TERM $pid
wait $pid; code=$?
[ "$code" -eq 143 ] && grep -q "stopped by SIGTERM" err && [ "$(msgs)" = 1 ] && old_or_new && [ "$(staging)" = 0 ] && ok \
  || bad "SIGTERM at one rank: exit $code, $(cat err | head -3)"

# ---- the disk fills during a write (a 1 MB tmpfs; skipped where mounting is not permitted)
mkdir -p full
if mount -t tmpfs -o size=1m tmpfs full 2>/dev/null; then
  trap 'umount "$WORK/full" 2>/dev/null; rm -rf "$WORK"' EXIT
  run 2 "$R" sql "$VIEWS INSERT OVERWRITE DIRECTORY '$WORK/full/o' USING csv SELECT k, count(*) AS n FROM e GROUP BY k" || bad "a small write: $(head -2 err)"
  csv_rows full/o > small
  for np in 1 $FNPS; do
    for fmt in csv hdf5; do
      run "$np" "$R" sql "$VIEWS INSERT OVERWRITE DIRECTORY '$WORK/full/o' USING $fmt SELECT *, concat(s, s, s, s, s, s, s, s) AS big FROM e"; code=$?
      [ "$code" -eq 1 ] && [ "$(msgs)" = 1 ] && grep -qi "no space left on device" err && [ "$(staging)" = 0 ] \
        && [ -f full/o/_SUCCESS ] && [ "$(wc -l < small)" = 97 ] && csv_rows full/o | cmp -s - small && ok \
        || bad "a full disk, $fmt at -np $np: exit $code, $(grep -m1 'riffle: error' err), left: $(ls -a full full/o | tr '\n' ' ')"
    done
  done
  umount full
else
  echo "failures.sh: mounting a tmpfs is not permitted here; full-disk checks skipped"
fi
finish
