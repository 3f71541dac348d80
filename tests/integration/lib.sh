# lib.sh — shared helpers for the integration tests (sourced). Each test counts checks and ends
# with "N passed, M failed"; the exit status is non-zero when anything failed.
set -u
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export LC_ALL=C
B=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
S=${top_srcdir:-$B}
NPS=${RF_NPS:-1 2 3 4}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rf-it.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
passed=0; failed=0
ok()   { passed=$((passed + 1)); }
bad()  { failed=$((failed + 1)); echo "FAIL: $*"; }
# run NP CMD...: runs CMD under mpirun with NP ranks; stdout/stderr to $WORK/out, $WORK/err
run() { local np=$1; shift; timeout 300 mpirun -np "$np" --oversubscribe --bind-to none "$@" >"$WORK/out" 2>"$WORK/err"; }
# same FILE_A FILE_B WHAT: compares, shows a diff on failure
same() { if cmp -s "$1" "$2"; then ok; else bad "$3"; diff "$1" "$2" | head -20; fi; }
# parts DIR: the data rows of every part file of a CSV output directory, in part order, header dropped
parts() { for f in "$1"/part-*; do tail -n +2 "$f"; done; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
# funnel_reference DIR: the category funnel over DIR/events.csv and DIR/products.csv, by sqlite3
funnel_reference() {
  sqlite3 :memory: <<SQL
CREATE TABLE events(user_id INTEGER, product_id INTEGER, event_type TEXT, ts TEXT, date TEXT);
CREATE TABLE products(product_id INTEGER, category TEXT, price REAL);
.mode csv
.import --skip 1 $1/events.csv events
.import --skip 1 $1/products.csv products
UPDATE events SET product_id = NULL WHERE product_id = '';
.mode list
.separator ,
SELECT p.category, COUNT(*) AS c FROM events e JOIN products p ON e.product_id = p.product_id
WHERE e.event_type = 'add_to_cart' AND e.date >= date((SELECT MAX(date) FROM events), '-30 days')
GROUP BY p.category ORDER BY c DESC, p.category ASC;
SQL
}
# The stage-checkpoint tests' job (checkpoint.sh, slurm.sh): window_job DIR OUT writes DIR/c.csv (1M
# seeded rows k,v,s) and DIR/job.sql, 8 stages (five window partitionings, then a grouping) writing
# OUT; WINDOW_SELECT is its query over view a. window_want SELECT: its rows by sqlite3 over DIR/c.csv.
WINDOW_SELECT="SELECT g, count(*) AS n, sum(w1) AS t1, sum(w2) AS t2, sum(w3) AS t3, sum(w4) AS t4, sum(w5) AS t5
FROM (SELECT k % 97 AS g, sum(v) OVER (PARTITION BY k % 1000) AS w1, max(v) OVER (PARTITION BY k % 1001) AS w2,
             min(k) OVER (PARTITION BY s) AS w3, count(*) OVER (PARTITION BY v) AS w4, sum(k) OVER (PARTITION BY k % 977) AS w5
      FROM a) t
GROUP BY g ORDER BY g"
window_job() {
  awk 'BEGIN { srand(5); print "k,v,s"; for (i = 0; i < 1000000; i++) printf "%d,%d,w%d\n", int(rand() * 200000), int(rand() * 1000), i % 1000 }' > "$1/c.csv"
  printf "CREATE TEMPORARY VIEW a (k INT, v INT, s STRING) USING csv OPTIONS (path '%s', header 'true');\nINSERT OVERWRITE DIRECTORY '%s' USING csv OPTIONS (header 'true')\n%s;\n" \
    "$1/c.csv" "$2" "$WINDOW_SELECT" > "$1/job.sql"
}
window_want() {
  printf '.mode csv\nCREATE TABLE a(k INTEGER, v INTEGER, s TEXT);\n.import --skip 1 %s a\n%s;\n' "$WORK/c.csv" "$1" | sqlite3 :memory: | tr -d '\r'
}
