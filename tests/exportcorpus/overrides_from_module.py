# from apache/hamilton tests/resources/overrides_from_module.py
def c(b: int) -> int:
    return b + 13
