"""A recording subclass of any SCML std agent: logs every offer it makes or answers, and its deals.

Works for sync agents (their propose/respond entry points call counter_all/first_proposals) and
plain StdAgents alike, because both are driven through ``propose`` and ``respond``. The expert's
decisions are unchanged: the wrapper only observes their results.
"""

from __future__ import annotations

from typing import Any

from negmas import ResponseType

RESPONSE_CODES = {
    ResponseType.ACCEPT_OFFER: 0,
    ResponseType.REJECT_OFFER: 1,
    ResponseType.END_NEGOTIATION: 2,
}
NOT_DECISIONS = (ResponseType.WAIT, ResponseType.NO_RESPONSE)
PROPOSED, RECEIVED = 0, 1
# Who an event row's decision belongs to (the ``source`` column of a shard's events):
# an expert's own play (a training example and context), a learner's play under DAgger (context
# only: the history and the offers on the table) and a teacher's answer to the learner's round
# (a training example only; experiments.collect.dagger).
EXPERT_PLAY, LEARNER_PLAY, TEACHER_LABEL = 0, 1, 2


def is_buying_from(agent: Any, partner: str) -> bool:
    return partner in agent.awi.my_suppliers


def round_snapshot(agent: Any, today: int, step: int) -> dict[bool, tuple[int, list[int]]]:
    """Per side (True: buying): what was agreed today and what is contracted for each day
    from today on, as the round began. Answers of one round are logged one by one as the
    mechanism collects them, after some of the round's own deals may have been signed; the
    agent decided them all on the state before the round."""
    key = (today, step)
    if agent.hrlxf_round[0] != key:
        awi, days = agent.awi, range(today, max(agent.awi.n_steps, today + 1))
        contracted = {True: awi.total_supplies_at, False: awi.total_sales_at}
        agent.hrlxf_round = (
            key,
            {
                buying: (
                    sum(d[3] for d in agent.hrlxf_deals if d[0] == today and d[2] == buying),
                    [int(contracted[buying](t)) for t in days],
                )
                for buying in (True, False)
            },
        )
    return agent.hrlxf_round[1]


def event_row(
    agent: Any,
    partner: str,
    step: int,
    relative_time: float,
    kind: int,
    offer: Any,
    response: int,
) -> tuple:
    """One event row (see :func:`recording_class`) of a recorded agent's open thread."""
    issues = agent.awi.current_nmis[partner].outcome_space.issues
    today, buying = agent.awi.current_step, is_buying_from(agent, partner)
    agreed, contracted = round_snapshot(agent, today, step)[buying]
    return (
        today,
        partner,
        buying,
        kind,
        step,
        float(relative_time),
        int(offer[0]),
        int(offer[1]),
        float(offer[2]),
        response,
        int(issues[0].max_value),
        int(issues[1].min_value),
        int(issues[1].max_value),
        float(issues[2].min_value),
        float(issues[2].max_value),
        agreed,
        int(contracted[min(max(int(offer[1]) - today, 0), len(contracted) - 1)]),
    )


def log_offer(agent: Any, partner: str, state: Any, kind: int, offer: Any, response: int) -> None:
    if offer is None:
        return
    agent.hrlxf_events.append(
        event_row(
            agent,
            partner,
            int(getattr(state, "step", 0)),
            float(getattr(state, "relative_time", 0.0)),
            kind,
            offer,
            response,
        )
    )


def recording_class(expert: type) -> type:
    """A subclass of ``expert`` with ``hrlxf_events`` and ``hrlxf_deals`` lists.

    Event rows: (day, partner, is_buy, kind, step, relative_time, quantity, delivery_day,
    unit_price, response, q_max, t_min, t_max, p_min, p_max, agreed_today, committed_at_delivery):
    the agenda's bounds (absolute days), the quantity already agreed today on that side and the
    quantity contracted on that side for the offer's delivery day (both as the round began);
    kind PROPOSED (our offer, response -1) or RECEIVED (the partner's offer and our response
    code: 0 accept, 1 reject/counter, 2 end). A sync agent's WAIT (it holds its answer until every partner's
    offer is in) is not a decision and is not logged: the answer given afterwards is. Deal rows:
    (signed_day, partner, is_buy, quantity, delivery_day, unit_price).
    """

    def init(self) -> None:
        self.hrlxf_events: list[tuple] = []
        self.hrlxf_deals: list[tuple] = []
        self.hrlxf_round: tuple = (None, {})
        expert.init(self)

    def propose(self, negotiator_id: str, state: Any, *args: Any, **kwargs: Any) -> Any:
        offer = expert.propose(self, negotiator_id, state, *args, **kwargs)
        log_offer(self, negotiator_id, state, PROPOSED, offer, -1)
        return offer

    def respond(self, negotiator_id: str, state: Any, *args: Any, **kwargs: Any) -> Any:
        response = expert.respond(self, negotiator_id, state, *args, **kwargs)
        if response in NOT_DECISIONS:
            return response
        log_offer(
            self,
            negotiator_id,
            state,
            RECEIVED,
            state.current_offer,
            RESPONSE_CODES.get(response, 1),
        )
        return response

    def on_negotiation_success(self, contract: Any, mechanism: Any) -> None:
        expert.on_negotiation_success(self, contract, mechanism)
        agreement = contract.agreement
        buying = contract.annotation["buyer"] == self.id
        partner = contract.annotation["seller" if buying else "buyer"]
        self.hrlxf_deals.append(
            (
                self.awi.current_step,
                partner,
                buying,
                int(agreement["quantity"]),
                int(agreement["time"]),
                float(agreement["unit_price"]),
            )
        )

    return type(
        expert.__name__,  # the world reports scores by type name: keep the expert's
        (expert,),
        {
            "init": init,
            "propose": propose,
            "respond": respond,
            "on_negotiation_success": on_negotiation_success,
        },
    )
