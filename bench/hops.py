"""How many of the project's own functions one survey passes through, from the form's POST to a published percentile.

    .venv/bin/python bench/hops.py [--list]

Runs on the test settings (in-memory SQLite, tasks in-process): a trainer posts the survey form, the recompute runs
on commit, and `benchmarks/` is read back. Every distinct function of the project (benchmarks, trainers, postings,
portal) entered on the way is counted once; `--list` prints them by module. The count measures how many places a
reader follows to see how a survey becomes a figure; it is not a speed figure.
"""

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("benchmarks", "trainers", "postings", "portal")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every function counted, by module")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)

    from django.test import Client

    from tests.factories import TrainerFactory, survey_form_data

    trainer = TrainerFactory()
    client = Client()
    client.force_login(trainer.user)
    client.get("/me/surveys/new/")  # warm up: URL resolver, templates, lazy imports

    seen: dict[str, set[str]] = defaultdict(set)
    prefixes = tuple(str(ROOT / app) + os.sep for app in APPS)

    def profile(frame, event, _arg):
        # Comprehensions and lambdas are part of the function they are written in, not places of their own.
        if event == "call" and frame.f_code.co_filename.startswith(prefixes) and "<" not in frame.f_code.co_qualname:
            module = Path(frame.f_code.co_filename).relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
            seen[module].add(frame.f_code.co_qualname)

    sys.setprofile(profile)
    try:
        response = client.post("/me/surveys/new/", survey_form_data())
        answer = client.get("/api/v1/benchmarks/", {"domain": "generalist", "tier": "skilled", "country": "US"})
    finally:
        sys.setprofile(None)
    assert response.status_code == 302, response.status_code
    assert answer.status_code == 200, answer.status_code
    total = sum(len(names) for names in seen.values())
    print(f"project functions from the survey form's POST to a published percentile: {total} in {len(seen)} modules")
    if args.list:
        for module in sorted(seen):
            print(f"  {module} ({len(seen[module])}): {', '.join(sorted(seen[module]))}")


if __name__ == "__main__":
    main()
