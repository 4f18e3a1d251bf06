from collections import Counter

import pytest

from tests.factories import CompanyFactory, StaffFactory, TrainerFactory, UserFactory


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schemathesis gives each operation's test the node id of the schema test; xdist runs one test per node id, so
    each is named after its operation here, and any other clash stops the run rather than losing tests."""
    counts = Counter(item.nodeid for item in items)
    for item in items:
        if counts[item.nodeid] > 1 and item.parent is not None:
            item._id = item.parent.id.child(item.name)
    clashes = [nodeid for nodeid, count in Counter(item.nodeid for item in items).items() if count > 1]
    if clashes:
        raise pytest.UsageError(f"several tests share a node id, and xdist would run only one of each: {clashes}")


@pytest.fixture(autouse=True)
def _media_and_cache(settings):
    """Each test starts with empty caches, so that nothing of another test leaks in: throttle counts, locks, the
    cells' version, answers and verified keys (which each process also keeps in memory)."""
    from django.core.cache import cache, caches

    from portal.api.authentication import forget_verified_keys
    from portal.api.throttling import TALLY

    clears = (cache.clear, caches["process"].clear, forget_verified_keys, TALLY.clear)
    for clear in clears:
        clear()
    yield
    for clear in clears:
        clear()


# People in each role, shared by the web, security and API tests.


@pytest.fixture
def staff(db):
    return StaffFactory(username="staff")


@pytest.fixture
def trainer(db):
    return TrainerFactory(user=UserFactory(username="trainer"), display_name="Tess Trainer")


@pytest.fixture
def other_trainer(db):
    return TrainerFactory(user=UserFactory(username="othertrainer"), display_name="Otto Other")


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


@pytest.fixture
def company(owner):
    return CompanyFactory(owner=owner, name="Acme Labs", slug="acme-labs")


@pytest.fixture
def other_owner(db):
    return UserFactory(username="otherowner")


@pytest.fixture
def other_company(other_owner):
    return CompanyFactory(owner=other_owner, name="Rival Corp", slug="rival-corp")


# A test in committed transactions (``transaction=True``, ``live_server``) leaves the database empty at its end; the
# next one with ``serialized_rollback`` loads the migrations' rows back at its start. Run alone, pytest-django orders
# those tests last; under xdist a process may be given another file after them, so their rows are loaded back here.


def _flushes(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    committed = bool(marker and marker.kwargs.get("transaction"))
    return committed or bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    result = yield
    if nextitem is not None and _flushes(item) and not _flushes(nextitem):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all(initialized_only=True):
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents:
                    connection.creation.deserialize_db_from_string(contents)
    return result
