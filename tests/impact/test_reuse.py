"""A re-run after one block changed reuses what does not depend on the scheme (the city's
scenes and the rays they block, sun positions, sample points, the *before* values), and gives
exactly what a study from scratch gives."""

import dataclasses
import json
import multiprocessing

import numpy as np

from impact.cache import LruCache
from impact.job import worker_main
from impact.scene import table_from_records
from impact.study import ProtectedView, run_study
from tests.impact.helpers import block
from tests.impact.test_study import FAST, _city


def _scheme(low_m: float):
    # a 40 m tower and a lower wing east of it: changing the wing leaves the study's radii alone
    return table_from_records(
        [block("tower", -10, -10, 10, 10, 40), block("wing", 12, -10, 24, 5, low_m)], prefix="m"
    )


def _values(result: dict, analysis: str, key: str) -> np.ndarray:
    return np.array([f["properties"][key] for f in result[analysis]["features"]])


def _without_timings(result: dict) -> str:
    """Everything a study returns, as JSON, but its timings and ray counts."""
    out = dict(result)
    stats = dict(out.pop("stats"))
    for k in ("seconds", "rays", "rays_reused", "reused_before"):
        stats.pop(k)
    out["stats"] = stats
    return json.dumps(out, sort_keys=True)


VIEW = ProtectedView("to the terrace", eye=(0.0, 51.4994, 1.6), target=(0.0, 51.5003, 5.0))
OPTIONS = dataclasses.replace(FAST, views=[VIEW])


def test_a_rerun_with_a_warm_cache_gives_exactly_what_a_cold_run_gives():
    warm = LruCache()
    first = run_study(_city(), _scheme(12.0), ["city:shed"], OPTIONS, cache=warm)
    again = run_study(_city(), _scheme(30.0), ["city:shed"], OPTIONS, cache=warm)
    cold = run_study(_city(), _scheme(30.0), ["city:shed"], OPTIONS, cache=LruCache())
    # every value, point by point, the summary, the zone and the views: the same
    assert _without_timings(again) == _without_timings(cold)
    assert again["views"] and again["zone"]["features"]
    # the city's rays (before, and the after rays the city itself blocks) were not cast again
    # (a cold run reuses some too: 21 March's ground sun and shadow hours are the same rays)
    assert again["stats"]["rays_reused"] > first["stats"]["rays_reused"]
    assert again["stats"]["rays"] < 0.5 * cold["stats"]["rays"]
    assert warm.stats.hits > 0


def test_a_rerun_reuses_the_before_values_of_a_stored_result_and_matches_a_fresh_study():
    # a new process (an empty cache) with the last result's before block, as a job has it
    first = run_study(_city(), _scheme(12.0), ["city:shed"], FAST, cache=LruCache())
    assert first["stats"]["reused_before"] == {"facade": False, "ground": False}
    again = run_study(
        _city(), _scheme(30.0), ["city:shed"], FAST, reuse=first["_before"], cache=LruCache()
    )
    fresh = run_study(_city(), _scheme(30.0), ["city:shed"], FAST, cache=LruCache())
    assert again["stats"]["reused_before"] == {"facade": True, "ground": True}
    assert again["stats"]["rays"] < 0.75 * fresh["stats"]["rays"]
    for analysis, keys in {
        "vsc": ("before", "after", "adverse"),
        "apsh": ("annual_before", "annual_after", "winter_before", "adverse"),
        "ground": ("sun_hours_before", "sun_hours_after"),
    }.items():
        for key in keys:
            np.testing.assert_array_equal(
                _values(again, analysis, key), _values(fresh, analysis, key), err_msg=key
            )
    assert again["areas"] == fresh["areas"] and again["buildings"] == fresh["buildings"]
    assert again["facts"] == fresh["facts"]


def _taller_terrace():
    return table_from_records(
        [block("terrace", -30, 25, 30, 35, 12, storeys=4), block("shed", -5, -5, 5, 5, 4)],
        prefix="city",
    )


def test_a_changed_city_is_not_reused():
    first = run_study(_city(), _scheme(12.0), ["city:shed"], FAST, cache=LruCache())
    again = run_study(_taller_terrace(), _scheme(12.0), ["city:shed"], FAST, reuse=first["_before"])
    assert again["stats"]["reused_before"] == {"facade": False, "ground": False}


def test_a_changed_city_misses_the_cache_and_gives_the_new_citys_results():
    warm = LruCache()
    run_study(_city(), _scheme(12.0), ["city:shed"], OPTIONS, cache=warm)
    # the terrace rose by a storey (a city change applied to the tileset, say)
    again = run_study(_taller_terrace(), _scheme(12.0), ["city:shed"], OPTIONS, cache=warm)
    cold = run_study(_taller_terrace(), _scheme(12.0), ["city:shed"], OPTIONS, cache=LruCache())
    assert again["stats"]["rays_reused"] == cold["stats"]["rays_reused"]
    assert _without_timings(again) == _without_timings(cold)
    stale = run_study(_city(), _scheme(12.0), ["city:shed"], OPTIONS, cache=LruCache())
    assert _without_timings(again) != _without_timings(stale)


def test_the_cache_is_bounded_by_entries_and_by_bytes():
    cache = LruCache(max_entries=2, max_bytes=1000)
    cache.put("a", np.zeros(100, np.uint8))
    cache.put("b", np.zeros(100, np.uint8))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("c", np.zeros(100, np.uint8))
    assert cache.get("b") is None and cache.get("a") is not None and len(cache) == 2
    cache.put("d", np.zeros(900, np.uint8))  # over 1000 bytes with a or c: both go
    assert cache.nbytes <= 1000 and cache.get("d") is not None
    cache.put("e", np.zeros(5000, np.uint8))  # larger than the bound: not kept
    assert cache.get("e") is None and cache.nbytes <= 1000
    assert cache.stats.evictions >= 2
    # a study within a tiny cache still runs and gives the same results
    tiny = run_study(_city(), _scheme(12.0), ["city:shed"], FAST, cache=LruCache(3, 50_000))
    cold = run_study(_city(), _scheme(12.0), ["city:shed"], FAST, cache=LruCache())
    assert _without_timings(tiny) == _without_timings(cold)


def _study_in(conn, records: list[dict], city: list[dict]) -> dict:
    conn.send((city_table(city), records, ["city:shed"], FAST_OPTIONS, [], None))
    while True:
        msg = conn.recv()
        if msg[0] != "progress":
            assert msg[0] == "done", msg
            return msg[1]


def city_table(records: list[dict]):
    return table_from_records(records, prefix="city")


FAST_OPTIONS = {k: v for k, v in dataclasses.asdict(FAST).items() if k not in ("views", "engine")}


def test_a_study_process_keeps_its_cache_from_one_job_to_the_next():
    # the runner's long-lived study process (impact.job.worker_main), spawned as a server does
    ctx = multiprocessing.get_context("spawn")
    conn, child_end = ctx.Pipe(duplex=True)
    child = ctx.Process(target=worker_main, args=(child_end, 64, 64.0), daemon=True)
    child.start()
    child_end.close()
    city = [block("terrace", -30, 25, 30, 35, 9, storeys=3), block("shed", -5, -5, 5, 5, 4)]
    low = [block("tower", -10, -10, 10, 10, 40), block("wing", 12, -10, 24, 5, 12.0)]
    high = [block("tower", -10, -10, 10, 10, 40), block("wing", 12, -10, 24, 5, 30.0)]
    try:
        first = _study_in(conn, low, city)
        again = _study_in(conn, high, city)
        conn.send(None)
        child.join(30)
    finally:
        if child.is_alive():
            child.terminate()
    assert child.exitcode == 0
    cold = run_study(
        city_table(city),
        table_from_records(high, prefix="massing"),
        ["city:shed"],
        FAST,
        cache=LruCache(),
    )
    assert again["stats"]["rays_reused"] > first["stats"]["rays_reused"]
    assert again["stats"]["rays"] < 0.5 * cold["stats"]["rays"]
    assert _without_timings(again) == _without_timings(cold)
