#!/usr/bin/env bash
# Learning curves of the PPO stage (L2, daily env): PPO from the AWR checkpoint, PPO from scratch
# and the frozen AWR agent, 3 seeds each; then the comparison PNG.
#   bash experiments/reports/online_curves.sh <awr checkpoint> <output dir> [env_steps]
set -euo pipefail
AWR=$1; OUT=$2; STEPS=${3:-1500}
PY=.venv/bin/python
COMMON=(stage.env_steps=$STEPS stage.train_batch_size=150 stage.minibatch_size=50 stage.num_epochs=4
        stage.lr=3e-4 stage.eval_episodes=4 world.n_steps=30 ray.num_cpus=1)
run() { $PY -m experiments.online hydra.run.dir="$OUT/$1" seed="$2" "${@:3}" "${COMMON[@]}" > "$OUT/$1.log" 2>&1; }
for seed in 0 1 2; do
  run "from_awr_$seed" $seed stage.init_from="$AWR" stage.anchor_kl_coeff=0.1 &
  run "from_scratch_$seed" $seed stage.anchor_kl_coeff=0 &
  wait
done
# The frozen AWR agent: its score in 10 seeded worlds per seed, spread over the same x-axis.
$PY - "$AWR" "$OUT" "$STEPS" <<'PYEOF'
import sys
from pathlib import Path
from experiments.common.curves import CurveLogger
from experiments.online.evaluation import bundle_scores
awr, out, steps = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
world = {"n_steps": 30, "opponents": ["GreedyStdAgent", "SyncRandomStdAgent", "PenguinAgent"],
         "mode": "training", "log_dir": str(out / "worlds")}
for seed in range(3):
    scores = bundle_scores(awr, world, 40, [10_000 * (seed + 1) + i for i in range(10)])
    with CurveLogger(out / f"frozen_awr_{seed}" / "tensorboard") as log:
        for i, score in enumerate(scores):
            log("charts/final_score", score, int(i * steps / 9))
PYEOF
$PY -m experiments.compare hydra.run.dir="$OUT/compare" \
  "runs=['PPO from AWR=$OUT/from_awr_*/tensorboard','PPO from scratch=$OUT/from_scratch_*/tensorboard','frozen AWR=$OUT/frozen_awr_*/tensorboard']" \
  'tags=[charts/final_score,charts/episodic_return]'
