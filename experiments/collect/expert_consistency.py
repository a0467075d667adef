"""How much of a sync expert's answering can any imitation predict? An accuracy ceiling.

In each round, the expert's ``counter_all`` is asked ``samples`` extra times on the round's exact
inputs, each time with fresh draws from python's and numpy's generators; then the generators are
rewound and the real call plays on, so the world is the one an unprobed expert would have
played. For every answered offer the most frequent answer's share is the best any predictor can
expect there, even one that saw the expert's whole internal state (it cannot see the coin
flips); the mean over offers bounds the operation accuracy of BC (up to sampling noise).
PenguinAgent, for instance, hands today's needs to a random 70% of its partners and ends some of
the rest.

Valid for experts whose ``counter_all`` changes nothing but the random generators' states.

    python -m experiments.collect.expert_consistency [expert=PenguinAgent] [worlds=4] [samples=20]
        [--samples 20] [--n-steps 50] [--out runs/expert-consistency]

Prints one JSON line: answers probed, the ceiling, the share of answers the expert always gives
the same way, and the ceiling per answer the expert actually gave (accept, counter, end).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import hydra
import numpy as np
from negmas import ResponseType
from omegaconf import DictConfig

from envs.scml.opponents import resolve_agent
from envs.scml.session import WorldSession
from envs.scml.world_builder import WorldConfig
from experiments.collect.recorder import RESPONSE_CODES
from experiments.common.seeding import probe_world_seed

END = RESPONSE_CODES[ResponseType.END_NEGOTIATION]


def answer_codes(responses: dict[str, Any], partners: list[str]) -> list[int]:
    """A sync controller ends every negotiation its ``counter_all`` leaves out."""
    return [
        RESPONSE_CODES.get(responses[p].response, 1) if p in responses else END for p in partners
    ]


def probing_class(expert: type, samples: int) -> type:
    """A subclass of ``expert`` logging (real answer, most frequent answer's share) per offer."""
    if not hasattr(expert, "counter_all"):
        raise ValueError(f"{expert.__name__} has no counter_all: only sync experts can be probed")

    def init(self) -> None:
        self.hrlxf_probes: list[tuple[int, float]] = []
        expert.init(self)

    def counter_all(self, offers: dict, states: dict) -> dict:
        partners = [p for p, offer in offers.items() if offer is not None]
        saved = (random.getstate(), np.random.get_state())
        draws = [
            answer_codes(expert.counter_all(self, offers, states), partners) for _ in range(samples)
        ]
        random.setstate(saved[0])
        np.random.set_state(saved[1])
        real = expert.counter_all(self, offers, states)
        for k, code in enumerate(answer_codes(real, partners)):
            counts = Counter(draw[k] for draw in draws)
            self.hrlxf_probes.append((code, counts.most_common(1)[0][1] / len(draws)))
        return real

    return type(expert.__name__, (expert,), {"init": init, "counter_all": counter_all})


def probe(
    expert: str, worlds: int, samples: int, n_steps: int, out: Path, seed: int = 0
) -> dict[str, Any]:
    if samples < 2 or worlds < 1:
        raise ValueError(f"need samples >= 2 and worlds >= 1, got {samples} and {worlds}")
    probes: list[tuple[int, float]] = []
    for index in range(worlds):
        config = WorldConfig(
            n_steps=n_steps,
            n_learners=2,
            learner_process=index % 3,
            opponents=["GreedyStdAgent", "SyncRandomStdAgent", "PenguinAgent"],  # as collected
            log_dir=str(out / "worlds" / f"world_{index:03d}"),
        )
        config.validate()
        kind = probing_class(resolve_agent(expert), samples)
        session = WorldSession(config, kind, probe_world_seed(seed, index), horizon=10)
        while not session.done:
            session.step_day()
        for agent_id in session.learner_ids:
            probes.extend(session.agent(agent_id).hrlxf_probes)
    if not probes:
        raise RuntimeError(f"{expert} answered no offers in {worlds} worlds")
    codes = np.array([code for code, _ in probes])
    shares = np.array([share for _, share in probes])
    names = ("accept", "counter", "end")
    return {
        "expert": expert,
        "worlds": worlds,
        "samples": samples,
        "answers": len(probes),
        "accuracy_ceiling": float(shares.mean()),
        "deterministic_share": float((shares == 1.0).mean()),
        "ceiling_by_answer": {
            names[c]: float(shares[codes == c].mean()) for c in range(3) if (codes == c).any()
        },
        "answers_by_kind": {names[c]: int((codes == c).sum()) for c in range(3)},
    }


@hydra.main(
    version_base="1.3", config_path="../../conf", config_name="benchmarks/expert_consistency"
)
def main(args: DictConfig) -> None:
    print(json.dumps(probe(args.expert, args.worlds, args.samples, args.n_steps, args.out)))


if __name__ == "__main__":
    main()
