import pytest
from hypothesis import settings

settings.register_profile("default", max_examples=60, deadline=None)
settings.load_profile("default")


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with make test FULL=1 (pytest --runslow)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _restore_sys_path():
    """Claim discovery puts folders on sys.path (a test's tmp_path among them, with a json.py in it): take them off
    after each test, so that no later test -- or a process it spawns, which inherits sys.path -- imports from
    them, whatever the order of the tests and however pytest-xdist shares them out."""
    import sys
    saved = list(sys.path)
    yield
    sys.path[:] = saved
