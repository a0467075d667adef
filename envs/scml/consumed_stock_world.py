"""A std world whose production uses up the raw stock it draws on (an evaluation option).

scml 0.8.4 (``scml/oneshot/world.py``, ``simulation_step``) adds to a factory's input stock what
the day's production did not use of the day's deliveries, but never takes away what production
drew from the stock: a factory holding ``n_lines`` units can produce ``n_lines`` a day forever
without buying (``tests/test_shield_world_model.py`` pins it). :class:`ConsumedStockWorld`
corrects that after scml's own step: ``stock = stock + delivered - produced``. It reads scml's
per-factory records of the day (``_input_quantity``, ``_productivity``, ``_inventory_input``),
private names of the pinned version that ``tests/test_consumed_stock_world.py`` checks.
"""

from __future__ import annotations

from scml.std import SCML2024StdWorld

NOT_UPDATED = -1.0


class ConsumedStockWorld(SCML2024StdWorld):
    def simulation_step(self, stage: int = 0):
        if stage == 0 or self.perishable:
            return super().simulation_step(stage)
        ids = [aid for aid in self.agents if aid in self.agent_profiles]
        previous = {aid: self._productivity[aid] for aid in ids}
        for aid in ids:  # scml sets productivity for every factory it settles today
            self._productivity[aid] = NOT_UPDATED
        result = super().simulation_step(stage)
        for aid in ids:
            if self._productivity[aid] == NOT_UPDATED:
                self._productivity[aid] = previous[aid]
                continue
            produced = round(self._productivity[aid] * self.agent_profiles[aid].n_lines)
            from_stock = max(0, produced - self._input_quantity[aid])
            self._inventory_input[aid] = max(0, self._inventory_input[aid] - from_stock)
        return result
