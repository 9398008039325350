# Shared by start.sh and test.sh: a virtual environment in .venv with the project installed.
# Works on a fresh Debian machine with Python 3.11 (installs python3-venv when it is missing).

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
            rm -rf "$VENV"
            if command -v apt-get >/dev/null; then
                echo "installing Debian's python3-venv" >&2
                apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
            fi
            "$PYTHON" -m venv "$VENV"
        fi
    fi
    "$VENV/bin/python" -m pip install -q --upgrade pip
}

install_project() {  # $1: extras, e.g. "[test]" or ""
    "$VENV/bin/python" -m pip install -q -e ".$1"
}
