#!/usr/bin/env bash
# Watching a job: live progress inside a long stage on rank 0's stderr (lines in a log, a redrawn bar
# on a terminal, through riffle submit too), quiet for short jobs and with riffle.progress=false; the
# result against a hand count. Then `riffle report` on the event log: the page's parts, checked in a
# real browser (headless chromium) when one is installed.
. "$(dirname "$0")/lib.sh"
R="$B/src/riffle"
N=40000000
Q="SELECT count(DISTINCT id % 1000003) AS d, sum(id) AS s FROM range(0, $N, 1, 8)"
want="$(awk -v n=$N 'BEGIN { printf "%d,%.0f\n", (n < 1000003 ? n : 1000003), n * (n - 1) / 2 }')"
for np in $NPS; do
  if run "$np" "$R" sql --format csv --conf riffle.progress.interval=1 "$Q"; then
    [ "$(tail -n +2 "$WORK/out")" = "$want" ] && ok || bad "np=$np: the long query's result $(cat "$WORK/out") (want $want)"
    # a log (stderr is a pipe): a line each interval inside the 2-3 s first stage, then the stage lines
    grep -Eq "^riffle: stage 1/3 running: [0-9]+/16 tasks done, [0-9]+ rows in, [0-9]+ rows out, [0-9.]+ MB to shuffle, [0-9.]+ s elapsed" "$WORK/err" \
      && ok || bad "np=$np: no progress line inside stage 1: $(head -5 "$WORK/err")"
    grep -q "^riffle: stage 1/3 done: 16 task(s)" "$WORK/err" && grep -q "^riffle: job .* done in" "$WORK/err" && ok || bad "np=$np: no stage / job lines after progress: $(cat "$WORK/err")"
    ! grep -q $'\r' "$WORK/err" && ok || bad "np=$np: a log got terminal redraws"
  else bad "np=$np: the long query failed: $(head -3 "$WORK/err")"; fi
done
# short jobs stay quiet in a log; progress=false is silent even for a long one
run 2 "$R" sql "SELECT 1 AS x"
[ ! -s "$WORK/err" ] && ok || bad "a short job printed progress: $(cat "$WORK/err")"
run 2 "$R" sql --conf riffle.progress=false --conf riffle.progress.interval=1 "$Q"
[ ! -s "$WORK/err" ] && ok || bad "progress=false printed: $(cat "$WORK/err")"
# a terminal behind riffle submit: rank 0's stderr is mpirun's pipe, yet it redraws one line
if command -v script > /dev/null; then
  ( unset SLURM_JOB_ID; script -qec "$R submit -n 2 -c 1 $R sql --conf riffle.progress.interval=1 '$Q'" /dev/null ) > "$WORK/tty" 2>&1 < /dev/null
  grep -q $'\r\033\\[Kriffle: stage 1/3 \\[[#.]*\\] [0-9]*/16 tasks' "$WORK/tty" && ok || bad "no redrawn bar on a terminal: $(head -c 600 "$WORK/tty" | od -c | head)"
  grep -q "799999980000000" "$WORK/tty" && ok || bad "the terminal run's result: $(tail -5 "$WORK/tty")"
fi

# ---- riffle report: a session of three jobs (a join and an aggregation, a sort, one that fails)
awk 'BEGIN { srand(7); print "k,v"; for (i = 0; i < 20000; i++) printf "%d,%d\n", i % 97, int(rand() * 1000) }' > "$WORK/a.csv"
awk 'BEGIN { print "k,name"; for (i = 0; i < 97; i++) printf "%d,n%d\n", i, i }' > "$WORK/b.csv"
printf 'k,v\n1,2\n3,x\n' > "$WORK/badint.csv"
cat > "$WORK/job.sql" <<SQL
SET riffle.shuffle.partitions = 7;
CREATE TEMPORARY VIEW a (k INT, v INT) USING csv OPTIONS (path '$WORK/a.csv', header 'true');
CREATE TEMPORARY VIEW b USING csv OPTIONS (path '$WORK/b.csv', header 'true', inferSchema 'true');
SELECT b.name, count(*) AS c, sum(a.v) AS s FROM a JOIN b ON a.k = b.k GROUP BY b.name ORDER BY c DESC, b.name LIMIT 5;
SELECT k, v FROM a ORDER BY v DESC, k LIMIT 3;
CREATE TEMPORARY VIEW bad (k INT, v INT) USING csv OPTIONS (path '$WORK/badint.csv', header 'true', mode 'FAILFAST');
SELECT sum(v) FROM bad;
SQL
run 3 "$R" run "$WORK/job.sql" --event-log "$WORK/ev.json"
[ -f "$WORK/ev.json" ] && ok || bad "no event log: $(cat "$WORK/err")"
stages=$(grep -c '"event":"StageCompleted"' "$WORK/ev.json")
if "$R" report "$WORK/ev.json" -o "$WORK/page.html" 2> "$WORK/rerr"; then ok; else bad "riffle report failed: $(cat "$WORK/rerr")"; fi
grep -q "3 event\|event(s) from" "$WORK/rerr" && ok || bad "report's message: $(cat "$WORK/rerr")"
# self-contained: no stylesheet, script or image fetched from anywhere
! grep -Eiq '<(link|img|iframe)[^>]*(href|src)=|<script[^>]+src=|@import|url\(' "$WORK/page.html" && ok || bad "the page fetches something"
# in a real browser (Debian's chromium, headless): it draws itself, every part is there
if [ "${RIFFLE_NO_BROWSER:-0}" = 1 ]; then echo "browser check skipped (RIFFLE_NO_BROWSER=1)"
elif ! command -v chromium > /dev/null; then bad "chromium is not installed (scripts/install-deps --tests installs it; RIFFLE_NO_BROWSER=1 skips)"
else
  CH=(chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$WORK/chrome")
  timeout 120 "${CH[@]}" --dump-dom "file://$WORK/page.html" > "$WORK/dom.html" 2> "$WORK/chrome.err"
  grep -q 'data-rendered="true"' "$WORK/dom.html" && ok || bad "the page did not draw itself in chromium: $(tail -3 "$WORK/chrome.err")"
  for part in 'id="session"' 'id="slurm"' 'id="timeline-svg"' 'class="stages"' 'class="ranks"' 'class="shuffle-matrix"' 'class="adaptive' 'class="plan"' 'class="conf"'; do
    grep -q "$part" "$WORK/dom.html" && ok || bad "the drawn page lacks $part"
  done
  # what it shows agrees with the log: a row per stage, a row per rank, the failed job's error, the key set
  [ "$(grep -o '<td class="l">stage [0-9]* of [0-9]*</td>' "$WORK/dom.html" | wc -l)" -eq "$stages" ] && ok || bad "stage rows differ from the log's $stages stages"
  grep -q '<td class="l">rank 2</td>' "$WORK/dom.html" && ! grep -q '<td class="l">rank 3</td>' "$WORK/dom.html" && ok || bad "not a row for each of 3 ranks"
  grep -q 'class="bad">error (rank [0-9]*): .*badint.csv' "$WORK/dom.html" && ok || bad "the failed job's error is not shown"
  grep -Eq "<td class=\"l\">riffle.shuffle.partitions</td><td[^>]*>7</td>" "$WORK/dom.html" && ok || bad "the configuration is not shown"
  [ "$(grep -o 'class="job"' "$WORK/dom.html" | wc -l)" -eq 3 ] && ok || bad "not three jobs"
  # a streaming query's batches: a row each, its input rows as wc counts them
  mkdir -p "$WORK/land"
  for i in 1 2 3; do "$B/scripts/gen-text" --seed "$i" 2000 "$WORK/land/t$i.txt"; done
  lines=$(cat "$WORK"/land/*.txt | wc -l | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')   # as the page writes it: 12,345
  run 2 "$R" run "$S/jobs/streaming_wordcount.sql" --var landing="$WORK/land" --var out="$WORK/sout" --var checkpoint="$WORK/sck" \
    --var trigger=availableNow --event-log "$WORK/sev.json"
  "$R" report "$WORK/sev.json" -o "$WORK/spage.html" 2> /dev/null
  timeout 120 "${CH[@]}" --dump-dom "file://$WORK/spage.html" > "$WORK/sdom.html" 2> /dev/null
  grep -Eq "<table class=\"streaming\">.*<td class=\"l\">0</td>(<td[^>]*>[^<]*</td>){3}<td[^>]*>$lines</td>" "$WORK/sdom.html" && ok \
    || bad "the streaming batch is not shown with its $lines rows: $(grep -o '<table class="streaming">.\{0,400\}' "$WORK/sdom.html")"
  timeout 120 "${CH[@]}" --window-size=1280,1800 --screenshot="$WORK/page.png" "file://$WORK/page.html" > /dev/null 2>&1
  [ "$(head -c 8 "$WORK/page.png" | od -An -tx1 | tr -d ' ')" = "89504e470d0a1a0a" ] && [ "$(stat -c %s "$WORK/page.png")" -gt 20000 ] && ok || bad "no screenshot"
fi
# a bad log: the line and column named, nothing written; a live log's cut-short last line is left out
{ head -2 "$WORK/ev.json"; echo '{"event":"StageCompleted","job":1,"rows":12x}'; } > "$WORK/broken.json"
"$R" report "$WORK/broken.json" -o "$WORK/broken.html" 2> "$WORK/rerr"; rc=$?
[ "$rc" -ne 0 ] && grep -q "broken.json:3:44: " "$WORK/rerr" && [ ! -e "$WORK/broken.html" ] && ! ls "$WORK"/broken.html.tmp* > /dev/null 2>&1 && ok || bad "a bad log: rc=$rc $(cat "$WORK/rerr")"
{ head -3 "$WORK/ev.json"; printf '{"event":"StageCompl'; } > "$WORK/live.json.inprogress"
"$R" report "$WORK/live.json.inprogress" -o "$WORK/live.html" 2> "$WORK/rerr" && grep -q "incomplete" "$WORK/rerr" && [ -s "$WORK/live.html" ] && ok || bad "a live log: $(cat "$WORK/rerr")"
"$R" report /nonexistent/log.json 2> "$WORK/rerr"; [ $? -ne 0 ] && grep -q "/nonexistent/log.json: cannot open" "$WORK/rerr" && ok || bad "a missing log: $(cat "$WORK/rerr")"
finish
