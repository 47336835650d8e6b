#!/bin/bash
# run.sh N AXIW FLOW OUTDIR [TIMEOUT_S] - one Yosys run, timed, niced; fails on latches.
# Environment: LUTMUL=<k> sets dlp_top LutMulRows (tag gets _l<k>), NICE (default 10).
set -u
n=$1; w=$2; flow=$3; out=$4; to=${5:-2400}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
lm=${LUTMUL:-0}
tag=n${n}_b${w}_${flow}
[ "$lm" != 0 ] && tag=n${n}_b${w}_l${lm}_${flow}
log=$out/$tag.log
t0=$(date +%s)
LUTMUL=$lm SYNTH_DIR=$here RTL=${RTL:-$here/../../rtl} N=$n AXIW=$w FLOW=$flow OUT=$out/$tag \
  timeout "$to" nice -n "${NICE:-10}" /usr/bin/time -v -o "$out/$tag.time" yosys -q -l "$log" -c "$here/synth.tcl" > /dev/null 2>&1
rc=$?
t1=$(date +%s)
echo "$tag rc=$rc seconds=$((t1 - t0))" > "$out/$tag.result"
if grep -q 'Latch inferred' "$log" || grep -qiE '^ +[$]_?dlatch' "$out/$tag.stat.txt" 2>/dev/null; then
  echo "$tag: LATCH inferred (see $log)" | tee -a "$out/$tag.result"; exit 1
fi
[ $rc -eq 0 ] || { echo "$tag: failed rc=$rc (124 = timeout), see $log"; exit $rc; }
cat "$out/$tag.result"
