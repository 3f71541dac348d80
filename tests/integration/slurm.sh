#!/usr/bin/env bash
# Submits slurm/riffle.sbatch with sbatch to a real single-node Slurm (munged, slurmctld, slurmd
# started here, inside this test's own folder, on private ports) running the category funnel SQL
# job at 4 ranks, waits for it, and checks its output against sqlite3; then runs a streaming job
# through slurm/riffle-stream.sbatch across a wall-time warning and requeue, and a batch job through
# slurm/riffle-requeue.sbatch across three (stage checkpoints). Stops the daemons after.
. "$(dirname "$0")/lib.sh"
for cmd in munged slurmctld slurmd sbatch; do
  command -v $cmd >/dev/null || { echo "SKIP: $cmd not installed (scripts/install-deps installs slurm-wlm and munge)"; bad "slurm not installed"; finish; exit; }
done
D=$WORK/slurm
mkdir -p "$D/munge" "$D/state" "$D/spool" "$D/log"
chmod 0755 "$D/munge"
stop() {
  for p in slurmd slurmctld munged; do [ -f "$D/$p.pid" ] && kill "$(cat "$D/$p.pid")" 2>/dev/null; done
  sleep 0.5
  rm -rf "$WORK"
}
trap stop EXIT
dd if=/dev/urandom of="$D/munge.key" bs=1024 count=1 2>/dev/null
chmod 600 "$D/munge.key"
munged --force --key-file="$D/munge.key" --socket="$D/munge/munge.socket.2" --pid-file="$D/munged.pid" \
  --log-file="$D/log/munged.log" --seed-file="$D/munge.seed" || { bad "munged did not start"; finish; exit; }
port=$((20000 + ($$ % 20000)))
cat > "$D/slurm.conf" <<CONF
ClusterName=riffletest
SlurmctldHost=localhost
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$D/munge/munge.socket.2,cred_expire=5
CredType=cred/munge
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=localhost CPUs=4 RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$D/slurm.conf
slurmctld -f "$SLURM_CONF" && slurmd -f "$SLURM_CONF" || { bad "slurm daemons did not start"; cat "$D"/log/*.log | tail -20; finish; exit; }
for i in $(seq 1 30); do sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo -h -o %t | grep -q idle && ok || { bad "the node never became idle"; tail -20 "$D"/log/*.log; }

"$B/scripts/gen-clickstream" --events 20000 --products 300 --seed 12 "$WORK/data" >/dev/null
cd "$WORK"
RIFFLE="$B/src/riffle" timeout 300 sbatch --wait -n 4 --ntasks-per-node=4 -c 1 --mem=2000 -o "$WORK/job-%j.out" "$S/slurm/riffle.sbatch" \
  "$S/jobs/category_funnel.sql" --var events="$WORK/data/events.csv" --var products="$WORK/data/products.csv" \
  --var out="$WORK/out" --format csv --conf riffle.progress=true --event-log "$WORK/slurm-ev.json" > "$WORK/sbatch.out" 2>&1 && ok || { bad "sbatch failed: $(cat "$WORK/sbatch.out")"; cat "$WORK"/job-*.out; }
grep -q '4 rank(s)' "$WORK"/job-*.out && ok || bad "the job did not run at 4 ranks"
# the event log names the Slurm job, its node and limits; the report page carries them
slurm_id=$(ls "$WORK"/job-*.out | head -1 | sed 's/.*job-\([0-9]*\)\.out/\1/')
grep -q "\"slurm\":{\"jobId\":\"$slurm_id\".*\"nodeList\":\"localhost\".*\"tasks\":\"4\".*\"timeLimit\":\"[^\"]*\"" "$WORK/slurm-ev.json" && ok \
  || bad "the event log lacks the Slurm job $slurm_id: $(head -1 "$WORK/slurm-ev.json")"
"$B/src/riffle" report "$WORK/slurm-ev.json" -o "$WORK/slurm.html" 2> /dev/null && grep -q "\"jobId\":\"$slurm_id\"" "$WORK/slurm.html" && ok || bad "the report of a Slurm job"
# the budget each rank took from the allocation: 9/10 of --mem=2000 (MB) over the 4 ranks on the node
grep -q 'memory budget 450 MB per rank (9/10 of SLURM_MEM_PER_NODE=2000 over 4 rank(s) on the node)' "$WORK"/job-*.out && ok || bad "budget from --mem: $(grep 'memory budget' "$WORK"/job-*.out)"
funnel_reference "$WORK/data" > "$WORK/want"
parts "$WORK/out" > "$WORK/got"
same "$WORK/want" "$WORK/got" "funnel output written by the Slurm job"
# the printed result: the same counts (ties may print in either order)
grep -v '^riffle:\|^category,' "$WORK"/job-*.out | sort > "$WORK/printed"
head -20 "$WORK/want" | sort > "$WORK/want20"
cut -d, -f2 "$WORK/printed" | sort -n > "$WORK/pc"; cut -d, -f2 "$WORK/want20" | sort -n > "$WORK/wc"
same "$WORK/wc" "$WORK/pc" "funnel result printed by the Slurm job"

# ---- slurm/riffle-stream.sbatch: a streaming word count (default trigger) is sent Slurm's
# wall-time warning (what --signal=B:USR1@120 sends: SIGUSR1 to the batch script), stops cleanly,
# is requeued, resumes from its checkpoint with the file that landed meanwhile; scancel ends it.
# The counts equal awk's over every file, each counted once.
mkdir -p "$WORK/land"
for i in 1 2 3; do "$B/scripts/gen-text" --seed "$((i + 20))" 5000 "$WORK/t$i"; done
landt() { cp "$WORK/t$1" "$WORK/land/.t$1"; mv "$WORK/land/.t$1" "$WORK/land/t$1.txt"; }
waitfor() { for _ in $(seq 1 600); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }
restarts() { scontrol show job "$1" 2>/dev/null | grep -o 'Restarts=[0-9]*' | cut -d= -f2; }
landt 1
jid=$(RIFFLE="$B/src/riffle" sbatch --parsable -n 2 --ntasks-per-node=2 -c 1 --mem=1000 -o "$WORK/stream-%j.out" "$S/slurm/riffle-stream.sbatch" \
  "$S/jobs/streaming_wordcount.sql" --var landing="$WORK/land" --var out="$WORK/sout" --var checkpoint="$WORK/sck" --var trigger=default)
[ -n "$jid" ] && ok || bad "sbatch riffle-stream.sbatch gave no job id"
waitfor "$WORK/sck/commits/0" && ok || { bad "the streaming job committed no batch"; cat "$WORK"/stream-*.out; }
landt 2
waitfor "$WORK/sck/commits/1" && ok || bad "the streaming job did not take the second file"
for round in 1; do   # (a second round works too, but Slurm holds a requeued job longer each time)
  scancel --batch --signal=USR1 "$jid"   # Slurm's warning
  for _ in $(seq 1 300); do [ "$(restarts "$jid")" = "$round" ] && break; sleep 0.2; done
  [ "$(restarts "$jid")" = "$round" ] && ok || { bad "warning $round: the job was not requeued ($(scontrol show job "$jid" | grep -o 'JobState=[A-Z_]*'))"; cat "$WORK"/stream-*.out; break; }
  landt $((round + 2))
  waitfor "$WORK/sck/commits/$((round + 1))" && ok || { bad "after requeue $round the job took no new file"; cat "$WORK"/stream-*.out; }
done
scancel "$jid"
for _ in $(seq 1 100); do squeue -h -j "$jid" 2>/dev/null | grep -q . || break; sleep 0.2; done
grep -c 'requeueing job' "$WORK"/stream-*.out | grep -qx 1 && grep -c 'riffle-stream: job .* run [12],' "$WORK"/stream-*.out | grep -qx 2 && ok \
  || { bad "the log does not show two runs and a requeue"; cat "$WORK"/stream-*.out; }
cat "$WORK"/land/t*.txt | awk '{ for (i = 1; i <= NF; i++) c[$i]++ } END { for (w in c) print w "," c[w] }' | sort > "$WORK/want_wc"
parts "$WORK/sout" | sort > "$WORK/got_wc"
same "$WORK/want_wc" "$WORK/got_wc" "the word count across two requeues"

# ---- slurm/riffle-requeue.sbatch: a batch SQL job of 8 stages gets Slurm's wall-time warning
# (scancel --batch --signal=USR1, what --signal=B:USR1@N sends) just after a stage ends, three runs
# in a row; each run finishes its stage, checkpoints it and requeues itself, and the next run
# resumes. The output equals sqlite3's; no stage ran more than once more than the requeues allow.
window_job "$WORK" "$WORK/rqout"
window_want "$WINDOW_SELECT" > "$WORK/rqwant"
jid=$(RIFFLE="$B/src/riffle" RIFFLE_CHECKPOINT_DIR="$WORK/rqck" RIFFLE_EVENT_LOG="$WORK/rqev.json" sbatch --parsable -n 2 --ntasks-per-node=2 -c 1 --mem=1000 -o "$WORK/rq-%j.out" \
  "$S/slurm/riffle-requeue.sbatch" "$WORK/job.sql" --conf riffle.progress=true)
[ -n "$jid" ] && ok || bad "sbatch riffle-requeue.sbatch gave no job id"
rqlog() { cat "$WORK"/rq-*.out 2> /dev/null; }
stages_this_run() { rqlog | awk '/^riffle-requeue: job .* run /{ n = 0 } /^riffle: stage [0-9]+\/[0-9]+ done/{ n++ } END { print n + 0 }'; }
for round in 1 2 3; do
  for _ in $(seq 1 1500); do
    [ "$(rqlog | grep -c '^riffle-requeue: job .* run [0-9]*,')" -ge "$round" ] && [ "$(stages_this_run)" -ge 1 ] && break
    squeue -h -j "$jid" 2> /dev/null | grep -q . || break; sleep 0.02
  done
  scancel --batch --signal=USR1 "$jid"
  for _ in $(seq 1 600); do [ "$(restarts "$jid")" = "$round" ] && break; sleep 0.2; done
  [ "$(restarts "$jid")" = "$round" ] && ok || { bad "warning $round: the job was not requeued ($(scontrol show job "$jid" | grep -o 'JobState=[A-Z_]*'))"; rqlog | tail -20; break; }
done
for _ in $(seq 1 1500); do squeue -h -j "$jid" 2> /dev/null | grep -q . || break; sleep 0.2; done
rqlog > "$WORK/rq.log"
[ "$(grep -c '^riffle-requeue: stopped between stages (exit 75); requeueing' "$WORK/rq.log")" = 3 ] && ok || { bad "not three requeues"; cat "$WORK/rq.log"; }
[ "$(grep -c '^riffle: checkpoint: job 1: resuming from' "$WORK/rq.log")" = 3 ] && grep -q '^riffle-requeue: finished (exit 0)' "$WORK/rq.log" && ok \
  || { bad "the runs did not resume and finish"; cat "$WORK/rq.log"; }
total=$(grep -o 'stage [0-9]*/[0-9]* done' "$WORK/rq.log" | head -1 | sed 's|stage [0-9]*/\([0-9]*\) done|\1|')
runs=$(grep -c '^riffle: stage [0-9]*/[0-9]* done' "$WORK/rq.log")
[ -n "$total" ] && [ "$runs" -le $((total + 3)) ] && ok || bad "$runs stage runs for $total stages over 3 requeues"
parts "$WORK/rqout" > "$WORK/rqgot" 2> /dev/null
same "$WORK/rqwant" "$WORK/rqgot" "the batch job's result across three requeues"
[ -z "$(find "$WORK/rqck" -type f 2> /dev/null)" ] && ok || bad "checkpoint files left after the job finished"
# each run's own event log; the runs after the first say what they read back
[ -f "$WORK/rqev-run1.json" ] && [ -f "$WORK/rqev-run4.json" ] && ! grep -q CheckpointRestored "$WORK/rqev-run1.json" \
  && grep -q '"event":"CheckpointRestored"' "$WORK/rqev-run4.json" && grep -q '"restartCount":"3"' "$WORK/rqev-run4.json" && ok \
  || bad "the runs' event logs: $(ls "$WORK"/rqev-* 2> /dev/null)"
finish
