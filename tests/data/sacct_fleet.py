"""Writes sacct_fleet.txt, a synthetic Slurm accounting export (what
`sacct --allusers --parsable2 -o JobID,State,Partition,Account,JobName,Elapsed,Start,End,AllocTRES,ExitCode`
prints), and sacct_fleet_expected.csv, the GPU-hours per tag value that
tests/inventory.rs must get from it with these rules:

    --tag-by 'phase=ablation:-abl'          (before pretraining: pt-…-abl… is an ablation)
    --tag-by 'phase=pretraining:^pt-'
    --tag-by 'phase=finetuning:^ft-'
    --tag-by 'module=^[a-z]+-([a-z]+)-'     (the value is the second word of the name)
    --tag-by 'queue@partition=large:^gpu-(large|xl)$'
    --tag-by 'queue@partition=small:^gpu-'

The totals are computed from what the generator chose (GPU count, elapsed
milliseconds, phase, module, queue, state), not by parsing the export, so
the test checks the parser against an independent account. GPU-hours of a
job are gpus × milliseconds / 3,600,000 (one correctly rounded division of
exact integers, as in ecoband); each total is math.fsum of them, exact to
the last bit, so ecoband's plain sums agree to ~1e-12 relative.

The export holds what real ones do: job steps (.batch, .extern, .0, .1,
with GPUs of their own that must not be added), array tasks (1234_7) and a
pending array (1234_[3-9]), heterogeneous jobs (1234+0, 1234+1), every
common state (`CANCELLED by UID`, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL …),
untyped, typed and mixed-type gres, CPU-only jobs, multi-day, MM:SS and
MM:SS.mmm elapsed times, running jobs without an end.

    python3 tests/data/sacct_fleet.py     # plain python3, standard library only
"""
import csv
import datetime
import math
import random
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["JobID", "State", "Partition", "Account", "JobName", "Elapsed", "Start", "End", "AllocTRES", "ExitCode"]
MODULES = ["mimi", "helium", "moshi", "tts"]
STATES = [  # (State text or a function of the rng, outcome, weight)
    ("COMPLETED", "completed", 60),
    ("FAILED", "failed", 12),
    (None, "cancelled", 10),  # CANCELLED by UID
    ("TIMEOUT", "timeout", 6),
    ("OUT_OF_MEMORY", "out-of-memory", 4),
    ("NODE_FAIL", "node-fail", 3),
    ("PREEMPTED", "preempted", 3),
    ("RUNNING", "running", 2),
]
EPOCH = datetime.datetime(2025, 1, 6, 8, 0, 0)


def elapsed_text(rng, ms):
    """Slurm's forms: D-HH:MM:SS past a day, MM:SS or MM:SS.mmm for some
    short jobs, HH:MM:SS otherwise; with the milliseconds the text keeps
    (whole seconds unless it shows .mmm)."""
    s, milli = divmod(ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    d, h = divmod(h, 24)
    whole = ms - milli
    if d:
        return f"{d}-{h:02d}:{m:02d}:{s:02d}", whole
    if h == 0 and rng.random() < 0.5:
        if rng.random() < 0.5:
            return f"{m:02d}:{s:02d}.{milli:03d}", ms
        return f"{m:02d}:{s:02d}", whole
    return f"{h:02d}:{m:02d}:{s:02d}", whole


def tres(rng, gpus, nodes):
    cpu = 8 * max(gpus, 1)
    base = [f"billing={cpu}", f"cpu={cpu}"]
    tail = [f"mem={64 * max(gpus, 1)}G", f"node={nodes}"]
    if gpus == 0:
        return ",".join(base + tail)
    form = rng.random()
    if form < 0.5:
        gres = [f"gres/gpu={gpus}"]
    elif form < 0.75:
        gres = [f"gres/gpu:a100={gpus}", f"gres/gpu={gpus}"]
    elif form < 0.9 or gpus == 1:
        gres = [f"gres/gpu:h100={gpus}"]
    else:  # two types on one job, no untyped total: they add up
        a = gpus // 2
        gres = [f"gres/gpu:a100={a}", f"gres/gpu:v100={gpus - a}"]
    return ",".join(base + gres + tail)


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def main():
    rng = random.Random(20250612)
    lines = []
    totals = defaultdict(list)  # (key, value) -> GPU-hours of each job
    zero_gpu = 0
    job_id = 41000

    def emit(jid, name, partition, state, ms, gpus, start, running):
        """Writes a job's line; returns the milliseconds its Elapsed says."""
        nodes = max(1, gpus // 8)
        end = "Unknown" if running else stamp(start + datetime.timedelta(milliseconds=ms))
        text, ms = elapsed_text(rng, ms)
        lines.append([jid, state, partition, "lab", name, text, stamp(start), end,
                      tres(rng, gpus, nodes), "0:0" if state == "COMPLETED" else "1:0"])
        return ms

    def count(phase, module, queue, outcome, gpus, ms):
        nonlocal zero_gpu
        if gpus == 0:
            zero_gpu += 1
            return
        h = gpus * ms / 3_600_000
        for key, value in (("phase", phase), ("module", module), ("queue", queue), ("outcome", outcome)):
            totals[(key, value)].append(h)
        totals[("all", "all")].append(h)

    def steps(jid, name, partition, ms, gpus, start):
        # Steps repeat their job's GPUs: adding them would double-count.
        if rng.random() < 0.5:
            return
        for step in rng.sample(["batch", "extern", "0", "1"], rng.randint(1, 3)):
            sms = rng.randint(0, ms)
            lines.append([f"{jid}.{step}", "COMPLETED", partition, "lab", step if step in ("batch", "extern") else name,
                          elapsed_text(rng, sms)[0], stamp(start), stamp(start + datetime.timedelta(milliseconds=sms)),
                          tres(rng, gpus, max(1, gpus // 8)), "0:0"])

    for _ in range(1600):
        job_id += rng.randint(1, 5)
        start = EPOCH + datetime.timedelta(seconds=rng.randint(0, 170 * 86400))
        module = rng.choice(MODULES)
        kind = rng.random()
        word = rng.choices(["pt", "ft", "eval", "dbg"], [40, 25, 20, 15])[0]
        abl = word in ("pt", "ft") and rng.random() < 0.25
        name = f"{word}-{module}-{'abl-' if abl else ''}r{rng.randint(1, 999)}"
        phase = "ablation" if abl else {"pt": "pretraining", "ft": "finetuning"}.get(word, "unmatched")
        if rng.random() < 0.05:  # an interactive session: no module, no phase
            name, phase, module = "jupyter", "unmatched", "unmatched"
        partition = rng.choices(["gpu-large", "gpu-xl", "gpu-small", "gpu-debug"], [30, 10, 40, 20])[0]
        queue = "large" if partition in ("gpu-large", "gpu-xl") else "small"
        gpus = rng.choice([1, 2, 4, 8, 8, 16, 32, 64]) if partition != "gpu-debug" else rng.choice([1, 2])
        text, outcome, _ = rng.choices(STATES, [w for *_, w in STATES])[0]
        state = text or f"CANCELLED by {rng.randint(1000, 9999)}"
        running = outcome == "running"
        # Log-uniform from 20 s to 6 days, with milliseconds.
        ms = int(math.exp(rng.uniform(math.log(20_000), math.log(6 * 86_400_000))))

        if kind < 0.07:  # CPU-only job on the cpu partition: counted, no row
            emit(str(job_id), name, "cpu", state, ms, 0, start, running)
            count(phase, module, "unmatched", outcome, 0, 0)
        elif kind < 0.10:  # an array not started yet: no allocation, no GPUs
            lines.append([f"{job_id}_[3-{rng.randint(4, 9)}]", "PENDING", partition, "lab", name, "00:00:00",
                          "Unknown", "Unknown", "", "0:0"])
            count(phase, module, queue, "pending", 0, 0)
        elif kind < 0.20:  # array tasks: each is a job
            for task in range(rng.randint(2, 8)):
                tms = rng.randint(1000, ms)
                jid = f"{job_id}_{task}"
                count(phase, module, queue, outcome, gpus, emit(jid, name, partition, state, tms, gpus, start, running))
                steps(jid, name, partition, tms, gpus, start)
        elif kind < 0.25:  # heterogeneous job: each component counts
            for comp, cpart in enumerate([partition, "gpu-small"]):
                cgpus = gpus if comp == 0 else rng.choice([0, 1, 2])
                cqueue = queue if comp == 0 else "small"
                jid = f"{job_id}+{comp}"
                count(phase, module, cqueue, outcome, cgpus, emit(jid, name, cpart, state, ms, cgpus, start, running))
                steps(jid, name, cpart, ms, cgpus, start)
        else:
            count(phase, module, queue, outcome, gpus, emit(str(job_id), name, partition, state, ms, gpus, start, running))
            steps(str(job_id), name, partition, ms, gpus, start)

    with open(HERE / "sacct_fleet.txt", "w", newline="") as f:
        f.write("|".join(COLUMNS) + "\n")
        for cells in lines:
            f.write("|".join(cells) + "\n")
    with open(HERE / "sacct_fleet_expected.csv", "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["key", "value", "jobs", "gpu_hours"])
        for (key, value), hours in sorted(totals.items()):
            out.writerow([key, value, len(hours), repr(math.fsum(hours))])
        out.writerow(["zero-gpu", "all", zero_gpu, "0.0"])


if __name__ == "__main__":
    main()
