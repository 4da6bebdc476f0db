# Sourced by the Integration run scripts: the one Python venv they share (Integration/.venv),
# created on first use, with the packages a script needs installed when its imports fail.
#
#   source "$repo/Integration/venv.sh"
#   ensure_venv "import confluent_kafka, kazoo" confluent-kafka kazoo
#
# Sets `venv` to the venv's directory.

venv="$repo/Integration/.venv"

ensure_venv() {
    local imports="$1"
    shift
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    if ! "$venv/bin/python" -c "$imports" 2>/dev/null; then
        "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
    fi
}
