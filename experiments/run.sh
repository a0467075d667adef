#!/usr/bin/env bash
# One entry point for a fresh machine: creates or refreshes .venv (idempotent: a second run only
# checks a stamp), then runs the main job or the tests.
#   bash experiments/run.sh main [hydra overrides...]   # default curriculum / tournament
#   bash experiments/run.sh test [pytest args...]       # the test suite (CI calls this)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venv="$root/.venv"
py="$venv/bin/python"

# Everything the install depends on; a change in any of them re-runs the install.
stamp_inputs=(pyproject.toml experiments/constraints.txt experiments/run.sh)
stamp_value=$(cat "${stamp_inputs[@]}" | sha256sum | cut -d' ' -f1)
stamp_file="$venv/.hrlxf-install-stamp"

install() {
    echo "[hrl-xf] setting up $venv (first run takes several minutes)" >&2
    [ -x "$py" ] || python3 -m venv "$venv"
    # -qq: errors only (some machines' pip configs warn about every package otherwise).
    local pip=("$py" -m pip install -qq --disable-pip-version-check)
    echo "[hrl-xf] 1/3 torch 2.13.0 (CPU build)" >&2
    # The CPU torch wheel first: later steps are constrained to it and never pull a CUDA build.
    "${pip[@]}" "torch==2.13.0"
    echo "[hrl-xf] 2/3 hrl-xf and its pinned dependencies" >&2
    "${pip[@]}" -c experiments/constraints.txt -e ".[dev]"
    echo "[hrl-xf] 3/3 scml-agents (past winners) without TensorFlow" >&2
    # scml-agents declares TensorFlow and an unpinned torch; its std winners need neither.
    "${pip[@]}" -c experiments/constraints.txt --no-deps "scml-agents==0.5.2"
    "${pip[@]}" -c experiments/constraints.txt prettytable pulp python-constraint
    echo "$stamp_value" > "$stamp_file"
}

if [ ! -f "$stamp_file" ] || [ "$(cat "$stamp_file")" != "$stamp_value" ]; then
    install
fi

# Keep every tool's caches and logs inside the repository, never in $HOME.
export HRLXF_ROOT="$root"
export MPLCONFIGDIR="$root/runs/.cache/matplotlib"
export RAY_TMPDIR="/tmp/hrlxf-ray-$(id -u)"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# negmas/scml iterate over sets of strings: one hash seed, one trajectory per seed, in every process.
export PYTHONHASHSEED="${PYTHONHASHSEED:-0}"
export NEGMAS_DEFAULT_PATH="$root/runs/.cache/negmas"
mkdir -p "$MPLCONFIGDIR" "$NEGMAS_DEFAULT_PATH"

cmd="${1:-}"
shift || true
case "$cmd" in
    main) exec "$py" -m experiments.curriculum "$@" ;;
    test) exec "$py" -m pytest "$@" ;;
    *) echo "usage: bash experiments/run.sh {main|test} [args...]" >&2; exit 2 ;;
esac
