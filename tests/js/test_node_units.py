"""The unit tests of the page scripts (the ES modules in static/js/roadmap/, static/js/sessions/
and static/js/search-select/), run with Node's own test runner.

Decision: they run inside pytest rather than as a separate `make test` line, so that there is
one run, one report and one rule for a missing tool: without `node` the test is skipped
locally with the reason and fails under CI=true, like PostgreSQL, Redis and the browser
(tests.conftest.require). The scripts need no npm package: the *.test.mjs files import the
modules directly and drive them with the fakes in fakes.mjs.
"""

import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import require

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def test_roadmap_scripts_pass_their_node_unit_tests():
    node = shutil.which("node")
    require(node is not None, "Node.js (`node`) is not installed: the script unit tests need it")
    files = sorted(HERE.glob("*.test.mjs"))
    # Each file's top-level test(...) calls: all of them must have run, not only some files.
    expected = sum(len(re.findall(r"^test\(", f.read_text(), re.M)) for f in files)

    result = subprocess.run(
        [node, "--test", "--test-reporter=tap", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert re.search(r"^# fail 0$", result.stdout, re.M), report
    assert re.search(r"^# pass (\d+)$", result.stdout, re.M).group(1) == str(expected), report
