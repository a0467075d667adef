"""L3 TemporalDecisionTransformer: one negotiation thread's next move.

Tokens: the L2 goal as a prefix token, the thread's earlier offers (oldest first; padding is
masked out of attention), and a context token (the thread's side, the L1 baseline offer and the
offer on the table). A causal transformer encoder reads them; from the last token come the
residual head (dq, dp against the baseline, normalized), the time head over delivery offsets
0..H (the L1 time mask enters as -inf logits, so a forbidden offset has probability 0) and the
operation head (accept, counter, end). The operation head also reads the context vector itself:
an answer turns on thresholds (does the offer still fit what is contracted for its day?) that a
small MLP on the raw numbers draws more sharply than the encoder's mixed summary does.
"""

from __future__ import annotations

import torch
from torch import nn

from policies.decision.layouts import CONTEXT_DIM, HISTORY_FEATURES
from policies.l2_goal import GOAL_DIM

N_OPERATIONS = 3  # accept, counter, end


class TemporalDecisionTransformer(nn.Module):
    def __init__(
        self,
        horizon: int,
        d_model: int = 64,
        n_heads: int = 4,
        n_layers: int = 2,
        max_history: int = 16,
    ) -> None:
        super().__init__()
        self.horizon, self.max_history = horizon, max_history
        self.goal_token = nn.Linear(GOAL_DIM, d_model)
        self.history_token = nn.Linear(len(HISTORY_FEATURES), d_model)
        self.context_token = nn.Linear(CONTEXT_DIM, d_model)
        self.position = nn.Parameter(torch.zeros(max_history + 2, d_model))
        layer = nn.TransformerEncoderLayer(
            d_model, n_heads, dim_feedforward=2 * d_model, dropout=0.0, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.residual_head = nn.Linear(d_model, 2)
        self.time_head = nn.Linear(d_model, horizon + 1)
        self.operation_head = nn.Sequential(
            nn.Linear(d_model + CONTEXT_DIM, d_model), nn.ReLU(), nn.Linear(d_model, N_OPERATIONS)
        )
        # goal + history + up to two context tokens (encode_contexts)
        size = max_history + 3
        causal = torch.triu(torch.ones(size, size, dtype=torch.bool), diagonal=1)
        self.register_buffer("causal", causal, persistent=False)

    def encode(
        self,
        goal: torch.Tensor,
        history: torch.Tensor,
        history_valid: torch.Tensor,
        context: torch.Tensor,
    ) -> torch.Tensor:
        """(B, d_model) summary from the last (context) token."""
        return self.encode_contexts(goal, history, history_valid, [context])[0]

    def encode_contexts(
        self,
        goal: torch.Tensor,
        history: torch.Tensor,
        history_valid: torch.Tensor,
        contexts: list[torch.Tensor],
    ) -> list[torch.Tensor]:
        """One summary per context, from one encoder pass over the shared goal and history.

        Every context token sits at the position after the history and attends to the goal,
        the history and itself only, never to another context token, so each summary equals
        ``encode`` with that context alone (goal and history tokens never see a context: the
        mask is causal). A thread's proposal and answer are read this way at the cost of one
        sequence one token longer, instead of two sequences.
        """
        batch, length = history.shape[:2]
        if length > self.max_history:
            raise ValueError(f"history of {length} offers exceeds max_history={self.max_history}")
        n, prefix = len(contexts), length + 1
        if prefix + n > len(self.causal):
            raise ValueError(f"at most {len(self.causal) - prefix} contexts, got {n}")
        tokens = torch.cat(
            [
                self.goal_token(goal)[:, None],
                self.history_token(history),
                torch.stack([self.context_token(c) for c in contexts], dim=1),
            ],
            dim=1,
        )
        positions = torch.cat([self.position[:prefix], self.position[prefix].expand(n, -1)])
        tokens = tokens + positions
        size = prefix + n
        mask = self.causal[:size, :size].clone()
        mask[prefix:, prefix:] = ~torch.eye(n, dtype=torch.bool, device=mask.device)
        ones = torch.ones(batch, 1, dtype=torch.bool, device=history.device)
        padding = ~torch.cat([ones, history_valid.bool(), ones.expand(batch, n)], dim=1)
        out = self.encoder(tokens, mask=mask, src_key_padding_mask=padding)
        return [out[:, prefix + k] for k in range(n)]

    def forward(
        self,
        goal: torch.Tensor,
        history: torch.Tensor,
        history_valid: torch.Tensor,
        context: torch.Tensor,
        time_mask: torch.Tensor,
    ) -> dict[str, torch.Tensor]:
        """``time_mask`` (B, H+1) bool, True where allowed. Rows with no allowed offset get
        uniform (finite) logits: the caller's shield decides what happens to such a thread."""
        h = self.encode(goal, history, history_valid, context)
        return {
            **self.proposal_heads(h, time_mask),
            "operation_logits": self.operation_logits(h, context),
        }

    def decide(
        self,
        goal: torch.Tensor,
        history: torch.Tensor,
        history_valid: torch.Tensor,
        proposal_context: torch.Tensor,
        answer_context: torch.Tensor,
        time_mask: torch.Tensor,
    ) -> dict[str, torch.Tensor]:
        """A thread's whole move in one encoder pass: ``forward`` on the proposal context for
        the residual and the delivery offset, the operation from the answer context."""
        proposal, answer = self.encode_contexts(
            goal, history, history_valid, [proposal_context, answer_context]
        )
        return {
            **self.proposal_heads(proposal, time_mask),
            "operation_logits": self.operation_logits(answer, answer_context),
        }

    def proposal_heads(self, h: torch.Tensor, time_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """Residual (tanh) and masked delivery-offset logits from an encoding."""
        time_logits = self.time_head(h)
        allowed = time_mask.bool()
        nothing_allowed = ~allowed.any(dim=1, keepdim=True)
        time_logits = torch.where(
            allowed | nothing_allowed, time_logits, torch.full_like(time_logits, float("-inf"))
        )
        return {"residual": torch.tanh(self.residual_head(h)), "time_logits": time_logits}

    def operation_logits(self, h: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """(B, 3) accept / counter / end logits from the encoding and the context vector."""
        return self.operation_head(torch.cat([h, context], dim=-1))
