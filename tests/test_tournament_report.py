"""Tournament reports: statistics, markdown and chart."""

import pandas as pd
import pytest

from experiments.tournament.report import markdown_table, short_type_name, summarize, write_reports


def scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agent_type": ["x.Adapter:baselines.heuristic.agent.HeuristicStdAgent"] * 3
            + ["x.Adapter:scml.std.agents.GreedyStdAgent"] * 2,
            "agent_id": list("abcde"),
            "world": ["w1", "w2", "w3", "w1", "w2"],
            "score": [1.2, 1.0, 1.4, 0.5, 0.7],
        }
    )


def test_short_type_name():
    assert short_type_name("scml.oneshot.sysagents.DefaultOneShotAdapter:pkg.mod.Agent") == "Agent"
    assert short_type_name("Plain") == "Plain"


def test_summary_statistics_per_type_best_first():
    summary = summarize(scores())
    assert summary["agent"].tolist() == ["HeuristicStdAgent", "GreedyStdAgent"]
    first = summary.iloc[0]
    assert first["mean"] == pytest.approx(1.2) and first["median"] == pytest.approx(1.2)
    assert first["std"] == pytest.approx(0.2) and first["count"] == 3


def test_markdown_has_one_row_per_type():
    text = markdown_table(summarize(scores()))
    assert "| HeuristicStdAgent | 1.200 | 1.200 | 0.200 | 3 |" in text
    assert text.count("\n") == 4


def test_reports_are_written(tmp_path):
    write_reports(scores(), tmp_path, "t")
    for name in ("scores.csv", "summary.csv", "results.md", "scores.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert not list(tmp_path.glob("*.tmp*"))


def test_empty_scores_are_an_error():
    with pytest.raises(ValueError, match="no scores"):
        summarize(pd.DataFrame(columns=["agent_type", "score"]))
