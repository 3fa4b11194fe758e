#!/bin/bash
# Issue 13's constant-rate PCD study, one heavy process at a time, niced, one thread each: trains the recipe
# (784-500, SGD lr 0.05, batch 64, 30 epochs) with generator seeds 0, 1, 2, ... on both sides (ours:
# rbm-train-save.mjs; PyTorch: rbm_learn.py pcd --seed S --save, converted to raw float32), and scores every RBM
# with ONE estimator, rbm-ais-score.mjs (our AIS, data base rate, 100 runs x 14,501 temperatures, AIS seed 0);
# after seed 1 it repeats AIS with seed 1 on our seed-0 RBM (the estimator's own noise). Appends JSON lines to
# $OUT/ais.jsonl (an RBM already scored there with the same m and AIS seed is skipped, so the queue restarts where
# it stopped); rbm_pcd_stats.py summarises them. Stops before the next seed when $OUT/STOP exists.
# usage: tools/bench/study/rbm-pcd-queue.sh <mnist-binarised.u8> <out dir> [first seed = 0] [last seed = 24]
set -u
while [ -n "${WAIT_PID:-}" ] && kill -0 "$WAIT_PID" 2>/dev/null; do sleep 5; done  # an estimate still running
D=$1 OUT=$2 FIRST=${3:-0} LAST=${4:-24}
HERE=$(cd "$(dirname "$0")" && pwd)
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
mkdir -p "$OUT"
score() {
  grep -q "\"model\":\"$OUT/$1\",\"m\":${2:-1},\"betas\":[0-9]*,\"seed\":${3:-0}," "$OUT/ais.jsonl" 2>/dev/null && return
  nice -n 19 node "$HERE/rbm-ais-score.mjs" "$D" "$OUT/$1" "${2:-1}" "${3:-0}" >> "$OUT/ais.jsonl" 2>> "$OUT/err.log"
}
for s in $(seq "$FIRST" "$LAST"); do
  [ -e "$OUT/STOP" ] && break
  [ -e "$OUT/ours-pcd-s$s-W.f32" ] || nice -n 19 node "$HERE/rbm-train-save.mjs" "$s" pcd "$OUT/ours-pcd-s$s" > "$OUT/train-ours-s$s.log" 2>&1
  score "ours-pcd-s$s"
  if [ ! -e "$OUT/torch-pcd-s$s-W.f32" ]; then
    nice -n 19 /usr/bin/python3 "$HERE/../python/rbm_learn.py" "$D" pcd --betas 2 --seed "$s" --save "$OUT/torch-pcd-s$s.npz" > "$OUT/train-torch-s$s.log" 2>&1
    nice -n 19 /usr/bin/python3 -c "import numpy as np, sys
z = np.load(sys.argv[1] + '.npz')
for k, n in (('weight', 'W'), ('visible_bias', 'b'), ('hidden_bias', 'c')): z[k].astype(np.float32).tofile(sys.argv[1] + '-' + n + '.f32')" "$OUT/torch-pcd-s$s"
  fi
  score "torch-pcd-s$s"
  if [ "$s" = 1 ]; then score ours-pcd-s0 1 1; fi
done
echo '{"done": true}' >> "$OUT/ais.jsonl"
