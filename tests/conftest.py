"""Fixtures shared by several test modules."""
import pytest

NO_DASK = "Dask is not installed (pip install 'exactmem[distributed]'); the local pool is tested without it"


@pytest.fixture(scope="module")
def dask_client():
    """A Dask LocalCluster of 2 single-threaded worker processes, and a client that is not the default one."""
    distributed = pytest.importorskip("distributed", reason=NO_DASK)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()
