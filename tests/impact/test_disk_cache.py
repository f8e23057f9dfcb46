"""The study cache's folder (impact.cache.DiskCache): a fresh process finds what an earlier one
computed (the rays the city blocks, sun positions, sample points and grids) and gives exactly
what a study from scratch gives; the folder is bounded, and a corrupt file is a miss."""

import dataclasses
import multiprocessing
import os
import struct
import zipfile
from pathlib import Path

import numpy as np
import shapely

from impact.cache import DiskCache, LruCache
from impact.job import worker_main
from impact.points import Points
from impact.scene import table_from_records
from impact.study import ProtectedView, run_study
from tests.impact.helpers import block
from tests.impact.test_reuse import FAST_OPTIONS, _scheme, _without_timings, city_table
from tests.impact.test_study import FAST, _city

VIEW = ProtectedView("to the terrace", eye=(0.0, 51.4994, 1.6), target=(0.0, 51.5003, 5.0))
OPTIONS = dataclasses.replace(FAST, views=[VIEW])


def _on_disk(folder: Path) -> LruCache:
    """A process's cache as a fresh process has it: empty in memory, the folder below."""
    cache = LruCache()
    cache.disk = DiskCache(folder, 64 * 2**20)
    return cache


def test_a_fresh_cache_on_the_same_folder_reruns_from_the_disk_and_gives_identical_results(
    tmp_path,
):
    first_process = _on_disk(tmp_path)
    run_study(_city(), _scheme(12.0), ["city:shed"], OPTIONS, cache=first_process)
    assert first_process.disk is not None and first_process.disk.stats.writes > 0
    assert list(tmp_path.glob("*.npz"))

    # the next process: nothing in memory, the first one's folder on disk
    second_process = _on_disk(tmp_path)
    again = run_study(_city(), _scheme(30.0), ["city:shed"], OPTIONS, cache=second_process)
    cold = run_study(_city(), _scheme(30.0), ["city:shed"], OPTIONS, cache=LruCache())
    assert _without_timings(again) == _without_timings(cold)
    assert again["views"] and again["zone"]["features"]
    # the city's rays were read from the folder, not cast again
    assert second_process.disk is not None and second_process.disk.stats.hits > 0
    assert again["stats"]["rays_reused"] > cold["stats"]["rays_reused"]
    assert again["stats"]["rays"] < 0.5 * cold["stats"]["rays"]


def _study_in(conn, records: list[dict], city: list[dict]) -> dict:
    conn.send((city_table(city), records, ["city:shed"], FAST_OPTIONS, [], None))
    while True:
        msg = conn.recv()
        if msg[0] != "progress":
            assert msg[0] == "done", msg
            return msg[1]


def _one_job_in_a_new_process(folder: Path, records: list[dict], city: list[dict]) -> dict:
    ctx = multiprocessing.get_context("spawn")
    conn, child_end = ctx.Pipe(duplex=True)
    child = ctx.Process(
        target=worker_main, args=(child_end, 64, 64.0, str(folder), 64.0), daemon=True
    )
    child.start()
    child_end.close()
    try:
        result = _study_in(conn, records, city)
        conn.send(None)
        child.join(30)
    finally:
        if child.is_alive():
            child.terminate()
    assert child.exitcode == 0
    return result


def test_a_new_study_process_after_a_restart_reruns_with_the_first_ones_disk_entries(tmp_path):
    # the runner's study process (impact.job.worker_main), spawned as a server does; the
    # second one is started after the first ended, as after a restart of the server
    city = [block("terrace", -30, 25, 30, 35, 9, storeys=3), block("shed", -5, -5, 5, 5, 4)]
    low = [block("tower", -10, -10, 10, 10, 40), block("wing", 12, -10, 24, 5, 12.0)]
    high = [block("tower", -10, -10, 10, 10, 40), block("wing", 12, -10, 24, 5, 30.0)]
    first = _one_job_in_a_new_process(tmp_path, low, city)
    again = _one_job_in_a_new_process(tmp_path, high, city)
    cold = run_study(
        city_table(city),
        table_from_records(high, prefix="massing"),
        ["city:shed"],
        FAST,
        cache=LruCache(),
    )
    assert _without_timings(again) == _without_timings(cold)
    assert again["stats"]["rays_reused"] > first["stats"]["rays_reused"]
    assert again["stats"]["rays"] < 0.5 * cold["stats"]["rays"]


def test_corrupt_files_are_misses_and_the_study_is_unchanged(tmp_path):
    run_study(_city(), _scheme(12.0), ["city:shed"], FAST, cache=_on_disk(tmp_path))
    files = sorted(tmp_path.glob("*.npz"))
    assert files
    # cut some files short, overwrite others with noise, flip a byte inside the rest's data
    for i, path in enumerate(files):
        raw = path.read_bytes()
        if i % 3 == 0:
            path.write_bytes(raw[: len(raw) // 2])
        elif i % 3 == 1:
            path.write_bytes(os.urandom(len(raw)))
        else:
            # inside the largest array's stored bytes (a byte of the zip's headers or padding may
            # be one the reader never looks at, which is no damage to an entry)
            with zipfile.ZipFile(path) as z:
                member = max(z.infolist(), key=lambda m: m.compress_size)
            name_len, extra_len = struct.unpack(
                "<HH", raw[member.header_offset + 26 : member.header_offset + 30]
            )
            start = member.header_offset + 30 + name_len + extra_len
            flipped = bytearray(raw)
            flipped[start + member.compress_size // 2] ^= 0xFF
            path.write_bytes(bytes(flipped))
    after = _on_disk(tmp_path)
    again = run_study(_city(), _scheme(12.0), ["city:shed"], FAST, cache=after)
    cold = run_study(_city(), _scheme(12.0), ["city:shed"], FAST, cache=LruCache())
    assert _without_timings(again) == _without_timings(cold)
    assert after.disk is not None and after.disk.stats.corrupt > 0
    assert after.disk.stats.hits == 0  # not one damaged file was taken for an entry


def test_the_folder_is_bounded_and_drops_the_least_recently_used_first(tmp_path):
    disk = DiskCache(tmp_path, 40_000)  # an entry may take a quarter of the bound at most
    for name in ("a", "b", "c"):
        assert disk.put(("k", name), np.full(9_000, ord(name), np.uint8))
    old = 1_000_000_000.0
    for age, name in enumerate(("a", "b", "c")):  # written long ago, a first
        os.utime(disk.path_of(("k", name)), (old + age, old + age))
    assert disk.get(("k", "a")) is not None  # read now: the most recently used
    assert disk.put(("k", "d"), np.full(9_000, ord("d"), np.uint8))
    assert disk.put(("k", "e"), np.full(9_000, ord("e"), np.uint8))
    assert disk.nbytes() <= 40_000
    assert disk.get(("k", "b")) is None  # the least recently used went first
    assert disk.get(("k", "a")) is not None and disk.get(("k", "e")) is not None
    assert disk.stats.evictions >= 1
    # an entry over a quarter of the bound is not written; nor is what is not plain data
    assert not disk.put(("k", "big"), np.zeros(20_000, np.uint8))
    assert not disk.put(("k", "object"), object())
    assert not list(tmp_path.glob(".tmp-*"))  # no half-written file left behind


def test_entries_come_back_as_they_went_in(tmp_path):
    disk = DiskCache(tmp_path, 2**20)
    pts = Points(
        np.arange(12.0).reshape(4, 3),
        np.eye(3)[[0, 1, 2, 0]],
        np.array([0, 1, -1, 2]),
        np.array([0, 1, 0, 3]),
    )
    ground = shapely.Point(1.5, 2.5).buffer(10.0).difference(shapely.box(0, 0, 3, 3))
    value = (pts, pts.take(np.array([True, False, True, False])), ground, 2.5)
    assert disk.put(("grids", b"\x00\x01", 3.25), value)
    back = DiskCache(tmp_path, 2**20).get(("grids", b"\x00\x01", 3.25))
    assert isinstance(back[0], Points) and back[3] == 2.5
    for got, want in zip(back[:2], value[:2], strict=True):
        for f in ("xyz", "normal", "feature", "storey"):
            np.testing.assert_array_equal(getattr(got, f), getattr(want, f))
            assert getattr(got, f).dtype == getattr(want, f).dtype
    assert back[2].equals_exact(ground, 0.0)
    # another key, even one differing in a float's last digit, is another file
    assert disk.get(("grids", b"\x00\x01", 3.2500000001)) is None
