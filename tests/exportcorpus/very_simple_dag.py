# from apache/hamilton tests/resources/very_simple_dag.py
def b(a: int) -> int:
    return a
