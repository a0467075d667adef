"""start_ray: a local start-up that times out under load is retried; other errors are not."""

import pytest

STARTUP_TIMEOUT = Exception(
    "The current node timed out during startup. This could happen because some of the raylet "
    "failed to startup or the GCS has become overloaded."
)


@pytest.mark.slow
def test_a_start_up_timeout_is_retried_and_ray_then_runs(tmp_path, monkeypatch):
    import ray

    from experiments.common.ray_runtime import start_ray

    ray.shutdown()  # an earlier test's cluster would make start_ray return before any init
    real_init, calls = ray.init, []

    def init_timing_out_once(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise STARTUP_TIMEOUT  # what Ray raises after its fixed 30 s wait
        return real_init(*args, **kwargs)

    monkeypatch.setattr(ray, "init", init_timing_out_once)
    try:
        start_ray(tmp_path, num_cpus=1)
        assert len(calls) == 2 and ray.is_initialized()
        assert ray.get(ray.put(41)) + 1 == 42  # the retried cluster really runs
    finally:
        ray.shutdown()


def test_other_start_up_errors_and_the_last_timeout_are_raised(tmp_path, monkeypatch):
    import ray

    from experiments.common import ray_runtime

    ray.shutdown()
    calls = []

    def init_failing(error):
        def init(*args, **kwargs):
            calls.append(kwargs)
            raise error

        return init

    monkeypatch.setattr(ray, "init", init_failing(ValueError("bad num_cpus")))
    with pytest.raises(ValueError, match="bad num_cpus"):
        ray_runtime.start_ray(tmp_path, num_cpus=1)
    assert len(calls) == 1
    calls.clear()
    monkeypatch.setattr(ray, "init", init_failing(STARTUP_TIMEOUT))
    with pytest.raises(Exception, match="timed out during startup"):
        ray_runtime.start_ray(tmp_path, num_cpus=1)
    assert len(calls) == ray_runtime.STARTUP_ATTEMPTS
