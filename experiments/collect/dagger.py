"""DAgger's data: the learner plays, a teacher executor labels every round the learner met.

:class:`DAggerStdAgent` is an :class:`ExecutorStdAgent` whose executor (the learned networks)
decides everything the world sees. Beside it runs a *teacher* executor (by default our
heuristic, the best expert at the first and middle levels: experiments/reports/scml/heuristic/
expert_table_collection.md). An executor decides from snapshots only, so asking it is exact and
disturbs nothing: at dawn the teacher plans on the learner's day, and in every round it answers
the learner's threads, on the same snapshot the learner answered, and its answer goes through
the same shield. The agent is meant to run recorded (:func:`experiments.collect.recorder.
recording_class`, as ``collect_world`` does): the recorder logs what the learner really did
(the threads' histories, the offers on the table), and this class adds the teacher's answers as
label rows in the recorder's event format (``hrlxf_labels``). The label builders learn from the
label rows and read the context from the played rows (``EVENT_SOURCE`` in the recorder).

The days record the learner's own goal (the input its L3 saw) and the goal the teacher states
at the learner's dawn (``teacher_goal_history``). With hindsight L2 labels (what a day secured,
experiments.datasets.l2_labels) these days get none: only the teacher's own play shows what it
would have secured; with stated labels the teacher's goal is their L2 label.
"""

from __future__ import annotations

from typing import Any

from negmas import ResponseType, SAOResponse

from experiments.collect.recorder import PROPOSED, RECEIVED, RESPONSE_CODES, event_row
from policies.decision.agent import ExecutorStdAgent
from policies.decision.executor import HEURISTIC_EXECUTOR, resolve_executor


class DAggerStdAgent(ExecutorStdAgent):
    """Args:
    executor: the learner (e.g. ``policies.hrl.executor:learned_executor`` with a directory).
    teacher: the executor whose answers label the learner's rounds (anything
        :func:`resolve_executor` takes; the heuristic by default).
    """

    def __init__(self, *args: Any, teacher: Any = HEURISTIC_EXECUTOR, **kwargs: Any) -> None:
        kwargs["executor"] = resolve_executor(kwargs["executor"])
        # a trained executor remembers as many earlier offers per thread as it was trained on
        if hasattr(kwargs["executor"], "history_length"):
            kwargs.setdefault("history_length", kwargs["executor"].history_length)
        if kwargs.get("fallback") is not None:
            kwargs["fallback"] = resolve_executor(kwargs["fallback"])
        super().__init__(*args, **kwargs)
        self.teacher = resolve_executor(teacher)
        self.teacher_goal = None
        self.teacher_goal_history: list = []  # the teacher's goal of every day, in order
        self.hrlxf_labels: list[tuple] = []
        self._opening: dict[str, Any] = {}  # the teacher's opening offer per thread, until sent

    def before_step(self) -> None:
        super().before_step()
        assert self.day is not None
        self.teacher_goal = self.teacher.plan(self.day)
        self.teacher_goal_history.append(self.teacher_goal.copy())

    def respond_all(self, offers: dict, states: dict) -> dict[str, SAOResponse]:
        partners = [p for p in offers if p in self.awi.current_nmis]
        if not partners or self.day is None:
            return {}
        threads, steps = self.thread_snapshot(partners, offers, states)
        taught = self.teacher.respond(self.day, self.teacher_goal, threads, self.secured)
        answers = self.shielded_round(partners, offers, threads, taught)
        for i, partner in enumerate(partners):
            answer, offer = answers[partner], offers[partner]
            counter = answer.outcome if answer.response == ResponseType.REJECT_OFFER else None
            if offer is None:
                # An opening proposal: logged when the learner's own opening is really sent
                # (the recorder logs only sent offers; if the partner opens, it never is).
                self._opening[partner] = counter
                continue
            self._opening.pop(partner, None)
            step, time = steps[i], float(threads.relative_time[i])
            code = RESPONSE_CODES.get(answer.response, 1)
            self.hrlxf_labels.append(event_row(self, partner, step, time, RECEIVED, offer, code))
            if counter is not None:
                self.hrlxf_labels.append(
                    event_row(self, partner, step, time, PROPOSED, counter, -1)
                )
        return self.decide_round(partners, offers, threads)

    def propose(self, negotiator_id: str, state: Any, *args: Any, **kwargs: Any) -> Any:
        offer = super().propose(negotiator_id, state, *args, **kwargs)
        opening = self._opening.pop(negotiator_id, None)
        if offer is not None and opening is not None:
            self.hrlxf_labels.append(
                event_row(
                    self,
                    negotiator_id,
                    int(getattr(state, "step", 0)),
                    float(getattr(state, "relative_time", 0.0)),
                    PROPOSED,
                    opening,
                    -1,
                )
            )
        return offer
