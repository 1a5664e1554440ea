"""bench/lib.py - what the benchmark drivers share: building refstor-bench,
bringing a backend up (fixtures/refstor-fixture, on a root of their own)
and down again, running one measurement and reading its JSON, and the
machine's description for the reports."""
import json
import os
import platform
import subprocess
import sys

TOP = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.realpath(os.environ.get("RS_BUILD", os.path.join(TOP, "build")))
FIXTURE = os.path.join(TOP, "fixtures", "refstor-fixture")
# A fixture root of our own: never lean on (or take down) another run's.
ROOT = os.environ.get("REFSTOR_FIXTURE_ROOT", "/var/tmp/refstor-perf")


def build_bench():
    """Configure (once) and build refstor-bench in $RS_BUILD/perf; its path."""
    tree = os.path.join(BUILD, "perf")
    log = tree + ".build.log"
    os.makedirs(tree, exist_ok=True)
    with open(log, "w") as f:
        steps = [["cmake", "--build", tree, "-j", str(os.cpu_count() or 2), "--target", "refstor-bench"]]
        if not os.path.exists(os.path.join(tree, "CMakeCache.txt")):
            steps.insert(0, ["cmake", "-S", TOP, "-B", tree, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                             "-DREFSTOR_BUILD_FIO=OFF", "-DREFSTOR_BUILD_SELFTEST=OFF",
                             "-DBUILD_TESTING=OFF"])
        for cmd in steps:
            if subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode:
                sys.exit(f"bench: building refstor-bench failed: see {log}")
    return os.path.join(tree, "bench", "refstor-bench")


class Backends:
    """The backends brought up here, taken down by down() (only those)."""

    def __init__(self):
        self.env = dict(os.environ, REFSTOR_FIXTURE_ROOT=ROOT)
        self.made = []

    def up(self, name, size=None):
        """(path, kind) of backend name, or (None, the reason it cannot be had)."""
        cmd = [FIXTURE, "up", name] + (["--size", size] if size else [])
        r = subprocess.run(cmd, env=self.env, capture_output=True, text=True)
        self.made.append(name)
        if r.returncode:
            return None, r.stderr.strip().replace("SKIP: ", "") or f"exit {r.returncode}"
        info = json.loads(subprocess.run([FIXTURE, "info", name, "--json"], env=self.env,
                                         capture_output=True, text=True, check=True).stdout)
        return info["path"], info["kind"]

    def down(self):
        for name in reversed(self.made):
            subprocess.run([FIXTURE, "down", name], env=self.env, capture_output=True)
        self.made = []


def measure(cmd):
    """Run one refstor-bench measurement: (its JSON object, None) or
    (None, why it did not give one)."""
    r = subprocess.run(cmd, capture_output=True, text=True)
    try:
        return json.loads(r.stdout.strip().splitlines()[-1]), None
    except (ValueError, IndexError):
        return None, (r.stderr.strip() or f"exit {r.returncode}").splitlines()[-1]


def machine():
    """The machine, for a report's header."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    rev = subprocess.run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip() or "unknown"
    return {"kernel": platform.release(), "cpu": cpu, "nproc": os.cpu_count(), "refstor_rev": rev}


DOC = os.path.join(TOP, "docs", "performance.md")


def write_doc_section(name, text):
    """Replace the text between '<!-- NAME: begin -->' and '<!-- NAME: end -->'
    in docs/performance.md with text: each benchmark owns its section, so a
    rerun regenerates it and leaves the prose around it alone."""
    begin, end = f"<!-- {name}: begin -->", f"<!-- {name}: end -->"
    with open(DOC) as f:
        doc = f.read()
    if begin not in doc or end not in doc:
        sys.exit(f"bench: {DOC} has no '{begin}' ... '{end}' section to write")
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(DOC, "w") as f:
        f.write(head + begin + "\n" + text.rstrip("\n") + "\n" + end + tail)
    print(f"wrote {DOC} ({name})")
