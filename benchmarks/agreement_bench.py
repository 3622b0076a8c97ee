"""Benchmark for `qualcode agree` (issue 5): two and three coders over 100,000 turns and 60 codes.

Target: under 5 s and under 1 GB. The synthetic project is written straight into the database in one
transaction (transcripts, fragments, coders, codings; no ingest, no journal), then each measurement
runs in a fresh Python process that opens the project and calls the library's `agreement()`, so the
peak memory reported (VmHWM) is that of a whole `agree` process, imports included. A second
pass in the parent reports the peak of Python-traced allocations (tracemalloc) of the call alone.

    .venv/bin/python benchmarks/agreement_bench.py            # 100,000 turns, 60 codes, 2 and 3 coders
    .venv/bin/python benchmarks/agreement_bench.py --small    # 5,000 turns: a quick check
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

TIME_TARGET_S = 5.0
MEMORY_TARGET_MB = 1024.0


def build_project(root: Path, turns: int, codes: int, coders: int, density: float = 1.5, per_transcript: int = 100,
                  seed: int = 5) -> dict:
    """A project with ``turns`` respondent turns (plus as many interviewer turns) and random codings.

    Coder A applies each code to a turn with a code-specific prevalence (a few common codes, many
    rare ones; ``density`` codes per turn on average); the other coders copy A's decision and flip it with a
    small probability, so agreement is high but not perfect, as between trained coders.
    """
    import numpy as np

    from qualcode.project import Project
    from qualcode.store import now

    Project.init(root).close()
    project = Project.open(root)
    store = project.store
    cb = project.codebook()
    code_ids = [c.id for c in cb.codes.values() if c.codable][:codes]
    rng = np.random.default_rng(seed)
    n_t = (turns + per_transcript - 1) // per_transcript
    question, answer = "Hoe gaat u daarmee om?", "Ik kijk per klant wat past, want elke klant is anders. " * 3
    stamp = now()
    transcripts, fragments = [], []
    frag_start = np.zeros(turns, dtype=np.int64)
    frag_len = np.full(turns, len(answer.strip()), dtype=np.int64)
    frag_tid = []
    k = 0
    for t in range(n_t):
        tid = f"B{t:05d}_r1"
        parts, pos, n = [], 0, 0
        for _ in range(min(per_transcript, turns - k)):
            for speaker, text in (("I", question), ("R", answer.strip())):
                n += 1
                line = f"{speaker}: "
                start = pos + len(line)
                fragments.append((f"{tid}:{n}", tid, n, speaker, int(speaker == "I"), None if speaker == "I" else tid,
                                  start, start + len(text), n, len(text.split()), "{}"))
                if speaker == "R":
                    frag_start[k] = start
                    frag_tid.append(tid)
                    k += 1
                parts.append(line + text + "\n")
                pos += len(line) + len(text) + 1
        text = "".join(parts)
        transcripts.append((tid, f"transcripts/{tid}.txt", "txt", text, hashlib.sha256(text.encode()).hexdigest(),
                            "-", tid, "{}", 0, stamp, None))
    zipf = 1.0 / np.arange(1, codes + 1)
    prevalence = np.clip(density * zipf / zipf.sum(), 0.002, 0.6)
    base = rng.random((turns, codes)) < prevalence[None, :]
    rows = []
    names = [f"coder_{chr(ord('a') + i)}" for i in range(coders)]
    for i, name in enumerate(names):
        flip = rng.random((turns, codes)) < (0.0 if i == 0 else 0.02) * np.maximum(prevalence, 0.05)[None, :]
        applied = base ^ flip
        ti, ci = np.nonzero(applied)
        # half of the codings cover the whole turn, the others a part of it
        part = rng.random(ti.size) < 0.5
        s = frag_start[ti] + np.where(part, 10, 0)
        e = frag_start[ti] + np.where(part, frag_len[ti] - 20, frag_len[ti])
        for t_idx, c_idx, st, en in zip(ti.tolist(), ci.tolist(), s.tolist(), e.tolist()):
            rows.append((name, code_ids[c_idx], frag_tid[t_idx], None, st, en, "", "manual", stamp, "active"))
    with store.transaction():
        store.conn.executemany("INSERT INTO transcripts (id, file, format, text, text_hash, source_hash, default_case, "
                               "speakers, pii_allowed, ingested_at, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                               transcripts)
        store.conn.executemany('INSERT INTO fragments (id, transcript_id, n, speaker, is_interviewer, case_id, start, '
                               '"end", line, words, meta) VALUES (?,?,?,?,?,?,?,?,?,?,?)', fragments)
        store.conn.executemany("INSERT INTO coders (name, kind, created_at) VALUES (?, 'human', ?)",
                               [(n, stamp) for n in names])
        store.conn.executemany('INSERT INTO codings (coder, code, transcript_id, fragment_id, start, "end", text, '
                               "origin, created_at, status) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    project.close()
    return {"transcripts": n_t, "turns": turns, "codes": codes, "codings": len(rows), "coders": names}


MEASURE = r"""
import json, resource, sys, time
def peak_mb():
    # VmHWM: this process's peak resident memory (ru_maxrss would include the parent's peak on Linux,
    # as it survives fork + exec)
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
from qualcode.project import Project
p = Project.open(sys.argv[1])
coders = json.loads(sys.argv[2])
t1 = time.perf_counter()
p.codebook()  # parsed once per process; timed apart from the agreement itself
t2 = time.perf_counter()
result = p.agreement_report(coders=coders, unit=sys.argv[3])
t3 = time.perf_counter()
print(json.dumps({"codebook_s": t2 - t1, "agree_s": t3 - t2, "process_s": t3 - t0, "rss_mb": peak_mb(),
                  "codes": len(result.codes), "units": result.overall["units"],
                  "overall_alpha": result.overall["krippendorff_alpha"]}))
"""


def measure(root: Path, coders: list[str], unit: str) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(root), json.dumps(coders), unit],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def traced_peak(root: Path, coders: list[str], unit: str) -> float:
    from qualcode.project import Project

    with Project.open(root) as p:
        tracemalloc.start()
        p.agreement_report(coders=coders, unit=unit)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", type=int, default=100_000)
    ap.add_argument("--codes", type=int, default=60)
    ap.add_argument("--density", type=float, default=1.5, help="codes per turn and coder (mean)")
    ap.add_argument("--small", action="store_true", help="5,000 turns")
    ap.add_argument("--units", default="turn", help="comma-separated units to time (turn,sentence,char,segment)")
    args = ap.parse_args()
    turns = 5_000 if args.small else args.turns
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "agreebench"
        t = time.perf_counter()
        info = build_project(root, turns, args.codes, coders=3, density=args.density)
        print(f"built {info['transcripts']} transcripts, {info['turns']} respondent turns, {info['codes']} codes, "
              f"{info['codings']} codings in {time.perf_counter() - t:.1f} s")
        print("agree s: agreement() alone; codebook s: parsing the codebook YAML; process s: the whole call from\n"
              "`import qualcode` on (what `qualcode agree` costs); peak MB: the process's peak resident memory;\n"
              "traced MB: peak of allocations traced by tracemalloc during agreement()")
        print(f"{'coders':>6} {'unit':>8} {'agree s':>8} {'codebook s':>10} {'process s':>9} {'peak MB':>8} "
              f"{'traced MB':>9}  target")
        for unit in args.units.split(","):
            for n in ((2,) if unit == "segment" else (2, 3)):  # segment matching pairs two coders
                coders = info["coders"][:n]
                r = measure(root, coders, unit)
                peak = traced_peak(root, coders, unit)
                ok = r["process_s"] < TIME_TARGET_S and r["rss_mb"] < MEMORY_TARGET_MB
                print(f"{n:>6} {unit:>8} {r['agree_s']:>8.2f} {r['codebook_s']:>10.2f} {r['process_s']:>9.2f} "
                      f"{r['rss_mb']:>8.0f} "
                      f"{peak:>9.0f}  {'met' if ok else 'MISSED'} (< {TIME_TARGET_S:g} s, < {MEMORY_TARGET_MB:g} MB)")


if __name__ == "__main__":
    main()
