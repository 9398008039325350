# from apache/hamilton tests/resources/test_driver_serde_worker.py
def double(a: int) -> int:
    return a * 2
