"""The benchmark script runs and prints every figure as ``name: value`` (values not judged here)."""

from __future__ import annotations

import pytest

from helpers.tools import bench


def test_quick_bench_prints_every_figure(capsys):
    bench.main(["--quick"])
    lines = capsys.readouterr().out.strip().splitlines()
    names = [line.split(": ", 1)[0] for line in lines]
    for expected in (
        "paced_fraction_of_limit",
        "paced_429s",
        "naive_429s",
        "concurrency_speedup_8_workers",
        "session_speedup",
        "faulty_batch_completed_fraction",
        "faulty_batch_retries",
        "faulty_batch_duplicate_results",
    ):
        assert expected in names
    assert all(": " in line for line in lines)


def test_room_mix_is_the_rooms_share_of_each_kind():
    import random
    from collections import Counter

    from helpers.tools.room import choose_call

    rng = random.Random(0)
    kinds = Counter(choose_call(rng).kind for _ in range(10_000))
    shares = {k: n / 10_000 for k, n in kinds.items()}
    expected = {"classic": 0.5, "tgi_stream": 0.2, "chat": 0.2, "hub": 0.1}
    assert shares == pytest.approx(expected, abs=0.02)


def test_room_streams_are_judged_by_their_last_event():
    import json
    import random

    from helpers.tools.room import choose_call

    rng = random.Random(1)
    calls = [choose_call(rng) for _ in range(500)]
    for call in calls:
        body = json.loads(call.body) if call.body else {}
        assert (call.stream_end is not None) == bool(body.get("stream"))
        if call.kind in ("classic", "tgi_stream"):
            assert body["parameters"]["max_new_tokens"] == 20
        if call.kind == "chat":
            assert body["max_tokens"] == 20


def test_percentile_is_nearest_rank():
    from helpers.tools.room import percentile

    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([7.0], 0.99) == 7.0


def test_count_results_finds_lost_duplicated_and_corrupt_records(tmp_path):
    path = tmp_path / "r.jsonl"
    line = '{{"key": "{}", "ok": true}}\n'
    path.write_text(line.format("a") + line.format("a") + "not json\n" + '{"key": "c", "ok"')
    assert bench.count_results(path, ["a", "b", "c"]) == {
        "lost": 2,
        "duplicates": 1,
        "corrupt_lines": 2,
    }


def test_room_help_describes_it_instead_of_running_the_room(capsys, monkeypatch):
    # bug caught: `python -m helpers.tools.room --help` ignored --help and ran 6,000 requests
    from helpers.tools import room

    monkeypatch.setattr(room, "run_room", lambda *a, **k: pytest.fail("the room ran"))
    with pytest.raises(SystemExit) as stop:
        room.main(["--help"])
    assert stop.value.code == 0
    assert "--requests" in capsys.readouterr().out


def test_bench_help_lists_room_kill_and_fresh(capsys):
    with pytest.raises(SystemExit) as stop:
        bench.main(["--help"])
    out = capsys.readouterr().out
    assert stop.value.code == 0 and "--room" in out and "--kill" in out and "--fresh" in out
