"""The self-play league: opponents for the learner, drawn by prioritised fictitious self-play.

Members are agent names as worlds take them (``PenguinAgent``, a module path, or an exported
snapshot ``export:<dir>``). Each episode one member fills every non-learner slot of the world.
After the episode the member's record gains a game and, when the learners' mean final score
beat the opponents' mean, a win. PFSP draws member i with weight ``(1 - w_i)^p + floor``, w_i
its smoothed win rate ((wins + 1) / (games + 2)): the opponents the learner does worst against
come most often, beaten ones still now and then.

The league lives in one JSON file (``league.json`` in the stage directory, written atomically):
the driver records results and adds snapshots; env runners read it at every draw. A resumed
run keeps the members and their statistics.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

FILE = "league.json"


@dataclass
class Member:
    name: str
    kind: str  # builtin | winner | snapshot
    games: int = 0
    wins: int = 0
    score_margin_sum: float = 0.0  # sum over games of learners' mean score - opponents' mean

    @property
    def win_rate(self) -> float:
        return (self.wins + 1) / (self.games + 2)

    @property
    def mean_margin(self) -> float | None:
        return self.score_margin_sum / self.games if self.games else None


class League:
    def __init__(
        self, path: str | Path, members: list[Member], power: float = 2.0, floor: float = 0.05
    ):
        self.path = Path(path)
        self.members = members
        self.power, self.floor = power, floor

    @classmethod
    def create(
        cls, path: str | Path, builtins: list[str], winners: list[str], power: float, floor: float
    ) -> League:
        """The league in ``path`` if it exists (a resumed run), else a new one written there."""
        path = Path(path)
        if path.is_file():
            return cls.load(path)
        members = [Member(n, "builtin") for n in builtins] + [Member(n, "winner") for n in winners]
        if not members:
            raise ValueError("the league needs at least one member (builtins or winners)")
        league = cls(path, members, power, floor)
        league.save()
        return league

    @classmethod
    def load(cls, path: str | Path) -> League:
        data = json.loads(Path(path).read_text())
        return cls(path, [Member(**m) for m in data["members"]], data["power"], data["floor"])

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(
            json.dumps(
                {
                    "power": self.power,
                    "floor": self.floor,
                    "members": [asdict(m) for m in self.members],
                },
                indent=2,
            )
        )
        tmp.replace(self.path)

    def weights(self) -> np.ndarray:
        """PFSP probabilities of the members."""
        raw = np.array([(1.0 - m.win_rate) ** self.power + self.floor for m in self.members])
        return raw / raw.sum()

    def draw(self, rng: np.random.Generator) -> Member:
        return self.members[int(rng.choice(len(self.members), p=self.weights()))]

    def member(self, name: str) -> Member:
        for m in self.members:
            if m.name == name:
                return m
        raise KeyError(f"no league member {name!r}")

    def record(self, name: str, games: int, wins: int, margin_sum: float) -> None:
        member = self.member(name)
        member.games += int(games)
        member.wins += int(wins)
        member.score_margin_sum += float(margin_sum)

    def add_snapshot(self, name: str, keep: int) -> None:
        """Add a frozen snapshot of the learner; beyond ``keep`` snapshots the oldest retire."""
        if all(m.name != name for m in self.members):
            self.members.append(Member(name, "snapshot"))
        snapshots = [m for m in self.members if m.kind == "snapshot"]
        for retired in snapshots[: max(len(snapshots) - keep, 0)]:
            self.members.remove(retired)

    def table(self) -> list[dict]:
        """Every member with its games, win rate, mean score margin and PFSP probability."""
        return [
            {
                "member": m.name
                if m.kind != "snapshot"
                else f"snapshot:{Path(m.name.split(':', 1)[1]).name}",
                "kind": m.kind,
                "games": m.games,
                "wins": m.wins,
                "win_rate": m.wins / m.games if m.games else None,
                "mean_score_margin": m.mean_margin,
                "pfsp_probability": float(p),
            }
            for m, p in zip(self.members, self.weights(), strict=True)
        ]


class LeagueOpponents:
    """The env's ``opponents_fn``: one PFSP draw from the league file per episode. The file is
    read at every draw (once per episode: cheap next to a world), so the draw follows the
    driver's updates. Picklable: Ray env runners get their own copy."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(Path(path).resolve())

    def __call__(self, rng: np.random.Generator) -> list[str]:
        return [League.load(self.path).draw(rng).name]
