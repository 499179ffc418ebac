"""What the concurrency tests share: calls released together, and a test server with threads enough."""

import threading
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread


def in_parallel(calls) -> list:
    """Run the calls at once (released together by a barrier); their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def allow_threads(client, threads: int) -> None:
    """Let the test client's server run this many requests at once (anyio's default is 40).

    Sync endpoints and the session dependency's commit each take a worker thread; with fewer threads than
    requests waiting on a row lock, the request holding the lock could find no thread left to commit in,
    and everyone would wait. A deployment sizes its workers likewise.
    """
    async def raise_limit() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads

    client.portal.call(raise_limit)
